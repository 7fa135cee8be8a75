import Foundation
import GRDB
import PSCCore

/// A row of `sessions` as the API shows it (Session, AUTH-9).
public struct SessionRecord: Sendable, Equatable, FetchableRecord {
    public let id: Int64
    public let userID: Int64
    public let csrfToken: String
    public let remember: Bool
    public let authMethods: String
    public let recentAuthAt: String?
    public let ip: String?
    public let userAgent: String?
    public let lastSeenAt: String?
    public let idleExpiresAt: String
    public let absoluteExpiresAt: String
    public let revokedAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        userID = try row.decode(forColumn: "user_id")
        csrfToken = try row.decode(forColumn: "csrf_token")
        remember = try row.decode(forColumn: "remember")
        authMethods = try row.decode(forColumn: "auth_methods")
        recentAuthAt = try row.decode(forColumn: "recent_auth_at")
        ip = try row.decode(forColumn: "ip")
        userAgent = try row.decode(forColumn: "user_agent")
        lastSeenAt = try row.decode(forColumn: "last_seen_at")
        idleExpiresAt = try row.decode(forColumn: "idle_expires_at")
        absoluteExpiresAt = try row.decode(forColumn: "absolute_expires_at")
        revokedAt = try row.decode(forColumn: "revoked_at")
        createdAt = try row.decode(forColumn: "created_at")
    }

    /// The earlier of the two expiries: when the session ends if it is not used again.
    public var expiresAt: String { min(idleExpiresAt, absoluteExpiresAt) }
}

/// Session lifetimes of 00-conventions §3.1.
public struct SessionLifetime: Sendable, Equatable {
    public let idle: TimeInterval
    public let absolute: TimeInterval

    public static let standard = SessionLifetime(idle: 12 * 3600, absolute: 24 * 3600)
    public static let remembered = SessionLifetime(idle: 14 * 86400, absolute: 30 * 86400)
    /// Admins and grant holders, whatever they chose.
    public static let privileged = SessionLifetime(idle: 30 * 60, absolute: 12 * 3600)

    public static func of(remember: Bool, privileged: Bool) -> SessionLifetime {
        privileged ? .privileged : remember ? .remembered : .standard
    }
}

