import Foundation
import GRDB
import Logging
import PSCCore
import Synchronization

/// The one SQLite database of the platform (ARCHITECTURE §2): a GRDB `DatabasePool` in WAL mode, so exactly one
/// connection writes and checkpoints while read-only readers run concurrently.
///
/// Thread-safe; share one instance per process. Close it with ``close()`` so the WAL is folded into the main file.
public final class Store: Sendable {
    /// What a query was, for `pittstate_db_query_duration_seconds{kind}`.
    public enum QueryKind: String, Sendable { case read, write }

    public struct Options: Sendable {
        public var durableCommits: Bool
        public var readerCount: Int
        /// Called after every read and write with its duration; feeds the metrics.
        public var observer: (@Sendable (QueryKind, Duration) -> Void)?

        public init(durableCommits: Bool = false, readerCount: Int = 4, observer: (@Sendable (QueryKind, Duration) -> Void)? = nil) {
            self.durableCommits = durableCommits
            self.readerCount = readerCount
            self.observer = observer
        }
    }

    /// Pragmas read back from the writer after opening (`psc check`, start-up log).
    public struct Pragmas: Sendable, Codable, Equatable {
        public let journalMode: String
        public let synchronous: Int
        public let foreignKeys: Bool
        public let busyTimeoutMilliseconds: Int
        public let journalSizeLimit: Int

        enum CodingKeys: String, CodingKey {
            case journalMode = "journal_mode", synchronous, foreignKeys = "foreign_keys"
            case busyTimeoutMilliseconds = "busy_timeout_ms", journalSizeLimit = "journal_size_limit"
        }
    }

    public let path: String
    public let pool: DatabasePool
    public let pragmas: Pragmas
    public let sqliteVersion: String
    /// The notification hub's connection to the queue and the live streams, installed by the composition root.
    public let outbox = NotificationOutbox()
    /// Jobs that stores queue for later (reminders, expiries, scheduled fan-out), installed by the composition root.
    public let timers = TimedWork()
    private let observer: (@Sendable (QueryKind, Duration) -> Void)?
    private let pendingWrites = Atomic<Int>(0)

    static let busyTimeout: TimeInterval = 5
    static let journalSizeLimit = 64 * 1024 * 1024
    static let mmapSize = 1 << 30

