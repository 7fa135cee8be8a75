import Foundation
import GRDB
import PSCCore

/// Who a broadcast reaches (NTF-17): a person matches when every non-empty list among roles, departments and
/// graduation years holds their value; `userIDs` are added; an empty audience is every active person.
public struct BroadcastAudience: Codable, Sendable, Equatable {
    public var roles: [String]
    public var departmentIDs: [Int64]
    public var graduationYears: [Int]
    public var userIDs: [Int64]

    enum CodingKeys: String, CodingKey {
        case roles, departmentIDs = "department_ids", graduationYears = "graduation_years", userIDs = "user_ids"
    }

    public init(roles: [String] = [], departmentIDs: [Int64] = [], graduationYears: [Int] = [], userIDs: [Int64] = []) {
        (self.roles, self.departmentIDs, self.graduationYears, self.userIDs) = (roles, departmentIDs, graduationYears, userIDs)
    }

    var filtered: Bool { !roles.isEmpty || !departmentIDs.isEmpty || !graduationYears.isEmpty }

    /// The recipients' ids in order, as SQL with its arguments.
    func query(after: Int64 = 0, through: Int64 = .max) -> (String, StatementArguments) {
        func list(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }
        var conditions: [String] = []
        var arguments: StatementArguments = [after, through]
        if !roles.isEmpty {
            conditions.append("role IN (\(list(roles.count)))")
            arguments += StatementArguments(roles)
        }
        if !departmentIDs.isEmpty {
            conditions.append("department_id IN (\(list(departmentIDs.count)))")
            arguments += StatementArguments(departmentIDs)
        }
        if !graduationYears.isEmpty {
            conditions.append("graduation_year IN (\(list(graduationYears.count)))")
            arguments += StatementArguments(graduationYears)
        }
        var matched = conditions.isEmpty ? (userIDs.isEmpty || filtered ? "1" : "0") : conditions.joined(separator: " AND ")
        if !userIDs.isEmpty {
            // Listed people join whatever the filters select (and are the whole audience without filters).
            matched = "(\(conditions.isEmpty ? "0" : matched) OR id IN (SELECT value FROM json_each(?)))"
            arguments += [userIDs.jsonList]
        }
        return (
            "SELECT id FROM users WHERE id > ? AND id <= ? AND status = 'active' AND is_service_account = 0 AND \(matched) ORDER BY id",
            arguments
        )
    }
}

public struct BroadcastRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let senderID: Int64
    public let type: String
    public let title: String
    public let message: String
    public let link: String?
    public let status: String
    public let recipients: Int
    public let createdCount: Int
    public let createdAt: String
    public let requestHash: String?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        senderID = try row.decode(forColumn: "sender_id")
        type = try row.decode(forColumn: "type")
        title = try row.decode(forColumn: "title")
        message = try row.decode(forColumn: "message")
        link = try row.decode(forColumn: "link")
        status = try row.decode(forColumn: "status")
        recipients = try row.decode(forColumn: "recipients")
        createdCount = try row.decode(forColumn: "created_count")
        createdAt = try row.decode(forColumn: "created_at")
        requestHash = try row.decode(forColumn: "request_hash")
    }
}

/// Fan-out (20-services §3.4): a broadcast row and one job per chunk of 500 recipients in id order, each chunk
/// bounded by the ids it covers so a retried chunk tells exactly the same people, and once.
public struct BroadcastStore: Sendable {
    public static let chunkSize = 500
    /// The queue's job kind for one chunk (its handler lives with the composition root).
    public static let jobKind = "notification.broadcast"
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// One chunk's bounds: recipients with `after < id ≤ through`.
    public struct Chunk: Codable, Sendable, Equatable {
        public let broadcastID: Int64
        public let index: Int
        public let after: Int64
        public let through: Int64

        enum CodingKeys: String, CodingKey { case broadcastID = "broadcast_id", index, after, through }

        /// Unique per broadcast and chunk, so a retried chunk never duplicates.
        public var uniqueKey: String { "broadcast:\(broadcastID):\(index)" }

        /// The chunk as a job to run at `runAt` (an announcement's publication).
        public func timedJob(runAt: Date) throws -> TimedJob {
            try TimedJob(kind: BroadcastStore.jobKind, uniqueKey: uniqueKey, runAt: runAt, payload: self, priority: 1, maxAttempts: 5)
        }
    }

