import Foundation
import GRDB
import Logging
import PSCStore
import Synchronization
import Testing

@testable import PSCJobs

final class TestClock: Sendable {
    let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    func advance(_ seconds: TimeInterval) { now.withLock { $0 = $0.addingTimeInterval(seconds) } }
    var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
}

final class TestDatabase {
    let directory = NSTemporaryDirectory() + "psc-jobs-test-\(UUID().uuidString)"
    let store: Store

    init() throws {
        store = try Store(path: directory + "/psc.db")
        try Migrator.embedded().migrate(store)
    }

    deinit {
        try? store.close()
        try? FileManager.default.removeItem(atPath: directory)
    }
}

@Suite("Job queue")
struct JobQueueTests {
    @Test("claim leases due jobs in priority order and counts the attempt")
    func claimOrder() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        let low = try queue.enqueue(JobRequest(kind: "a", priority: 5))
        let high = try queue.enqueue(JobRequest(kind: "a", priority: 0))
        _ = try queue.enqueue(JobRequest(kind: "a", runAt: clock.read().addingTimeInterval(60)))
        _ = try queue.enqueue(JobRequest(kind: "a", queue: "other"))
        let claimed = try queue.claim(queue: "default", limit: 10, owner: "w1", lease: .seconds(60))
        #expect(claimed.map(\.id) == [high, low], "the future job and the other queue's job are not claimed")
        #expect(claimed.allSatisfy { $0.state == .running && $0.attempts == 1 && $0.leaseOwner == "w1" })
        #expect(try queue.claim(queue: "default", limit: 10, owner: "w2", lease: .seconds(60)).isEmpty)
    }

    @Test("a failed attempt waits 10 × 2^(n−1) s with jitter, then becomes dead after max attempts")
    func retryAndDead() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        let id = try queue.enqueue(JobRequest(kind: "flaky", maxAttempts: 3))
        for attempt in 1...3 {
            let job = try #require(try queue.claim(queue: "default", limit: 1, owner: "w", lease: .seconds(60)).first)
            #expect(job.id == id && job.attempts == attempt)
            let state = try queue.fail(job, owner: "w", error: "boom \(attempt)", random: { 1.0 })
            let stored = try #require(try queue.find(id: id))
            if attempt < 3 {
                #expect(state == .failed)
                let delay = JobQueue.parse(stored.runAt)!.timeIntervalSince(clock.read())
                #expect(delay == 10 * pow(2, Double(attempt - 1)))
                #expect(try queue.claim(queue: "default", limit: 1, owner: "w", lease: .seconds(60)).isEmpty, "not before its retry time")
                clock.advance(delay)
            } else {
                #expect(state == .dead)
                #expect(stored.lastError == "boom 3")
                #expect(stored.finishedAt != nil)
            }
        }
        #expect(JobQueue.retryDelay(attempt: 20, factor: 1) == 3600)
        #expect(JobQueue.retryDelay(attempt: 1, factor: 0.75) == 7.5)
        #expect(JobQueue.retryDelay(attempt: 3, factor: 1, base: 2, cap: 5) == 5, "a configured base and cap")
        #expect(JobQueue.retryDelay(attempt: 2, factor: 1, base: 2, cap: 5) == 4)
    }

    @Test("a permanent error is dead at once")
    func permanent() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let id = try queue.enqueue(JobRequest(kind: "k"))
        let job = try #require(try queue.claim(queue: "default", limit: 1, owner: "w", lease: .seconds(60)).first)
        #expect(try queue.fail(job, owner: "w", error: "invalid address", permanent: true) == .dead)
        #expect(try queue.find(id: id)?.state == .dead)
    }

    @Test("a unique key holds among unfinished jobs only")
    func uniqueKeys() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let first = try queue.enqueue(JobRequest(kind: "k", uniqueKey: "cron:backup:slot1"))
        #expect(try queue.enqueue(JobRequest(kind: "k", uniqueKey: "cron:backup:slot1")) == first)
        let job = try #require(try queue.claim(queue: "default", limit: 1, owner: "w", lease: .seconds(60)).first)
        #expect(try queue.enqueue(JobRequest(kind: "k", uniqueKey: "cron:backup:slot1")) == first, "running is unfinished")
        try queue.complete(job, owner: "w")
        #expect(try queue.enqueue(JobRequest(kind: "k", uniqueKey: "cron:backup:slot1")) != first)
    }

    @Test("a job enqueued in a transaction that rolls back never exists")
    func transactionalOutbox() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.store.write { db in
                try queue.enqueue(JobRequest(kind: "k"), in: db)
                throw Abort()
            }
        }
        #expect(try queue.list().isEmpty)
    }

    @Test("the rescuer returns jobs whose lease expired, or buries them when attempts are used up")
    func rescuer() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        let again = try queue.enqueue(JobRequest(kind: "k", maxAttempts: 2))
        let last = try queue.enqueue(JobRequest(kind: "k", maxAttempts: 1))
        _ = try queue.claim(queue: "default", limit: 2, owner: "crashed", lease: .seconds(60))
        clock.advance(30)
        #expect(try queue.rescueExpiredLeases() == 0)
        clock.advance(31)
        #expect(try queue.rescueExpiredLeases() == 2)
        #expect(try queue.find(id: again)?.state == .available)
        #expect(try queue.find(id: last)?.state == .dead)
    }

    @Test("retry brings a dead job back with attempts reset; discard cancels; unknown ids change nothing")
    func adminActions() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let id = try queue.enqueue(JobRequest(kind: "k", maxAttempts: 1))
        let job = try #require(try queue.claim(queue: "default", limit: 1, owner: "w", lease: .seconds(60)).first)
        try queue.fail(job, owner: "w", error: "x")
        #expect(try queue.retry(id: id))
        #expect(try queue.find(id: id)?.attempts == 0)
        #expect(try queue.discard(id: id))
        #expect(try queue.find(id: id)?.state == .cancelled)
        #expect(try queue.retry(id: 999_999) == false)
        #expect(try queue.discard(id: 999_999) == false)
    }

    @Test("finished jobs older than the keep time are pruned in chunks")
    func pruning() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        for _ in 0..<25 { try queue.enqueue(JobRequest(kind: "k")) }
        for job in try queue.claim(queue: "default", limit: 25, owner: "w", lease: .seconds(60)) { try queue.complete(job, owner: "w") }
        try queue.enqueue(JobRequest(kind: "k"))
        clock.advance(8 * 86400)
        #expect(try queue.pruneFinished(olderThan: .seconds(7 * 86400), chunk: 10) == 25)
        #expect(try queue.list().count == 1, "the unfinished job stays")
    }

    @Test("dead jobs are kept 30 days, succeeded ones 7")
    func deadKeptLonger() throws {
        let database = try TestDatabase()
        let clock = TestClock()
        let queue = JobQueue(store: database.store, clock: clock.read)
        let done = try queue.enqueue(JobRequest(kind: "k"))
        let buried = try queue.enqueue(JobRequest(kind: "k", maxAttempts: 1))
        for job in try queue.claim(queue: "default", limit: 2, owner: "w", lease: .seconds(60)) {
            if job.id == done { try queue.complete(job, owner: "w") } else { try queue.fail(job, owner: "w", error: "x") }
        }
        clock.advance(8 * 86400)
        #expect(try queue.pruneFinished(olderThan: .seconds(7 * 86400), deadOlderThan: .seconds(30 * 86400)) == 1)
        #expect(try queue.find(id: done) == nil)
        #expect(try queue.find(id: buried)?.state == .dead)
        clock.advance(23 * 86400)
        #expect(try queue.pruneFinished(olderThan: .seconds(7 * 86400), deadOlderThan: .seconds(30 * 86400)) == 1)
        #expect(try queue.find(id: buried) == nil)
    }

    @Test("a batch enqueue returns ids in order and keeps unique keys unique inside the batch")
    func batchEnqueue() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let requests = try [
            JobRequest(kind: "a"), JobRequest(kind: "b", uniqueKey: "once"), JobRequest(kind: "c", uniqueKey: "once"),
            JobRequest(kind: "d"),
        ]
        let ids = try database.store.write { db in try queue.enqueue(requests, in: db) }
        #expect(ids.count == 4)
        #expect(ids[1] == ids[2], "the second request with the key gets the first one's id")
        #expect(ids[0] < ids[1] && ids[1] < ids[3])
        #expect(try queue.list().map(\.kind).sorted() == ["a", "b", "d"])
    }

    @Test("completing a batch and claiming the next happen in one transaction, and only for the owner's jobs")
    func completeAndClaim() throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        for _ in 0..<15 { try queue.enqueue(JobRequest(kind: "k")) }
        let first = try queue.claim(queue: "default", limit: 10, owner: "w1", lease: .seconds(60))
        #expect(first.count == 10)
        // Another owner cannot complete w1's jobs.
        #expect(try queue.completeAndClaim(first, owner: "w2", queue: "default", limit: 0, lease: .seconds(60)).isEmpty)
        #expect(try queue.list(state: .running).count == 10)
        let second = try queue.completeAndClaim(first, owner: "w1", queue: "default", limit: 10, lease: .seconds(60))
        #expect(second.count == 5)
        #expect(try queue.list(state: .succeeded).count == 10)
        #expect(Set(second.map(\.id)).isDisjoint(with: first.map(\.id)))
    }
}

