import Foundation
import GRDB
import PSCCore

/// The consent rule of 20-services §4.8: of a member's records of one consent type, the latest by
/// (`recorded_at`, `id`) is the one in force; with no record there is no consent.
public enum Consent {
    /// An SQL expression for the `granted` flag in force: 1, 0, or NULL with no record. `user` is an SQL expression
    /// for the member's id (`u.id`, `?3`); `type` is one of the schema's consent types, never caller input.
    public static func grantedSQL(user: String, type: String) -> String {
        """
        (SELECT granted FROM consent_records WHERE user_id = \(user) AND consent_type = '\(type)'
            ORDER BY recorded_at DESC, id DESC LIMIT 1)
        """
    }

    /// Whether the member's consent of `type` is in force.
    public static func isGranted(userID: Int64, type: String, in db: Database) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT " + grantedSQL(user: "?", type: type), arguments: [userID]) ?? false
    }

    /// Appends one record (consent records are append-only, 40-data §4); returns its id. `source` is one of the
    /// schema's: `user`, `registration`, `provider`, `admin`.
    @discardableResult
    public static func append(
        userID: Int64, type: String, granted: Bool, version: String, source: String, origin: RequestOrigin?, at stamp: String,
        in db: Database
    ) throws -> Int64 {
        try db.execute(
            sql: """
                INSERT INTO consent_records (user_id, consent_type, granted, version, recorded_at, ip, user_agent, source, created_at)
                VALUES (?, ?, ?, ?, ?5, ?, ?, ?, ?5)
                """,
            arguments: [userID, type, granted, version, stamp, origin?.ip, origin?.userAgent, source])
        return db.lastInsertedRowID
    }

    /// A member's own choice, wherever it is made (SEC-15, the directory listing of USR-5): the record and its
    /// `consent.granted` or `consent.revoked` audit record in the caller's transaction.
    @discardableResult
    public static func recordChoice(
        userID: Int64, type: String, granted: Bool, version: String, origin: RequestOrigin, at now: Date, in db: Database
    ) throws -> Int64 {
        let id = try append(
            userID: userID, type: type, granted: granted, version: version, source: "user", origin: origin,
            at: Timestamp.string(from: now), in: db)
        try AuditLog.append(
            .account(
                granted ? "consent.granted" : "consent.revoked", userID: userID, origin: origin, at: now,
                details: ["consent_type": .string(type), "version": .string(version)], severity: .info),
            in: db)
        return id
    }
}
