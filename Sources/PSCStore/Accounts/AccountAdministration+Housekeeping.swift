import Foundation
import GRDB
import PSCCore

/// The account steps of the nightly housekeeping (30-jobs job 2): suspensions whose end has passed are lifted and
/// grants past their expiry are marked inactive, each a predicate over the current time, so a rerun finds nothing.
extension AccountAdministration {
    public struct Housekeeping: Sendable, Equatable {
        public let suspensionsEnded: Int
        public let grantsExpired: Int
        public var verificationsExpired = 0
    }

    public func housekeeping() throws -> Housekeeping {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            let lapsed = try Int64.fetchAll(
                db,
                sql: "SELECT id FROM users WHERE status = 'suspended' AND suspended_until IS NOT NULL AND suspended_until <= ?",
                arguments: [stamp])
            for id in lapsed {
                try db.execute(
                    sql: "UPDATE users SET status = 'active', suspended_until = NULL, updated_at = ? WHERE id = ?", arguments: [stamp, id])
                try AuditLog.append(
                    AuditEntry(
                        occurredAt: now, actorKind: .system, action: "user.status_change", targetType: "user", targetID: String(id),
                        details: ["status": ["suspended", "active"], "reason": "the suspension ended"], severity: .warning),
                    in: db)
                try matches?.recompute(userID: id, in: db)
            }
            try db.execute(
                sql:
                    "UPDATE capability_grants SET active = 0, revoked_at = ?1 WHERE active = 1 AND expires_at IS NOT NULL AND expires_at <= ?1",
                arguments: [stamp])
            return Housekeeping(suspensionsEnded: lapsed.count, grantsExpired: db.changesCount)
        }
    }

    /// The nightly steps together: accounts, then student verifications past their semester end.
    public func nightly() throws -> Housekeeping {
        var done = try housekeeping()
        done.verificationsExpired = try VerificationStore(store: store, clock: clock).expire()
        return done
    }
}
