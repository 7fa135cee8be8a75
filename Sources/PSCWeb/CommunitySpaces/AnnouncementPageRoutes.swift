import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/announcements` for everyone (the ANN-1 rule, so visitors see the global ones) and `/admin/announcements` where
/// admins and department senders write, schedule, edit and delete theirs through ANN-3 and ANN-4.
struct AnnouncementPageRoutes: FeatureRoutes {
    let announcements: AnnouncementStore
    let departments: DepartmentStore
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let announcements = announcements
        catalog.add(
            RouteSpec(
                id: "PAGE-ANNOUNCEMENTS", .get, "/announcements", summary: "Announcements", tag: "Pages", limit: .page,
                responses: [200: ("HTML page", nil)]),
            to: router
        ) { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let actor = identity?.actor
            let found = try await Offload.run { try announcements.visible(to: actor, limit: 50) }
            let now = Date()
            return HTMLResponse.make(
                pages.render(
                    "announcements",
                    [
                        "announcements": found.map { CommunityPageViews.announcement($0, now: now) }, "hasAnnouncements": !found.isEmpty,
                        "signedOut": identity == nil,
                        "canSend": actor.map { $0.role == .admin || AnnouncementPolicy.sendsAny($0) } ?? false,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-ADMIN-ANNOUNCEMENTS", "/admin/announcements", "Write and manage announcements") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            let actor = identity.actor
            guard actor.role == .admin || AnnouncementPolicy.sendsAny(actor) else {
                throw APIError.forbidden("Writing announcements needs the send announcements permission.")
            }
            let found = try await Offload.run { try announcements.managed(by: actor, limit: 200) }
            let names = try await departments.names()
            // A department sender writes to the departments of their grants; an admin (or an all-department grant) to anyone.
            let everywhere =
                actor.role == .admin
                || actor.grants.contains { $0.departmentID == nil && $0.capability.permissions.contains(.sendAnnouncements) }
            let allowed = names.filter { everywhere || AnnouncementPolicy.mayPost(actor, departmentID: $0.id) }
            let now = Date()
            return HTMLResponse.make(
                pages.render(
                    "admin-announcements",
                    [
                        "announcements": found.map { record -> [String: Any] in
                            var item = CommunityPageViews.announcement(record, now: now)
                            item["publishedInput"] = CommunityPageViews.localInput(Timestamp.date(from: record.publishedAt) ?? now)
                            item["expiresInput"] = record.expiresAt.flatMap(Timestamp.date(from:)).map(CommunityPageViews.localInput) ?? ""
                            item["priorities"] = AnnouncementPriority.allCases.map {
                                ["value": $0.rawValue, "label": PageWord.words($0.rawValue), "selected": $0.rawValue == record.priority]
                            }
                            return item
                        },
                        "hasAnnouncements": !found.isEmpty, "everywhere": everywhere,
                        "departments": allowed.map { ["id": Int($0.id), "name": $0.name] },
                        "priorities": AnnouncementPriority.allCases.map {
                            ["value": $0.rawValue, "label": PageWord.words($0.rawValue), "selected": $0 == .normal]
                        },
                        "roles": Role.allCases.map { ["value": $0.rawValue, "label": PageWord.words($0.rawValue)] },
                    ], request: request, identity: identity))
        }
    }
}
