import Foundation
import GRDB
import Logging
import PSCCore
import PSCStore
import Synchronization

/// A compiled-in schedule (30-jobs §2, §3). `run` does the work and returns a summary of counts.
public struct ScheduledJob: Sendable {
    public let name: String
    public let cron: CronExpression
    /// How late a slot may still run; later ones are recorded `missed`.
    public let catchUp: TimeInterval
    public let timeout: Duration
    public let maxAttempts: Int
    public let run: @Sendable (_ slot: String) async throws -> JSONValue

    public init(
        name: String, cron: String, catchUp: TimeInterval, timeout: Duration, maxAttempts: Int,
        run: @escaping @Sendable (_ slot: String) async throws -> JSONValue
    ) throws {
        self.name = name
        self.cron = try CronExpression(cron)
        self.catchUp = catchUp
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.run = run
    }
}

/// Receives the scheduler's outcomes for the metrics layer.
public protocol ScheduleObserver: Sendable {
    func scheduleRun(schedule: String, outcome: String, at: Date)
}

/// Enqueues each cron slot once (`cron:NAME:SLOT`, with its `schedule_runs` row in the same transaction), so a
/// restart never runs a slot twice and downtime produces one catch-up run, not one per missed slot.
public final class Scheduler: Sendable {
    public let schedules: [ScheduledJob]
    let queue: JobQueue
    let calendar: SlotCalendar
    let logger: Logger
    let observer: (any ScheduleObserver)?
    private let stopping = Atomic<Bool>(false)
    private let signal = WakeSignal()
    public static let queueName = "maintenance"

    public init(
        queue: JobQueue, schedules: [ScheduledJob], calendar: SlotCalendar = .chicago, logger: Logger,
        observer: (any ScheduleObserver)? = nil
    ) {
        self.queue = queue
        self.schedules = schedules
        self.calendar = calendar
        self.logger = logger
        self.observer = observer
    }

    struct Payload: Codable, Sendable {
        let schedule: String
        let slot: String
    }

    /// The job handlers that run the schedules and keep their `schedule_runs` rows current.
    public var handlers: [JobHandler] {
        schedules.map { schedule in
            JobHandler(kind: schedule.name, timeout: schedule.timeout) { [self] job in
                let payload = try job.decodePayload(Payload.self)
                try await Offload.run { try self.mark(job: job.id, status: "running", summary: nil, error: nil) }
                do {
                    let summary = try await schedule.run(payload.slot)
                    try await Offload.run { try self.mark(job: job.id, status: "succeeded", summary: summary, error: nil) }
                    observer?.scheduleRun(schedule: schedule.name, outcome: "succeeded", at: queue.clock())
                } catch {
                    _ = try? await Offload.run { try self.mark(job: job.id, status: "failed", summary: nil, error: "\(error)") }
                    observer?.scheduleRun(schedule: schedule.name, outcome: "failed", at: queue.clock())
                    throw error
                }
            }
        }
    }

    private func mark(job: Int64, status: String, summary: JSONValue?, error: String?) throws {
        let stamp = Timestamp.string(from: queue.clock())
        try queue.store.write { db in
            try db.execute(
                sql: """
                    UPDATE schedule_runs SET status = ?, started_at = coalesce(started_at, ?),
                        finished_at = CASE WHEN ? IN ('succeeded', 'failed') THEN ? ELSE finished_at END,
                        summary = coalesce(?, summary), error = ?
                    WHERE job_id = ?
                    """,
                arguments: [status, stamp, status, stamp, summary?.canonicalText, error, job]
            )
        }
    }

    /// Looks at every schedule's latest slot once; called at start-up and at every minute boundary.
    public func tick() {
        let now = queue.clock()
        for schedule in schedules {
            do {
                try tick(schedule, now: now)
            } catch {
                logger.error("scheduling failed", metadata: ["schedule": "\(schedule.name)", "error": "\(error)"])
            }
        }
    }

