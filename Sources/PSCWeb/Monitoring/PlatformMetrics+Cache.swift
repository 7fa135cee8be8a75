import Foundation
import PSCCore
import Prometheus
import Synchronization

/// Hits and lookups per minute for the last five minutes, for `pittstate_cache_hit_rate` (20-services §9.3).
struct CacheWindow {
    var minutes: [(minute: Int, hits: Int, lookups: Int)] = []

    mutating func record(hit: Bool, minute: Int) {
        minutes.removeAll { $0.minute <= minute - 5 }
        if let last = minutes.indices.last, minutes[last].minute == minute {
            minutes[last].hits += hit ? 1 : 0
            minutes[last].lookups += 1
        } else {
            minutes.append((minute, hit ? 1 : 0, 1))
        }
    }

    /// nil while there were no lookups in the window: no rate to report.
    var hitRate: Double? {
        let lookups = minutes.reduce(0) { $0 + $1.lookups }
        return lookups == 0 ? nil : Double(minutes.reduce(0) { $0 + $1.hits }) / Double(lookups)
    }
}

extension PlatformMetrics: CacheObserver {
    public func recordLookup(namespace: String, hit: Bool) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_cache_requests_total", help: "Cache lookups by namespace and result"),
            labels: [("namespace", namespace), ("result", hit ? "hit" : "miss")]
        ).increment()
        let minute = Int(Date().timeIntervalSince1970 / 60)
        if let rate = cacheWindowRecord(hit: hit, minute: minute) {
            registry.makeGauge(descriptor: Self.named("pittstate_cache_hit_rate", help: "Cache hit rate over the last 5 minutes")).set(rate)
        }
    }

    public func recordEviction(namespace: String) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_cache_evictions_total", help: "Cache evictions by namespace"),
            labels: [("namespace", namespace)]
        ).increment()
    }

    public func recordSize(bytes: Int, entries: Int) {
        registry.makeGauge(descriptor: Self.named("pittstate_cache_bytes", help: "Approximate bytes held by the cache")).set(Double(bytes))
    }
}
