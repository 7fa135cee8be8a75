import Foundation
import GRDB
import Logging
import PSCCore
import PSCStore
import Testing

@testable import PSCJobs

@Suite("Scheduler")
struct SchedulerTests {
    func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    func runs(_ database: TestDatabase) throws -> [Row] {
        try database.store.read { try Row.fetchAll($0, sql: "SELECT * FROM schedule_runs ORDER BY id") }
    }

    func scheduler(_ queue: JobQueue, catchUp: TimeInterval = 20 * 3600) throws -> Scheduler {
        let backup = try ScheduledJob(name: "backup", cron: "0 2 * * *", catchUp: catchUp, timeout: .seconds(60), maxAttempts: 2) { _ in
            ["ok": true]
        }
        return Scheduler(queue: queue, schedules: [backup], logger: Logger(label: "test"))
    }

    @Test("a slot is enqueued once with its run record, however many ticks and restarts see it")
    func oncePerSlot() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        clock.now.withLock { $0 = instant("2026-09-02T07:00:30Z") }  // 02:00:30 CDT
        let queue = JobQueue(store: database.store, clock: clock.read)
        try scheduler(queue).tick()
        try scheduler(queue).tick()  // a restart: a new scheduler on the same database
        let jobs = try queue.list()
        #expect(jobs.count == 1)
        #expect(jobs.first?.uniqueKey == "cron:backup:2026-09-02T02:00:00-05:00")
        #expect(jobs.first?.queue == "maintenance")
        let records = try runs(database)
        #expect(records.count == 1)
        #expect(records.first?["status"] == "queued")
    }

    @Test("after downtime the latest slot runs once inside its window, and older slots are one missed row")
    func catchUp() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        clock.now.withLock { $0 = instant("2026-09-02T07:01:00Z") }
        try scheduler(queue).tick()
        let first = try #require(try queue.claim(queue: "maintenance", limit: 1, owner: "w", lease: .seconds(60)).first)
        try queue.complete(first, owner: "w")
        // Down for four days; back at 05:00 CDT on the 6th, inside the 20 h window of the 02:00 slot.
        clock.now.withLock { $0 = instant("2026-09-06T10:00:00Z") }
        try scheduler(queue).tick()
        let records = try runs(database)
        #expect(records.map { $0["status"] as String } == ["queued", "missed", "queued"])
        #expect(records[1]["slot"] == "2026-09-05T02:00:00-05:00")
        #expect(records[1]["missed_count"] == 3)
        #expect(try queue.list().count == 2)
    }

    @Test("a slot found past its catch-up window is recorded missed, not run")
    func tooLate() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        clock.now.withLock { $0 = instant("2026-09-02T07:02:00Z") }
        let queue = JobQueue(store: database.store, clock: clock.read)
        try scheduler(queue, catchUp: 60).tick()
        #expect(try runs(database).first?["status"] == "missed")
        #expect(try queue.list().isEmpty)
    }

    @Test("a paused schedule records its slots as paused, and the switch survives a restart")
    func paused() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        clock.now.withLock { $0 = instant("2026-09-02T07:00:30Z") }
        let queue = JobQueue(store: database.store, clock: clock.read)
        #expect(try scheduler(queue).setPaused("backup", true))
        #expect(try scheduler(queue).setPaused("nonexistent", true) == false)
        try scheduler(queue).tick()
        #expect(try runs(database).first?["status"] == "paused")
        #expect(try queue.list().isEmpty)
    }

    @Test("a slot that comes while the previous run is unfinished is skipped as an overlap")
    func overlap() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        clock.now.withLock { $0 = instant("2026-09-02T07:00:30Z") }
        try scheduler(queue).tick()
        clock.now.withLock { $0 = instant("2026-09-03T07:00:30Z") }
        try scheduler(queue).tick()
        #expect(try runs(database).map { $0["status"] as String } == ["queued", "skipped_overlap"])
    }

    @Test("a manual run does not consume the next slot, and the handler records the outcome")
    func manualRun() async throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        let scheduler = try scheduler(queue)
        let id = try #require(try scheduler.runNow("backup"))
        #expect(try scheduler.runNow("backup") == id, "the same minute runs once")
        #expect(try scheduler.runNow("nonexistent") == nil)
        let job = try #require(try queue.claim(queue: "maintenance", limit: 1, owner: "w", lease: .seconds(60)).first)
        try await scheduler.handlers[0].run(job)
        let record = try #require(try runs(database).first)
        #expect(record["status"] == "succeeded")
        #expect(record["summary"] == #"{"ok":true}"#)
    }
}
