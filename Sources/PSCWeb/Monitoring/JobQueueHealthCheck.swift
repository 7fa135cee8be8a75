import Foundation
import PSCCore
import PSCJobs

/// Queue lag against the thresholds of 20-services §9.1: under 60 s healthy in `deliveries` and `default`
/// (1 h in `maintenance`), up to 600 s (3 h) degraded, beyond that unhealthy; dead jobs in the last day also
/// degrade.
public struct JobQueueHealthCheck: HealthCheck {
    public let name = "job_queue"
    let queue: JobQueue
    let queues: [String]

    public init(queue: JobQueue, queues: [String]) {
        self.queue = queue
        self.queues = queues
    }

    static func limits(_ name: String) -> (degraded: Double, unhealthy: Double) {
        name == "maintenance" ? (3600, 3 * 3600) : (60, 600)
    }

    public func run() async -> HealthCheckResult {
        do {
            return try await Offload.run { try evaluate() }
        } catch {
            return HealthCheckResult(status: .unknown, message: "the queue could not be read: \(error)")
        }
    }

    private func evaluate() throws -> HealthCheckResult {
        var figures: [String: JSONValue] = [:]
        var lags: [String: JSONValue] = [:]
        var status = HealthStatus.healthy
        var reasons: [String] = []
        for name in queues {
            let lag = try queue.lagSeconds(queue: name)
            lags[name] = .string(String(format: "%.1f", lag))
            let limits = Self.limits(name)
            if lag > limits.unhealthy {
                status = .unhealthy
                reasons.append("\(name) is \(Int(lag)) s behind")
            } else if lag > limits.degraded {
                status = max(status, .degraded)
                reasons.append("\(name) is \(Int(lag)) s behind")
            }
        }
        figures["lag_seconds"] = .object(lags)
        let depth = try queue.depthByState()
        figures["available"] = .int(Int64(depth[.available] ?? 0))
        figures["running"] = .int(Int64(depth[.running] ?? 0))
        let dead = try queue.deadSince(Date().addingTimeInterval(-86400))
        figures["dead_24h"] = .int(Int64(dead))
        if dead > 0 {
            status = max(status, .degraded)
            reasons.append("\(dead) dead jobs in the last 24 h")
        }
        return HealthCheckResult(
            status: status, message: reasons.isEmpty ? "queues are keeping up" : reasons.joined(separator: "; "),
            figures: figures)
    }
}