    func tick(_ schedule: ScheduledJob, now: Date) throws {
        guard let slot = calendar.latestSlot(of: schedule.cron, atOrBefore: now) else { return }
        let stamp = Timestamp.string(from: now)
        var outcome: String?
        try queue.store.write { db in
            guard
                try !Bool.fetchOne(
                    db, sql: "SELECT EXISTS (SELECT 1 FROM schedule_runs WHERE schedule = ? AND slot = ?)",
                    arguments: [schedule.name, slot.name])!
            else { return }
            try recordSkippedSlots(schedule, before: slot, in: db, stamp: stamp)
            func record(_ status: String, job: Int64? = nil) throws {
                try db.execute(
                    sql: "INSERT INTO schedule_runs (schedule, slot, status, job_id, created_at) VALUES (?, ?, ?, ?, ?)",
                    arguments: [schedule.name, slot.name, status, job, stamp])
                outcome = status
            }
            let paused = try Bool.fetchOne(db, sql: "SELECT paused FROM schedules WHERE name = ?", arguments: [schedule.name]) ?? false
            if paused { return try record("paused") }
            if now.timeIntervalSince(slot.instant) > max(60, schedule.catchUp) { return try record("missed") }
            let busy = try Bool.fetchOne(
                db,
                sql: """
                    SELECT EXISTS (SELECT 1 FROM schedule_runs r JOIN jobs j ON j.id = r.job_id
                                   WHERE r.schedule = ? AND j.state IN ('available', 'running', 'failed'))
                    """,
                arguments: [schedule.name])!
            if busy { return try record("skipped_overlap") }
            let request = try JobRequest(
                kind: schedule.name, queue: Self.queueName, payload: Payload(schedule: schedule.name, slot: slot.name),
                maxAttempts: schedule.maxAttempts, uniqueKey: "cron:\(schedule.name):\(slot.name)")
            try record("queued", job: try queue.enqueue(request, in: db))
        }
        if let outcome, outcome != "queued" { observer?.scheduleRun(schedule: schedule.name, outcome: outcome, at: now) }
    }

    /// Slots between the last recorded run and this one were lost to downtime: one `missed` row holds their count.
    private func recordSkippedSlots(_ schedule: ScheduledJob, before slot: ScheduleSlot, in db: GRDB.Database, stamp: String) throws {
        guard
            let lastName = try String.fetchOne(
                db, sql: "SELECT slot FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1", arguments: [schedule.name]),
            let last = Self.parseSlot(lastName),
            let previous = calendar.latestSlot(of: schedule.cron, atOrBefore: slot.instant.addingTimeInterval(-60)),
            previous.instant > last
        else { return }
        let count = calendar.slotCount(of: schedule.cron, after: last, through: previous.instant)
        try db.execute(
            sql: "INSERT OR IGNORE INTO schedule_runs (schedule, slot, status, missed_count, created_at) VALUES (?, ?, 'missed', ?, ?)",
            arguments: [schedule.name, previous.name, count, stamp])
    }

