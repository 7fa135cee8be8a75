import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// ADM-10 (10-api §22) and `/admin/moderation` (50-ui §5): the reports queue for admins and `moderate_content`
/// holders, with a preview of each target and the actions dismiss, hide, warn, and (admins only) suspend.
struct ModerationRoutes: FeatureRoutes {
    let moderation: ModerationStore
    let administration: AccountAdministration
    let profiles: ProfileStore
    let pages: PageRenderer

    static func link(_ report: ReportRecord) -> String? {
        switch report.targetType {
        case "post": "/posts/\(report.targetID)"
        case "comment": nil
        case "forum_thread": "/forums/t/\(report.targetID)"
        case "forum_post": report.threadID.map { "/forums/t/\($0)#post-\(report.targetID)" }
        case "user": "/profile/\(report.targetID)"
        case "job": "/jobs/\(report.targetID)"
        default: nil
        }
    }

    static func body(_ report: ReportRecord, cards: [Int64: JSONValue]) -> JSONValue {
        [
            "id": .int(report.id), "target_type": .string(report.targetType), "target_id": .int(report.targetID),
            "reason": .string(report.reason), "detail": CommunityViews.text(report.detail), "status": .string(report.status),
            "resolution": CommunityViews.text(report.resolution), "created_at": .string(report.createdAt),
            "reporter": cards[report.reporterID] ?? .null, "author": report.ownerID.flatMap { cards[$0] } ?? .null,
            "preview": CommunityViews.text(report.preview), "target_hidden": .bool(report.gone),
            "url": Self.link(report).map(JSONValue.string) ?? .null,
        ]
    }

    static func moderator(_ context: AppRequestContext) throws -> Identity {
        let identity = try context.require(.active, scope: "admin")
        guard ForumPolicy.mayModerate(identity.actor) else {
            throw APIError.forbidden("The reports queue needs the moderate content permission.")
        }
        return identity
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (moderation, administration, profiles) = (moderation, administration, profiles)
        catalog.add(
            RouteSpec(
                id: "ADM-10", .get, "/api/v1/admin/reports", summary: "The reports queue", tag: "Administration",
                access: .member(scope: "admin"), query: .page() + [.choice("status", ["open", "closed"], "Open (default) or closed")],
                responses: [
                    200: ("A page of Report", "ReportPage"), 400: ("A parameter that does not parse", "Error"),
                    403: ("Not a moderator", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.moderator(context)
            let query = QueryReader(request)
            let open = try query.choice("status", ["open", "closed"]) != "closed"
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let found = try await Offload.run { try moderation.reports(open: open, limit: limit, offset: offset) }
            let cards = try await CommunityViews.cards(
                found.map(\.reporterID) + found.compactMap(\.ownerID), viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make([
                "items": .array(found.map { Self.body($0, cards: cards) }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "ADM-10", .post, "/api/v1/admin/reports/{id}/resolve", summary: "Resolve a report", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("120/h"),
                body: .object(["action": FieldRule.choice(ModerationStore.actions).required, "note": .text(max: 1000)]),
                responses: [
                    200: ("Report", "Report"), 403: ("Not a moderator, or suspend_user by a non-admin", "Error"),
                    404: ("No such report", "Error"),
                    409: ("Already resolved", "Error"), 422: ("Invalid fields, or an action the target does not allow", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.moderator(context)
            let id = try context.positiveID(notFound: "There is no such report.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let action = reader.choice("action", ModerationStore.actions, nil, required: true) ?? "dismiss"
            let note = reader.text("note", 0...1000, nil)
            try reader.validate()
            guard let report = try await Offload.run({ try moderation.report(id: id) }) else {
                throw APIError.notFound("There is no such report.")
            }
            guard report.status == "open" else { throw APIError(.conflict, "invalid_state", "This report is already \(report.status).") }
            if action == "suspend_user" {
                guard identity.user.role == .admin else {
                    throw APIError.forbidden("Only an admin suspends an account; the report stays open.")
                }
                guard let owner = report.ownerID, owner != identity.user.id else {
                    throw APIError.validation(["action": ["there is no other account to suspend"]])
                }
                let actor = AccountAdministration.Actor(
                    userID: identity.user.id, kind: .user, origin: request.origin(context))
                do {
                    _ = try await Offload.run { try administration.setStatus(String(owner), suspended: true, by: actor) }
                } catch let error as AdministrationError {
                    throw APIError(.conflict, "conflict", error.description)
                }
            }
            let audit = context.auditEntry(
                "moderation.report_resolved", target: ("content_report", id),
                details: ["action": .string(action), "target_type": .string(report.targetType), "target_id": .int(report.targetID)],
                severity: action == "suspend_user" ? .warning : .info)
            let resolver = identity.user.id
            let resolved = try await Offload.run {
                try moderation.resolve(id: id, action: action, note: note, resolverID: resolver, audit: audit)
            }
            let cards = try await CommunityViews.cards(
                [resolved.reporterID] + [resolved.ownerID].compactMap { $0 }, viewer: resolver, profiles: profiles)
            return JSONResponse.make(Self.body(resolved, cards: cards))
        }
        MemberPage.register(router, catalog, "PAGE-ADMIN-MODERATION", "/admin/moderation", "The reports queue") { request, context in
            let identity = try MemberPage.identity(request, context)
            guard ForumPolicy.mayModerate(identity.actor) else {
                throw APIError.forbidden("The reports queue needs the moderate content permission.")
            }
            let closed = request.uri.formQuery.get("status") == "closed"
            let found = try await Offload.run { try moderation.reports(open: !closed, limit: 100, offset: 0) }
            let cards = try await CommunityViews.cards(
                found.map(\.reporterID) + found.compactMap(\.ownerID), viewer: identity.user.id, profiles: profiles)
            return HTMLResponse.make(
                pages.render(
                    "admin-moderation",
                    [
                        "reports": found.map { report -> [String: Any] in
                            [
                                "id": Int(report.id), "what": PageWord.words(report.targetType), "reason": PageWord.words(report.reason),
                                "detail": report.detail as Any, "preview": report.preview ?? "(no preview: private or removed)",
                                "link": Self.link(report) as Any, "created_at": report.createdAt,
                                "reporter": CommunityPageViews.name(cards[report.reporterID]),
                                "author": report.ownerID.map { CommunityPageViews.name(cards[$0]) } as Any, "hidden": report.gone,
                                "canHide": ["post", "comment", "forum_thread", "forum_post"].contains(report.targetType) && !report.gone,
                                "canWarn": report.ownerID != nil,
                                "canSuspend": identity.user.role == .admin && report.ownerID != nil
                                    && report.ownerID != identity.user.id,
                                "resolution": report.resolution as Any, "open": report.status == "open",
                            ]
                        },
                        "hasReports": !found.isEmpty, "closed": closed, "openView": !closed,
                    ], request: request, identity: identity))
        }
    }
}
