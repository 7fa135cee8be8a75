import Foundation
import GRDB
import PSCCore

/// `psc restore FILE` with the server stopped: verify the file, set the current database aside with a timestamp
/// suffix, put a synced copy of the file in its place and record the restore in its audit log.
public struct RestoreService {
    public struct Outcome: Codable, Sendable {
        public let restoredFrom: String
        public let database: String
        public let previousKeptAs: String?
        public let schemaVersion: Int
        enum CodingKeys: String, CodingKey {
            case restoredFrom = "restored_from", database, previousKeptAs = "previous_kept_as", schemaVersion = "schema_version"
        }
    }

    public enum Failure: Error, CustomStringConvertible {
        case serverRunning(String)
        case unusable(String)
        public var description: String {
            switch self {
            case .serverRunning(let directory):
                return "the data directory \(directory) is in use by a running psc; stop it before restoring"
            case .unusable(let reason): return reason
            }
        }
    }

    public let dataDirectory: String
    public let databasePath: String
    public let migrator: Migrator

    public init(dataDirectory: String, databasePath: String, migrator: Migrator) {
        self.dataDirectory = dataDirectory
        self.databasePath = databasePath
        self.migrator = migrator
    }

    public func restore(from file: String, now: Date = Date()) throws -> Outcome {
        guard let lock = try InstanceLock(dataDirectory: dataDirectory) else { throw Failure.serverRunning(dataDirectory) }
        defer { withExtendedLifetime(lock) {} }
        let check = try BackupService.verify(file: file, expectedSchemaVersion: migrator.latestVersion)
        guard check.integrity == "ok" else { throw StoreError.integrityCheckFailed(path: file, result: check.integrity) }
        guard check.schemaVersion > 0, check.schemaVersion <= migrator.latestVersion else {
            throw StoreError.schemaMismatch(path: file, found: check.schemaVersion, expected: migrator.latestVersion)
        }
        guard check.manifestMatches != false else {
            throw Failure.unusable("\(file) does not match its .sha256 manifest")
        }
        let manager = FileManager.default
        var keptAs: String? = nil
        if manager.fileExists(atPath: databasePath) {
            // Fold any WAL left by an unclean stop into the old file first, so the file set aside is complete.
            if let old = try? Store(path: databasePath) { try? old.close() }
            let aside = databasePath + ".before-restore-" + Timestamp.compact(from: now)
            try FileSync.rename(databasePath, to: aside)
            keptAs = aside
        }
        for suffix in ["-wal", "-shm"] where manager.fileExists(atPath: databasePath + suffix) {
            try manager.removeItem(atPath: databasePath + suffix)
        }
        let temporary = databasePath + ".restore.tmp"
        try? manager.removeItem(atPath: temporary)
        try manager.copyItem(atPath: file, toPath: temporary)
        try FileSync.fsync(path: temporary)
        try FileSync.rename(temporary, to: databasePath)
        try FileSync.fsync(path: (databasePath as NSString).deletingLastPathComponent)

        let store = try Store(path: databasePath)
        try store.write { db in
            try AuditLog.append(
                AuditEntry(
                    occurredAt: now, actorKind: .system, action: "backup.restored", targetType: "backup", targetID: file,
                    details: ["sha256": .string(check.sha256), "previous_kept_as": keptAs.map(JSONValue.string) ?? .null],
                    severity: .warning
                ),
                in: db
            )
        }
        try store.close()
        return Outcome(restoredFrom: file, database: databasePath, previousKeptAs: keptAs, schemaVersion: check.schemaVersion)
    }
}