/// Server-side sessions: the id travels only in the cookie; the table holds its SHA-256.
public struct SessionStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Starts a session and returns its secret id with the row. Called at every sign-in, so each login gets a new id.
    public func create(
        userID: Int64, remember: Bool, lifetime: SessionLifetime, methods: [String], origin: RequestOrigin
    ) throws -> (token: String, session: SessionRecord) {
        try store.write { db in
            try create(userID: userID, remember: remember, lifetime: lifetime, methods: methods, origin: origin, in: db)
        }
    }

    /// `create` inside the caller's transaction, for sign-ins that consume a challenge or a code with it.
    public func create(
        userID: Int64, remember: Bool, lifetime: SessionLifetime, methods: [String], origin: RequestOrigin, in db: GRDB.Database
    ) throws -> (token: String, session: SessionRecord) {
        let token = SecureToken.random()
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let methodsJSON = JSONValue.array(methods.map(JSONValue.string)).canonicalText
        let session = try {
            try SessionRecord.fetchOne(
                db,
                sql: """
                    INSERT INTO sessions (token_hash, user_id, csrf_token, remember, auth_methods, recent_auth_at, ip, user_agent,
                        last_seen_at, idle_expires_at, absolute_expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    RETURNING *
                    """,
                arguments: [
                    SecureToken.sha256(token), userID, SecureToken.random(), remember, methodsJSON, stamp, origin.ip,
                    origin.userAgent.map { String($0.prefix(300)) }, stamp,
                    Timestamp.string(from: now.addingTimeInterval(lifetime.idle)),
                    Timestamp.string(from: now.addingTimeInterval(lifetime.absolute)), stamp,
                ])
        }()
        guard let session else { throw StoreError.backupFailed("the new session could not be read back") }
        return (token, session)
    }

    /// The live session for a cookie value: not revoked and within both expiries.
    public func session(token: String) throws -> SessionRecord? {
        let stamp = Timestamp.string(from: clock())
        let hash = SecureToken.sha256(token)
        return try store.read { db in
            try SessionRecord.fetchOne(
                db,
                sql: """
                    SELECT * FROM sessions WHERE token_hash = ? AND revoked_at IS NULL AND idle_expires_at > ?2
                        AND absolute_expires_at > ?2
                    """,
                arguments: [hash, stamp])
        }
    }

    /// Records a use of the session and pushes its idle expiry out, writing at most once a minute (40-data:
    /// last_seen written at most once a minute).
    public func touch(_ session: SessionRecord, lifetime: SessionLifetime) throws {
        let now = clock()
        if let lastSeen = session.lastSeenAt, let seen = Timestamp.date(from: lastSeen), now.timeIntervalSince(seen) < 60 { return }
        let stamp = Timestamp.string(from: now)
        let idle = Timestamp.string(from: now.addingTimeInterval(lifetime.idle))
        try store.write { db in
            try db.execute(
                sql: "UPDATE sessions SET last_seen_at = ?, idle_expires_at = ? WHERE id = ? AND revoked_at IS NULL",
                arguments: [stamp, idle, session.id])
        }
    }

    /// Marks a password or second-factor check just passed on this session (00-conventions §3.1, recent authentication).
    public func markRecentAuth(sessionID: Int64) throws -> String {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            try db.execute(sql: "UPDATE sessions SET recent_auth_at = ? WHERE id = ?", arguments: [stamp, sessionID])
        }
        return stamp
    }

    /// The user's sessions that are still live, newest first.
    /// Sessions not revoked and not past their absolute expiry.
    public func liveCount(userID: Int64, in db: GRDB.Database) throws -> Int {
        try Int.fetchOne(
            db, sql: "SELECT count(*) FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND absolute_expires_at > ?",
            arguments: [userID, Timestamp.string(from: clock())]) ?? 0
    }

    public func sessions(userID: Int64) throws -> [SessionRecord] {
        let stamp = Timestamp.string(from: clock())
        return try store.read { db in
            try SessionRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND idle_expires_at > ?2 AND absolute_expires_at > ?2
                    ORDER BY id DESC
                    """,
                arguments: [userID, stamp])
        }
    }

    /// Revokes one of the user's sessions; false when it is not theirs or not live (the caller answers 404).
    @discardableResult
    public func revoke(id: Int64, userID: Int64, reason: String, origin: RequestOrigin) throws -> Bool {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                arguments: [stamp, reason, id, userID])
            guard db.changesCount > 0 else { return false }
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: userID, actorKind: .user,
                    action: reason == "logout" ? "auth.logout" : "auth.session_revoked",
                    targetType: "session", targetID: String(id), ipAddress: origin.ip, userAgent: origin.userAgent,
                    details: ["reason": .string(reason)]),
                in: db)
            return true
        }
    }

    /// Revokes every live session of the user except one (nil: all). Returns how many.
    @discardableResult
    public func revokeAll(userID: Int64, except keep: Int64?, reason: String, origin: RequestOrigin) throws -> Int {
        try store.write { db in try revokeAll(userID: userID, except: keep, reason: reason, origin: origin, in: db) }
    }

    /// `revokeAll` inside the caller's transaction (a password change revokes with the change).
    @discardableResult
    public func revokeAll(userID: Int64, except keep: Int64?, reason: String, origin: RequestOrigin, in db: GRDB.Database) throws -> Int {
        try db.execute(
            sql: """
                UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL AND id IS NOT ?
                """,
            arguments: [Timestamp.string(from: clock()), reason, userID, keep])
        let count = db.changesCount
        if count > 0 {
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: userID, actorKind: .user, action: "auth.session_revoked", targetType: "user",
                    targetID: String(userID), ipAddress: origin.ip, userAgent: origin.userAgent,
                    details: ["reason": .string(reason), "count": .int(Int64(count))]),
                in: db)
        }
        return count
    }
}
