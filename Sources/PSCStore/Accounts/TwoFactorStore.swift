import Foundation
import GRDB
import PSCCore

public enum TwoFactorError: Error, Equatable {
    case alreadyEnabled
    case nothingPending
    case notEnabled
}

/// TOTP enrolment, second-factor checks and recovery codes (20-services §4.3, §4.4). The secret is stored only
/// encrypted under the key ring, recovery codes only as HMACs; each accepted code is consumed in the caller's
/// transaction, so a code completes at most one sign-in.
public struct TwoFactorStore: Sendable {
    public enum Method: String, Sendable { case totp, recoveryCode = "recovery_code" }

    public enum Outcome: Sendable, Equatable {
        case accepted(Method, recoveryCodesRemaining: Int?)
        case rejected
        /// Too many wrong codes for the account: code entry is blocked for this many seconds.
        case blocked(retryAfter: Int)
    }

    public struct Status: Sendable {
        public let enabled: Bool
        public let enrolledAt: String?
        public let pendingEnrolment: Bool
        public let recoveryCodesRemaining: Int
        public let passkeys: Int
    }

    public static let failureLimit = 10
    public static let failureWindow: TimeInterval = 3600
    public static let blockDuration: TimeInterval = 15 * 60
    public static let recoveryCodeCount = 10
    static let secretColumn = "totp_credentials.secret_enc"

    public let store: Store
    let keyRing: KeyRing
    let alert: SecurityAlertHook
    let clock: @Sendable () -> Date

    public init(store: Store, keyRing: KeyRing, alert: @escaping SecurityAlertHook, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.alert = alert
        self.clock = clock
    }

