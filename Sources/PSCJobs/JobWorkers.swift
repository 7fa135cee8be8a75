import Foundation
import Logging
import PSCCore
import Synchronization

/// A handler for one job kind. Handlers are idempotent: a job may run more than once.
public struct JobHandler: Sendable {
    public let kind: String
    public let lease: Duration
    public let timeout: Duration
    public let run: @Sendable (Job) async throws -> Void

    public init(
        kind: String, lease: Duration = .seconds(300), timeout: Duration = .seconds(600),
        run: @escaping @Sendable (Job) async throws -> Void
    ) {
        self.kind = kind
        self.lease = lease
        self.timeout = timeout
        self.run = run
    }
}

/// An error that retrying cannot fix (30-jobs §1): the job goes to `dead` at once with the reason.
public struct PermanentJobError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

struct JobTimedOut: Error, CustomStringConvertible {
    let timeout: Duration
    var description: String { "the handler ran past its timeout of \(timeout)" }
}

/// The worker pools of 30-jobs §1, one per queue, inside the server process; plus the rescuer of expired leases
/// and the pruning of finished jobs.
public final class JobWorkers: Sendable {
    public struct Configuration: Sendable {
        /// Queue name → number of workers.
        public var concurrency: [String: Int]
        public var batchSize: Int
        /// How long an idle worker sleeps before looking for future `run_at` times again.
        public var idleCheck: Duration
        public var rescuePeriod: Duration
        /// How long succeeded and cancelled jobs are kept.
        public var keepFinished: Duration
        /// How long dead jobs are kept.
        public var keepDead: Duration
        /// True when this process alone works the queue (the server, holding the instance lock): jobs found
        /// `running` at start-up are orphans of a dead process and go back to `available` at once.
        public var soleProcess: Bool = false

        public static let standard = Configuration(
            concurrency: ["deliveries": 4, "default": 2, "maintenance": 2], batchSize: 10, idleCheck: .seconds(5),
            rescuePeriod: .seconds(60), keepFinished: .seconds(7 * 86400), keepDead: .seconds(30 * 86400)
        )

        public init(
            concurrency: [String: Int], batchSize: Int, idleCheck: Duration, rescuePeriod: Duration, keepFinished: Duration,
            keepDead: Duration = .seconds(30 * 86400)
        ) {
            self.concurrency = concurrency
            self.batchSize = batchSize
            self.idleCheck = idleCheck
            self.rescuePeriod = rescuePeriod
            self.keepFinished = keepFinished
            self.keepDead = keepDead
        }
    }

    public let queue: JobQueue
    private let handlers: [String: JobHandler]
    private let configuration: Configuration
    private let logger: Logger
    private let observer: (any JobObserver)?
    private let signals: [String: WakeSignal]
    private let stopping = Atomic<Bool>(false)
    private let rescueSignal = WakeSignal()
    private let watchdogSignal = WakeSignal()
    private let paused = Mutex<Set<String>>([])
    private let slots = Mutex<[WorkerSlot]>([])
    let ownerPrefix = "\(getpid())"

    public init(
        queue: JobQueue, handlers: [JobHandler], configuration: Configuration = .standard, logger: Logger,
        observer: (any JobObserver)? = nil
    ) {
        self.queue = queue
        self.handlers = Dictionary(handlers.map { ($0.kind, $0) }, uniquingKeysWith: { _, last in last })
        self.configuration = configuration
        self.logger = logger
        self.observer = observer
        var signals: [String: WakeSignal] = [:]
        for name in configuration.concurrency.keys { signals[name] = WakeSignal() }
        self.signals = signals
        for (name, signal) in signals { queue.setWaker(queue: name) { signal.notify() } }
    }

    /// Runs every worker, the watchdog and the rescuer until ``stop()``; then returns once running jobs have
    /// finished.
    public func run() async {
        let (queue, soleProcess, logger) = (self.queue, configuration.soleProcess, self.logger)
        do {
            let rescued = try await Offload.run { soleProcess ? try queue.rescueOrphans() : try queue.rescueExpiredLeases() }
            if rescued > 0 { logger.warning("returned jobs a stopped process left running", metadata: ["count": "\(rescued)"]) }
        } catch {
            logger.error("returning jobs left running failed; the rescuer will retry", metadata: ["error": "\(error)"])
        }
        await withTaskGroup(of: Void.self) { group in
            for (name, count) in configuration.concurrency.sorted(by: { $0.key < $1.key }) {
                for index in 0..<count {
                    let slot = WorkerSlot(queue: name, owner: "\(ownerPrefix):\(name):\(index)")
                    slots.withLock { $0.append(slot) }
                    group.addTask { await self.supervise(slot) }
                }
            }
            group.addTask { await self.watchdogLoop() }
            group.addTask { await self.maintenanceLoop() }
        }
    }

