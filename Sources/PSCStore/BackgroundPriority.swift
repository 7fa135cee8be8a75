import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Runs work that may take seconds of CPU (a backup's copy, integrity check and checksum) on a thread of its own at
/// the lowest scheduling priority, so the threads answering requests and committing writes are served first on a
/// two-core VM. Linux applies `setpriority` to the calling thread alone; the thread ends with the work, so nothing
/// has to raise its priority again (which an unprivileged service could not do).
enum BackgroundPriority {
    /// Nice 10 weighs about a tenth of a normal thread: the work yields to requests under load yet still finishes
    /// (at 19 a busy server could hold a backup's read snapshot, and so the WAL, open for minutes).
    static let niceness: Int32 = 10

    /// The kernel's id of the calling thread, from `/proc/thread-self` (`<pid>/task/<tid>`); Glibc's `gettid` is not
    /// visible to Swift.
    static func threadID() -> id_t? {
        var buffer = [CChar](repeating: 0, count: 64)
        let count = readlink("/proc/thread-self", &buffer, buffer.count - 1)
        guard count > 0 else { return nil }
        let text = String(decoding: buffer.prefix(count).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return text.split(separator: "/").last.flatMap { id_t($0) }
    }

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) throws -> T {
        let outcome = Mutex<Result<T, any Error>?>(nil)
        let finished = DispatchSemaphore(value: 0)
        let thread = Thread {
            #if canImport(Glibc)
                if let thread = Self.threadID() { _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), thread, Self.niceness) }
            #endif
            let result = Result { try body() }
            outcome.withLock { $0 = result }
            finished.signal()
        }
        thread.name = "psc-backup"
        thread.start()
        finished.wait()
        guard let result = outcome.withLock({ $0 }) else { throw CancellationError() }
        return try result.get()
    }
}
