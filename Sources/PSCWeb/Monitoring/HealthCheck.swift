import Foundation
import PSCCore

/// The state of one check or of the whole platform (20-services §9.1, §9.2).
public enum HealthStatus: String, Sendable, Codable, Comparable {
    case healthy, degraded, unhealthy, unknown

    /// The `pittstate_health_status` gauge value; nil for unknown, which does not count.
    var level: Int? {
        switch self {
        case .healthy: 0
        case .degraded: 1
        case .unhealthy: 2
        case .unknown: nil
        }
    }

    public static func < (lhs: HealthStatus, rhs: HealthStatus) -> Bool { (lhs.level ?? -1) < (rhs.level ?? -1) }
}

/// What one check found, with the figures admins see.
public struct HealthCheckResult: Sendable {
    public var status: HealthStatus
    public var message: String
    public var figures: [String: JSONValue]

    public init(status: HealthStatus, message: String, figures: [String: JSONValue] = [:]) {
        self.status = status
        self.message = message
        self.figures = figures
    }

    public var json: JSONValue {
        var object = figures
        object["status"] = .string(status.rawValue)
        object["message"] = .string(message)
        return .object(object)
    }
}

/// A health check; features register theirs with the ``HealthRegistry``.
public protocol HealthCheck: Sendable {
    var name: String { get }
    func run() async -> HealthCheckResult
}
