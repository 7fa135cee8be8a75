/// Receives the cache's counts, so the metrics layer can export them without the cache knowing Prometheus.
public protocol CacheObserver: Sendable {
    func recordLookup(namespace: String, hit: Bool)
    func recordEviction(namespace: String)
    func recordSize(bytes: Int, entries: Int)
}
