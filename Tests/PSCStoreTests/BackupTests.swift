import Foundation
import GRDB
import Synchronization
import Testing

@testable import PSCStore

@Suite("Backups and restore")
struct BackupTests {
    func migratedStore(_ directory: TemporaryDirectory) throws -> Store {
        let store = try Store(path: directory.file("data/psc.db"))
        try Migrator.embedded().migrate(store)
        try store.write { try $0.execute(sql: "CREATE TABLE ticks (n INTEGER PRIMARY KEY)") }
        return store
    }

    @Test("backups started in the same second, even at once, get their own files")
    func sameSecond() async throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let files = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<3 { group.addTask { try service.backup(now: now).file } }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(
            Set(files.map { ($0 as NSString).lastPathComponent }) == [
                "psc-20270115-080000.db", "psc-20270115-080000-2.db", "psc-20270115-080000-3.db",
            ])
        for file in files { #expect(try service.verify(file: file).ok) }
    }

    @Test("a backup taken while a writer commits is intact and holds a consistent prefix of the writes")
    func backupUnderLoad() async throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        let stop = Atomic<Bool>(false)
        let writer = Task.detached {
            var n = 0
            while !stop.load(ordering: .relaxed) {
                n += 1
                try store.write { try $0.execute(sql: "INSERT INTO ticks (n) VALUES (?)", arguments: [n]) }
            }
            return n
        }
        try await Task.sleep(for: .milliseconds(200))
        let result = try service.backup()
        try await Task.sleep(for: .milliseconds(100))
        stop.store(true, ordering: .relaxed)
        let written = try await writer.value
        #expect(result.verified)
        #expect(FileManager.default.fileExists(atPath: result.file + ".sha256"))
        let check = try service.verify(file: result.file)
        #expect(check.ok)
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let copy = try DatabaseQueue(path: result.file, configuration: configuration)
        let (count, maximum) = try await copy.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM ticks") ?? 0, try Int.fetchOne(db, sql: "SELECT max(n) FROM ticks") ?? 0)
        }
        #expect(count > 0)
        #expect(count == maximum, "the copy must hold 1...k with no gap")
        #expect(count < written, "the writer kept going after the snapshot")
        #expect(try service.list().first?.file == result.file)
        try copy.close()
        try store.close()
    }

    @Test("verify notices a file that differs from its manifest")
    func manifestMismatch() throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        let result = try service.backup()
        try "0000  x\n".write(toFile: result.file + ".sha256", atomically: true, encoding: .utf8)
        let check = try service.verify(file: result.file)
        #expect(check.manifestMatches == false)
        #expect(!check.ok)
        try store.close()
    }

    @Test("verify refuses the live database, however its path is spelled")
    func refusesLiveDatabase() throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        let spelledDifferently = directory.file("data/../data/psc.db")
        let error = #expect(throws: StoreError.self) { try service.verify(file: spelledDifferently) }
        #expect(error?.description.contains("live database") == true)
        #expect(throws: StoreError.self) { try service.verify(file: store.path + "-wal") }
        #expect(try store.quickCheck() == "ok")
        try store.close()
    }

    @Test("a file that is not a database is refused by verify and restore")
    func notADatabase() throws {
        let directory = try TemporaryDirectory()
        let bogus = directory.file("bogus.db")
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: bogus))
        #expect(throws: StoreError.self) { try BackupService.verify(file: bogus, expectedSchemaVersion: 4) }
        let restore = RestoreService(
            dataDirectory: directory.file("data"), databasePath: directory.file("data/psc.db"), migrator: try Migrator.embedded())
        #expect(throws: StoreError.self) { try restore.restore(from: bogus) }
    }

    @Test("restore puts the backup in place and keeps the old database aside")
    func restore() throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        try store.write { try $0.execute(sql: "INSERT INTO ticks (n) VALUES (1)") }
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        let backup = try service.backup()
        try store.write { try $0.execute(sql: "INSERT INTO ticks (n) VALUES (2)") }
        try store.close()

        let restore = RestoreService(
            dataDirectory: directory.file("data"), databasePath: directory.file("data/psc.db"), migrator: try Migrator.embedded())
        let outcome = try restore.restore(from: backup.file)
        let kept = try #require(outcome.previousKeptAs)
        let reopened = try Store(path: directory.file("data/psc.db"))
        #expect(try reopened.read { try Int.fetchAll($0, sql: "SELECT n FROM ticks ORDER BY n") } == [1])
        #expect(
            try reopened.read { try String.fetchOne($0, sql: "SELECT action FROM audit_log ORDER BY id DESC LIMIT 1") } == "backup.restored"
        )
        #expect(try reopened.read { try AuditLog.verify(in: $0) }.firstBadID == nil)
        try reopened.close()
        let old = try Store(path: kept)
        #expect(try old.read { try Int.fetchAll($0, sql: "SELECT n FROM ticks ORDER BY n") } == [1, 2])
        try old.close()
    }

    @Test("restore refuses while the data directory is locked by a server")
    func restoreWhileRunning() throws {
        let directory = try TemporaryDirectory()
        let lock = try #require(try InstanceLock(dataDirectory: directory.file("data")))
        let restore = RestoreService(
            dataDirectory: directory.file("data"), databasePath: directory.file("data/psc.db"), migrator: try Migrator.embedded())
        #expect(throws: RestoreService.Failure.self) { try restore.restore(from: directory.file("whatever.db")) }
        withExtendedLifetime(lock) {}
    }
}

@Suite("Backup rotation")
struct BackupRotationTests {
    @Test("rotation keeps 7 daily, 4 weekly, 12 monthly and every manual backup")
    func rotation() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("data/psc.db"))
        try Migrator.embedded().migrate(store)
        let service = BackupService(store: store, migrator: try Migrator.embedded(), defaultDirectory: directory.file("backups"))
        try FileManager.default.createDirectory(atPath: directory.file("backups"), withIntermediateDirectories: true)
        var files: [String: String] = [:]
        for (index, kind)
            in (Array(repeating: "daily", count: 10) + Array(repeating: "weekly", count: 6) + ["monthly", "manual", "manual"]).enumerated()
        {
            let file = directory.file("backups/psc-\(index).db")
            try Data("x".utf8).write(to: URL(fileURLWithPath: file))
            files[file] = kind
            try store.write { db in
                try db.execute(
                    sql:
                        "INSERT INTO backups (file, bytes, sha256, kind, verified, created_at) VALUES (?, 1, 'x', ?, 1, '2026-09-01T00:00:00.000Z')",
                    arguments: [file, kind])
            }
        }
        let removed = try service.rotate()
        #expect(removed.count == 3 + 2, "the 3 oldest daily and the 2 oldest weekly files")
        #expect(removed.allSatisfy { files[$0] == "daily" || files[$0] == "weekly" })
        #expect(removed.allSatisfy { !FileManager.default.fileExists(atPath: $0) })
        #expect(removed.contains(directory.file("backups/psc-0.db")))
        #expect(FileManager.default.fileExists(atPath: directory.file("backups/psc-17.db")), "manual backups stay")
        #expect(try service.rotate().isEmpty)
        try store.close()
    }
}
