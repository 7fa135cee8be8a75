import Foundation
import PSCCore
import Synchronization

/// The process's CPU share, sampled in the background every 15 s (10-api MON-3), and its resident memory. Read from
/// `/proc/self`; where that is missing the figures are nil, never a guess.
public final class ProcessSampler: Sendable {
    private struct Sample {
        var cpuSeconds: Double
        var at: Date
        var percent: Double?
    }
    private let last = Mutex<Sample?>(nil)

    public init() {}

    /// The CPU share of the last 15-second window (100 = one core busy), nil before two samples.
    public var cpuPercent: Double? { last.withLock { $0?.percent } }

    /// Takes one sample; the server's sampler service calls it every 15 s.
    public func sample(now: Date = Date()) {
        guard let seconds = Self.cpuSeconds() else { return }
        last.withLock { previous in
            var next = Sample(cpuSeconds: seconds, at: now, percent: previous?.percent)
            if let previous, now.timeIntervalSince(previous.at) > 0 {
                next.percent = max(0, (seconds - previous.cpuSeconds) / now.timeIntervalSince(previous.at) * 100)
            }
            previous = next
        }
    }

    /// User and system time of this process, from `/proc/self/stat` (fields 14 and 15, in clock ticks).
    static func cpuSeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3, so utime (14) and stime (15) sit at offsets 11 and 12.
        guard fields.count > 12, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        return ticks > 0 ? (user + system) / ticks : nil
    }

    /// Resident memory in bytes, from `/proc/self/statm`.
    public static func residentBytes() -> Int64? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int64(fields[1]) else { return nil }
        return pages * Int64(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// The memory the process may use: the cgroup limit when one is set, else the machine's memory.
    public static func memoryLimitBytes() -> Int64? {
        for file in ["/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"] {
            if let text = try? String(contentsOfFile: file, encoding: .utf8),
                let value = Int64(text.trimmingCharacters(in: .whitespacesAndNewlines)), value > 0, value < Int64(1) << 60
            {
                return value
            }
        }
        let physical = ProcessInfo.processInfo.physicalMemory
        return physical > 0 ? Int64(physical) : nil
    }
}

/// Resident memory against the limit (20-services §9.1): below 80% healthy, to 90% degraded, beyond unhealthy.
public struct MemoryHealthCheck: HealthCheck {
    public let name = "memory"
    public init() {}

    public func run() async -> HealthCheckResult {
        guard let rss = ProcessSampler.residentBytes(), let limit = ProcessSampler.memoryLimitBytes() else {
            return HealthCheckResult(status: .unknown, message: "memory figures cannot be read on this system")
        }
        let share = Double(rss) / Double(limit) * 100
        let figures: [String: JSONValue] = ["rss_bytes": .int(rss), "limit_bytes": .int(limit)]
        if share > 90 { return HealthCheckResult(status: .unhealthy, message: "memory is nearly exhausted", figures: figures) }
        if share >= 80 { return HealthCheckResult(status: .degraded, message: "memory use is high", figures: figures) }
        return HealthCheckResult(status: .healthy, message: String(format: "%.1f%% of the limit in use", share), figures: figures)
    }
}

/// The response cache (20-services §9.1): degraded above 100 evictions a second over five minutes, never unhealthy.
public final class CacheHealthCheck: HealthCheck {
    public let name = "cache"
    let cache: LRUCache
    /// Eviction counts seen by earlier runs, oldest first, for the five-minute rate.
    private let history = Mutex<[(at: Date, evictions: Int)]>([])

    public init(cache: LRUCache) { self.cache = cache }

    public func run() async -> HealthCheckResult {
        let stats = cache.stats
        let now = Date()
        let rate: Double? = history.withLock { samples in
            samples.append((now, stats.evictions))
            samples.removeAll { now.timeIntervalSince($0.at) > 300 }
            guard let oldest = samples.first, now.timeIntervalSince(oldest.at) >= 1 else { return nil }
            return Double(stats.evictions - oldest.evictions) / now.timeIntervalSince(oldest.at)
        }
        let lookups = stats.hits + stats.misses
        let figures: [String: JSONValue] = [
            "entries": .int(Int64(stats.entries)), "bytes": .int(Int64(stats.bytes)),
            "hit_rate": lookups == 0 ? .null : .string(String(format: "%.3f", Double(stats.hits) / Double(lookups))),
        ]
        if let rate, rate > 100 {
            return HealthCheckResult(
                status: .degraded, message: String(format: "%.0f evictions a second: the cache is too small", rate), figures: figures)
        }
        return HealthCheckResult(status: .healthy, message: "within its budget", figures: figures)
    }
}
