import Foundation
import Hummingbird
import NIOCore
import PSCCore
import PSCJobs
import PSCStore

/// MON-1 (`/api/v1/health`, also `/health`) and MON-2 (`/metrics`).
struct MonitoringRoutes: FeatureRoutes {
    let health: HealthRegistry
    let metrics: PlatformMetrics
    let store: Store
    let allowFrom: [IPNetwork]
    let jobs: JobQueue?
    let startedAt: Date

    /// Admins and `metrics:read` tokens see the checks with their figures (10-api MON-1, MON-2).
    static func mayReadDetail(_ context: AppRequestContext) -> Bool {
        guard let identity = context.identity, identity.user.status == .active else { return false }
        if let token = identity.token {
            return token.scopes.contains("metrics:read") || token.scopes.contains("admin") && identity.user.role == .admin
        }
        return identity.user.role == .admin && !identity.mustEnrolTwoFactor
    }

    static func detailed(_ report: HealthRegistry.Report, startedAt: Date) -> JSONValue {
        [
            "status": .string(report.status.rawValue), "timestamp": .string(Timestamp.string(from: report.checkedAt)),
            "uptime_seconds": .int(Int64(Date().timeIntervalSince(startedAt))), "version": .string(BuildInfo.version),
            "checks": .object(Dictionary(uniqueKeysWithValues: report.checks.map { ($0.name, $0.result.json) })),
        ]
    }

    static func detailed(_ report: HealthRegistry.Report, platform: Platform) -> JSONValue {
        detailed(report, startedAt: platform.startedAt)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let startedAt = startedAt
        for path in ["/api/v1/health", "/health"] {
            catalog.add(
                RouteSpec(
                    id: "MON-1", .get, path, summary: "Platform health", tag: "Monitoring", limit: .own("60/min"),
                    responses: [200: ("healthy or degraded", "Health"), 503: ("unhealthy", "Health")]),
                to: router
            ) { _, context in
                let report = await health.report()
                // Anonymous callers get the status and time only (20-services §9.2); admins and metrics tokens the checks.
                let body: JSONValue =
                    Self.mayReadDetail(context)
                    ? Self.detailed(report, startedAt: startedAt)
                    : ["status": .string(report.status.rawValue), "timestamp": .string(Timestamp.string(from: report.checkedAt))]
                return JSONResponse.make(body, status: report.status == .unhealthy ? .serviceUnavailable : .ok)
            }
        }
        catalog.add(
            RouteSpec(
                id: "MON-2", .get, "/metrics", summary: "Prometheus metrics", tag: "Monitoring", limit: .none,
                responses: [200: ("Prometheus text format 0.0.4", nil), 403: ("source not allowed", "Error")]),
            to: router
        ) { _, context in
            let allowed = context.remoteAddress.map { remote in allowFrom.contains(where: { $0.contains(remote) }) } ?? false
            guard allowed || Self.mayReadDetail(context) else {
                throw APIError.forbidden("Metrics are served to metrics.allow_from, admins and metrics:read tokens only.")
            }
            metrics.sampleFileSizes(store)
            // The health gauges are set by the checks, which run at most every 10 s: a scrape refreshes them, so
            // PscUnhealthy fires even when nobody asks /health.
            _ = await health.report()
            if let jobs {
                let metrics = metrics
                try await Offload.run { metrics.sampleQueue(jobs, queues: JobWorkers.Configuration.standard.concurrency.keys.sorted()) }
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/plain; version=0.0.4; charset=utf-8"
            headers[.cacheControl] = "no-store"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: metrics.exposition())))
        }
    }
}
