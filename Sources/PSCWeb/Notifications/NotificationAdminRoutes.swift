import Foundation
import HTTPTypes
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

/// NTF-14..20 and NTF-22 (10-api §12): sending to one person, fan-out to many, broadcast progress, delivery records
/// and the hub's figures. Every send is audited.
struct NotificationAdminRoutes: FeatureRoutes {
    let jobs: JobQueue
    let profiles: ProfileStore
    let communication: Communication

    static let sendFields: [String: FieldRule] = [
        "notification_type": FieldRule.choice(NotificationType.allCases.map(\.rawValue)).required,
        "title": FieldRule.text(1...120).required, "message": FieldRule.text(1...1000).required, "data": .object,
        "link": .text(max: 500),
    ]

    /// A link must stay on this site (a path) or be https.
    static func link(_ object: [String: Any]) throws -> String? {
        guard let link = object["link"] as? String, !link.isEmpty else { return nil }
        guard (link.hasPrefix("/") && !link.hasPrefix("//")) || link.hasPrefix("https://") else {
            throw APIError.validation(["link": ["must be a path on this site or an https address"]])
        }
        return link
    }

    /// The notice a send route describes.
    static func notice(_ object: [String: Any], typeKey: String = "notification_type") throws -> Notice {
        guard let type = (object[typeKey] as? String).flatMap(NotificationType.init(rawValue:)) else {
            throw APIError.validation([typeKey: ["is not a notification type"]])
        }
        let data = (object["data"] as? [String: Any] ?? [:]).compactMapValues { value -> String? in
            switch value {
            case let text as String: text
            case let number as NSNumber: number.stringValue
            default: nil
            }
        }
        return Notice(
            type, title: (object["title"] as? String ?? type.definition.label).trimmingCharacters(in: .whitespacesAndNewlines),
            message: (object["message"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines), link: try link(object),
            data: data)
    }

    /// `Idempotency-Key*`: 8..128 printable ASCII characters (00-conventions §5).
    static func idempotencyKey(_ request: Request) throws -> String {
        guard let key = request.headers[HTTPField.Name("Idempotency-Key")!], (8...128).contains(key.count),
            key.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
        else { throw APIError.validation(["Idempotency-Key": ["is required: 8 to 128 printable characters"]]) }
        return key
    }

    static func broadcastBody(_ record: BroadcastRecord, _ counts: [String: [String: Int]]) -> [String: JSONValue] {
        [
            "id": .int(record.id), "status": .string(record.status), "recipients": .int(Int64(record.recipients)),
            "created": .int(Int64(record.createdCount)),
            "deliveries": .object(counts.mapValues { .object($0.mapValues { JSONValue.int(Int64($0)) }) }),
        ]
    }

    static func delivery(_ delivery: DeliveryRecord) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(delivery.id), "channel": .string(delivery.channel), "status": .string(delivery.status),
            "reason": text(delivery.reason),
            "attempts": .int(Int64(delivery.attempts)), "provider_message_id": text(delivery.providerMessageID),
            "last_error": text(delivery.lastError), "queued_at": .string(delivery.queuedAt), "not_before": text(delivery.notBefore),
            "sent_at": text(delivery.sentAt), "delivered_at": text(delivery.deliveredAt),
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (hub, deliveries, broadcasts, jobs, profiles) = (
            communication.hub, communication.deliveries, communication.broadcasts, jobs, profiles
        )
        let store = hub.store
        catalog.add(
            RouteSpec(
                id: "NTF-14", .post, "/api/v1/notifications/create", summary: "Put a notice in one person's notifications (in-app only)",
                tag: "Notifications", access: .member(scope: "admin"), limit: .own("60/h"),
                body: .object([
                    "recipient_id": FieldRule.id.required, "title": .text(1...120), "message": FieldRule.text(1...500).required,
                    "category": .choice(NotificationType.allCases.map(\.rawValue)), "link": .text(max: 500),
                ]),
                responses: [201: ("Created", "NotificationCreated"), 404: ("No such recipient", "Error"), 422: ("Invalid fields", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let object = try await request.jsonObjectBody(context: context).object
            let recipient = object["recipient_id"].flatMap(FieldRule.wholeNumber) ?? 0
            let type = (object["category"] as? String).flatMap(NotificationType.init(rawValue:)) ?? .announcement
            let notice = Notice(
                type, title: (object["title"] as? String ?? type.definition.label).trimmingCharacters(in: .whitespacesAndNewlines),
                message: (object["message"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines), link: try Self.link(object))
            let audit = context.auditEntry(
                "notification.create", target: (type: "user", id: recipient), details: ["type": .string(type.rawValue)])
            let id = try await Offload.run {
                try store.write { db -> Int64? in
                    guard let id = try hub.notifyInAppOnly(recipient, notice, in: db) else { return nil }
                    try AuditLog.append(audit, in: db)
                    return id
                }
            }
            guard let id else { throw APIError.notFound("There is no such active member.") }
            return JSONResponse.make(["success": true, "id": .int(id)], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "NTF-15", .post, "/api/v1/notifications/send", summary: "Send one notice through every channel of its type",
                tag: "Notifications", access: .member(scope: "admin"), limit: .own("30/h"),
                body: .object(Self.sendFields.merging(["user_id": FieldRule.id.required]) { $1 }),
                responses: [
                    201: ("What became of each channel", "NotificationSent"), 404: ("No such user", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let object = try await request.jsonObjectBody(context: context).object
            let user = object["user_id"].flatMap(FieldRule.wholeNumber) ?? 0
            let notice = try Self.notice(object)
            let audit = context.auditEntry(
                "notification.send", target: (type: "user", id: user), details: ["type": .string(notice.type.rawValue)])
            let outcome = try await Offload.run {
                try store.write { db -> NotificationHub.Outcome? in
                    guard let outcome = try hub.notify(user, notice, in: db) else { return nil }
                    try AuditLog.append(audit, in: db)
                    return outcome
                }
            }
            guard let outcome else { throw APIError.notFound("There is no such member who can receive notices.") }
            return JSONResponse.make(
                [
                    "success": .bool(outcome.success), "id": .int(outcome.notificationID), "user_id": .int(user),
                    "type": .string(notice.type.rawValue), "priority": .string(notice.type.priority.rawValue),
                    "channels": .array(notice.type.definition.channels.map { .string($0.rawValue) }),
                    "results": .object(
                        Dictionary(uniqueKeysWithValues: outcome.results.map { ($0.key.rawValue, JSONValue.string($0.value)) })),
                ], status: .created)
        }

        /// Creates a broadcast and its chunk jobs in one transaction, or answers the earlier one made under the key.
        @Sendable func broadcast(
            _ context: AppRequestContext, sender: Int64, audience: BroadcastAudience, notice: Notice, key: String, body: Data
        ) async throws -> BroadcastRecord {
            // The same request is the same JSON, whatever the order of its keys or its spacing.
            let canonical = (try? JSONDecoder().decode(JSONValue.self, from: body))?.canonicalText ?? String(decoding: body, as: UTF8.self)
            let hash = SecureToken.sha256(canonical).base64EncodedString()
            if let earlier = try await Offload.run({ try broadcasts.existing(senderID: sender, idempotencyKey: key) }) {
                guard earlier.requestHash == hash else {
                    throw APIError(.conflict, "idempotency_conflict", "This Idempotency-Key was used with another request.")
                }
                return earlier
            }
            let audit = context.auditEntry(
                "notification.broadcast", target: (type: "broadcast", id: nil), details: ["type": .string(notice.type.rawValue)],
                severity: .warning)
            return try await Offload.run {
                try store.write { db in
                    let (record, chunks) = try broadcasts.create(
                        senderID: sender, audience: audience, notice: notice, idempotencyKey: key, requestHash: hash, in: db)
                    try jobs.enqueue(chunks.map(BroadcastJobs.request), in: db)
                    var entry = audit
                    entry.targetID = String(record.id)
                    entry.details["recipients"] = .int(Int64(record.recipients))
                    try AuditLog.append(entry, in: db)
                    return record
                }
            }
        }

        catalog.add(
            RouteSpec(
                id: "NTF-16", .post, "/api/v1/notifications/send-bulk", summary: "Send one notice to listed people (up to 10,000)",
                tag: "Notifications", access: .member(scope: "admin"), limit: .own("10/h"),
                body: .object(Self.sendFields.merging(["user_ids": FieldRule.ids(max: 10_000).required]) { $1 }),
                responses: [
                    202: ("The broadcast, and which ids are not members", "BulkAccepted"),
                    409: ("The Idempotency-Key was used with another body", "Error"), 422: ("Invalid fields or key", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let key = try Self.idempotencyKey(request)
            let (data, object, _) = try await request.jsonObjectBody(context: context)
            guard let list = object["user_ids"] as? [Any], (1...10_000).contains(list.count) else {
                throw APIError.validation(["user_ids": ["must be a list of 1 to 10000 user ids (use /notifications/broadcast for more)"]])
            }
            let ids = list.compactMap { FieldRule.wholeNumber($0) }
            guard ids.count == list.count else { throw APIError.validation(["user_ids": ["must hold only user ids"]]) }
            let notice = try Self.notice(object)
            let unique = Array(Set(ids)).sorted()
            let known = try await Offload.run { try broadcasts.activeMembers(unique) }
            let record = try await broadcast(
                context, sender: identity.user.id, audience: BroadcastAudience(userIDs: unique), notice: notice, key: key, body: data)
            let unknown = unique.filter { !known.contains($0) }
            return JSONResponse.make(
                [
                    "broadcast_id": .int(record.id), "total": .int(Int64(ids.count)), "accepted": .int(Int64(record.recipients)),
                    "unknown_user_ids": .array(unknown.map(JSONValue.int)), "successful": .int(Int64(record.recipients)),
                    "failed": .int(Int64(unknown.count)),
                    "errors": .array(unknown.map { ["user_id": .int($0), "error": "not an active member"] }),
                ], status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "NTF-17", .post, "/api/v1/notifications/broadcast", summary: "Send one notice to an audience (no recipient cap)",
                tag: "Notifications", access: .member(scope: "admin"), limit: .own("10/h"),
                body: .object(Self.sendFields.merging(["audience": FieldRule.object.required, "dry_run": .boolean]) { $1 }),
                responses: [
                    202: ("The broadcast is on its way", "BroadcastAccepted"),
                    200: ("Dry run: how many it would reach", "BroadcastAccepted"),
                    403: ("Outside the department of the sender's grant", "Error"),
                    409: ("The Idempotency-Key was used with another body", "Error"), 422: ("Invalid fields or key", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "admin")
            let actor = identity.actor
            guard actor.has(.sendAnnouncements) else {
                throw APIError.forbidden("Sending broadcasts needs the send announcements permission.")
            }
            let (data, object, _) = try await request.jsonObjectBody(context: context)
            var problems: [String: [String]] = [:]
            let given = object["audience"] as? [String: Any] ?? [:]
            func list<T>(_ key: String, _ read: (Any) -> T?) -> [T] {
                guard let values = given[key] else { return [] }
                guard let array = values as? [Any], array.count <= 10_000 else {
                    problems["audience.\(key)", default: []].append("must be a list")
                    return []
                }
                let read = array.compactMap(read)
                if read.count != array.count { problems["audience.\(key)", default: []].append("holds a value of the wrong kind") }
                return read
            }
            let audience = BroadcastAudience(
                roles: list("roles") { ($0 as? String).flatMap { Role(rawValue: $0)?.rawValue } },
                departmentIDs: list("department_ids") { FieldRule.wholeNumber($0) },
                graduationYears: list("graduation_years") { FieldRule.wholeNumber($0).map(Int.init) },
                userIDs: list("user_ids") { FieldRule.wholeNumber($0) })
            guard problems.isEmpty else { throw APIError.validation(problems) }
            if identity.user.role != .admin {
                // A department's sender reaches only that department (and listed people in it).
                let allowed = actor.grants.filter { $0.capability.permissions.contains(.sendAnnouncements) }.compactMap(\.departmentID)
                let unrestricted = actor.grants.contains {
                    $0.capability.permissions.contains(.sendAnnouncements) && $0.departmentID == nil
                }
                if !unrestricted {
                    guard !audience.departmentIDs.isEmpty, audience.departmentIDs.allSatisfy(allowed.contains) else {
                        throw APIError.forbidden("You may send only to the department of your grant; name it in audience.department_ids.")
                    }
                    if !audience.userIDs.isEmpty {
                        let outside = try await Offload.run { try broadcasts.outside(audience.userIDs, departments: allowed) }
                        guard outside == 0 else { throw APIError.forbidden("Some listed people are outside the department of your grant.") }
                    }
                }
            }
            let notice = try Self.notice(object)
            if let flag = object["dry_run"], FieldReader.isBool(flag), flag as? Bool == true {
                let count = try await Offload.run { try broadcasts.count(audience) }
                return JSONResponse.make(["recipients": .int(Int64(count))])
            }
            let key = try Self.idempotencyKey(request)
            let record = try await broadcast(context, sender: identity.user.id, audience: audience, notice: notice, key: key, body: data)
            return JSONResponse.make(["broadcast_id": .int(record.id), "recipients": .int(Int64(record.recipients))], status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "NTF-18", .get, "/api/v1/notifications/broadcasts/{id}", summary: "A broadcast's progress and deliveries",
                tag: "Notifications", access: .member(scope: "admin"),
                responses: [200: ("Progress", "Broadcast"), 404: ("No such broadcast of yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such broadcast.")
            let sender: Int64? = identity.user.role == .admin ? nil : identity.user.id
            guard let (record, counts) = try await Offload.run({ try broadcasts.progress(id: id, senderID: sender) }) else {
                throw APIError.notFound("There is no such broadcast.")
            }
            return JSONResponse.make(.object(Self.broadcastBody(record, counts)))
        }
        catalog.add(
            RouteSpec(
                id: "NTF-22", .get, "/api/v1/notifications/broadcasts", summary: "Broadcasts, newest first", tag: "Notifications",
                access: .member(scope: "admin"), query: .page(),
                responses: [200: ("A page of broadcasts", "BroadcastPage"), 403: ("No permission to send", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "admin")
            guard identity.actor.has(.sendAnnouncements) else { throw APIError.forbidden() }
            let pagination = try Pagination(request)
            let sender: Int64? = identity.user.role == .admin ? nil : identity.user.id
            let found = try await Offload.run {
                try broadcasts.list(senderID: sender, beforeID: pagination.lastID, limit: pagination.limit)
            }
            let viewer = identity.user.id
            let cards = try await Offload.run { try profiles.cards(ids: Array(Set(found.map(\.0.senderID))), viewer: viewer) }
            return JSONResponse.make([
                "items": .array(
                    found.map { record, counts in
                        var body = Self.broadcastBody(record, counts)
                        body["type"] = .string(record.type)
                        body["title"] = .string(record.title)
                        body["created_at"] = .string(record.createdAt)
                        body["sender"] =
                            cards[record.senderID].map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null
                        return .object(body)
                    }),
                "next_cursor": pagination.nextCursor(lastID: found.last?.0.id, count: found.count), "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-19", .get, "/api/v1/notifications/stats", summary: "Notices sent, read and delivered over recent days",
                tag: "Notifications", access: .member(scope: "admin"),
                query: [QueryParameter("days", ["type": "integer", "minimum": 1, "maximum": 365, "default": 7], "How many days back")],
                responses: [200: ("Figures", "NotificationStats")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let daysText: String? = request.uri.formQuery.get("days").map { String($0) }
            guard let days = daysText.map({ Int($0) }) ?? 7, (1...365).contains(days) else {
                throw APIError.validation(["days": ["must be a whole number of days from 1 to 365"]])
            }
            let stats = try await Offload.run { try deliveries.stats(days: days) }
            let rate: JSONValue =
                stats.totalSent == 0
                ? .null : .decimal(String(format: "%.1f", Double(stats.readCount) * 100 / Double(stats.totalSent)))
            return JSONResponse.make([
                "period_days": .int(Int64(days)), "total_sent": .int(Int64(stats.totalSent)),
                "by_category": .object(stats.byCategory.mapValues { .int(Int64($0)) }), "read_count": .int(Int64(stats.readCount)),
                "unread_count": .int(Int64(stats.unreadCount)), "read_rate": rate,
                "by_channel": .object(stats.byChannel.mapValues { .object($0.mapValues { JSONValue.int(Int64($0)) }) }),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-20", .get, "/api/v1/notifications/{id}/deliveries", summary: "How one notification was delivered",
                tag: "Notifications", access: .member(scope: "notifications:read"),
                responses: [200: ("Deliveries", "DeliveryList"), 404: ("No such notification of yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.signedIn, scope: "notifications:read")
            let id = try context.positiveID(notFound: "There is no such notification.")
            let owner: Int64? = identity.user.role == .admin ? nil : identity.user.id
            guard let found = try await Offload.run({ try deliveries.deliveries(notificationID: id, ownerID: owner) }) else {
                throw APIError.notFound("There is no such notification.")
            }
            return JSONResponse.make(["items": .array(found.map(Self.delivery))])
        }
    }
}
