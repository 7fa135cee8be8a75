import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/events`, `/events/<id>` and the page a check-in QR code opens (50-ui §3). Visitors who are not signed in see
/// public events only, as in EVT-1 and EVT-2.
struct EventPageRoutes: FeatureRoutes {
    let configuration: Configuration
    let profiles: ProfileStore
    let events: EventStore
    let eventViews: EventViews
    let pages: PageRenderer

    /// The signed-in active visitor, if any; the pages serve the public subset otherwise.
    static func reader(_ context: AppRequestContext) -> Identity? {
        guard let identity = context.identity, identity.session != nil, identity.user.status == .active else { return nil }
        return identity
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let events = events
        MemberPage.register(router, catalog, "PAGE-EVENTS", "/events", "Events") { request, context in
            let identity = Self.reader(context)
            let parameters = request.uri.formQuery
            let now = Date()
            var listing = EventStore.Listing(from: now, to: now.addingTimeInterval(180 * 86400))
            listing.kind = parameters.get("kind").map { String($0) }.flatMap { EventViews.kinds.contains($0) ? $0 : nil }
            listing.text = parameters.get("q").map { String($0.prefix(100)) }
            listing.mine = identity != nil && parameters.get("mine") == "true"
            listing.limit = 50
            let chosen = listing
            let found = try await Offload.run { try events.list(chosen, reader: identity?.user.id) }
            return HTMLResponse.make(
                pages.render(
                    "events",
                    [
                        "events": try await eventViews.bodies(found).compactMap(\.templateValue), "hasEvents": !found.isEmpty,
                        "q": listing.text ?? "", "mine": listing.mine, "signedOut": identity == nil,
                        "kinds": EventViews.kinds.map { ["value": $0, "label": PageWord.words($0), "selected": $0 == chosen.kind] },
                        "canOrganise": identity.map { $0.mayOrganiseEvent(departmentID: $0.user.departmentID) } ?? false,
                    ], request: request, identity: context.identity))
        }
        MemberPage.register(router, catalog, "PAGE-EVENT", "/events/{id}", "An event") { request, context in
            let identity = Self.reader(context)
            let event = try await eventViews.visibleEvent(context)
            var data: [String: Any] = [
                "event": try await eventViews.body(event).templateValue as Any, "signedOut": identity == nil,
                "cancelled": event.status == "cancelled", "going": event.myStatus == "going", "waitlisted": event.myStatus == "waitlisted",
                "position": event.myPosition as Any,
                "full": event.myStatus == nil && event.capacity.map { event.goingCount >= $0 } == true && !event.waitlistEnabled,
                "canRSVP": identity != nil && event.myStatus == nil && event.status == "scheduled",
            ]
            if let capacity = event.capacity { data["percentFull"] = min(100, event.goingCount * 100 / max(1, capacity)) }
            if let identity, identity.mayManage(event) {
                let id = event.id
                let code = try await Offload.run { try events.checkInCode(eventID: id) }
                let link = "\(request.siteOrigin(configuration))/events/\(id)/check-in?code=\(code)"
                let qr = try await Offload.run { try QRCode.encode(Array(link.utf8)).svg(moduleSize: 4) }
                let rows = try await Offload.run { try events.attendees(eventID: id, status: nil) }
                let profiles = profiles
                let cards = try await Offload.run { try profiles.cards(ids: rows.map(\.userID), viewer: identity.user.id) }
                data["organiser"] = [
                    "code": code, "qr": qr,
                    "attendees": rows.map { row -> [String: Any] in
                        [
                            "id": Int(row.userID),
                            "name": cards[row.userID].map { "\($0.record.firstName) \($0.record.lastName)" } ?? "Member",
                            "status": row.status, "position": row.position as Any, "checkedIn": row.checkedInAt != nil,
                        ]
                    },
                ]
            }
            return HTMLResponse.make(pages.render("event", data, request: request, identity: context.identity))
        }
        MemberPage.register(router, catalog, "PAGE-EVENT-CHECKIN", "/events/{id}/check-in", "Check in to an event") { request, context in
            let identity = try MemberPage.identity(request, context)
            let event = try await eventViews.visibleEvent(context)
            let code = String((request.uri.formQuery.get("code") ?? "").prefix(6))
            return HTMLResponse.make(
                pages.render(
                    "check-in", ["event": try await eventViews.body(event).templateValue as Any, "code": code], request: request,
                    identity: identity))
        }
    }
}
