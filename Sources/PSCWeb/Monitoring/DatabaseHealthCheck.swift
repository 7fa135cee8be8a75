import Foundation
import PSCCore
import PSCStore

/// `SELECT 1` on a reader and a `BEGIN IMMEDIATE` probe on the writer, timed (20-services §9.1).
public struct DatabaseHealthCheck: HealthCheck {
    public let name = "database"
    let store: Store
    static let walDegradedBytes: Int64 = 200 * 1024 * 1024

    public init(store: Store) { self.store = store }

    public func run() async -> HealthCheckResult {
        let clock = ContinuousClock()
        do {
            let readStart = clock.now
            try await store.probeRead()
            let readTime = clock.now - readStart
            let writeStart = clock.now
            try await store.probeWrite()
            let writeTime = clock.now - writeStart
            let slowest = max(readTime, writeTime)
            let walBytes = store.walBytes()
            let figures: [String: JSONValue] = [
                "read_ms": .string(Self.milliseconds(readTime)), "write_ms": .string(Self.milliseconds(writeTime)),
                "db_bytes": .int(store.databaseBytes()), "wal_bytes": .int(walBytes),
                "sqlite_version": .string(store.sqliteVersion),
            ]
            if slowest > .seconds(2) {
                return HealthCheckResult(status: .unhealthy, message: "database probes took over 2 s", figures: figures)
            }
            if slowest >= .milliseconds(250) {
                return HealthCheckResult(status: .degraded, message: "database probes are slow", figures: figures)
            }
            if walBytes > Self.walDegradedBytes {
                return HealthCheckResult(status: .degraded, message: "the write-ahead log is over 200 MB", figures: figures)
            }
            return HealthCheckResult(status: .healthy, message: "reads and writes answer", figures: figures)
        } catch {
            return HealthCheckResult(status: .unhealthy, message: "the database cannot be used: \(error)")
        }
    }

    static func milliseconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.3f", value)
    }
}
