import Foundation
import Synchronization

/// Wakes idle workers at once when a job is enqueued, instead of making them poll (30-jobs §1). A wait also
/// ends by itself after its timeout, so future `run_at` times are noticed.
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [UUID: CheckedContinuation<Void, Never>] = [:]
        /// Timeouts that fired before their waiter registered.
        var expired: Set<UUID> = []
        /// Set at shutdown: every wait, now or later, returns at once.
        var closed = false
    }

    private let state = Mutex(State())

    /// Wakes every waiting worker; when none waits, the next wait returns at once.
    func notify() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            if state.waiters.isEmpty { state.pending = true }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Wakes every waiter and makes later waits return at once. A plain notify reaches only the workers waiting
    /// at that instant; one about to wait would sleep a whole idle period through a shutdown.
    func close() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.closed = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    func wait(timeout: Duration) async {
        let id = UUID()
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            expire(id)
        }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { state -> Bool in
                if state.closed || state.pending || state.expired.remove(id) != nil {
                    state.pending = false
                    return true
                }
                state.waiters[id] = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
        timer.cancel()
    }

    private func expire(_ id: UUID) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiters.removeValue(forKey: id) { return waiter }
            state.expired.insert(id)
            return nil
        }
        waiter?.resume()
    }
}