    /// Opens (creating if needed) the database at `path` and checks that WAL is in force.
    public init(path: String, options: Options = Options()) throws {
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        }
        var configuration = GRDB.Configuration()
        configuration.busyMode = .timeout(Self.busyTimeout)
        configuration.maximumReaderCount = max(1, options.readerCount)
        configuration.foreignKeysEnabled = true
        let synchronous = options.durableCommits ? "FULL" : "NORMAL"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA journal_size_limit = \(Store.journalSizeLimit)")
            // Readers map the file instead of copying each page through read(2): measured at 50,000 members, the
            // copies were the largest single cost of a directory search (docs/PERFORMANCE.md).
            try db.execute(sql: "PRAGMA mmap_size = \(Store.mmapSize)")
        }
        let pool = try DatabasePool(path: path, configuration: configuration)
        let pragmas = try pool.writeWithoutTransaction { db in
            // Set here rather than in prepareDatabase: the pool sets NORMAL itself once WAL is on, and only the
            // writer's setting matters, since only the writer commits.
            try db.execute(sql: "PRAGMA synchronous = \(synchronous)")
            try db.execute(sql: "PRAGMA cache_size = -32768")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 8000")
            return Pragmas(
                journalMode: try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "",
                synchronous: try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? -1,
                foreignKeys: try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") ?? false,
                busyTimeoutMilliseconds: try Int.fetchOne(db, sql: "PRAGMA busy_timeout") ?? 0,
                journalSizeLimit: try Int.fetchOne(db, sql: "PRAGMA journal_size_limit") ?? 0
            )
        }
        guard pragmas.journalMode.lowercased() == "wal" else {
            try? pool.close()
            throw StoreError.walUnavailable(journalMode: pragmas.journalMode)
        }
        self.path = path
        self.pool = pool
        self.pragmas = pragmas
        self.sqliteVersion = try pool.read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") ?? "" }
        self.observer = options.observer
    }

    /// A read on one of the read-only connections, inside a snapshot.
    public func read<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        let start = ContinuousClock.now
        defer { observer?(.read, ContinuousClock.now - start) }
        return try pool.read(body)
    }

    /// A write transaction (`BEGIN IMMEDIATE`) on the single writer.
    @discardableResult
    public func write<T>(_ body: (GRDB.Database) throws -> T) throws -> T {
        let start = ContinuousClock.now
        pendingWrites.add(1, ordering: .relaxed)
        defer {
            pendingWrites.subtract(1, ordering: .relaxed)
            observer?(.write, ContinuousClock.now - start)
        }
        return try pool.write(body)
    }

    /// Writes waiting for the single writer (the one writing is not counted), for MON-3.
    public var writerQueueDepth: Int { max(0, pendingWrites.load(ordering: .relaxed) - 1) }

    /// The read-only connections the pool may open.
    public var readerConnections: Int { pool.configuration.maximumReaderCount }

    /// Async forms that keep the cooperative thread pool free while SQLite works. They run the synchronous forms on
    /// ``Offload`` rather than GRDB's own async scheduling: that holds a reader connection while it waits for a
    /// dispatch thread, and with 200 signed-in sessions (Benchmarks/campus-day.sh) every dispatch thread was once
    /// blocked in a synchronous read waiting for such a reader, so pages stalled for seconds at 0% CPU. A connection
    /// is now taken only by a thread that is already running.
    public func read<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        try await Offload.run { try self.read(body) }
    }

    @discardableResult
    public func write<T: Sendable>(_ body: @escaping @Sendable (GRDB.Database) throws -> T) async throws -> T {
        try await Offload.run { try self.write(body) }
    }

    /// Result of `PRAGMA wal_checkpoint`.
    public struct CheckpointResult: Sendable, Codable {
        public let busy: Bool
        public let walFrames: Int
        public let checkpointedFrames: Int
        enum CodingKeys: String, CodingKey {
            case busy, walFrames = "wal_frames", checkpointedFrames = "checkpointed_frames"
        }
    }

    /// Checkpoints on the writer, so it can never race another checkpointer.
    public func checkpoint(truncate: Bool = true) throws -> CheckpointResult {
        try pool.writeWithoutTransaction { db in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(\(truncate ? "TRUNCATE" : "PASSIVE"))")
            return CheckpointResult(
                busy: (row?[0] as Int? ?? 0) != 0,
                walFrames: row?[1] ?? -1,
                checkpointedFrames: row?[2] ?? -1
            )
        }
    }

    public var walPath: String { path + "-wal" }

    public func databaseBytes() -> Int64 { Self.fileSize(path) }
    /// `PRAGMA optimize` on the writer, outside a transaction (the weekly maintenance slot).
    public func optimize() throws {
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA optimize") }
    }

    /// The health probes (20-services §9.1): `SELECT 1` on a reader, then the writer's lock taken and given back
    /// with `BEGIN IMMEDIATE` and `ROLLBACK`; each is timed by the caller.
    public func probeRead() async throws {
        _ = try await read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }

    public func probeWrite() async throws {
        try await pool.writeWithoutTransaction { db in
            try db.execute(sql: "BEGIN IMMEDIATE")
            try db.execute(sql: "ROLLBACK")
        }
    }

    public func walBytes() -> Int64 { Self.fileSize(walPath) }

    static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// `PRAGMA quick_check` on a reader: "ok" when the file is sound.
    public func quickCheck() throws -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ") }
    }

    /// Final checkpoint (TRUNCATE) and close: afterwards the `.db` file alone holds every committed change.
    public func close() throws {
        _ = try? checkpoint(truncate: true)
        try pool.close()
    }
}

extension Store {
    /// The SQLite library version, without opening any file.
    public static func librarySQLiteVersion() -> String {
        (try? DatabaseQueue().read { db in try String.fetchOne(db, sql: "SELECT sqlite_version()") }) ?? "unknown"
    }
}
