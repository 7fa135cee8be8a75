import Foundation
import GRDB
import PSCCore

/// A row of `api_tokens` as AUTH-18 shows it (Token); the secret itself is never stored.
public struct APITokenRecord: Sendable, Equatable, FetchableRecord {
    public let id: Int64
    public let userID: Int64
    public let kind: String
    public let name: String
    public let prefix: String
    public let scopes: [String]
    public let lastUsedAt: String?
    public let expiresAt: String?
    public let revokedAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        userID = try row.decode(forColumn: "user_id")
        kind = try row.decode(forColumn: "kind")
        name = try row.decode(forColumn: "name")
        prefix = try row.decode(forColumn: "prefix")
        let scopesText: String = try row.decode(forColumn: "scopes")
        scopes = (try? JSONDecoder().decode([String].self, from: Data(scopesText.utf8))) ?? []
        lastUsedAt = try row.decode(forColumn: "last_used_at")
        expiresAt = try row.decode(forColumn: "expires_at")
        revokedAt = try row.decode(forColumn: "revoked_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// Personal access tokens (00-conventions §3.2): `psc_pat_` and 43 base64url characters, shown once, stored as
/// SHA-256, with the first 12 characters kept for display.
public struct APITokenStore: Sendable {
    public static let personalPrefix = "psc_pat_"
    public let store: Store
    /// Tells the owner a token was made, inside the same transaction (20-services §3.1 `security_alert`).
    let alert: SecurityAlertHook?
    let clock: @Sendable () -> Date

    public init(store: Store, alert: SecurityAlertHook? = nil, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.alert = alert
        self.clock = clock
    }

    public func create(
        userID: Int64, name: String, scopes: [String], validFor days: Int, origin: RequestOrigin
    ) throws -> (token: String, record: APITokenRecord) {
        let token = Self.personalPrefix + SecureToken.random()
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let expires = Timestamp.string(from: now.addingTimeInterval(TimeInterval(days) * 86400))
        let record = try store.write { db -> APITokenRecord? in
            let record = try APITokenRecord.fetchOne(
                db,
                sql: """
                    INSERT INTO api_tokens (user_id, kind, name, token_hash, prefix, scopes, api_calls_used, expires_at, created_at)
                    VALUES (?, 'pat', ?, ?, ?, ?, 0, ?, ?) RETURNING *
                    """,
                arguments: [
                    userID, name, SecureToken.sha256(token), String(token.prefix(12)),
                    JSONValue.array(scopes.map(JSONValue.string)).canonicalText, expires, stamp,
                ])
            try AuditLog.append(
                AuditEntry(
                    occurredAt: now, actorUserID: userID, actorKind: .user, action: "token.created", targetType: "api_token",
                    targetID: record.map { String($0.id) }, ipAddress: origin.ip, userAgent: origin.userAgent,
                    details: ["name": .string(name), "scopes": .array(scopes.map(JSONValue.string)), "expires_at": .string(expires)],
                    severity: .warning),
                in: db)
            try alert?(db, userID, "token_created")
            return record
        }
        guard let record else { throw StoreError.backupFailed("the new token could not be read back") }
        return (token, record)
    }

    /// The user's tokens that are not revoked, newest first (expired ones stay listed so the owner sees why).
    public func tokens(userID: Int64) throws -> [APITokenRecord] {
        try store.read { db in
            try APITokenRecord.fetchAll(
                db, sql: "SELECT * FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL ORDER BY id DESC", arguments: [userID])
        }
    }

    /// Revokes one of the user's tokens; false when it is not theirs or already revoked.
    public func revoke(id: Int64, userID: Int64, origin: RequestOrigin) throws -> Bool {
        let now = clock()
        return try store.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL",
                arguments: [Timestamp.string(from: now), id, userID])
            guard db.changesCount > 0 else { return false }
            try AuditLog.append(
                AuditEntry(
                    occurredAt: now, actorUserID: userID, actorKind: .user, action: "token.revoked", targetType: "api_token",
                    targetID: String(id), ipAddress: origin.ip, userAgent: origin.userAgent, severity: .info),
                in: db)
            return true
        }
    }

    public enum Lookup: Sendable, Equatable {
        case valid(APITokenRecord)
        case expired
        case unknown
    }

    /// The live token for a bearer value. The last-used time is written at most once a minute.
    public func authenticate(_ token: String) throws -> Lookup {
        guard token.hasPrefix(Self.personalPrefix) || token.hasPrefix(Self.serviceKeyPrefix), token.count == Self.personalPrefix.count + 43
        else { return .unknown }
        let now = clock()
        let stamp = Timestamp.string(from: now)
        guard
            let record = try store.read({ db in
                try APITokenRecord.fetchOne(
                    db, sql: "SELECT * FROM api_tokens WHERE token_hash = ? AND revoked_at IS NULL",
                    arguments: [SecureToken.sha256(token)])
            })
        else { return .unknown }
        if let expires = record.expiresAt, expires <= stamp { return .expired }
        if record.lastUsedAt.flatMap(Timestamp.date(from:)).map({ now.timeIntervalSince($0) >= 60 }) ?? true {
            try store.write { db in
                try db.execute(sql: "UPDATE api_tokens SET last_used_at = ? WHERE id = ?", arguments: [stamp, record.id])
            }
        }
        return .valid(record)
    }
}
