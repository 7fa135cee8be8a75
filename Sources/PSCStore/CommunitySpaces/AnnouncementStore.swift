import Foundation
import GRDB
import PSCCore

public struct AnnouncementRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let title: String
    public let content: String
    public let priority: String
    public let audienceRoles: [String]
    public let departmentID: Int64?
    public let departmentName: String?
    public let authorID: Int64
    public let publishedAt: String
    public let expiresAt: String?
    public let notify: Bool
    public let broadcastID: Int64?
    public let createdAt: String
    public let updatedAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        title = try row.decode(forColumn: "title")
        content = try row.decode(forColumn: "content")
        priority = try row.decode(forColumn: "priority")
        audienceRoles = JSONList.strings(try row.decode(forColumn: "audience_roles"))
        departmentID = try row.decode(forColumn: "department_id")
        departmentName = try row.decode(forColumn: "department_name")
        authorID = try row.decode(forColumn: "author_id")
        publishedAt = try row.decode(forColumn: "published_at")
        expiresAt = try row.decode(forColumn: "expires_at")
        notify = try row.decode(forColumn: "notify")
        broadcastID = try row.decode(forColumn: "broadcast_id")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    public var audience: AnnouncementAudience {
        AnnouncementAudience(
            roles: audienceRoles.compactMap(Role.init(rawValue:)), departmentID: departmentID,
            publishedAt: Timestamp.date(from: publishedAt) ?? .distantFuture, expiresAt: expiresAt.flatMap(Timestamp.date(from:)))
    }
}

/// ANN-3's fields (ANN-4 passes the whole changed set).
public struct AnnouncementFields: Sendable {
    public var title: String
    public var content: String
    public var priority: AnnouncementPriority
    public var audienceRoles: [Role]
    public var departmentID: Int64?
    public var publishedAt: Date
    public var expiresAt: Date?
    public var notify: Bool

    public init(
        title: String, content: String, priority: AnnouncementPriority = .normal, audienceRoles: [Role] = [], departmentID: Int64? = nil,
        publishedAt: Date, expiresAt: Date? = nil, notify: Bool = false
    ) {
        (self.title, self.content, self.priority, self.audienceRoles) = (title, content, priority, audienceRoles)
        (self.departmentID, self.publishedAt, self.expiresAt, self.notify) = (departmentID, publishedAt, expiresAt, notify)
    }
}

/// JSON lists of strings in text columns.
enum JSONList {
    static func strings(_ text: String?) -> [String] {
        text.flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
    }
    static func text(_ values: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(values)) ?? Data("[]".utf8), as: UTF8.self)
    }
}

