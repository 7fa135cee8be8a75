import Foundation
import PSCCore
import Synchronization

/// Runs the registered checks at most every 10 s and reuses the results in between (20-services §9.1).
public final class HealthRegistry: Sendable {
    public struct Report: Sendable {
        public let status: HealthStatus
        public let checkedAt: Date
        public let checks: [(name: String, result: HealthCheckResult)]
    }

    private let checks: Mutex<[any HealthCheck]>
    private let cached = Mutex<Report?>(nil)
    /// The run in progress, shared by callers that arrive while it runs.
    private let running = Mutex<Task<Report, Never>?>(nil)
    private let metrics: PlatformMetrics?
    private let maximumAge: Duration
    private let clock: @Sendable () -> Date

    public init(
        checks: [any HealthCheck] = [], metrics: PlatformMetrics? = nil, maximumAge: Duration = .seconds(10),
        clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.checks = Mutex(checks)
        self.metrics = metrics
        self.maximumAge = maximumAge
        self.clock = clock
    }

    public func register(_ check: any HealthCheck) {
        checks.withLock { $0.append(check) }
        cached.withLock { $0 = nil }
    }

    /// The latest report, running the checks when the cached one is older than the maximum age.
    public func report() async -> Report {
        let now = clock()
        let ageLimit = Double(maximumAge.components.seconds) + Double(maximumAge.components.attoseconds) / 1e18
        if let report = cached.withLock({ $0 }), now.timeIntervalSince(report.checkedAt) < ageLimit { return report }
        let task = running.withLock { running -> Task<Report, Never> in
            if let running { return running }
            let task = Task { await self.runChecks(at: now) }
            running = task
            return task
        }
        let report = await task.value
        running.withLock { if $0 == task { $0 = nil } }
        return report
    }

    private func runChecks(at now: Date) async -> Report {
        let current = checks.withLock { $0 }
        var results: [(String, HealthCheckResult)] = []
        for check in current { results.append((check.name, await check.run())) }
        let counted = results.map(\.1.status).filter { $0 != .unknown }
        let status: HealthStatus =
            counted.contains(.unhealthy) ? .unhealthy : counted.contains(.degraded) ? .degraded : .healthy
        for (name, result) in results {
            if let level = result.status.level { metrics?.setHealth(check: name, level: level) }
        }
        let report = Report(status: status, checkedAt: now, checks: results)
        cached.withLock { $0 = report }
        return report
    }
}
