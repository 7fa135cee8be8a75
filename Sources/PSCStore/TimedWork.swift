import Foundation
import GRDB
import Synchronization

/// A job a store queues at a time of its choosing, inside its own write: reminders, expiries, an announcement's
/// fan-out at its publication. The payload is the job's JSON text.
public struct TimedJob: Sendable, Equatable {
    public let kind: String
    public let uniqueKey: String
    public let runAt: Date
    public let payload: String
    public let priority: Int
    public let maxAttempts: Int

    public init(kind: String, uniqueKey: String, runAt: Date, payload: some Encodable, priority: Int = 0, maxAttempts: Int = 3) throws {
        self.kind = kind
        self.uniqueKey = uniqueKey
        self.runAt = runAt
        self.payload = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        self.priority = priority
        self.maxAttempts = maxAttempts
    }
}

/// How stores reach the job queue, which is built on the store and so installed by the composition root after both
/// exist (like the notification outbox). Scheduling and cancelling happen in the caller's transaction, so a job
/// exists exactly when the change that wants it committed. A store opened without it (the store tests) queues
/// nothing, and its tests run the jobs' work by hand.
public final class TimedWork: Sendable {
    public struct Wiring: Sendable {
        public var enqueue: @Sendable ([TimedJob], GRDB.Database) throws -> Void
        public var cancel: @Sendable ([String], GRDB.Database) throws -> Void

        public init(
            enqueue: @escaping @Sendable ([TimedJob], GRDB.Database) throws -> Void,
            cancel: @escaping @Sendable ([String], GRDB.Database) throws -> Void
        ) {
            (self.enqueue, self.cancel) = (enqueue, cancel)
        }
    }

    private let wiring = Mutex<Wiring?>(nil)

    public init() {}

    public func install(_ wiring: Wiring) { self.wiring.withLock { $0 = wiring } }

    func schedule(_ jobs: [TimedJob], in db: GRDB.Database) throws {
        guard !jobs.isEmpty, let wiring = wiring.withLock({ $0 }) else { return }
        try wiring.enqueue(jobs, db)
    }

    /// Cancels the waiting jobs holding these unique keys (running ones finish and re-check what they act on).
    func cancel(_ uniqueKeys: [String], in db: GRDB.Database) throws {
        guard !uniqueKeys.isEmpty, let wiring = wiring.withLock({ $0 }) else { return }
        try wiring.cancel(uniqueKeys, db)
    }
}
