import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A few threads of lower scheduling priority (nice 5) for the job queue's heavy work: a broadcast's chunk or a
/// run of deliveries then yields the CPU to requests on a small campus VM instead of sharing it evenly. Dispatch
/// queues cannot be niced per thread on Linux, and a thread niced once could not be raised again without privilege,
/// so these threads are the project's own and stay low for their life.
public final class BackgroundThreads: Sendable {
    public static let shared = BackgroundThreads(count: 2, nice: 5)

    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let ready = DispatchSemaphore(value: 0)

    init(count: Int, nice: Int32) {
        for index in 0..<count {
            let thread = Thread { [self] in
                #if canImport(Glibc)
                    // On Linux, PRIO_PROCESS with 0 names the calling thread alone. Best effort: without it the work
                    // still runs, at normal priority.
                    _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice)
                #endif
                while true {
                    ready.wait()
                    if let work = pending.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { work() }
                }
            }
            thread.name = "psc-background-\(index)"
            thread.start()
        }
    }

    func submit(_ work: @escaping @Sendable () -> Void) {
        pending.withLock { $0.append(work) }
        ready.signal()
    }
}

extension Offload {
    /// As ``run(_:)``, on the low-priority background threads: for background jobs, never for a request.
    public static func background<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            BackgroundThreads.shared.submit { continuation.resume(with: Result { try work() }) }
        }
    }
}
