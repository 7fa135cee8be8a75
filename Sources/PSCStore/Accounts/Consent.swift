import GRDB

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
}
