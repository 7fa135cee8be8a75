import Foundation
import GRDB
import PSCCore

/// Sign-in attempts and the per-account throttle of 20-services §4.2: after 5 consecutive failures, one attempt
/// per 60 s for the next 15 min, from any address; a success resets the count; nothing locks for good.
public struct SignInThrottle: Sendable {
    public enum Outcome: String, Sendable { case success, failure, throttled, secondFactorFailed = "second_factor_failed" }

    public let store: Store
    let clock: @Sendable () -> Date
    public static let failuresBeforeThrottle = 5
    public static let spacing: TimeInterval = 60
    public static let window: TimeInterval = 15 * 60

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Seconds to wait before the account may try again, or nil when it may try now.
    public func retryAfter(userID: Int64) throws -> Int? {
        let now = clock()
        let since = Timestamp.string(from: now.addingTimeInterval(-Self.window))
        let recent = try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT outcome, occurred_at FROM login_attempts
                    WHERE user_id = ? AND occurred_at >= ? AND outcome IN ('success', 'failure')
                    ORDER BY id DESC LIMIT ?
                    """,
                arguments: [userID, since, Self.failuresBeforeThrottle])
        }
        let outcomes: [String] = try recent.map { try $0.decode(forColumn: "outcome") }
        guard recent.count == Self.failuresBeforeThrottle, outcomes.allSatisfy({ $0 == "failure" }),
            let last = Timestamp.date(from: try recent[0].decode(forColumn: "occurred_at"))
        else { return nil }
        let waited = now.timeIntervalSince(last)
        return waited < Self.spacing ? max(1, Int((Self.spacing - waited).rounded(.up))) : nil
    }

    /// Stores the attempt (append-only) and audits it, in one transaction.
    public func record(
        _ outcome: Outcome, userID: Int64?, emailHash: Data?, reason: String?, origin: RequestOrigin, method: String = "password"
    ) throws {
        try store.write { db in
            try record(outcome, userID: userID, emailHash: emailHash, reason: reason, origin: origin, method: method, in: db)
        }
    }

    /// `record` inside the caller's transaction.
    public func record(
        _ outcome: Outcome, userID: Int64?, emailHash: Data?, reason: String?, origin: RequestOrigin, method: String = "password",
        in db: GRDB.Database
    ) throws {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        try db.execute(
            sql: """
                INSERT INTO login_attempts (email_hash, user_id, ip, user_agent, outcome, reason, occurred_at, created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [emailHash, userID, origin.ip, origin.userAgent, outcome.rawValue, reason, stamp, stamp])
        var details: [String: JSONValue] = ["method": .string(method)]
        if let reason { details["reason"] = .string(reason) }
        try AuditLog.append(
            AuditEntry(
                occurredAt: now, actorUserID: userID, actorKind: .user, action: "auth.login", targetType: "user",
                targetID: userID.map(String.init), ipAddress: origin.ip, userAgent: origin.userAgent, details: details,
                severity: outcome == .success ? .info : .warning, outcome: outcome == .success ? .success : .failure),
            in: db)
    }
}
