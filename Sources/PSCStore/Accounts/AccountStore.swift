import Foundation
import GRDB
import PSCCore

public enum AccountError: Error, Equatable {
    case emailTaken
}

/// Accounts, one-time tokens and grants (40-data §2.1). Every change that matters to security is audited in the
/// same transaction as the change.
public struct AccountStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Creates the account with its registration consents (terms and privacy, 20-services §4.8; with
    /// `listInDirectory` also the FERPA directory consent, and the listing itself). `alsoIn` runs in the same
    /// transaction, for work that must commit with it (the verification email's job).
    public func register(
        _ account: NewAccount, origin: RequestOrigin, termsVersion: String = "1", listInDirectory: Bool = false,
        alsoIn: (GRDB.Database, Int64) throws -> Void = { _, _ in }
    ) throws -> Int64 {
        let now = Timestamp.string(from: clock())
        return try store.write { db in
            let norm = UserRecord.normalise(email: account.email)
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email_norm = ?", arguments: [norm]) == true {
                throw AccountError.emailTaken
            }
            try db.execute(
                sql: """
                    INSERT INTO users (email, email_norm, password_hash, role, status, first_name, last_name, graduation_year, degree,
                        company, email_verified, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    account.email.trimmingCharacters(in: .whitespacesAndNewlines), norm, account.passwordHash, account.role.rawValue,
                    account.status.rawValue, account.firstName, account.lastName, account.graduationYear, account.degree,
                    account.company, account.emailVerified, now, now,
                ])
            let id = db.lastInsertedRowID
            if account.role == .employer, let company = account.company {
                try CompanyStore.join(userID: id, companyName: company, at: now, in: db)
            }
            if listInDirectory {
                try db.execute(sql: "UPDATE users SET directory_listed = 1 WHERE id = ?", arguments: [id])
            }
            for type in ["terms", "privacy"] + (listInDirectory ? ["ferpa_directory"] : []) {
                try Consent.append(
                    userID: id, type: type, granted: true, version: termsVersion, source: "registration", origin: origin, at: now, in: db)
            }
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: id, actorKind: .user, action: "account.registered", targetType: "user",
                    targetID: String(id), ipAddress: origin.ip, userAgent: origin.userAgent,
                    details: ["role": .string(account.role.rawValue), "status": .string(account.status.rawValue)]),
                in: db)
            try alsoIn(db, id)
            return id
        }
    }

    /// The address is shown to work (a set-up link was followed from it).
    public func markEmailVerified(userID: Int64, in db: GRDB.Database) throws {
        try db.execute(sql: "UPDATE users SET email_verified = 1 WHERE id = ?", arguments: [userID])
    }

    public func user(id: Int64, in db: GRDB.Database) throws -> UserRecord? {
        try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id])
    }

    public func user(id: Int64) throws -> UserRecord? {
        try store.read { db in try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id]) }
    }

    public func user(email: String) throws -> UserRecord? {
        try store.read { db in
            try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE email_norm = ?", arguments: [UserRecord.normalise(email: email)])
        }
    }

    /// Records a successful sign-in time and, when the stored hash is outdated, its replacement.
    public func recordSignIn(userID: Int64, newPasswordHash: String?, in db: GRDB.Database) throws {
        let now = Timestamp.string(from: clock())
        try db.execute(
            sql: """
                UPDATE users SET last_login_at = ?1, last_active_at = ?1, updated_at = ?1, password_hash = coalesce(?2, password_hash)
                WHERE id = ?3
                """,
            arguments: [now, newPasswordHash, userID])
    }

    /// Replaces the password hash (change, reset, invitation) and audits it under `action`.
    public func setPassword(
        userID: Int64, hash: String, action: String, origin: RequestOrigin, in db: GRDB.Database
    ) throws {
        let now = clock()
        try db.execute(
            sql: "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", arguments: [hash, Timestamp.string(from: now), userID])
        try AuditLog.append(.account(action, userID: userID, origin: origin, at: now), in: db)
    }

    /// Active grants not past their expiry (00-conventions §1.4: expiry applies at once, on every request).
    public func grants(userID: Int64) throws -> [Grant] {
        try store.read { db in try grants(userID: userID, in: db) }
    }

    public func grants(userID: Int64, in db: GRDB.Database) throws -> [Grant] {
        let now = Timestamp.string(from: clock())
        return try Row.fetchAll(
            db,
            sql: """
                SELECT capability, department_id, expires_at FROM capability_grants
                WHERE user_id = ? AND active = 1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)
                ORDER BY id
                """,
            arguments: [userID, now]
        ).compactMap { row in
            guard let capability = Capability(rawValue: try row.decode(forColumn: "capability")) else { return nil }
            return Grant(
                capability: capability, departmentID: try row.decode(forColumn: "department_id"),
                expiresAt: try row.decode(forColumn: "expires_at"))
        }
    }

    // MARK: - One-time tokens

    /// Issues a single-use token for the purpose and returns it; only its hash is stored. Earlier unused tokens of
    /// the same purpose for the user stop working, so only the newest link in someone's inbox is live.
    public func issueToken(purpose: String, userID: Int64, validFor seconds: TimeInterval, in db: GRDB.Database) throws -> String {
        let token = SecureToken.random()
        let now = clock()
        let stamp = Timestamp.string(from: now)
        try db.execute(
            sql: "UPDATE one_time_tokens SET used_at = ? WHERE user_id = ? AND purpose = ? AND used_at IS NULL",
            arguments: [stamp, userID, purpose])
        try db.execute(
            sql: """
                INSERT INTO one_time_tokens (purpose, token_hash, user_id, attempts, expires_at, created_at)
                VALUES (?, ?, ?, 0, ?, ?)
                """,
            arguments: [purpose, SecureToken.sha256(token), userID, Timestamp.string(from: now.addingTimeInterval(seconds)), stamp])
        return token
    }

    /// Uses a token inside the caller's transaction: the user id when it exists for the purpose, is unused and
    /// unexpired; nil otherwise (the caller answers 404 alike for all three).
    public func consumeToken(purpose: String, token: String, in db: GRDB.Database) throws -> Int64? {
        let stamp = Timestamp.string(from: clock())
        guard
            let row = try Row.fetchOne(
                db,
                sql: "SELECT id, user_id FROM one_time_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                arguments: [SecureToken.sha256(token), purpose, stamp])
        else { return nil }
        try db.execute(
            sql: "UPDATE one_time_tokens SET used_at = ? WHERE id = ?", arguments: [stamp, try row.decode(forColumn: "id") as Int64])
        return try row.decode(forColumn: "user_id")
    }

    /// The owner of a live token without using it (a reset checks its second factor before spending the link).
    public func tokenOwner(purpose: String, token: String) throws -> Int64? {
        let stamp = Timestamp.string(from: clock())
        return try store.read { db in
            try Int64.fetchOne(
                db,
                sql: "SELECT user_id FROM one_time_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                arguments: [SecureToken.sha256(token), purpose, stamp])
        }
    }

    /// AUTH-2: uses the verification token; students become active, alumni and employers wait for approval.
    /// Returns the new status, or nil when the token is unknown, used or expired.
    public func verifyEmail(token: String, origin: RequestOrigin) throws -> AccountStatus? {
        let now = Timestamp.string(from: clock())
        return try store.write { db -> AccountStatus? in
            guard let userID = try consumeToken(purpose: "email_verify", token: token, in: db),
                let user = try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [userID])
            else { return nil }
            var status = user.status
            if status == .pendingVerification { status = user.role == .student ? .active : .pendingApproval }
            try db.execute(
                sql: "UPDATE users SET email_verified = 1, status = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, now, userID])
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: userID, actorKind: .user, action: "account.email_verified", targetType: "user",
                    targetID: String(userID), ipAddress: origin.ip, userAgent: origin.userAgent,
                    details: ["status": .string(status.rawValue)]),
                in: db)
            return status
        }
    }
}
