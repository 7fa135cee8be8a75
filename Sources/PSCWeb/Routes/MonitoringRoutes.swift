import Foundation
import Hummingbird
import NIOCore
import PSCCore
import PSCJobs
import PSCStore

/// MON-1 (`/api/v1/health`) and MON-2 (`/metrics`).
struct MonitoringRoutes: FeatureRoutes {
    let health: HealthRegistry
    let metrics: PlatformMetrics
    let store: Store
    let allowFrom: [IPNetwork]
    let jobs: JobQueue?

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "MON-1", .get, "/api/v1/health", summary: "Platform health", tag: "Monitoring", limit: .own("60/min"),
                responses: [200: ("healthy or degraded", "Health"), 503: ("unhealthy", "Health")]),
            to: router
        ) { _, _ in
            let report = await health.report()
            // Anonymous callers get the status and time only (20-services §9.2); admins use `psc-admin health`.
            let body: JSONValue = [
                "status": .string(report.status.rawValue), "timestamp": .string(Timestamp.string(from: report.checkedAt)),
            ]
            return JSONResponse.make(body, status: report.status == .unhealthy ? .serviceUnavailable : .ok)
        }
        catalog.add(
            RouteSpec(
                id: "MON-2", .get, "/metrics", summary: "Prometheus metrics", tag: "Monitoring", limit: .none,
                responses: [200: ("Prometheus text format 0.0.4", nil), 403: ("source not allowed", "Error")]),
            to: router
        ) { _, context in
            guard let remote = context.remoteAddress, allowFrom.contains(where: { $0.contains(remote) }) else {
                throw APIError.forbidden("Metrics are served to the addresses in metrics.allow_from only.")
            }
            sampleFileSizes()
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

    func sampleFileSizes() {
        metrics.sqliteDatabaseBytes.set(Double(store.databaseBytes()))
        metrics.sqliteWALBytes.set(Double(store.walBytes()))
    }
}
