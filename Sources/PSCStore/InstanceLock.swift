import Foundation

/// An exclusive `flock` on `DATA_DIR/psc.lock`, held by `psc serve` for its whole life, so a second server or an
/// offline `psc restore` can tell that the data directory is in use. The lock file is not the database, so
/// holding it never interferes with SQLite's own locks.
public final class InstanceLock: Sendable {
    private let descriptor: Int32
    public let path: String

    /// nil when another process holds the lock.
    public init?(dataDirectory: String) throws {
        try FileManager.default.createDirectory(atPath: dataDirectory, withIntermediateDirectories: true)
        path = (dataDirectory as NSString).appendingPathComponent("psc.lock")
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StoreError.notADatabase(path: path, reason: "cannot open lock file: \(String(cString: strerror(errno)))")
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            return nil
        }
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
