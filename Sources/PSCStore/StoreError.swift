/// Failures of the store that an operator must read: each names what is wrong and what to do.
public enum StoreError: Error, CustomStringConvertible, Sendable {
    case walUnavailable(journalMode: String)
    case migrationEdited(file: String)
    case migrationUnknown(version: Int, name: String)
    case badMigrationName(String)
    case integrityCheckFailed(path: String, result: String)
    case schemaMismatch(path: String, found: Int, expected: Int)
    case notADatabase(path: String, reason: String)
    case backupFailed(String)

    public var description: String {
        switch self {
        case .walUnavailable(let mode):
            return "the database could not be put in WAL mode (journal_mode is '\(mode)'); "
                + "is the data directory on a network file system?"
        case .migrationEdited(let file):
            return "migration \(file) was edited after it was applied; never edit an applied migration, add a new one"
        case .migrationUnknown(let version, let name):
            return "the database has migration \(version) (\(name)) that this binary does not know; "
                + "it was written by a newer psc"
        case .badMigrationName(let name):
            return "embedded migration '\(name)' is not named NNNN_what.sql"
        case .integrityCheckFailed(let path, let result):
            return "integrity_check of \(path) failed: \(result)"
        case .schemaMismatch(let path, let found, let expected):
            return "\(path) has schema version \(found), this binary expects \(expected)"
        case .notADatabase(let path, let reason):
            return "\(path) is not a usable database: \(reason)"
        case .backupFailed(let reason):
            return "backup failed: \(reason)"
        }
    }
}