/// Announcements (10-api §13): the visibility rule as SQL, the priority order, and the fan-out of `notify` through
/// the hub's broadcasts, queued for the publication time and cancelled with the announcement.
public struct AnnouncementStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static let select = """
        SELECT a.*, d.name AS department_name FROM announcements a LEFT JOIN departments d ON d.id = a.department_id
        """
    static let order = "ORDER BY a.priority_rank, a.published_at DESC, a.id DESC"

    /// The rule of §13 as a condition on `a`, for a caller or an anonymous visitor, at `now`.
    static func visibleSQL(_ actor: Actor?, now: String) -> (String, StatementArguments) {
        var sql = "a.deleted_at IS NULL AND a.published_at <= ? AND (a.expires_at IS NULL OR a.expires_at > ?)"
        var arguments: StatementArguments = [now, now]
        guard let actor else { return (sql + " AND a.audience_roles = '[]' AND a.department_id IS NULL", arguments) }
        sql += " AND (a.audience_roles = '[]' OR EXISTS (SELECT 1 FROM json_each(a.audience_roles) WHERE value = ?))"
        arguments += [actor.role.rawValue]
        if actor.grants.contains(where: { $0.departmentID == nil }) { return (sql, arguments) }
        let departments = ([actor.departmentID].compactMap { $0 } + actor.grants.compactMap(\.departmentID))
        sql += " AND (a.department_id IS NULL OR a.department_id IN (SELECT value FROM json_each(?)))"
        arguments += [departments.jsonList]
        return (sql, arguments)
    }

    /// What the caller may see now (ANN-1), narrowed to one department plus the global ones when asked.
    public func visible(to actor: Actor?, departmentID: Int64? = nil, limit: Int) throws -> [AnnouncementRecord] {
        let (condition, arguments) = Self.visibleSQL(actor, now: Timestamp.string(from: clock()))
        var sql = "\(Self.select) WHERE \(condition)"
        var all = arguments
        if let departmentID {
            sql += " AND (a.department_id IS NULL OR a.department_id = ?)"
            all += [departmentID]
        }
        all += [limit]
        return try store.read { db in try AnnouncementRecord.fetchAll(db, sql: "\(sql) \(Self.order) LIMIT ?", arguments: all) }
    }

    /// ANN-1 `manage`: every announcement for an admin, the caller's own otherwise, scheduled and expired included.
    public func managed(by actor: Actor, limit: Int) throws -> [AnnouncementRecord] {
        try store.read { db in
            try AnnouncementRecord.fetchAll(
                db,
                sql: """
                    \(Self.select) WHERE a.deleted_at IS NULL AND (? OR a.author_id = ?) ORDER BY a.published_at DESC, a.id DESC LIMIT ?
                    """, arguments: [actor.role == .admin, actor.userID, limit])
        }
    }

    /// One announcement, deleted ones excluded; the caller applies the visibility rule.
    public func announcement(id: Int64) throws -> AnnouncementRecord? {
        try store.read { db in try Self.announcement(id: id, in: db) }
    }

    static func announcement(id: Int64, in db: Database) throws -> AnnouncementRecord? {
        try AnnouncementRecord.fetchOne(db, sql: "\(select) WHERE a.id = ? AND a.deleted_at IS NULL", arguments: [id])
    }

    /// When the visible set next changes by time alone (a publication or an expiry after now), so a cached list
    /// lives no longer than that.
    public func nextChange() throws -> Date? {
        let now = Timestamp.string(from: clock())
        return try store.read { db in
            try String.fetchOne(
                db,
                sql: """
                    SELECT min(t) FROM (
                        SELECT min(published_at) AS t FROM announcements WHERE deleted_at IS NULL AND published_at > ?1
                        UNION ALL SELECT min(expires_at) FROM announcements WHERE deleted_at IS NULL AND expires_at > ?1)
                    """, arguments: [now])
        }.flatMap(Timestamp.date(from:))
    }

    public enum CreateResult: Sendable {
        case created(AnnouncementRecord)
        /// The same sender's `Idempotency-Key` made this one already.
        case existing(AnnouncementRecord)
    }

    /// Creates it, with its audit record, and for `notify` a broadcast whose chunks run at the publication time; a
    /// key the sender used before answers the announcement made then.
    public func create(_ fields: AnnouncementFields, authorID: Int64, idempotencyKey: String?, audit: AuditEntry) throws -> CreateResult {
        try store.write { db in
            if let idempotencyKey,
                let earlier = try AnnouncementRecord.fetchOne(
                    db,
                    sql: "\(Self.select) JOIN broadcasts b ON b.id = a.broadcast_id WHERE b.sender_id = ? AND b.idempotency_key = ?",
                    arguments: [authorID, idempotencyKey])
            {
                return .existing(earlier)
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO announcements (title, content, priority, priority_rank, audience_roles, department_id, author_id, published_at,
                        expires_at, notify, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fields.title, fields.content, fields.priority.rawValue, fields.priority.rank,
                    JSONList.text(fields.audienceRoles.map(\.rawValue)),
                    fields.departmentID, authorID, Timestamp.string(from: fields.publishedAt),
                    fields.expiresAt.map(Timestamp.string(from:)),
                    fields.notify, stamp, stamp,
                ])
            let id = db.lastInsertedRowID
            if fields.notify {
                let notice = Notice(
                    .announcement, title: fields.title, message: String(fields.content.prefix(300)),
                    link: "/announcements#announcement-\(id)")
                let (broadcast, chunks) = try BroadcastStore(store: store, clock: clock).create(
                    senderID: authorID, audience: try Self.audience(fields, in: db), notice: notice, idempotencyKey: idempotencyKey,
                    requestHash: nil, in: db)
                try db.execute(sql: "UPDATE announcements SET broadcast_id = ? WHERE id = ?", arguments: [broadcast.id, id])
                try store.timers.schedule(try chunks.map { try $0.timedJob(runAt: fields.publishedAt) }, in: db)
            }
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try Self.announcement(id: id, in: db) else { throw CommunityError.notFound }
            return .created(record)
        }
    }

    /// Everyone the announcement is for: its roles (all when empty), in its department or holding a grant there
    /// (a grant without a department counts everywhere), or everyone for a global one.
    static func audience(_ fields: AnnouncementFields, in db: Database) throws -> BroadcastAudience {
        let roles = fields.audienceRoles.map(\.rawValue)
        guard let department = fields.departmentID else { return BroadcastAudience(roles: roles) }
        let grantees = try Int64.fetchAll(
            db,
            sql: """
                SELECT DISTINCT g.user_id FROM capability_grants g JOIN users u ON u.id = g.user_id
                WHERE g.active = 1 AND (g.expires_at IS NULL OR g.expires_at > ?) AND (g.department_id IS NULL OR g.department_id = ?)
                    AND (? = '[]' OR u.role IN (SELECT value FROM json_each(?)))
                ORDER BY g.user_id
                """,
            arguments: [Timestamp.string(from: Date()), department, JSONList.text(roles), JSONList.text(roles)])
        return BroadcastAudience(roles: roles, departmentIDs: [department], userIDs: grantees)
    }

    /// ANN-4 PATCH: the new fields, never a second notification.
    public func update(id: Int64, fields: AnnouncementFields, audit: AuditEntry) throws -> AnnouncementRecord {
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE announcements SET title = ?, content = ?, priority = ?, priority_rank = ?, audience_roles = ?, department_id = ?,
                        published_at = ?, expires_at = ?, updated_at = ?
                    WHERE id = ? AND deleted_at IS NULL
                    """,
                arguments: [
                    fields.title, fields.content, fields.priority.rawValue, fields.priority.rank,
                    JSONList.text(fields.audienceRoles.map(\.rawValue)),
                    fields.departmentID, Timestamp.string(from: fields.publishedAt), fields.expiresAt.map(Timestamp.string(from:)),
                    Timestamp.string(from: clock()), id,
                ])
            guard db.changesCount > 0, let record = try Self.announcement(id: id, in: db) else { throw CommunityError.notFound }
            try AuditLog.append(audit.targeting(id), in: db)
            return record
        }
    }

    /// ANN-4 DELETE: hidden at once; a fan-out still waiting for its publication time is cancelled.
    public func delete(id: Int64, audit: AuditEntry) throws {
        try store.write { db in
            guard let record = try Self.announcement(id: id, in: db) else { throw CommunityError.notFound }
            try db.execute(
                sql: "UPDATE announcements SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2",
                arguments: [Timestamp.string(from: clock()), id])
            if let broadcast = record.broadcastID {
                let chunks = try Int.fetchOne(db, sql: "SELECT chunks FROM broadcasts WHERE id = ?", arguments: [broadcast]) ?? 0
                try store.timers.cancel((0..<max(0, chunks)).map { "broadcast:\(broadcast):\($0)" }, in: db)
            }
            try AuditLog.append(audit.targeting(id), in: db)
        }
    }
}
