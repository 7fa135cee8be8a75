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
        public var keepFinished: Duration

        public static let standard = Configuration(
            concurrency: ["deliveries": 4, "default": 2, "maintenance": 2], batchSize: 10, idleCheck: .seconds(5),
            rescuePeriod: .seconds(60), keepFinished: .seconds(7 * 86400)
        )

        public init(concurrency: [String: Int], batchSize: Int, idleCheck: Duration, rescuePeriod: Duration, keepFinished: Duration) {
            self.concurrency = concurrency
            self.batchSize = batchSize
            self.idleCheck = idleCheck
            self.rescuePeriod = rescuePeriod
            self.keepFinished = keepFinished
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
    private let paused = Mutex<Set<String>>([])
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

    /// Runs every worker and the rescuer until ``stop()``; then returns once running jobs have finished.
    public func run() async {
        let queue = self.queue
        _ = try? await Offload.run { try queue.rescueExpiredLeases() }
        await withTaskGroup(of: Void.self) { group in
            for (name, count) in configuration.concurrency.sorted(by: { $0.key < $1.key }) {
                for index in 0..<count {
                    group.addTask { await self.workerLoop(queue: name, owner: "\(self.ownerPrefix):\(name):\(index)") }
                }
            }
            group.addTask { await self.maintenanceLoop() }
        }
    }

    /// Stops claiming; workers finish the job in hand and release the rest of their batch.
    public func stop() {
        stopping.store(true, ordering: .sequentiallyConsistent)
        for signal in signals.values { signal.notify() }
        rescueSignal.notify()
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

    private func workerLoop(queue name: String, owner: String) async {
        guard let signal = signals[name] else { return }
        while !isStopping {
            if paused.withLock({ $0.contains(name) }) {
                await signal.wait(timeout: configuration.idleCheck)
                continue
            }
            let batch: [Job]
            do {
                let (queue, size, lease) = (self.queue, configuration.batchSize, maximumLease)
                batch = try await Offload.run { try queue.claim(queue: name, limit: size, owner: owner, lease: lease) }
            } catch {
                logger.error("claiming jobs failed", metadata: ["queue": "\(name)", "error": "\(error)"])
                await signal.wait(timeout: configuration.idleCheck)
                continue
            }
            if batch.isEmpty {
                await signal.wait(timeout: configuration.idleCheck)
                continue
            }
            var succeeded: [(job: Job, duration: Duration)] = []
            for (index, job) in batch.enumerated() {
                if isStopping {
                    await recordSuccesses(succeeded, owner: owner)
                    await release(Array(batch[index...]), owner: owner)
                    return
                }
                if let duration = await execute(job, owner: owner) { succeeded.append((job, duration)) }
            }
            await recordSuccesses(succeeded, owner: owner)
        }
    }

    /// The longest lease of any handler, used when claiming a mixed batch; each handler extends its own.
    private var maximumLease: Duration { handlers.values.map(\.lease).max() ?? .seconds(300) }

    /// Runs one job; returns its duration when it succeeded (recorded with the rest of the batch), nil when
    /// the failure was recorded already.
    private func execute(_ job: Job, owner: String) async -> Duration? {
        let start = ContinuousClock.now
        guard let handler = handlers[job.kind] else {
            await record(job, owner: owner, start: start, error: "no handler is registered for job kind '\(job.kind)'", permanent: false)
            return nil
        }
        let outcome: (any Error)?
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await handler.run(job) }
                group.addTask {
                    try await Task.sleep(for: handler.timeout)
                    throw JobTimedOut(timeout: handler.timeout)
                }
                group.addTask {
                    // Keep the lease while the handler works: every lease ÷ 3.
                    while true {
                        try await Task.sleep(for: handler.lease / 3)
                        let queue = self.queue
                        try await Offload.run { try queue.extendLease(id: job.id, owner: owner, lease: handler.lease) }
                    }
                }
                try await group.next()
                group.cancelAll()
            }
            outcome = nil
        } catch {
            outcome = error
        }
        if let outcome {
            await record(job, owner: owner, start: start, error: "\(outcome)", permanent: outcome is PermanentJobError)
            return nil
        }
        return ContinuousClock.now - start
    }

    /// One transaction for the batch's successes. Should it fail, the leases expire and the jobs run again,
    /// which at-least-once delivery allows.
    private func recordSuccesses(_ succeeded: [(job: Job, duration: Duration)], owner: String) async {
        guard !succeeded.isEmpty else { return }
        do {
            let (queue, jobs) = (self.queue, succeeded.map(\.job))
            try await Offload.run { try queue.complete(jobs, owner: owner) }
            for (job, duration) in succeeded { observer?.jobFinished(kind: job.kind, outcome: "succeeded", duration: duration) }
        } catch {
            logger.error("recording finished jobs failed", metadata: ["count": "\(succeeded.count)", "error": "\(error)"])
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
                    let keep = configuration.keepFinished
                    _ = try await Offload.run { try queue.pruneFinished(olderThan: keep) }
                }
            } catch {
                logger.error("job maintenance failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