@Suite("Job workers")
struct JobWorkerTests {
    final class Recorder: Sendable {
        let runs = Mutex<[String]>([])
    }

    func waitUntil(_ condition: () throws -> Bool) async throws {
        for _ in 0..<1500 {
            if try condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
    }

    @Test("workers wake on enqueue, run the handler and record success; an unknown kind fails with a clear error")
    func runsJobs() async throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let recorder = Recorder()
        let handler = JobHandler(kind: "note") { job in
            let text = try job.decodePayload([String: String].self)["text"] ?? ""
            recorder.runs.withLock { $0.append(text) }
        }
        // A long idle check proves the wake-up comes from the enqueue, not from polling.
        let configuration = JobWorkers.Configuration(
            concurrency: ["default": 2], batchSize: 10, idleCheck: .seconds(60), rescuePeriod: .seconds(60), keepFinished: .seconds(60))
        let workers = JobWorkers(queue: queue, handlers: [handler], configuration: configuration, logger: Logger(label: "test"))
        let running = Task { await workers.run() }
        try await Task.sleep(for: .milliseconds(100))
        let id = try queue.enqueue(JobRequest(kind: "note", payload: ["text": "hello"]))
        let unknown = try queue.enqueue(JobRequest(kind: "mystery", maxAttempts: 1))
        try await waitUntil { try queue.find(id: id)?.state == .succeeded && queue.find(id: unknown)?.state == .dead }
        #expect(try queue.find(id: id)?.state == .succeeded)
        #expect(recorder.runs.withLock { $0 } == ["hello"])
        // The transactional outbox: a job enqueued inside the caller's transaction wakes the workers when it commits.
        let outbox = try await database.store.write { db in try queue.enqueue(JobRequest(kind: "note", payload: ["text": "outbox"]), in: db) }
        try await waitUntil { try queue.find(id: outbox)?.state == .succeeded }
        #expect(recorder.runs.withLock { $0 } == ["hello", "outbox"])
        #expect(try queue.find(id: unknown)?.lastError?.contains("no handler is registered for job kind 'mystery'") == true)
        workers.stop()
        await running.value
    }

