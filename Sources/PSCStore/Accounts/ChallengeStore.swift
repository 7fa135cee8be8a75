import Foundation
import GRDB
import PSCCore

/// Short-lived, single-use challenges of `auth_challenges` (40-data §2.1): the second step of a sign-in, WebAuthn
/// ceremonies and later single sign-on state. Only the challenge's SHA-256 is stored; its data is encrypted.
public struct ChallengeStore: Sendable {
    public enum Purpose: String, Sendable {
        case login2FA = "login_2fa", webauthnRegister = "webauthn_register", webauthnLogin = "webauthn_login", oidc, reauth
    }

    public struct Challenge: Sendable {
        public let id: Int64
        public let userID: Int64?
        public let data: JSONValue
        public let attempts: Int
        public let expiresAt: String
    }

    static let dataColumn = "auth_challenges.data_enc"
    public let store: Store
    let keyRing: KeyRing
    let clock: @Sendable () -> Date

    public init(store: Store, keyRing: KeyRing, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.clock = clock
    }

    /// Creates a challenge and returns its secret id (43 characters) with its expiry.
    public func create(
        _ purpose: Purpose, userID: Int64?, data: JSONValue, validFor seconds: TimeInterval
    ) throws -> (token: String, expiresAt: String) {
        let token = SecureToken.random()
        let now = clock()
        let expires = Timestamp.string(from: now.addingTimeInterval(seconds))
        let envelope = try keyRing.encrypt(data.canonicalText, column: Self.dataColumn)
        try store.write { db in
            // Expired challenges are of no use to anyone; clearing them here keeps the table small without a job.
            try db.execute(
                sql: "DELETE FROM auth_challenges WHERE expires_at < ?",
                arguments: [Timestamp.string(from: now.addingTimeInterval(-3600))])
            try db.execute(
                sql: """
                    INSERT INTO auth_challenges (purpose, token_hash, user_id, data_enc, attempts, expires_at, created_at)
                    VALUES (?, ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [purpose.rawValue, SecureToken.sha256(token), userID, envelope, expires, Timestamp.string(from: now)])
        }
        return (token, expires)
    }

    /// The live challenge for the token and purpose: not consumed, not expired.
    public func open(_ purpose: Purpose, token: String, in db: GRDB.Database) throws -> Challenge? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT id, user_id, data_enc, attempts, expires_at FROM auth_challenges
                    WHERE token_hash = ? AND purpose = ? AND consumed_at IS NULL AND expires_at > ?
                    """,
                arguments: [SecureToken.sha256(token), purpose.rawValue, Timestamp.string(from: clock())])
        else { return nil }
        let text = try (try row.decode(forColumn: "data_enc") as String?).map { try keyRing.decrypt($0, column: Self.dataColumn) } ?? "null"
        let data = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        return Challenge(
            id: try row.decode(forColumn: "id"), userID: try row.decode(forColumn: "user_id"), data: data,
            attempts: try row.decode(forColumn: "attempts"), expiresAt: try row.decode(forColumn: "expires_at"))
    }

    public func consume(_ challenge: Challenge, in db: GRDB.Database) throws {
        try db.execute(
            sql: "UPDATE auth_challenges SET consumed_at = ? WHERE id = ?", arguments: [Timestamp.string(from: clock()), challenge.id])
    }

    /// Counts a wrong answer; the challenge is consumed once it has `limit` of them. Returns true when it is spent.
    public func recordFailure(_ challenge: Challenge, limit: Int, in db: GRDB.Database) throws -> Bool {
        let attempts = challenge.attempts + 1
        try db.execute(
            sql: "UPDATE auth_challenges SET attempts = ?, consumed_at = CASE WHEN ? THEN ? END WHERE id = ?",
            arguments: [attempts, attempts >= limit, Timestamp.string(from: clock()), challenge.id])
        return attempts >= limit
    }
}
