import Foundation
import GRDB
import PSCCore

/// A member's own security records (SEC-14..17): the audit events about them and their consent records, each
/// change of consent appended with its audit record in one transaction.
public struct SecurityRecordStore: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// SEC-14: events where the member is the actor or the target, newest first, before `beforeID`.
    public func auditPage(userID: Int64, beforeID: Int64?, limit: Int) throws -> (entries: [JSONValue], lastID: Int64?) {
        try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT id, occurred_at, action, actor_kind, actor_user_id, target_type, target_id, ip_address, user_agent,
                        details, severity, outcome
                    FROM audit_log
                    WHERE (actor_user_id = ?1 OR (target_type = 'user' AND target_id = ?2)) AND id < ?3
                    ORDER BY id DESC LIMIT ?4
                    """,
                arguments: [userID, String(userID), beforeID ?? Int64.max, limit])
            return (try rows.map(AuditLog.entryJSON), try rows.last?.decode(forColumn: "id"))
        }
    }

    /// SEC-16: the record in force of each consent type (the latest by `recorded_at`, then `id`; 20-services §4.8).
    /// Appends one audit record in its own transaction (a refusal's `authz.denied`, which changes nothing else).
    public func append(_ entry: AuditEntry) throws {
        try store.write { db in _ = try AuditLog.append(entry, in: db) }
    }

    /// Whether the member's consent of `type` is in force (20-services §4.8).
    public func isGranted(userID: Int64, type: String) throws -> Bool {
        try store.read { db in try Consent.isGranted(userID: userID, type: type, in: db) }
    }

    public func currentConsents(userID: Int64) throws -> [String: JSONValue] {
        try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT consent_type, granted, version, recorded_at FROM consent_records c
                    WHERE user_id = ?1 AND id = (
                        SELECT id FROM consent_records WHERE user_id = ?1 AND consent_type = c.consent_type
                        ORDER BY recorded_at DESC, id DESC LIMIT 1)
                    """,
                arguments: [userID])
            var consents: [String: JSONValue] = [:]
            for row in rows {
                consents[try row.decode(forColumn: "consent_type")] = [
                    "granted": .bool(try row.decode(forColumn: "granted")),
                    "version": .string(try row.decode(forColumn: "version")),
                    "recorded_at": .string(try row.decode(forColumn: "recorded_at")),
                ]
            }
            return consents
        }
    }

    /// SEC-17: every record, newest first, of one type or all.
    public func consentHistory(userID: Int64, type: String?) throws -> [JSONValue] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT id, consent_type, granted, version, recorded_at, source FROM consent_records
                    WHERE user_id = ? AND (?2 IS NULL OR consent_type = ?2) ORDER BY recorded_at DESC, id DESC
                    """,
                arguments: [userID, type]
            ).map { row -> JSONValue in
                [
                    "id": .int(try row.decode(forColumn: "id")), "consent_type": .string(try row.decode(forColumn: "consent_type")),
                    "granted": .bool(try row.decode(forColumn: "granted")),
                    "version": .string(try row.decode(forColumn: "version")),
                    "recorded_at": .string(try row.decode(forColumn: "recorded_at")),
                    "source": (try row.decode(forColumn: "source") as String?).map(JSONValue.string) ?? .null,
                ]
            }
        }
    }

    /// SEC-15: appends the member's choice and its audit record together; returns the record's id.
    public func recordConsent(
        userID: Int64, type: String, granted: Bool, version: String, origin: RequestOrigin, at now: Date
    ) throws -> Int64 {
        try store.write { db in
            try Consent.recordChoice(userID: userID, type: type, granted: granted, version: version, origin: origin, at: now, in: db)
        }
    }
}
