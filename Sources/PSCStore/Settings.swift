import Foundation
import GRDB
import PSCCore

/// The `settings` table: small platform-wide values kept as JSON.
public enum Settings {
    public static func value(_ key: String, in db: GRDB.Database) throws -> String? {
        try String.fetchOne(db, sql: "SELECT value FROM settings WHERE key = ?", arguments: [key])
    }

    public static func set(_ key: String, json value: String, now: Date = Date(), in db: GRDB.Database) throws {
        let stamp = Timestamp.string(from: now)
        try db.execute(
            sql: """
                INSERT INTO settings (key, value, created_at, updated_at) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at
                """,
            arguments: [key, value, stamp, stamp]
        )
    }
}