    public static func parseSlot(_ name: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: name)
    }

    /// Enqueues a schedule now (`psc-admin jobs run NAME`), keyed by the minute so a double call runs once; the
    /// next cron slot is not consumed.
    public func runNow(_ name: String) throws -> Int64? {
        guard let schedule = schedules.first(where: { $0.name == name }) else { return nil }
        let minute = Timestamp.string(from: queue.clock()).prefix(16)
        let slot = "manual:\(minute)"
        let stamp = Timestamp.string(from: queue.clock())
        let id = try queue.store.write { db -> Int64 in
            let request = try JobRequest(
                kind: schedule.name, queue: Self.queueName, payload: Payload(schedule: name, slot: slot),
                maxAttempts: schedule.maxAttempts, uniqueKey: "manual:\(name):\(minute)")
            let id = try queue.enqueue(request, in: db)
            try db.execute(
                sql: "INSERT OR IGNORE INTO schedule_runs (schedule, slot, status, job_id, created_at) VALUES (?, ?, 'queued', ?, ?)",
                arguments: [name, slot, id, stamp])
            return id
        }
        return id
    }

    /// Pauses or resumes a schedule; kept in `schedules` so it survives restarts. False for an unknown name.
    public func setPaused(_ name: String, _ paused: Bool) throws -> Bool {
        guard schedules.contains(where: { $0.name == name }) else { return false }
        let stamp = Timestamp.string(from: queue.clock())
        try queue.store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO schedules (name, paused, created_at, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
                    """,
                arguments: [name, paused, stamp, stamp])
        }
        return true
    }

    /// Each schedule's next slot, pause switch and last run, for `psc-admin jobs schedule`.
    public func overview() throws -> [JSONValue] {
        let now = queue.clock()
        return try queue.store.read { db in
            try schedules.map { schedule in
                let paused = try Bool.fetchOne(db, sql: "SELECT paused FROM schedules WHERE name = ?", arguments: [schedule.name]) ?? false
                let last = try Row.fetchOne(
                    db, sql: "SELECT slot, status, finished_at, error FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1",
                    arguments: [schedule.name])
                var entry: [String: JSONValue] = [
                    "name": .string(schedule.name), "cron": .string(schedule.cron.description), "paused": .bool(paused),
                    "next_slot": calendar.nextSlot(of: schedule.cron, after: now).map { .string($0.name) } ?? .null,
                ]
                if let last {
                    entry["last_slot"] = .string(try last.decode(forColumn: "slot"))
                    entry["last_status"] = .string(try last.decode(forColumn: "status"))
                    entry["last_finished_at"] = (try last.decode(forColumn: "finished_at") as String?).map(JSONValue.string) ?? .null
                    if let error: String = try last.decode(forColumn: "error") { entry["last_error"] = .string(error) }
                } else {
                    entry["last_status"] = .null
                }
                return .object(entry)
            }
        }
    }

    /// MON-6: every schedule with its cron, zone, pause switch, next run and last run.
    public func statuses() throws -> [JSONValue] {
        let now = queue.clock()
        return try queue.store.read { db in
            try schedules.map { schedule in
                let paused = try Bool.fetchOne(db, sql: "SELECT paused FROM schedules WHERE name = ?", arguments: [schedule.name]) ?? false
                let last = try Row.fetchOne(
                    db,
                    sql:
                        "SELECT slot, status, started_at, finished_at, summary, error FROM schedule_runs WHERE schedule = ? ORDER BY id DESC LIMIT 1",
                    arguments: [schedule.name])
                let lastRun: JSONValue =
                    try last.map { row in
                        func text(_ column: String) throws -> JSONValue {
                            (try row.decode(forColumn: column) as String?).map(JSONValue.string) ?? .null
                        }
                        let summary = (try row.decode(forColumn: "summary") as String?).flatMap {
                            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
                        }
                        return [
                            "slot": try text("slot"), "status": try text("status"), "started_at": try text("started_at"),
                            "finished_at": try text("finished_at"), "summary": summary ?? .null, "error": try text("error"),
                        ]
                    } ?? .null
                return [
                    "name": .string(schedule.name), "cron": .string(schedule.cron.description),
                    "time_zone": .string(calendar.timeZone.identifier),
                    "paused": .bool(paused),
                    "next_run_at": calendar.nextSlot(of: schedule.cron, after: now).map { .string(Timestamp.string(from: $0.instant)) }
                        ?? .null,
                    "last_run": lastRun,
                ]
            }
        }
    }

    /// Whether a run of the schedule is queued or running (MON-7 answers 409 then).
    public func isActive(_ name: String) throws -> Bool {
        try queue.store.read { db in
            try Bool.fetchOne(
                db, sql: "SELECT 1 FROM jobs WHERE kind = ? AND state IN ('available', 'running') LIMIT 1", arguments: [name]) ?? false
        }
    }

    /// Ticks at start-up and at every minute boundary until ``stop()``.
    public func run() async {
        while !stopping.load(ordering: .sequentiallyConsistent) {
            _ = try? await Offload.run { self.tick() }
            let now = queue.clock().timeIntervalSince1970
            let untilNextMinute = 60 - now.truncatingRemainder(dividingBy: 60) + 0.05
            await signal.wait(timeout: .milliseconds(Int64(untilNextMinute * 1000)))
        }
    }

    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        signal.close()
    }
}