    @Test("a handler past its timeout is cancelled and the attempt counts as failed")
    func timeout() async throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let handler = JobHandler(kind: "slow", timeout: .milliseconds(100)) { _ in try await Task.sleep(for: .seconds(30)) }
        let quick = JobHandler(kind: "quick") { _ in }
        let configuration = JobWorkers.Configuration(
            concurrency: ["default": 1], batchSize: 1, idleCheck: .seconds(60), rescuePeriod: .seconds(60), keepFinished: .seconds(60))
        let workers = JobWorkers(queue: queue, handlers: [handler, quick], configuration: configuration, logger: Logger(label: "test"))
        let running = Task { await workers.run() }
        let id = try queue.enqueue(JobRequest(kind: "slow", maxAttempts: 1))
        try await waitUntil { try queue.find(id: id)?.state == .dead }
        #expect(try queue.find(id: id)?.lastError?.contains("timeout") == true)
        // The worker whose job timed out is replaced: the queue keeps working with its one worker.
        let next = try queue.enqueue(JobRequest(kind: "quick"))
        try await waitUntil { try queue.find(id: next)?.state == .succeeded }
        #expect(try queue.find(id: next)?.state == .succeeded)
        workers.stop()
        await running.value
    }

    @Test("a job that runs longer than its lease has the lease extended and is not rescued")
    func leaseExtension() async throws {
        let database = try TestDatabase()
        let queue = JobQueue(store: database.store)
        let leases = Mutex<Set<String>>([])
        // Generous margins: the whole suite runs in parallel on two cores, so the watchdog may wake late.
        let handler = JobHandler(kind: "long", lease: .milliseconds(1200), timeout: .seconds(20)) { job in
            for _ in 0..<25 {
                try await Task.sleep(for: .milliseconds(100))
                if let lease = try queue.find(id: job.id)?.leaseExpiresAt { leases.withLock { _ = $0.insert(lease) } }
                // A rescuer running now must find nothing to return.
                #expect(try queue.rescueExpiredLeases() == 0)
            }
        }
        let configuration = JobWorkers.Configuration(
            concurrency: ["default": 1], batchSize: 1, idleCheck: .seconds(60), rescuePeriod: .seconds(60), keepFinished: .seconds(60))
        let workers = JobWorkers(queue: queue, handlers: [handler], configuration: configuration, logger: Logger(label: "test"))
        let running = Task { await workers.run() }
        let id = try queue.enqueue(JobRequest(kind: "long", maxAttempts: 1))
        try await waitUntil { try queue.find(id: id)?.state == .succeeded }
        #expect(try queue.find(id: id)?.state == .succeeded)
        #expect(try queue.find(id: id)?.attempts == 1)
        #expect(leases.withLock { $0.count } >= 3, "the lease moved while the job ran")
        workers.stop()
        await running.value
    }
}
