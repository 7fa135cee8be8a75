import Crypto
import Foundation
import GRDB
import PSCCore

/// One `schema/NNNN_what.sql` file as embedded in the binary.
public struct Migration: Sendable, Equatable {
    public let version: Int
    public let name: String
    public let sql: String
    public var sha256: String { SHA256.hash(data: Data(sql.utf8)).hexString }
}

/// The state of one migration for `psc-admin migrations`.
public struct MigrationStatus: Sendable, Codable, Equatable {
    public let version: Int
    public let name: String
    public let sha256: String
    public let appliedAt: String?

    enum CodingKeys: String, CodingKey { case version, name, sha256, appliedAt = "applied_at" }
}

/// Applies the embedded SQL migrations in order, each in one transaction, recording their SHA-256 in
/// `schema_migrations`; refuses to go on when an applied file was edited (ARCHITECTURE §2).
public struct Migrator: Sendable {
    public let migrations: [Migration]

    /// The migrations compiled into this binary from `schema/`.
    public static func embedded() throws -> Migrator {
        try Migrator(files: EmbeddedSchema.files)
    }

    public init(files: [String: String]) throws {
        migrations = try files.keys.sorted().map { name in
            let digits = name.prefix(while: \.isNumber)
            guard digits.count == 4, let version = Int(digits), name.hasSuffix(".sql"),
                name.dropFirst(4).hasPrefix("_")
            else { throw StoreError.badMigrationName(name) }
            return Migration(version: version, name: name, sql: files[name]!)
        }
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// Applies what is missing; returns the migrations applied now.
    @discardableResult
    public func migrate(_ store: Store, now: @Sendable () -> Date = Date.init) throws -> [Migration] {
        var applied: [Migration] = []
        let known = try verify(store)
        for migration in migrations where known[migration.version] == nil {
            try store.write { db in
                try db.execute(sql: migration.sql)
                try db.execute(
                    sql: "INSERT INTO schema_migrations (version, name, sha256, applied_at) VALUES (?, ?, ?, ?)",
                    arguments: [migration.version, migration.name, migration.sha256, Timestamp.string(from: now())]
                )
            }
            applied.append(migration)
        }
        return applied
    }

    /// Checks every applied migration against the embedded files; returns version → recorded row.
    @discardableResult
    public func verify(_ store: Store) throws -> [Int: MigrationStatus] {
        let recorded = try store.read { db in try Self.recorded(db) }
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for row in recorded.values.sorted(by: { $0.version < $1.version }) {
            guard let migration = byVersion[row.version] else {
                throw StoreError.migrationUnknown(version: row.version, name: row.name)
            }
            if migration.sha256 != row.sha256 { throw StoreError.migrationEdited(file: "schema/\(migration.name)") }
        }
        return recorded
    }

    /// Every embedded migration with when it was applied (nil when pending).
    public func status(_ store: Store) throws -> [MigrationStatus] {
        let recorded = try store.read { db in try Self.recorded(db) }
        return migrations.map {
            MigrationStatus(version: $0.version, name: $0.name, sha256: $0.sha256, appliedAt: recorded[$0.version]?.appliedAt)
        }
    }

    /// The highest applied version, 0 for an empty database.
    public static func schemaVersion(_ db: GRDB.Database) throws -> Int {
        guard try db.tableExists("schema_migrations") else { return 0 }
        return try Int.fetchOne(db, sql: "SELECT max(version) FROM schema_migrations") ?? 0
    }

    static func recorded(_ db: GRDB.Database) throws -> [Int: MigrationStatus] {
        guard try db.tableExists("schema_migrations") else { return [:] }
        let rows = try Row.fetchAll(db, sql: "SELECT version, name, sha256, applied_at FROM schema_migrations")
        return Dictionary(
            uniqueKeysWithValues: try rows.map {
                (
                    try $0.decode(forColumn: "version"),
                    MigrationStatus(
                        version: try $0.decode(forColumn: "version"), name: try $0.decode(forColumn: "name"),
                        sha256: try $0.decode(forColumn: "sha256"), appliedAt: try $0.decode(forColumn: "applied_at"))
                )
            }
        )
    }
}

extension Sequence where Element == UInt8 {
    /// Lower-case hexadecimal.
    package var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var bytes: [UInt8] = []
        for byte in self {
            bytes.append(digits[Int(byte >> 4)])
            bytes.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
