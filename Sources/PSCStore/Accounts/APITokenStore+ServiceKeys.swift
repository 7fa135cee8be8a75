import Foundation
import GRDB
import PSCCore

/// Service API keys (10-api ADM-11): `psc_key_` and 43 base64url characters, held by a service account of their
/// own (staff or employer, never able to sign in with a password), with a monthly call allowance counted on every
/// request and refused once spent.
extension APITokenStore {
    public static let serviceKeyPrefix = "psc_key_"

    public struct ServiceKey: Sendable {
        public let record: APITokenRecord
        public let organization: String
        public let maxCalls: Int64
        public let callsUsed: Int64
        public let usageMonth: String?
    }

    static func serviceKey(_ row: Row) throws -> ServiceKey {
        ServiceKey(
            record: try APITokenRecord(row: row), organization: try row.decode(forColumn: "organization") ?? "",
            maxCalls: try row.decode(forColumn: "max_api_calls") ?? 0, callsUsed: try row.decode(forColumn: "api_calls_used"),
            usageMonth: try row.decode(forColumn: "usage_month"))
    }

    /// The month calls are counted in, in Central time (`2026-12`).
    func month(_ date: Date) -> String {
        let parts = ScholarshipCalendar.calendar.dateComponents([.year, .month], from: date)
        return String(format: "%04d-%02d", parts.year ?? 0, parts.month ?? 0)
    }

    /// Creates the service account and its key, audited; the key is returned once.
    public func createServiceKey(
        name: String, organization: String, role: Role, scopes: [String], maxCalls: Int64, expiresAt: String?, audit: AuditEntry
    ) throws -> (key: String, serviceKey: ServiceKey) {
        let key = Self.serviceKeyPrefix + SecureToken.random()
        let stamp = Timestamp.string(from: clock())
        let created = try store.write { db -> ServiceKey? in
            let email = "service-\(SecureToken.random().prefix(12).lowercased())@service.invalid"
            try db.execute(
                sql: """
                    INSERT INTO users (email, email_norm, role, status, first_name, last_name, is_service_account, directory_listed,
                        email_verified, created_at, updated_at)
                    VALUES (?1, ?1, ?2, 'active', ?3, 'service', 1, 0, 1, ?4, ?4)
                    """,
                arguments: [email, role.rawValue, organization, stamp])
            let userID = db.lastInsertedRowID
            let row = try Row.fetchOne(
                db,
                sql: """
                    INSERT INTO api_tokens (user_id, kind, name, token_hash, prefix, scopes, organization, max_api_calls, api_calls_used,
                        usage_month, expires_at, created_at)
                    VALUES (?, 'api_key', ?, ?, ?, ?, ?, ?, 0, ?, ?, ?) RETURNING *
                    """,
                arguments: [
                    userID, name, SecureToken.sha256(key), String(key.prefix(12)),
                    JSONValue.array(scopes.map(JSONValue.string)).canonicalText,
                    organization, maxCalls, month(clock()), expiresAt, stamp,
                ])
            let made = try row.map(Self.serviceKey)
            try AuditLog.append(
                audit.targeting(made?.record.id ?? 0).adding([
                    "name": .string(name), "organization": .string(organization), "role": .string(role.rawValue),
                    "scopes": .array(scopes.map(JSONValue.string)), "max_api_calls": .int(maxCalls),
                ]), in: db)
            return made
        }
        guard let created else { throw StoreError.backupFailed("the new key could not be read back") }
        return (key, created)
    }

    /// Keys not revoked, newest first, with this month's calls (a key not used this month has used none).
    public func serviceKeys() throws -> [ServiceKey] {
        let current = month(clock())
        return try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM api_tokens WHERE kind = 'api_key' AND revoked_at IS NULL ORDER BY id DESC").map {
                row in
                let key = try Self.serviceKey(row)
                return key.usageMonth == current
                    ? key
                    : ServiceKey(
                        record: key.record, organization: key.organization, maxCalls: key.maxCalls, callsUsed: 0, usageMonth: current)
            }
        }
    }

    /// Revokes a key and ends its service account's use; false when there is no such live key.
    public func revokeServiceKey(id: Int64, audit: AuditEntry) throws -> Bool {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND kind = 'api_key' AND revoked_at IS NULL",
                arguments: [stamp, id])
            guard db.changesCount > 0 else { return false }
            try AuditLog.append(audit, in: db)
            return true
        }
    }

    /// Counts one call of a service key against this month's allowance; false when the allowance is spent (the
    /// call is then refused and not counted). A new month starts the count again.
    public func countCall(keyID: Int64) throws -> Bool {
        let current = month(clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    UPDATE api_tokens
                    SET api_calls_used = CASE WHEN usage_month = ?1 THEN api_calls_used + 1 ELSE 1 END, usage_month = ?1
                    WHERE id = ?2 AND (usage_month IS NOT ?1 OR max_api_calls IS NULL OR api_calls_used < max_api_calls)
                    """,
                arguments: [current, keyID])
            return db.changesCount > 0
        }
    }
}
