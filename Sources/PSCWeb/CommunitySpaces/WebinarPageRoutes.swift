import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/webinars` and `/webinars/<id>` (50-ui): upcoming (in progress included) and past, times in the host's zone and
/// in Central time, places left, register or cancel, the meeting link by the rule of §15, the calendar file, the
/// recording afterwards, and for the host the editor, attendance and cancellation.
struct WebinarPageRoutes: FeatureRoutes {
    let webinars: WebinarStore
    let profiles: ProfileStore
    let departments: DepartmentStore
    let pages: PageRenderer

    static func item(_ record: WebinarRecord, host: JSONValue?, actor: Actor, now: Date) -> [String: Any] {
        let manages = WebinarPolicy.mayManage(actor, hostID: record.hostID, departmentID: record.departmentID)
        let sees = WebinarPolicy.seesMeetingURL(
            registrationRequired: record.registrationRequired, isRegistrant: record.myRegistration != nil, manages: manages, signedIn: true)
        let central = record.timeZone == PageTime.zone.identifier
        let started = record.start <= now
        let ended = record.end <= now
        return [
            "id": Int(record.id), "title": record.title, "description_html": record.description.map(SafeMarkdown.html) as Any,
            "description": record.description ?? "", "host": CommunityPageViews.name(host),
            "hostID": Int(record.hostID), "when": CommunityPageViews.time(record.start, zone: record.timeZone),
            "whenCentral": central ? false : CommunityPageViews.time(record.start, zone: PageTime.zone.identifier) as Any,
            "scheduled_at": record.scheduledAt, "duration": record.durationMinutes, "zone": record.timeZone,
            "cancelled": record.status == "cancelled", "registered": record.myRegistration != nil,
            "registrationRequired": record.registrationRequired,
            "placesLeft": record.placesLeft.map { $0 == 1 ? "1 place left" : "\($0) places left" } as Any,
            "full": record.placesLeft == 0, "count": record.registeredCount,
            "meetingURL": sees && !ended ? record.meetingURL as Any : false, "recordingURL": record.recordingURL as Any,
            "canRegister": record.status == "scheduled" && !started && record.myRegistration == nil && record.placesLeft != 0,
            "canLeave": record.myRegistration != nil && !started && record.status == "scheduled",
            "started": started, "ended": ended, "live": started && !ended && record.status == "scheduled", "manages": manages,
            "department": record.departmentName as Any, "localInput": CommunityPageViews.localInput(record.start),
            "max": record.maxParticipants.map(String.init) ?? "",
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (webinars, profiles, departments) = (webinars, profiles, departments)
        MemberPage.register(router, catalog, "PAGE-WEBINARS", "/webinars", "Webinars") { request, context in
            let identity = try MemberPage.identity(request, context)
            let past = request.uri.formQuery.get("when") == "past"
            let viewer = identity.user.id
            let found = try await Offload.run { try webinars.list(past: past, text: nil, limit: 50, offset: 0, viewer: viewer) }
            let cards = try await CommunityViews.cards(found.map(\.hostID), viewer: viewer, profiles: profiles)
            let now = Date()
            let names = try await departments.names()
            return HTMLResponse.make(
                pages.render(
                    "webinars",
                    [
                        "webinars": found.map { Self.item($0, host: cards[$0.hostID], actor: identity.actor, now: now) },
                        "hasWebinars": !found.isEmpty, "past": past, "upcoming": !past,
                        "canHost": WebinarPolicy.mayHost(identity.actor),
                        "departments": names.map { ["id": Int($0.id), "name": $0.name] },
                        "zones": ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "UTC"],
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-WEBINAR", "/webinars/{id}", "A webinar") { request, context in
            let identity = try MemberPage.identity(request, context)
            let id = try context.positiveID(notFound: "There is no such webinar.")
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try webinars.webinar(id: id, viewer: viewer) }) else {
                throw APIError.notFound("There is no such webinar.")
            }
            let manages = WebinarPolicy.mayManage(identity.actor, hostID: record.hostID, departmentID: record.departmentID)
            let registrations = manages ? try await Offload.run { try webinars.registrations(webinarID: id, limit: 500, offset: 0) } : []
            let cards = try await CommunityViews.cards([record.hostID] + registrations.map(\.userID), viewer: viewer, profiles: profiles)
            let now = Date()
            return HTMLResponse.make(
                pages.render(
                    "webinar",
                    [
                        "webinar": Self.item(record, host: cards[record.hostID], actor: identity.actor, now: now),
                        "registrations": registrations.map { row -> [String: Any] in
                            [
                                "userID": Int(row.userID), "name": CommunityPageViews.name(cards[row.userID]),
                                "registered_at": row.registeredAt,
                                "attended": row.attended.map { $0 ? "Attended" : "Did not attend" } ?? "Not recorded",
                            ]
                        },
                        "hasRegistrations": !registrations.isEmpty,
                        "zones": ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles", "UTC"].map {
                            ["zone": $0, "selected": $0 == record.timeZone]
                        },
                    ], request: request, identity: identity))
        }
    }
}
