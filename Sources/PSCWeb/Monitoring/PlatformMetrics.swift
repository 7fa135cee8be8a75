import Foundation
import PSCCore
import PSCStore
import Prometheus
import Synchronization

/// The Prometheus metrics of 20-services §9.3 that the foundation feeds. One instance per server, passed in
/// explicitly so tests get their own registry.
public final class PlatformMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    public let requestsInFlight: Gauge
    public let sqliteDatabaseBytes: Gauge
    public let sqliteWALBytes: Gauge
    private let served = Atomic<Int>(0)
    /// Answers with a 5xx status since start-up, for the health page's error rate.
    private let failed = Atomic<Int>(0)

    static let requestBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(2.5), .milliseconds(5), .milliseconds(10), .milliseconds(25),
        .milliseconds(50), .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5),
        .seconds(5), .seconds(10),
    ]
    static let queryBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2.5),
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
        .milliseconds(250), .milliseconds(1000),
    ]

    public init() {
        registry = PrometheusCollectorRegistry()
        requestsInFlight = registry.makeGauge(descriptor: Self.named("pittstate_requests_in_flight", help: "HTTP requests being served"))
        sqliteDatabaseBytes = registry.makeGauge(descriptor: Self.named("pittstate_sqlite_db_bytes", help: "Size of the database file"))
        sqliteWALBytes = registry.makeGauge(descriptor: Self.named("pittstate_sqlite_wal_bytes", help: "Size of the write-ahead log"))
    }

    /// Set once the database is open and its SQLite version known.
    public func setBuildInfo(sqliteVersion: String) {
        registry.makeGauge(
            descriptor: Self.named("pittstate_build_info", help: "Build information (always 1)"),
            labels: [("version", BuildInfo.version), ("sqlite_version", sqliteVersion)]
        ).set(Double(1))
    }

    /// Creates at zero every labelled series whose labels are known at start-up, so dashboards and alert rules see
    /// them from the first scrape instead of from their first use: errors, jobs by kind, schedules by outcome and
    /// cache lookups by namespace.
    public func initialiseKnownSeries(jobKinds: [String], schedules: [String], cacheNamespaces: [String]) {
        // A counter is exported at zero as soon as it is made.
        for severity in ["error", "warning"] {
            _ = registry.makeCounter(
                descriptor: Self.named("pittstate_errors_total", help: "Server errors (every 5xx)"),
                labels: [("error_type", "internal"), ("severity", severity)])
        }
        for kind in jobKinds {
            _ = registry.makeCounter(
                descriptor: Self.named("pittstate_jobs_enqueued_total", help: "Jobs enqueued by kind"), labels: [("kind", kind)]
            )
            for outcome in ["succeeded", "retried", "dead"] {
                _ = registry.makeCounter(
                    descriptor: Self.named("pittstate_jobs_finished_total", help: "Job attempts finished by kind and outcome"),
                    labels: [("kind", kind), ("outcome", outcome)]
                )
            }
        }
        for schedule in schedules {
            for outcome in ["succeeded", "failed", "missed", "skipped_overlap", "paused"] {
                _ = registry.makeCounter(
                    descriptor: Self.named("pittstate_schedule_runs_total", help: "Schedule slots by outcome"),
                    labels: [("schedule", schedule), ("outcome", outcome)]
                )
            }
        }
        for namespace in cacheNamespaces {
            for result in ["hit", "miss"] {
                _ = registry.makeCounter(
                    descriptor: Self.named("pittstate_cache_requests_total", help: "Cache lookups by namespace and result"),
                    labels: [("namespace", namespace), ("result", result)]
                )
            }
            _ = registry.makeCounter(
                descriptor: Self.named("pittstate_cache_evictions_total", help: "Cache evictions by namespace"),
                labels: [("namespace", namespace)]
            )
        }
    }

    /// A full metric name as the spec writes it, with its help text.
    static func named(_ name: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }

    /// Total requests answered since start-up (`psc-admin status`).
    public var requestsServed: Int { served.load(ordering: .relaxed) }

    /// Requests answered and those answered with a server error since start-up (the health page).
    public func requestSummary() -> (total: Int, errors: Int) {
        (served.load(ordering: .relaxed), failed.load(ordering: .relaxed))
    }

    public func recordRequest(method: String, route: String, status: Int, duration: Duration) {
        served.add(1, ordering: .relaxed)
        if status >= 500 { failed.add(1, ordering: .relaxed) }
        registry.makeCounter(
            descriptor: Self.named("pittstate_requests_total", help: "HTTP requests by method, route template and status"),
            labels: [("method", method), ("route", route), ("status", String(status))]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.named("pittstate_request_duration_seconds", help: "HTTP request duration by route template"),
            labels: [("method", method), ("route", route)],
            buckets: Self.requestBuckets
        ).record(duration)
    }

    public func recordError(type: String, severity: String) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_errors_total", help: "Server errors (every 5xx)"),
            labels: [("error_type", type), ("severity", severity)]
        ).increment()
    }

    /// The database and WAL file sizes, sampled by a scrape and every 15 s by the server's sampler.
    public func sampleFileSizes(_ store: Store) {
        sqliteDatabaseBytes.set(Double(store.databaseBytes()))
        sqliteWALBytes.set(Double(store.walBytes()))
    }

    public func recordRateLimited(limit: String) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_rate_limited_total", help: "Requests refused by a rate limit, by limit"),
            labels: [("limit", limit)]
        ).increment()
    }

    public func recordQuery(kind: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.named("pittstate_db_query_duration_seconds", help: "Database read and write durations"),
            labels: [("kind", kind)],
            buckets: Self.queryBuckets
        ).record(duration)
    }

    public func setHealth(check: String, level: Int) {
        registry.makeGauge(
            descriptor: Self.named("pittstate_health_status", help: "Health by check: 0 healthy, 1 degraded, 2 unhealthy"),
            labels: [("check", check)]
        ).set(Double(level))
    }

    private let cacheWindow = Mutex(CacheWindow())

    func cacheWindowRecord(hit: Bool, minute: Int) -> Double? {
        cacheWindow.withLock { window in
            window.record(hit: hit, minute: minute)
            return window.hitRate
        }
    }

    /// Prometheus text format 0.0.4.
    public func exposition() -> [UInt8] { registry.emitToBuffer() }
}
