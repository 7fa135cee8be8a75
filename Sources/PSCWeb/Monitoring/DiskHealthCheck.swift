import Foundation
import PSCCore
import PSCStore

/// Free space in the data directory against the database size (20-services §9.1).
public struct DiskHealthCheck: HealthCheck {
    public let name = "disk"
    let directory: String
    let store: Store

    public init(directory: String, store: Store) {
        self.directory = directory
        self.store = store
    }

    public func run() async -> HealthCheckResult {
        var info = statvfs()
        guard statvfs(directory, &info) == 0, info.f_blocks > 0 else {
            return HealthCheckResult(status: .unknown, message: "cannot read file-system figures for \(directory)")
        }
        let blockSize = Int64(info.f_frsize)
        let total = Int64(info.f_blocks) * blockSize
        let free = Int64(info.f_bavail) * blockSize
        let used = total - Int64(info.f_bfree) * blockSize
        let usedPercent = Double(used) / Double(total) * 100
        let databaseBytes = store.databaseBytes() + store.walBytes()
        let figures: [String: JSONValue] = [
            "used_percent": .string(String(format: "%.1f", usedPercent)), "free_bytes": .int(free),
        ]
        if usedPercent > 90 || free < 1 << 30 {
            return HealthCheckResult(status: .unhealthy, message: "the data directory's disk is nearly full", figures: figures)
        }
        if usedPercent >= 80 || free < 2 * databaseBytes {
            return HealthCheckResult(status: .degraded, message: "the data directory's disk is filling up", figures: figures)
        }
        return HealthCheckResult(status: .healthy, message: "enough free space", figures: figures)
    }
}
