import Foundation
import GRDB
import PSCCore

/// Re-encryption of every `enc` column (40-data §3) to the key ring's active key, in small transactions so the
/// server keeps serving while it runs. Each value's additional data is its `<table>.<column>` name.
public struct KeyRotation: Sendable {
    /// The encrypted columns that exist so far; later features add theirs here.
    public static let columns: [(table: String, column: String)] = [
        ("users", "phone_enc"), ("users", "gpa_enc"), ("users", "student_number_enc"), ("totp_credentials", "secret_enc"),
        ("auth_challenges", "data_enc"),
    ]
    /// Binary envelopes (``KeyRing/seal(_:column:)``), keyed by another column than `id`; rewritten a few at a time
    /// because each may be megabytes.
    public static let blobColumns: [(table: String, key: String, column: String, additionalData: String)] = [
        ("upload_blobs", "upload_id", "data", "upload_blobs.data")
    ]

    public let store: Store
    public let keyRing: KeyRing

    public init(store: Store, keyRing: KeyRing) {
        self.store = store
        self.keyRing = keyRing
    }

    /// Rewrites every value not under the active key; returns how many. A value changed meanwhile is left for the
    /// next run (the update compares the old text).
    public func reencrypt(batchSize: Int = 500) throws -> Int {
        var total = 0
        for (table, column) in Self.columns {
            let prefix = "psc1.\(keyRing.active).%"
            var lastID: Int64 = 0
            while true {
                let batch = try store.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, \(column) AS value FROM \(table)
                            WHERE id > ? AND \(column) IS NOT NULL AND \(column) NOT LIKE ? ORDER BY id LIMIT ?
                            """,
                        arguments: [lastID, prefix, batchSize]
                    ).map { (id: try $0.decode(forColumn: "id") as Int64, value: try $0.decode(forColumn: "value") as String) }
                }
                guard let last = batch.last else { break }
                lastID = last.id
                let name = "\(table).\(column)"
                let rewritten = try batch.map {
                    ($0.id, $0.value, try keyRing.encrypt(try keyRing.decrypt($0.value, column: name), column: name))
                }
                try store.write { db in
                    for (id, old, new) in rewritten {
                        try db.execute(
                            sql: "UPDATE \(table) SET \(column) = ? WHERE id = ? AND \(column) = ?", arguments: [new, id, old])
                        total += db.changesCount
                    }
                }
            }
        }
        for entry in Self.blobColumns {
            let prefix = Data("psc1.\(keyRing.active).".utf8)
            var lastID: Int64 = 0
            while true {
                let batch = try store.read { db in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT \(entry.key) AS id, \(entry.column) AS value FROM \(entry.table)
                            WHERE \(entry.key) > ? AND substr(\(entry.column), 1, 5) = CAST('psc1.' AS BLOB)
                                AND substr(\(entry.column), 1, ?) <> ? ORDER BY \(entry.key) LIMIT 8
                            """,
                        arguments: [lastID, prefix.count, prefix]
                    ).map { (id: try $0.decode(forColumn: "id") as Int64, value: try $0.decode(forColumn: "value") as Data) }
                }
                guard let last = batch.last else { break }
                lastID = last.id
                for (id, old) in batch {
                    let new = try keyRing.seal(try keyRing.open(old, column: entry.additionalData), column: entry.additionalData)
                    try store.write { db in
                        try db.execute(
                            sql: "UPDATE \(entry.table) SET \(entry.column) = ? WHERE \(entry.key) = ? AND \(entry.column) = ?",
                            arguments: [new, id, old])
                        total += db.changesCount
                    }
                }
            }
        }
        return total
    }

    /// How many stored values use the key: a key may be removed only at zero.
    public func usage(of keyID: String) throws -> Int {
        try store.read { db in
            try Self.columns.reduce(0) { sum, entry in
                sum
                    + (try Int.fetchOne(
                        db, sql: "SELECT count(*) FROM \(entry.table) WHERE \(entry.column) LIKE ?", arguments: ["psc1.\(keyID).%"]) ?? 0)
            }
                + Self.blobColumns.reduce(0) { sum, entry in
                    let prefix = Data("psc1.\(keyID).".utf8)
                    return sum
                        + (try Int.fetchOne(
                            db, sql: "SELECT count(*) FROM \(entry.table) WHERE substr(\(entry.column), 1, ?) = ?",
                            arguments: [prefix.count, prefix]) ?? 0)
                }
        }
    }
}