    /// Stops claiming; workers finish the job in hand and release the rest of their batch.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for signal in signals.values { signal.close() }
        rescueSignal.close()
        watchdogSignal.close()
    }

    /// Pauses or resumes claiming on one queue (`psc-admin jobs pause QUEUE`).
    public func setPaused(_ name: String, _ isPaused: Bool) -> Bool {
        guard signals[name] != nil else { return false }
        paused.withLock { if isPaused { $0.insert(name) } else { $0.remove(name) } }
        if !isPaused { signals[name]?.notify() }
        return true
    }

    public var pausedQueues: Set<String> { paused.withLock { $0 } }
    public var queueNames: [String] { configuration.concurrency.keys.sorted() }

    private var isStopping: Bool { stopping.load(ordering: .sequentiallyConsistent) }

    /// Keeps one worker going: a worker whose job ran past its timeout has its task cancelled, and a cancelled
    /// task cannot run anything else, so a fresh one takes its place.
    private func supervise(_ slot: WorkerSlot) async {
        while !isStopping {
            slot.replaced()
            let task = Task { await self.workerLoop(slot) }
            slot.task.withLock { $0 = task }
            await task.value
        }
    }

    /// Claims a batch, runs it job after job on this task (no task per job: per-job tasks and timers cost more
    /// than a no-op job), and records the batch's successes in the transaction that claims the next batch.
    private func workerLoop(_ slot: WorkerSlot) async {
        let name = slot.queue
        guard let signal = signals[name] else { return }
        var succeeded: [(job: Job, duration: Duration)] = []
        while true {
            let isPaused = paused.withLock { $0.contains(name) }
            let mustEnd = isStopping || slot.isRetiring
            let limit = mustEnd || isPaused ? 0 : configuration.batchSize
            if limit == 0 && succeeded.isEmpty {
                if mustEnd { return }
                await signal.wait(timeout: configuration.idleCheck)
                continue
            }
            let batch: [Job]
            do {
                let (queue, finished, lease) = (self.queue, succeeded.map(\.job), maximumLease)
                batch = try await Offload.run {
                    try queue.completeAndClaim(finished, owner: slot.owner, queue: name, limit: limit, lease: lease)
                }
                for (job, duration) in succeeded { observer?.jobFinished(kind: job.kind, outcome: "succeeded", duration: duration) }
            } catch {
                // The successes stay unrecorded: their leases expire and they run again, which at-least-once allows.
                logger.error("claiming jobs failed", metadata: ["queue": "\(name)", "error": "\(error)"])
                succeeded = []
                await signal.wait(timeout: configuration.idleCheck)
                continue
            }
            succeeded = []
            if batch.isEmpty {
                if limit > 0 { await signal.wait(timeout: configuration.idleCheck) }
                continue
            }
            for (index, job) in batch.enumerated() {
                if isStopping || slot.isRetiring {
                    await release(Array(batch[index...]), owner: slot.owner)
                    break
                }
                if let duration = await execute(job, slot: slot) { succeeded.append((job, duration)) }
            }
        }
    }

    /// The longest lease of any handler, used when claiming a mixed batch; each handler extends its own.
    private var maximumLease: Duration { handlers.values.map(\.lease).max() ?? .seconds(300) }

    /// Runs one job under the watchdog; returns its duration when it succeeded (recorded with the next claim),
    /// nil when the failure was recorded already.
    private func execute(_ job: Job, slot: WorkerSlot) async -> Duration? {
        let start = ContinuousClock.now
        guard let handler = handlers[job.kind] else {
            await record(
                job, owner: slot.owner, start: start, error: "no handler is registered for job kind '\(job.kind)'", permanent: false)
            return nil
        }
        slot.begin(job, handler: handler, at: start)
        var outcome: (any Error)?
        do {
            try await handler.run(job)
        } catch {
            outcome = error
        }
        if slot.end() { outcome = JobTimedOut(timeout: handler.timeout) }
        if let outcome {
            await record(job, owner: slot.owner, start: start, error: "\(outcome)", permanent: outcome is PermanentJobError)
            return nil
        }
        return ContinuousClock.now - start
    }

    /// One watchdog for every worker: it extends the lease of a job that runs long (every lease ÷ 3) and cancels
    /// a job past its timeout. It looks often enough for the shortest timeout of any handler.
    private func watchdogLoop() async {
        let shortest = handlers.values.map { min($0.timeout, $0.lease / 3) }.min() ?? .seconds(1)
        let period = max(.milliseconds(10), min(.seconds(1), shortest / 4))
        while !isStopping {
            await watchdogSignal.wait(timeout: period)
            let now = ContinuousClock.now
            for slot in slots.withLock({ $0 }) {
                switch slot.inspect(now: now) {
                case .none: break
                case .cancel: slot.task.withLock { $0 }?.cancel()
                case .extend(let job, let lease):
                    let queue = self.queue
                    do {
                        try await Offload.run { try queue.extendLease(id: job.id, owner: slot.owner, lease: lease) }
                    } catch {
                        logger.error("extending a lease failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
                    }
                }
            }
        }
    }

    private func record(_ job: Job, owner: String, start: ContinuousClock.Instant, error: String, permanent: Bool) async {
        do {
            let queue = self.queue
            let state = try await Offload.run { try queue.fail(job, owner: owner, error: error, permanent: permanent) }
            observer?.jobFinished(kind: job.kind, outcome: state == .dead ? "dead" : "retried", duration: ContinuousClock.now - start)
            logger.warning(
                "job failed", metadata: ["job": "\(job.id)", "kind": "\(job.kind)", "state": "\(state.rawValue)", "error": "\(error)"])
        } catch {
            logger.error("recording a failed job failed", metadata: ["job": "\(job.id)", "error": "\(error)"])
        }
    }

    /// Hands claimed jobs that were never started back, without counting the attempt.
    private func release(_ jobs: [Job], owner: String) async {
        guard !jobs.isEmpty else { return }
        do {
            let (queue, ids) = (self.queue, jobs.map(\.id))
            try await Offload.run { try queue.release(ids, owner: owner) }
        } catch {
            logger.error("releasing jobs at shutdown failed; the rescuer will return them", metadata: ["error": "\(error)"])
        }
    }

    private func maintenanceLoop() async {
        var lastPrune = ContinuousClock.now - .seconds(3600)
        while !isStopping {
            await rescueSignal.wait(timeout: configuration.rescuePeriod)
            if isStopping { return }
            do {
                let queue = self.queue
                let rescued = try await Offload.run { try queue.rescueExpiredLeases() }
                if rescued > 0 {
                    logger.warning("returned jobs with expired leases", metadata: ["count": "\(rescued)"])
                    for signal in signals.values { signal.notify() }
                }
                if ContinuousClock.now - lastPrune >= .seconds(3600) {
                    lastPrune = ContinuousClock.now
                    let (keep, keepDead) = (configuration.keepFinished, configuration.keepDead)
                    _ = try await Offload.run { try queue.pruneFinished(olderThan: keep, deadOlderThan: keepDead) }
                }
            } catch {
                logger.error("job maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }
}

/// One worker: the job it runs now, for the watchdog, and the task to cancel when that job runs past its timeout.
final class WorkerSlot: Sendable {
    enum Action {
        case none
        case cancel
        case extend(Job, lease: Duration)
    }

    private struct Running {
        let job: Job
        let handler: JobHandler
        let started: ContinuousClock.Instant
        var nextExtension: ContinuousClock.Instant
        var timedOut: Bool
    }

    let queue: String
    let owner: String
    let task = Mutex<Task<Void, Never>?>(nil)
    private let running = Mutex<Running?>(nil)
    /// Set once a job of this worker timed out: its task is (or is about to be) cancelled, so it takes nothing new.
    private let retiring = Atomic<Bool>(false)

    var isRetiring: Bool { retiring.load(ordering: .sequentiallyConsistent) }

    func replaced() { retiring.store(false, ordering: .sequentiallyConsistent) }

    init(queue: String, owner: String) {
        self.queue = queue
        self.owner = owner
    }

    func begin(_ job: Job, handler: JobHandler, at start: ContinuousClock.Instant) {
        running.withLock {
            $0 = Running(job: job, handler: handler, started: start, nextExtension: start + handler.lease / 3, timedOut: false)
        }
    }

    /// Ends the job; true when the watchdog found it past its timeout.
    func end() -> Bool {
        let timedOut = running.withLock { running in
            defer { running = nil }
            return running?.timedOut ?? false
        }
        if timedOut { retiring.store(true, ordering: .sequentiallyConsistent) }
        return timedOut
    }

    func inspect(now: ContinuousClock.Instant) -> Action {
        running.withLock { running in
            guard var current = running, !current.timedOut else { return .none }
            if now - current.started >= current.handler.timeout {
                current.timedOut = true
                running = current
                return .cancel
            }
            if now >= current.nextExtension {
                current.nextExtension = now + current.handler.lease / 3
                running = current
                return .extend(current.job, lease: current.handler.lease)
            }
            return .none
        }
    }
}
