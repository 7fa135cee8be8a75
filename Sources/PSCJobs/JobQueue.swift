import Foundation
import GRDB
import PSCCore
import PSCStore
import Synchronization

/// The SQLite job queue that replaces Celery (ARCHITECTURE §3, 30-jobs §1). Rows live in the platform's
/// database, so a backup holds the queue too. Every state change goes through the single writer.
///
/// Thread-safe; share one per process. Delivery is at least once: handlers must be idempotent.
public final class JobQueue: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date
    /// Called with the queue name after an enqueue commits, to wake that queue's workers.
    private let wakers = Mutex<[String: @Sendable () -> Void]>([:])
    private let observer: (any JobObserver)?
    /// Retry delay base and cap in seconds (30-jobs §1: 10 and 3600).
    let retryBase: Double
    let retryCap: Double

    public init(
        store: Store, observer: (any JobObserver)? = nil, retryBase: Double = 10, retryCap: Double = 3600,
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.observer = observer
        self.retryBase = retryBase
        self.retryCap = max(retryBase, retryCap)
        self.clock = clock
    }

    func setWaker(queue: String, _ wake: @escaping @Sendable () -> Void) {
        wakers.withLock { $0[queue] = wake }
    }

    func wake(_ queue: String) {
        wakers.withLock { $0[queue] }?()
    }

    /// Enqueues inside the caller's write transaction (the transactional outbox). Returns the job id; when an
    /// unfinished job with the same unique key exists, its id, and nothing changes. The queue's workers wake when
    /// that transaction commits, and not at all if it rolls back: no caller has to remember to wake them.
    @discardableResult
    public func enqueue(_ request: JobRequest, in db: GRDB.Database) throws -> Int64 {
        try enqueue([request], in: db)[0]
    }

    /// Enqueues many jobs inside the caller's write transaction, with one clock reading and prepared statements
    /// reused for every row; returns their ids in order.
    @discardableResult
    public func enqueue(_ requests: [JobRequest], in db: GRDB.Database) throws -> [Int64] {
        let now = Timestamp.string(from: clock())
        let insert = try db.cachedStatement(
            sql: """
                INSERT INTO jobs (queue, kind, payload, priority, run_at, state, attempts, max_attempts, unique_key, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, 'available', 0, ?, ?, ?, ?)
                """)
        var ids: [Int64] = []
        var queues: Set<String> = []
        ids.reserveCapacity(requests.count)
        for request in requests {
            if let key = request.uniqueKey,
                let existing = try Int64.fetchOne(
                    db.cachedStatement(
                        sql: "SELECT id FROM jobs WHERE unique_key = ? AND state IN ('available', 'running', 'failed')"),
                    arguments: [key])
            {
                ids.append(existing)
                continue
            }
            let runAt = request.runAt.map(Timestamp.string(from:)) ?? now
            try insert.execute(arguments: [
                request.queue, request.kind, request.payload, request.priority, runAt, request.maxAttempts, request.uniqueKey, now, now,
            ])
            observer?.jobEnqueued(kind: request.kind)
            ids.append(db.lastInsertedRowID)
            queues.insert(request.queue)
        }
        if !queues.isEmpty {
            let woken = queues
            db.afterNextTransaction { [self] _ in
                for queue in woken { wake(queue) }
            }
        }
        return ids
    }

    /// Enqueues in a transaction of its own; the workers wake when it commits.
    @discardableResult
    public func enqueue(_ request: JobRequest) throws -> Int64 {
        try store.write { db in try enqueue(request, in: db) }
    }

    /// Claims up to `limit` due jobs of a queue with one `UPDATE … RETURNING`, leasing them to `owner`.
    public func claim(queue: String, limit: Int, owner: String, lease: Duration) throws -> [Job] {
        try completeAndClaim([], owner: owner, queue: queue, limit: limit, lease: lease)
    }

    /// Records the successes of the previous batch and claims the next one in the same transaction: one commit
    /// per batch. With `limit` 0 it only records.
    public func completeAndClaim(_ finished: [Job], owner: String, queue: String, limit: Int, lease: Duration) throws -> [Job] {
        let now = clock()
        let leaseEnd = Timestamp.string(from: now.addingTimeInterval(Self.seconds(lease)))
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            try Self.complete(finished, owner: owner, stamp: stamp, in: db)
            guard limit > 0 else { return [] }
            // Each state is read in index order on its own and the two short lists merged: one `state IN (…)`
            // scan would sort every due job on each claim. The repeated IN term lets SQLite use the partial index.
            let statement = try db.cachedStatement(
                sql: """
                    UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?1, lease_expires_at = ?2, updated_at = ?3
                    WHERE id IN (
                        SELECT id FROM (
                            SELECT id, priority, run_at FROM (
                                SELECT id, priority, run_at FROM jobs
                                WHERE queue = ?4 AND state = 'available' AND state IN ('available', 'failed') AND run_at <= ?3
                                ORDER BY priority, run_at, id LIMIT ?5)
                            UNION ALL
                            SELECT id, priority, run_at FROM (
                                SELECT id, priority, run_at FROM jobs
                                WHERE queue = ?4 AND state = 'failed' AND state IN ('available', 'failed') AND run_at <= ?3
                                ORDER BY priority, run_at, id LIMIT ?5)
                        ) ORDER BY priority, run_at, id LIMIT ?5
                    )
                    RETURNING *
                    """)
            return try Job.fetchAll(statement, arguments: [owner, leaseEnd, stamp, queue, limit])
                .sorted { ($0.priority, $0.runAt, $0.id) < ($1.priority, $1.runAt, $1.id) }
        }
    }

    /// Pushes a running job's lease out while its handler keeps working.
    public func extendLease(id: Int64, owner: String, lease: Duration) throws {
        let until = Timestamp.string(from: clock().addingTimeInterval(Self.seconds(lease)))
        try store.write { db in
            try db.execute(
                sql: "UPDATE jobs SET lease_expires_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?",
                arguments: [until, id, owner]
            )
        }
    }

    /// Records success. A job that is no longer this owner's (rescued and claimed again) is left alone.
    public func complete(_ job: Job, owner: String) throws {
        try complete([job], owner: owner)
    }

    /// Records the successes of a batch in one transaction: one commit instead of one per job.
    public func complete(_ jobs: [Job], owner: String) throws {
        guard !jobs.isEmpty else { return }
        let stamp = Timestamp.string(from: clock())
        try store.write { db in try Self.complete(jobs, owner: owner, stamp: stamp, in: db) }
    }

    private static func complete(_ jobs: [Job], owner: String, stamp: String, in db: GRDB.Database) throws {
        guard !jobs.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                UPDATE jobs SET state = 'succeeded', finished_at = ?1, updated_at = ?1, lease_owner = NULL, lease_expires_at = NULL,
                    last_error = NULL
                WHERE id = ?2 AND state = 'running' AND lease_owner = ?3
                """)
        for job in jobs { try statement.execute(arguments: [stamp, job.id, owner]) }
    }

    /// Records a failed attempt: `failed` with the retry time of 30-jobs §1, or `dead` when no attempt is left
    /// or the error is permanent. Returns the new state.
    @discardableResult
    public func fail(
        _ job: Job, owner: String, error: String, permanent: Bool = false,
        random: @Sendable () -> Double = { Double.random(in: 0.75...1.25) }
    ) throws -> Job.State {
        let now = clock()
        let dead = permanent || job.attempts >= job.maxAttempts
        let delay = Self.retryDelay(attempt: job.attempts, factor: random(), base: retryBase, cap: retryCap)
        let retryAt = Timestamp.string(from: now.addingTimeInterval(delay))
        let stamp = Timestamp.string(from: now)
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = ?, run_at = CASE WHEN ? THEN run_at ELSE ? END, last_error = ?,
                        finished_at = CASE WHEN ? THEN ? ELSE NULL END, lease_owner = NULL, lease_expires_at = NULL, updated_at = ?
                    WHERE id = ? AND state = 'running' AND lease_owner = ?
                    """,
                arguments: [dead ? "dead" : "failed", dead, retryAt, String(error.prefix(2000)), dead, stamp, stamp, job.id, owner]
            )
        }
        return dead ? .dead : .failed
    }

    /// 30-jobs §1: min(cap, base × 2^(attempt − 1)) s × a factor in [0.75, 1.25]; base 10 and cap 3600 unless
    /// configured.
    public static func retryDelay(attempt: Int, factor: Double, base: Double = 10, cap: Double = 3600) -> TimeInterval {
        min(cap, base * pow(2, Double(max(0, attempt - 1)))) * factor
    }

    /// Returns `running` jobs whose lease expired (a crash, a kill -9) to `available`, or to `dead` when their
    /// attempts are used up. Returns how many it moved.
    @discardableResult
    public func rescueExpiredLeases() throws -> Int {
        try returnRunning(onlyExpired: true, reason: "lease expired")
    }

    /// Returns every `running` job to `available` (or `dead` when its attempts are used up), whatever its lease.
    /// Only for start-up in a process that holds the instance lock: then no other worker can be alive, and a job
    /// left running was cut off by a crash or a kill -9, so waiting for its lease would only delay it.
    @discardableResult
    public func rescueOrphans() throws -> Int {
        try returnRunning(onlyExpired: false, reason: "interrupted: the server stopped while the job ran")
    }

    private func returnRunning(onlyExpired: Bool, reason: String) throws -> Int {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'available' END,
                        finished_at = CASE WHEN attempts >= max_attempts THEN ?1 ELSE NULL END,
                        last_error = coalesce(last_error, ?2), lease_owner = NULL, lease_expires_at = NULL, updated_at = ?1
                    WHERE state = 'running' AND (NOT ?3 OR lease_expires_at < ?1)
                    """,
                arguments: [stamp, reason, onlyExpired]
            )
            return db.changesCount
        }
    }

    /// Deletes finished jobs older than their keep time (30-jobs §1: succeeded and cancelled 7 days, dead 30
    /// days, so a failure stays inspectable longer), in chunks so the writer is never held long.
    @discardableResult
    public func pruneFinished(olderThan keep: Duration, deadOlderThan keepDead: Duration? = nil, chunk: Int = 1000) throws -> Int {
        let cutoff = Timestamp.string(from: clock().addingTimeInterval(-Self.seconds(keep)))
        let deadCutoff = Timestamp.string(from: clock().addingTimeInterval(-Self.seconds(max(keep, keepDead ?? keep))))
        var total = 0
        while true {
            let removed = try store.write { db in
                try db.execute(
                    sql: """
                        DELETE FROM jobs WHERE id IN (
                            SELECT id FROM jobs WHERE state IN ('succeeded', 'cancelled', 'dead') AND finished_at < ?1
                                AND (state <> 'dead' OR finished_at < ?2)
                            LIMIT ?3
                        )
                        """,
                    arguments: [cutoff, deadCutoff, chunk]
                )
                return db.changesCount
            }
            total += removed
            if removed < chunk { return total }
        }
    }

    /// Puts a dead, failed or cancelled job back to `available` with its attempts reset (`psc-admin jobs retry`).
    public func retry(id: Int64) throws -> Bool {
        let stamp = Timestamp.string(from: clock())
        let changed = try store.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'available', attempts = 0, run_at = ?1, finished_at = NULL, updated_at = ?1
                    WHERE id = ?2 AND state IN ('dead', 'failed', 'cancelled')
                    """,
                arguments: [stamp, id]
            )
            return db.changesCount
        }
        if changed > 0, let job = try find(id: id) { wake(job.queue) }
        return changed > 0
    }

    /// Cancels the waiting job that holds `uniqueKey` (one not yet running), inside the caller's transaction; true
    /// when there was one.
    public func cancel(uniqueKey: String, in db: GRDB.Database) throws -> Bool {
        try db.execute(
            sql:
                "UPDATE jobs SET state = 'cancelled', finished_at = ?1, updated_at = ?1 WHERE unique_key = ?2 AND state IN ('available', 'failed')",
            arguments: [Timestamp.string(from: clock()), uniqueKey])
        return db.changesCount > 0
    }

    /// Cancels a job that has not finished (`psc-admin jobs discard`).
    public func discard(id: Int64) throws -> Bool {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    UPDATE jobs SET state = 'cancelled', finished_at = ?1, updated_at = ?1, lease_owner = NULL, lease_expires_at = NULL
                    WHERE id = ?2 AND state IN ('available', 'failed', 'running')
                    """,
                arguments: [stamp, id]
            )
            return db.changesCount
        } > 0
    }

    public func find(id: Int64) throws -> Job? {
        try store.read { db in try Job.fetchOne(db, sql: "SELECT * FROM jobs WHERE id = ?", arguments: [id]) }
    }

    /// Newest first, optionally filtered.
    public func list(state: Job.State? = nil, kind: String? = nil, limit: Int = 50, offset: Int = 0) throws -> [Job] {
        try store.read { db in
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let state {
                conditions.append("state = ?")
                _ = arguments.append(contentsOf: [state.rawValue])
            }
            if let kind {
                conditions.append("kind = ?")
                _ = arguments.append(contentsOf: [kind])
            }
            let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
            _ = arguments.append(contentsOf: [limit, offset])
            return try Job.fetchAll(db, sql: "SELECT * FROM jobs \(filter) ORDER BY id DESC LIMIT ? OFFSET ?", arguments: arguments)
        }
    }

    /// Jobs per state, for `pittstate_jobs_queue_depth`.
    public func depthByState() throws -> [Job.State: Int] {
        try store.read { db in
            var depth: [Job.State: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) AS n FROM jobs GROUP BY state") {
                if let state = Job.State(rawValue: try row.decode(forColumn: "state")) { depth[state] = try row.decode(forColumn: "n") }
            }
            return depth
        }
    }

    /// Seconds the oldest due job of the queue has waited, 0 when none is due.
    public func lagSeconds(queue: String) throws -> Double {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let oldest = try store.read { db in
            try String.fetchOne(
                db, sql: "SELECT min(run_at) FROM jobs WHERE queue = ? AND state IN ('available', 'failed') AND run_at <= ?",
                arguments: [queue, stamp])
        }
        guard let oldest, let date = Self.parse(oldest) else { return 0 }
        return max(0, now.timeIntervalSince(date))
    }

    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    static func parse(_ stamp: String) -> Date? { Timestamp.date(from: stamp) }
}

/// Receives the queue's events for the metrics layer.
public protocol JobObserver: Sendable {
    func jobEnqueued(kind: String)
    func jobFinished(kind: String, outcome: String, duration: Duration)
}

extension JobQueue {
    /// Returns claimed but unstarted jobs to `available` and gives back the attempt the claim counted.
    func release(_ ids: [Int64], owner: String) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            for id in ids {
                try db.execute(
                    sql: """
                        UPDATE jobs SET state = 'available', attempts = max(0, attempts - 1), lease_owner = NULL, lease_expires_at = NULL,
                            updated_at = ? WHERE id = ? AND state = 'running' AND lease_owner = ?
                        """,
                    arguments: [stamp, id, owner]
                )
            }
        }
    }
}

extension JobQueue {
    /// Jobs that became dead since the given time.
    public func deadSince(_ date: Date) throws -> Int {
        let stamp = Timestamp.string(from: date)
        return try store.read { db in
            try Int.fetchOne(
                db,
                sql: "SELECT count(*) FROM jobs WHERE state = 'dead' AND state IN ('succeeded', 'cancelled', 'dead') AND finished_at >= ?",
                arguments: [stamp]) ?? 0
        }
    }
}
