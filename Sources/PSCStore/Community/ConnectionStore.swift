import Foundation
import GRDB
import PSCCore

public enum ConnectionError: Error, Equatable {
    case selfConnection
    case noSuchUser
    case blocked
    case exists
    case recentlyDeclined
    case notFound
    case notPending
}

/// The relation between two people as UserCard's `connection_status` names it.
public enum ConnectionStatus: String, Sendable {
    case none, pendingOut = "pending_out", pendingIn = "pending_in", connected, `self`, blocked
}

/// Connections and blocks (10-api §5, 40-data `connections`, `blocks`): one row per pair, whoever asked first.
public struct ConnectionStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date
    /// A declined request may be sent again after this long (CON-2).
    public static let declineCooldown: TimeInterval = 30 * 86400

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public struct Connection: Sendable {
        public let id: Int64
        public let requesterID: Int64
        public let addresseeID: Int64
        public let status: String
        public let note: String?
        public let createdAt: String
        public let respondedAt: String?

        init(row: Row) throws {
            id = try row.decode(forColumn: "id")
            requesterID = try row.decode(forColumn: "requester_id")
            addresseeID = try row.decode(forColumn: "addressee_id")
            status = try row.decode(forColumn: "status")
            note = try row.decode(forColumn: "note")
            createdAt = try row.decode(forColumn: "created_at")
            respondedAt = try row.decode(forColumn: "responded_at")
        }

        public func other(than userID: Int64) -> Int64 { requesterID == userID ? addresseeID : requesterID }
    }

    public func isBlocked(_ a: Int64, _ b: Int64, in db: GRDB.Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1)",
            arguments: [a, b]) == true
    }

    public func status(of viewer: Int64, with other: Int64, in db: GRDB.Database) throws -> ConnectionStatus {
        if viewer == other { return .self }
        if try isBlocked(viewer, other, in: db) { return .blocked }
        guard
            let row = try Row.fetchOne(
                db, sql: "SELECT * FROM connections WHERE user_low = ? AND user_high = ?",
                arguments: [min(viewer, other), max(viewer, other)])
        else { return .none }
        let connection = try Connection(row: row)
        switch connection.status {
        case "accepted": return .connected
        case "pending": return connection.requesterID == viewer ? .pendingOut : .pendingIn
        default: return .none
        }
    }

    /// CON-2: a new request, or an acceptance when the other person already asked.
    public func request(from requester: Int64, to addressee: Int64, note: String?) throws -> (id: Int64, status: String) {
        guard requester != addressee else { throw ConnectionError.selfConnection }
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ? AND status = 'active'", arguments: [addressee]) == true
            else { throw ConnectionError.noSuchUser }
            if try isBlocked(requester, addressee, in: db) { throw ConnectionError.blocked }
            let (low, high) = (min(requester, addressee), max(requester, addressee))
            if let row = try Row.fetchOne(
                db, sql: "SELECT * FROM connections WHERE user_low = ? AND user_high = ?", arguments: [low, high])
            {
                let existing = try Connection(row: row)
                switch existing.status {
                case "pending" where existing.addresseeID == requester:
                    try db.execute(
                        sql: "UPDATE connections SET status = 'accepted', responded_at = ?1, updated_at = ?1 WHERE id = ?2",
                        arguments: [stamp, existing.id])
                    try hub.notify(
                        [addressee],
                        .init(
                            .connectionAccepted, title: "New connection",
                            message: "\(try NotificationHub.name(of: requester, in: db)) is now connected with you.",
                            link: "/profile/\(requester)"), in: db)
                    return (existing.id, "connected")
                case "declined":
                    let declinedAt = existing.respondedAt.flatMap(Timestamp.date(from:)) ?? .distantPast
                    guard now.timeIntervalSince(declinedAt) >= Self.declineCooldown || existing.requesterID != requester else {
                        throw ConnectionError.recentlyDeclined
                    }
                    try db.execute(
                        sql: """
                            UPDATE connections SET requester_id = ?, addressee_id = ?, status = 'pending', note = ?, responded_at = NULL,
                                created_at = ?4, updated_at = ?4 WHERE id = ?5
                            """,
                        arguments: [requester, addressee, note, stamp, existing.id])
                    try notifyRequest(from: requester, to: addressee, in: db)
                    return (existing.id, "pending")
                default: throw ConnectionError.exists
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO connections (requester_id, addressee_id, user_low, user_high, status, note, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?6, ?6)
                    """,
                arguments: [requester, addressee, low, high, note, stamp])
            let id = db.lastInsertedRowID
            try notifyRequest(from: requester, to: addressee, in: db)
            return (id, "pending")
        }
    }

    func notifyRequest(from requester: Int64, to addressee: Int64, in db: GRDB.Database) throws {
        try hub.notify(
            [addressee],
            .init(
                .newConnection, title: "Connection request",
                message: "\(try NotificationHub.name(of: requester, in: db)) asked to connect.",
                link: "/connections"),
            in: db)
    }

    /// CON-3 and CON-4: only the addressee answers, and only a pending request.
    public func respond(id: Int64, by userID: Int64, accept: Bool) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard
                let row = try Row.fetchOne(db, sql: "SELECT * FROM connections WHERE id = ? AND addressee_id = ?", arguments: [id, userID])
            else { throw ConnectionError.notFound }
            guard try Connection(row: row).status == "pending" else { throw ConnectionError.notPending }
            try db.execute(
                sql: "UPDATE connections SET status = ?, responded_at = ?2, updated_at = ?2 WHERE id = ?3",
                arguments: [accept ? "accepted" : "declined", stamp, id])
            // A decline is not announced: the asker simply sees no connection.
            if accept {
                try hub.notify(
                    [try Connection(row: row).requesterID],
                    .init(
                        .connectionAccepted, title: "Request accepted",
                        message: "\(try NotificationHub.name(of: userID, in: db)) accepted your request.",
                        link: "/profile/\(userID)"), in: db)
            }
        }
    }

    /// CON-5: withdraw a pending request or remove a connection, by either side. A declined row stays so the
    /// 30-day pause holds.
    public func remove(id: Int64, by userID: Int64) throws {
        try store.write { db in
            try db.execute(
                sql: "DELETE FROM connections WHERE id = ? AND (requester_id = ?2 OR addressee_id = ?2) AND status <> 'declined'",
                arguments: [id, userID])
            guard db.changesCount == 1 else { throw ConnectionError.notFound }
        }
    }

    /// CON-1: the caller's connections or requests, newest first, by id cursor.
    public func list(userID: Int64, status: ConnectionStatus, beforeID: Int64?, limit: Int) throws -> [Connection] {
        let condition: String
        switch status {
        case .pendingIn: condition = "addressee_id = ?1 AND status = 'pending'"
        case .pendingOut: condition = "requester_id = ?1 AND status = 'pending'"
        default: condition = "(requester_id = ?1 OR addressee_id = ?1) AND status = 'accepted'"
        }
        return try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT * FROM connections WHERE \(condition) AND id < ?2 ORDER BY id DESC LIMIT ?3",
                arguments: [userID, beforeID ?? Int64.max, limit]
            ).map(Connection.init)
        }
    }

    /// CON-6: people sharing connections, a department or a major, ranked by mutual connections, then department,
    /// then major; only members the directory lists for the viewer (``ProfileStore/listedSQL(viewer:)``: listed,
    /// consenting, not blocked either way), and no one already connected or pending.
    public func suggestions(for userID: Int64, limit: Int) throws -> [(userID: Int64, mutual: Int, sameDepartment: Bool, sameMajor: Bool)] {
        // The ranking is taken tier by tier (mutual connections; then department and major; department; major), each
        // tier in id order with the room left, so the listing rule (a consent lookup per person) runs for the people
        // shown and not for the whole campus. One statement over every member took 740 ms on 50,000 members and made
        // the feed page the slowest on campus (docs/PERFORMANCE.md, campus day).
        try store.read { db in
            guard let me = try Row.fetchOne(db, sql: "SELECT department_id, major FROM users WHERE id = ?", arguments: [userID]) else {
                return []
            }
            let department: Int64? = try me.decode(forColumn: "department_id")
            let major: String? = try me.decode(forColumn: "major")
            let mutuals = """
                WITH friends AS (
                    SELECT CASE WHEN requester_id = ?1 THEN addressee_id ELSE requester_id END AS friend
                    FROM connections WHERE (requester_id = ?1 OR addressee_id = ?1) AND status = 'accepted'),
                mutuals AS (
                    SELECT CASE WHEN c.requester_id = f.friend THEN c.addressee_id ELSE c.requester_id END AS candidate, count(*) AS mutual
                    FROM connections c JOIN friends f ON (c.requester_id = f.friend OR c.addressee_id = f.friend)
                    WHERE c.status = 'accepted' GROUP BY candidate)
                """
            let eligible = """
                u.id <> ?1 AND \(ProfileStore.listedSQL(viewer: userID))
                    AND NOT EXISTS (SELECT 1 FROM connections c WHERE c.user_low = min(u.id, ?1) AND c.user_high = max(u.id, ?1)
                        AND c.status IN ('pending', 'accepted'))
                """
            let sameDepartment = "coalesce(u.department_id = ?3, 0)"
            let sameMajor = "coalesce(lower(u.major) = lower(?4), 0)"
            var found = try Row.fetchAll(
                db,
                sql: mutuals + """
                    SELECT u.id, m.mutual, \(sameDepartment) AS same_department, \(sameMajor) AS same_major
                    FROM mutuals m JOIN users u ON u.id = m.candidate
                    WHERE \(eligible)
                    ORDER BY m.mutual DESC, same_department DESC, same_major DESC, u.id
                    LIMIT ?2
                    """,
                arguments: [userID, limit, department, major]
            ).map {
                (
                    userID: try $0.decode(Int64.self, forColumn: "id"), mutual: try $0.decode(Int.self, forColumn: "mutual"),
                    sameDepartment: try $0.decode(Bool.self, forColumn: "same_department"),
                    sameMajor: try $0.decode(Bool.self, forColumn: "same_major")
                )
            }
            let tiers: [(condition: String?, department: Bool, major: Bool)] = [
                (department != nil && major != nil ? "u.department_id = ?3 AND lower(u.major) = lower(?4)" : nil, true, true),
                (department != nil ? "u.department_id = ?3 AND NOT \(sameMajor)" : nil, true, false),
                (major != nil ? "lower(u.major) = lower(?4) AND NOT \(sameDepartment)" : nil, false, true),
            ]
            for tier in tiers where found.count < limit {
                guard let condition = tier.condition else { continue }
                let ids = try Int64.fetchAll(
                    db,
                    sql: mutuals + """
                        SELECT u.id FROM users u
                        WHERE \(condition) AND u.id NOT IN (SELECT candidate FROM mutuals) AND \(eligible)
                        ORDER BY u.id LIMIT ?2
                        """,
                    arguments: [userID, limit - found.count, department, major])
                found += ids.map { (userID: $0, mutual: 0, sameDepartment: tier.department, sameMajor: tier.major) }
            }
            return found
        }
    }

    // MARK: - Blocks

    /// CON-8: removes any connection between the two; idempotent.
    public func block(_ blocker: Int64, _ blocked: Int64) throws {
        guard blocker != blocked else { throw ConnectionError.selfConnection }
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ? AND status <> 'deleted'", arguments: [blocked]) == true
            else {
                throw ConnectionError.noSuchUser
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?)",
                arguments: [blocker, blocked, stamp])
            try db.execute(
                sql: "DELETE FROM connections WHERE user_low = ? AND user_high = ?",
                arguments: [min(blocker, blocked), max(blocker, blocked)])
        }
    }

    public func unblock(_ blocker: Int64, _ blocked: Int64) throws -> Bool {
        try store.write { db in
            try db.execute(sql: "DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?", arguments: [blocker, blocked])
            return db.changesCount == 1
        }
    }

    public func blocked(by userID: Int64) throws -> [Int64] {
        try store.read { db in
            try Int64.fetchAll(db, sql: "SELECT blocked_id FROM blocks WHERE blocker_id = ? ORDER BY id DESC", arguments: [userID])
        }
    }
}
