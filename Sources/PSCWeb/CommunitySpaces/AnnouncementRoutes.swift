import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// ANN-1..4 (10-api §13): announcements for everyone they are meant for, written by admins and department senders.
struct AnnouncementRoutes: FeatureRoutes {
    let announcements: AnnouncementStore
    let profiles: ProfileStore
    let cache: LRUCache

    static let priorities = AnnouncementPriority.allCases.map(\.rawValue)
    static let roles = Role.allCases.map(\.rawValue)

    static func fields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "title": .text(3...200), "content": .text(1...10_000), "priority": .choice(priorities),
            "audience_roles": .choices(roles, max: roles.count, min: 0), "department_id": FieldRule.id.nullable, "published_at": .instant,
            "expires_at": FieldRule.instant.nullable, "notify": .boolean,
        ]
        if creating { for name in ["title", "content"] { fields[name] = fields[name]?.required } }
        return fields
    }

    /// ANN-3's fields over the current announcement (ANN-4); 403 for a department the sender may not post to.
    static func read(_ object: [String: Any], _ problems: [String: [String]], over current: AnnouncementRecord?, actor: Actor, now: Date)
        throws -> AnnouncementFields
    {
        var reader = FieldReader(object, problems: problems)
        let title = reader.text("title", 3...200, current?.title, required: true)
        let content = reader.text("content", 1...10_000, current?.content, required: true)
        let priority = reader.choice("priority", priorities, current?.priority ?? "normal", required: true) ?? "normal"
        let roles = reader.strings("audience_roles", maxCount: roles.count, eachLength: 1...20, current?.audienceRoles ?? [])
        if !roles.allSatisfy({ Role(rawValue: $0) != nil }) {
            reader.problem("audience_roles", "must be roles: \(Self.roles.joined(separator: ", "))")
        }
        let department = reader.integer("department_id", 1...Int64.max, current?.departmentID)
        let published = reader.time("published_at", current.flatMap { Timestamp.date(from: $0.publishedAt) }) ?? now
        let expires = reader.time("expires_at", current?.expiresAt.flatMap(Timestamp.date(from:)))
        if let expires, expires <= published { reader.problem("expires_at", "must be after published_at") }
        let notify = reader.flag("notify", current?.notify ?? false)
        try reader.validate()
        guard AnnouncementPolicy.mayPost(actor, departmentID: department) else {
            throw APIError.forbidden(
                department == nil
                    ? "Only admins send announcements to everyone; choose your department."
                    : "You may send announcements only to your own department.")
        }
        return AnnouncementFields(
            title: title ?? "", content: content ?? "", priority: AnnouncementPriority(rawValue: priority) ?? .normal,
            audienceRoles: roles.compactMap(Role.init(rawValue:)), departmentID: department, publishedAt: published, expiresAt: expires,
            notify: notify)
    }

    /// The announcement if the caller may see it (ANN-2): live and for them, or theirs to manage.
    static func visible(_ id: Int64, _ actor: Actor?, store: AnnouncementStore) async throws -> AnnouncementRecord {
        guard let record = try await Offload.run({ try store.announcement(id: id) }) else {
            throw APIError.notFound("There is no such announcement.")
        }
        let manages = actor.map { AnnouncementPolicy.mayEdit($0, authorID: record.authorID) } ?? false
        guard manages || record.audience.isVisible(to: actor, at: Date()) else { throw APIError.notFound("There is no such announcement.") }
        return record
    }

    /// Bodies with their authors' public cards (the same for every viewer, so lists can be shared in the cache).
    static func bodies(_ records: [AnnouncementRecord], profiles: ProfileStore) async throws -> [JSONValue] {
        let cards = try await CommunityViews.cards(records.map(\.authorID), viewer: nil, profiles: profiles)
        return records.map { CommunityViews.announcement($0, author: cards[$0.authorID]) }
    }

    /// The part of a cache key that decides what a caller sees: role, department and grants' departments.
    static func audienceKey(_ actor: Actor?) -> String {
        guard let actor else { return "anonymous" }
        let grants = actor.grants.map { $0.departmentID.map(String.init) ?? "*" }.sorted().joined(separator: ",")
        return "\(actor.role.rawValue)|\(actor.departmentID.map(String.init) ?? "-")|\(grants)"
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (announcements, profiles, cache) = (announcements, profiles, cache)
        catalog.add(
            RouteSpec(
                id: "ANN-1", .get, "/api/v1/announcements", summary: "Announcements for me", tag: "Announcements",
                query: [
                    .id("department_id", "Only this department's and the global ones"), .integer("limit", "How many (default 10, max 50)"),
                    .boolean("manage", "Every announcement I manage, scheduled and expired included"),
                ],
                responses: [
                    200: ("Announcements, most urgent first", "AnnouncementList"), 400: ("A parameter that does not parse", "Error"),
                    403: ("manage without the right", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let query = QueryReader(request)
            let department = try query.id("department_id")
            let limit = try query.integer("limit", 1...50) ?? 10
            if try query.flag("manage") == true {
                guard let actor = identity?.actor, AnnouncementPolicy.sendsAny(actor) else {
                    throw APIError.forbidden("Managing announcements needs the send announcements permission.")
                }
                let found = try await Offload.run { try announcements.managed(by: actor, limit: limit) }
                return JSONResponse.make(["announcements": .array(try await Self.bodies(found, profiles: profiles))])
            }
            let actor = identity?.actor
            let key = "ANN-1|\(department.map(String.init) ?? "-")|\(limit)|\(Self.audienceKey(actor))"
            // An entry lives 600 s, and never past the next publication or expiry after it was made; a hit asks nothing.
            return try await CachedResponses.json(cache, namespace: CachedResponses.announcements, key: key) {
                // The boundary is read first: one passing between the two reads then ends the entry at once.
                let (next, found) = try await Offload.run {
                    (try announcements.nextChange(), try announcements.visible(to: actor, departmentID: department, limit: limit))
                }
                let ttl = min(Self.announcementTTL, max(1, next.map { $0.timeIntervalSinceNow } ?? Self.announcementTTL))
                return (["announcements": .array(try await Self.bodies(found, profiles: profiles))], ttl)
            }
        }
        catalog.add(
            RouteSpec(
                id: "ANN-2", .get, "/api/v1/announcements/{id}", summary: "An announcement", tag: "Announcements",
                responses: [200: ("Announcement", "Announcement"), 404: ("Not for me, or none", "Error")]),
            to: router
        ) { _, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let id = try context.positiveID(notFound: "There is no such announcement.")
            let record = try await Self.visible(id, identity?.actor, store: announcements)
            return JSONResponse.make(try await Self.bodies([record], profiles: profiles)[0])
        }
        catalog.add(
            RouteSpec(
                id: "ANN-3", .post, "/api/v1/announcements", summary: "Send an announcement", tag: "Announcements",
                access: .member(scope: "manage"), limit: .own("20/h"), body: .object(Self.fields(creating: true)),
                responses: [
                    201: ("Announcement", "Announcement"), 200: ("Made earlier under this Idempotency-Key", "Announcement"),
                    403: ("Not a sender, or another department", "Error"),
                    422: ("Invalid fields, or notify without an Idempotency-Key", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard identity.user.role == .admin || AnnouncementPolicy.sendsAny(identity.actor) else {
                throw APIError.forbidden("Sending announcements needs the send announcements permission.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try Self.read(object, problems, over: nil, actor: identity.actor, now: Date())
            let key = fields.notify ? try NotificationAdminRoutes.idempotencyKey(request) : nil
            let audit = context.auditEntry(
                "announcement.created", target: ("announcement", nil),
                details: ["priority": .string(fields.priority.rawValue), "notify": .bool(fields.notify)])
            let author = identity.user.id
            let result = try await Offload.run { try announcements.create(fields, authorID: author, idempotencyKey: key, audit: audit) }
            switch result {
            case .created(let record):
                var response = JSONResponse.make(try await Self.bodies([record], profiles: profiles)[0], status: .created)
                response.headers[.location] = "/api/v1/announcements/\(record.id)"
                return response
            case .existing(let record):
                return JSONResponse.make(try await Self.bodies([record], profiles: profiles)[0])
            }
        }
        catalog.add(
            RouteSpec(
                id: "ANN-4", .patch, "/api/v1/announcements/{id}", summary: "Change an announcement (no second notification)",
                tag: "Announcements", access: .member(scope: "manage"), limit: .own("30/h"), body: .object(Self.fields(creating: false)),
                responses: [
                    200: ("Announcement", "Announcement"), 403: ("Another department", "Error"), 404: ("Not yours, or none", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await managed(context, identity)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var fields = try Self.read(object, problems, over: current, actor: identity.actor, now: Date())
            fields.notify = current.notify
            let audit = context.auditEntry("announcement.updated", target: ("announcement", current.id))
            let (id, chosen) = (current.id, fields)
            let record = try await Offload.run { try announcements.update(id: id, fields: chosen, audit: audit) }
            return JSONResponse.make(try await Self.bodies([record], profiles: profiles)[0])
        }
        catalog.add(
            RouteSpec(
                id: "ANN-4", .delete, "/api/v1/announcements/{id}", summary: "Delete an announcement (a waiting notification is cancelled)",
                tag: "Announcements", access: .member(scope: "manage"), limit: .own("30/h"),
                responses: [204: ("Deleted", nil), 404: ("Not yours, or none", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await managed(context, identity).id
            let audit = context.auditEntry("announcement.deleted", target: ("announcement", id))
            try await Offload.run { try announcements.delete(id: id, audit: audit) }
            return Response(status: .noContent)
        }
    }

    static let announcementTTL = CachedResponses.announcementTTL

    /// The announcement if the caller wrote it or is an admin; 404 otherwise.
    func managed(_ context: AppRequestContext, _ identity: Identity) async throws -> AnnouncementRecord {
        let id = try context.positiveID(notFound: "There is no such announcement.")
        guard let record = try await Offload.run({ [announcements] in try announcements.announcement(id: id) }),
            AnnouncementPolicy.mayEdit(identity.actor, authorID: record.authorID)
        else { throw APIError.notFound("There is no such announcement.") }
        return record
    }
}