    public func status(userID: Int64) throws -> Status {
        try store.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT confirmed_at FROM totp_credentials WHERE user_id = ?", arguments: [userID])
            let confirmed: String? = try row.flatMap { try $0.decode(forColumn: "confirmed_at") }
            let codes =
                try Int.fetchOne(db, sql: "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", arguments: [userID])
                ?? 0
            let passkeys = try Self.passkeyCount(userID: userID, in: db)
            return Status(
                enabled: confirmed != nil || passkeys > 0, enrolledAt: confirmed, pendingEnrolment: row != nil && confirmed == nil,
                recoveryCodesRemaining: codes, passkeys: passkeys)
        }
    }

    /// Two-factor is on once TOTP is confirmed or a passkey is registered (20-services §4.4).
    public func isEnabled(userID: Int64, in db: GRDB.Database) throws -> Bool { try Self.isEnabled(userID: userID, in: db) }

    /// A confirmed authenticator app or a passkey; needs no key, so the people pages ask it too.
    public static func isEnabled(userID: Int64, in db: GRDB.Database) throws -> Bool {
        try hasConfirmedTOTP(userID: userID, in: db) || passkeyCount(userID: userID, in: db) > 0
    }

    /// The second-step methods a login challenge offers the account.
    public func methods(userID: Int64, in db: GRDB.Database) throws -> [String] {
        var methods: [String] = []
        if try Self.hasConfirmedTOTP(userID: userID, in: db) {
            methods.append("totp")
            let codes = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", arguments: [userID])
            if (codes ?? 0) > 0 { methods.append("recovery_code") }
        }
        if try Self.passkeyCount(userID: userID, in: db) > 0 { methods.append("webauthn") }
        return methods
    }

    /// SEC-2: a new secret, pending until a code confirms it; an earlier pending one is replaced.
    public func beginEnrolment(userID: Int64) throws -> Data {
        let secret = TOTP.newSecret()
        let envelope = try keyRing.encrypt(Base32.encode(secret), column: Self.secretColumn)
        let now = Timestamp.string(from: clock())
        try store.write { db in
            if try Self.hasConfirmedTOTP(userID: userID, in: db) { throw TwoFactorError.alreadyEnabled }
            try db.execute(
                sql: """
                    INSERT INTO totp_credentials (user_id, secret_enc, failures_in_window, created_at, updated_at) VALUES (?, ?, 0, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET secret_enc = excluded.secret_enc, last_used_step = NULL, updated_at = excluded.updated_at
                    """,
                arguments: [userID, envelope, now, now])
        }
        return secret
    }

    public enum Confirmation: Sendable, Equatable {
        case confirmed(recoveryCodes: [String])
        /// A wrong code (counted like any wrong code), or code entry blocked.
        case refused(Outcome)
    }

    /// SEC-3 (and SEC-4 while pending): a valid code turns the pending secret on and issues recovery codes.
    public func confirm(userID: Int64, code: String, origin: RequestOrigin) throws -> Confirmation {
        try store.write { db in
            guard let row = try credential(userID: userID, in: db) else { throw TwoFactorError.nothingPending }
            guard row.confirmedAt == nil else { throw TwoFactorError.alreadyEnabled }
            if let wait = blockedFor(row) { return .refused(.blocked(retryAfter: wait)) }
            let totp = try TOTP(secret: secret(of: row))
            guard let step = totp.matchingStep(code, at: clock(), lastUsedStep: row.lastUsedStep) else {
                return .refused(try recordFailure(row, userID: userID, origin: origin, in: db))
            }
            let now = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    UPDATE totp_credentials SET confirmed_at = ?1, last_used_step = ?2, failures_in_window = 0, window_started_at = NULL,
                        updated_at = ?1 WHERE id = ?3
                    """,
                arguments: [now, step, row.id])
            let codes = try replaceRecoveryCodes(userID: userID, in: db)
            try AuditLog.append(.account("security.2fa_enabled", userID: userID, origin: origin, at: clock()), in: db)
            try alert(db, userID, "two_factor_enabled")
            return .confirmed(recoveryCodes: codes)
        }
    }

    /// Checks a TOTP code or a recovery code inside the caller's transaction and consumes what it uses. A wrong
    /// code counts toward the account's limit; the caller must commit the transaction whatever the outcome.
    public func check(userID: Int64, code: String, origin: RequestOrigin, in db: GRDB.Database) throws -> Outcome {
        let row = try credential(userID: userID, in: db).flatMap { $0.confirmedAt == nil ? nil : $0 }
        if let row, let wait = blockedFor(row) { return .blocked(retryAfter: wait) }
        let digits = code.filter { !$0.isWhitespace }
        if let row, digits.count == TOTP.digits, digits.allSatisfy({ $0.isASCII && $0.isNumber }) {
            if let step = try TOTP(secret: secret(of: row)).matchingStep(digits, at: clock(), lastUsedStep: row.lastUsedStep) {
                try db.execute(
                    sql: "UPDATE totp_credentials SET last_used_step = ?, updated_at = ? WHERE id = ?",
                    arguments: [step, Timestamp.string(from: clock()), row.id])
                return .accepted(.totp, recoveryCodesRemaining: nil)
            }
        } else if let normalised = RecoveryCode.normalise(code) {
            let now = Timestamp.string(from: clock())
            try db.execute(
                sql: "UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL",
                arguments: [now, userID, keyRing.lookupHash(normalised)])
            if db.changesCount > 0 {
                let remaining =
                    try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL", arguments: [userID]) ?? 0
                try AuditLog.append(
                    .account(
                        "security.recovery_code_used", userID: userID, origin: origin, at: clock(),
                        details: ["remaining": .int(Int64(remaining))]),
                    in: db)
                try alert(db, userID, "recovery_code_used")
                return .accepted(.recoveryCode, recoveryCodesRemaining: remaining)
            }
        }
        guard let row else {
            try AuditLog.append(.account("auth.2fa_failed", userID: userID, origin: origin, at: clock(), outcome: .failure), in: db)
            return .rejected
        }
        return try recordFailure(row, userID: userID, origin: origin, in: db)
    }

    /// SEC-5: removes TOTP and the recovery codes.
    /// A code checked in its own transaction (accepted codes are consumed).
    public func check(userID: Int64, code: String, origin: RequestOrigin) throws -> Outcome {
        try store.write { db in try check(userID: userID, code: code, origin: origin, in: db) }
    }

    /// SEC-4: new recovery codes for a right code; nil for a wrong one. Throws `notEnabled` without TOTP.
    public func regenerateRecoveryCodes(userID: Int64, code: String, origin: RequestOrigin) throws -> [String]? {
        try store.write { db -> [String]? in
            guard try methods(userID: userID, in: db).contains("totp") else { throw TwoFactorError.notEnabled }
            guard case .accepted = try check(userID: userID, code: code, origin: origin, in: db) else { return nil }
            return try regenerateRecoveryCodes(userID: userID, origin: origin, in: db)
        }
    }

    /// SEC-5: turns TOTP off for a right code; false when it is off already or the code is wrong.
    public func disable(userID: Int64, code: String, origin: RequestOrigin) throws -> Bool {
        try store.write { db -> Bool in
            guard try methods(userID: userID, in: db).contains("totp") else { return false }
            guard case .accepted = try check(userID: userID, code: code, origin: origin, in: db) else { return false }
            try disable(userID: userID, origin: origin, in: db)
            return true
        }
    }

    public func disable(userID: Int64, origin: RequestOrigin, in db: GRDB.Database) throws {
        try db.execute(sql: "DELETE FROM totp_credentials WHERE user_id = ?", arguments: [userID])
        try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ?", arguments: [userID])
        try AuditLog.append(.account("security.2fa_disabled", userID: userID, origin: origin, at: clock(), severity: .critical), in: db)
        try alert(db, userID, "two_factor_disabled")
    }

    /// SEC-6: a new set of ten; the old set stops working in the same transaction.
    public func regenerateRecoveryCodes(userID: Int64, origin: RequestOrigin, in db: GRDB.Database) throws -> [String] {
        guard try Self.hasConfirmedTOTP(userID: userID, in: db) else { throw TwoFactorError.notEnabled }
        let codes = try replaceRecoveryCodes(userID: userID, in: db)
        try AuditLog.append(.account("security.recovery_codes_regenerated", userID: userID, origin: origin, at: clock()), in: db)
        try alert(db, userID, "recovery_codes_regenerated")
        return codes
    }

    // MARK: - Rows

    struct Credential {
        let id: Int64
        let secretEnvelope: String
        let confirmedAt: String?
        let lastUsedStep: Int64?
        let failures: Int
        let windowStartedAt: String?
        let blockedUntil: String?
    }

    func credential(userID: Int64, in db: GRDB.Database) throws -> Credential? {
        try Row.fetchOne(db, sql: "SELECT * FROM totp_credentials WHERE user_id = ?", arguments: [userID]).map {
            Credential(
                id: try $0.decode(forColumn: "id"), secretEnvelope: try $0.decode(forColumn: "secret_enc"),
                confirmedAt: try $0.decode(forColumn: "confirmed_at"), lastUsedStep: try $0.decode(forColumn: "last_used_step"),
                failures: try $0.decode(forColumn: "failures_in_window"), windowStartedAt: try $0.decode(forColumn: "window_started_at"),
                blockedUntil: try $0.decode(forColumn: "blocked_until"))
        }
    }

    static func hasConfirmedTOTP(userID: Int64, in db: GRDB.Database) throws -> Bool {
        try Bool.fetchOne(
            db, sql: "SELECT 1 FROM totp_credentials WHERE user_id = ? AND confirmed_at IS NOT NULL", arguments: [userID]) == true
    }

    static func passkeyCount(userID: Int64, in db: GRDB.Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT count(*) FROM webauthn_credentials WHERE user_id = ?", arguments: [userID]) ?? 0
    }

    private func secret(of row: Credential) throws -> Data {
        guard let secret = Base32.decode(try keyRing.decrypt(row.secretEnvelope, column: Self.secretColumn)) else {
            throw KeyRing.Failure.malformed
        }
        return secret
    }

    private func blockedFor(_ row: Credential) -> Int? {
        guard let until = row.blockedUntil.flatMap(Timestamp.date(from:)) else { return nil }
        let wait = until.timeIntervalSince(clock())
        return wait > 0 ? Int(wait.rounded(.up)) : nil
    }

    /// 10 wrong codes within an hour block code entry for 15 minutes and alert the owner (20-services §4.3).
    private func recordFailure(_ row: Credential, userID: Int64, origin: RequestOrigin, in db: GRDB.Database) throws -> Outcome {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let windowOpen = row.windowStartedAt.flatMap(Timestamp.date(from:)).map { now.timeIntervalSince($0) < Self.failureWindow } ?? false
        let failures = windowOpen ? row.failures + 1 : 1
        try AuditLog.append(
            .account(
                "auth.2fa_failed", userID: userID, origin: origin, at: now, details: ["failures_in_window": .int(Int64(failures))],
                outcome: .failure),
            in: db)
        if failures >= Self.failureLimit {
            try db.execute(
                sql: """
                    UPDATE totp_credentials SET failures_in_window = 0, window_started_at = NULL, blocked_until = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [Timestamp.string(from: now.addingTimeInterval(Self.blockDuration)), stamp, row.id])
            try alert(db, userID, "two_factor_blocked")
            return .blocked(retryAfter: Int(Self.blockDuration))
        }
        try db.execute(
            sql: "UPDATE totp_credentials SET failures_in_window = ?, window_started_at = ?, updated_at = ? WHERE id = ?",
            arguments: [failures, windowOpen ? row.windowStartedAt : stamp, stamp, row.id])
        return .rejected
    }

    private func replaceRecoveryCodes(userID: Int64, in db: GRDB.Database) throws -> [String] {
        try db.execute(sql: "DELETE FROM recovery_codes WHERE user_id = ?", arguments: [userID])
        let now = Timestamp.string(from: clock())
        var codes: [String] = []
        while codes.count < Self.recoveryCodeCount {
            let code = RecoveryCode.generate()
            guard let normalised = RecoveryCode.normalise(code), !codes.contains(code) else { continue }
            try db.execute(
                sql: "INSERT INTO recovery_codes (user_id, code_hash, created_at) VALUES (?, ?, ?)",
                arguments: [userID, keyRing.lookupHash(normalised), now])
            codes.append(code)
        }
        return codes
    }
}
