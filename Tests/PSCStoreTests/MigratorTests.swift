import Foundation
import GRDB
import Testing

@testable import PSCStore

@Suite("Migrations")
struct MigratorTests {
    @Test("a fresh database reaches the latest schema in WAL mode with foreign keys on")
    func freshDatabase() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        let migrator = try Migrator.embedded()
        let applied = try migrator.migrate(store)
        #expect(applied.count == migrator.migrations.count)
        #expect(try store.read { try Migrator.schemaVersion($0) } == migrator.latestVersion)
        #expect(store.pragmas.journalMode == "wal")
        #expect(store.pragmas.synchronous == 1)
        #expect(store.pragmas.foreignKeys)
        #expect(try migrator.migrate(store).isEmpty)
        for table in ["schema_migrations", "settings", "retention_gate", "audit_log", "departments", "backups"] {
            #expect(try store.read { try $0.tableExists(table) }, "missing table \(table)")
        }
        try store.close()
    }

    @Test("durability full sets synchronous=FULL")
    func durableCommits() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"), options: .init(durableCommits: true))
        #expect(store.pragmas.synchronous == 2)
        try store.close()
    }

    @Test("an edited applied migration stops start-up naming the file")
    func editedMigration() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        let original = [
            "0001_first.sql":
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;",
            "0002_second.sql": "CREATE TABLE t (id INTEGER PRIMARY KEY);",
        ]
        try Migrator(files: original).migrate(store)
        var edited = original
        edited["0002_second.sql"] = "CREATE TABLE t (id INTEGER PRIMARY KEY, extra TEXT);"
        let error = #expect(throws: StoreError.self) { try Migrator(files: edited).migrate(store) }
        #expect(error?.description.contains("schema/0002_second.sql") == true)
        try store.close()
    }

    @Test("a migration that fails leaves nothing half-applied")
    func failedMigrationRollsBack() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        let files = [
            "0001_first.sql":
                "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, sha256 TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT;",
            "0002_broken.sql": "CREATE TABLE half (id INTEGER PRIMARY KEY); INSERT INTO nowhere VALUES (1);",
        ]
        #expect(throws: (any Error).self) { try Migrator(files: files).migrate(store) }
        #expect(try store.read { try $0.tableExists("half") } == false)
        #expect(try store.read { try Migrator.schemaVersion($0) } == 1)
        try store.close()
    }

    @Test("badly named migrations are refused", arguments: ["1_x.sql", "0001x.sql", "0001_x.txt"])
    func badNames(name: String) {
        #expect(throws: StoreError.self) { try Migrator(files: [name: "SELECT 1;"]) }
    }
}