    public func count(_ audience: BroadcastAudience) throws -> Int {
        try store.read { db in
            let (sql, arguments) = audience.query()
            return try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(sql))", arguments: arguments) ?? 0
        }
    }

    /// Which of these ids are active members (NTF-16's `unknown_user_ids` are the others).
    public func activeMembers(_ ids: [Int64]) throws -> Set<Int64> {
        try store.read { db in
            Set(
                try Int64.fetchAll(
                    db, sql: "SELECT id FROM users WHERE status = 'active' AND id IN (SELECT value FROM json_each(?))",
                    arguments: [ids.jsonList]))
        }
    }

    /// How many of these people are outside the given departments (a department sender's limit, NTF-17).
    public func outside(_ ids: [Int64], departments: [Int64]) throws -> Int {
        try store.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM users WHERE id IN (SELECT value FROM json_each(?))
                        AND (department_id IS NULL OR department_id NOT IN (SELECT value FROM json_each(?)))
                    """,
                arguments: [ids.jsonList, departments.jsonList]) ?? 0
        }
    }

    /// The earlier broadcast made under this sender's key, if any.
    public func existing(senderID: Int64, idempotencyKey: String) throws -> BroadcastRecord? {
        try store.read { db in
            try BroadcastRecord.fetchOne(
                db, sql: "SELECT * FROM broadcasts WHERE sender_id = ? AND idempotency_key = ?", arguments: [senderID, idempotencyKey])
        }
    }

    /// Creates the broadcast and returns its chunks; the caller enqueues them in the same transaction.
    public func create(
        senderID: Int64, audience: BroadcastAudience, notice: Notice, idempotencyKey: String?, requestHash: String?, in db: GRDB.Database
    ) throws -> (BroadcastRecord, [Chunk]) {
        let (sql, arguments) = audience.query()
        let ids = try Int64.fetchAll(db, sql: sql, arguments: arguments)
        try db.execute(
            sql: """
                INSERT INTO broadcasts (sender_id, audience, type, title, message, link, status, recipients, chunks, idempotency_key,
                    request_hash, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                senderID, String(decoding: try JSONEncoder().encode(audience), as: UTF8.self), notice.type.rawValue, notice.title,
                notice.message, notice.link, ids.isEmpty ? "done" : "queued", ids.count,
                (ids.count + Self.chunkSize - 1) / Self.chunkSize, idempotencyKey, requestHash, Timestamp.string(from: clock()),
            ])
        let id = db.lastInsertedRowID
        var chunks: [Chunk] = []
        var after: Int64 = 0
        for (index, start) in stride(from: 0, to: ids.count, by: Self.chunkSize).enumerated() {
            let through = ids[min(start + Self.chunkSize, ids.count) - 1]
            chunks.append(Chunk(broadcastID: id, index: index, after: after, through: through))
            after = through
        }
        guard let record = try BroadcastRecord.fetchOne(db, sql: "SELECT * FROM broadcasts WHERE id = ?", arguments: [id]) else {
            throw DatabaseError(resultCode: .SQLITE_ERROR, message: "the broadcast just written could not be read back")
        }
        return (record, chunks)
    }

    /// Tells one chunk's recipients, in one transaction; a chunk already done tells nobody again.
    @discardableResult
    public func deliver(_ chunk: Chunk) throws -> Int {
        let hub = NotificationHub(store: store, clock: clock)
        return try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT audience, type, title, message, link, status FROM broadcasts WHERE id = ?",
                    arguments: [chunk.broadcastID])
            else { return 0 }
            // A chunk's notifications carry the broadcast; any present means this chunk already ran.
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM notifications WHERE broadcast_id = ? AND user_id > ? AND user_id <= ? LIMIT 1",
                    arguments: [chunk.broadcastID, chunk.after, chunk.through]) != true,
                let type = NotificationType(rawValue: try row.decode(forColumn: "type"))
            else { return 0 }
            let audience = try JSONDecoder().decode(
                BroadcastAudience.self, from: Data((try row.decode(forColumn: "audience") as String).utf8))
            let (sql, arguments) = audience.query(after: chunk.after, through: chunk.through)
            var notice = Notice(
                type, title: try row.decode(forColumn: "title"), message: try row.decode(forColumn: "message"),
                link: try row.decode(forColumn: "link"))
            notice.broadcastID = chunk.broadcastID
            let created = try hub.notify(try Int64.fetchAll(db, sql: sql, arguments: arguments), notice, in: db)
            try db.execute(
                sql: """
                    UPDATE broadcasts SET created_count = created_count + ?, chunks_done = chunks_done + 1,
                        status = CASE WHEN chunks_done + 1 >= chunks THEN 'done' ELSE 'running' END,
                        finished_at = CASE WHEN chunks_done + 1 >= chunks THEN ? ELSE NULL END
                    WHERE id = ?
                    """, arguments: [created, Timestamp.string(from: clock()), chunk.broadcastID])
            return created
        }
    }

    /// NTF-18: progress and the deliveries by channel and status; nil when missing or (for a non-admin) not theirs.
    public func progress(id: Int64, senderID: Int64?) throws -> (BroadcastRecord, [String: [String: Int]])? {
        try store.read { db in
            guard
                let record = try BroadcastRecord.fetchOne(
                    db, sql: "SELECT * FROM broadcasts WHERE id = ? AND (?2 IS NULL OR sender_id = ?2)", arguments: [id, senderID])
            else { return nil }
            return (record, try deliveryCounts(id, in: db))
        }
    }

    func deliveryCounts(_ id: Int64, in db: GRDB.Database) throws -> [String: [String: Int]] {
        var counts: [String: [String: Int]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT channel, status, count(*) AS n FROM deliveries WHERE broadcast_id = ? GROUP BY channel, status",
            arguments: [id])
        {
            counts[try row.decode(forColumn: "channel"), default: [:]][try row.decode(forColumn: "status")] = try row.decode(forColumn: "n")
        }
        return counts
    }

    /// NTF-22: newest first, all for an admin or a sender's own.
    public func list(senderID: Int64?, beforeID: Int64?, limit: Int) throws -> [(BroadcastRecord, [String: [String: Int]])] {
        try store.read { db in
            try BroadcastRecord.fetchAll(
                db, sql: "SELECT * FROM broadcasts WHERE (?1 IS NULL OR sender_id = ?1) AND id < ?2 ORDER BY id DESC LIMIT ?3",
                arguments: [senderID, beforeID ?? .max, limit]
            ).map { ($0, try deliveryCounts($0.id, in: db)) }
        }
    }
}
