import Foundation
import Synchronization

/// The in-process cache that replaces Redis (ARCHITECTURE §4): least recently used first out, with a time to
/// live per entry, a byte budget (sizes are the caller's estimate) and an entry cap, namespaced so a write can
/// drop everything it affects with ``invalidate(namespace:)``. Never the source of truth: a restart empties it.
///
/// Thread-safe. Concurrent misses on one key run a single computation and share its result.
public final class LRUCache: Sendable {
    public struct Limits: Sendable {
        public var maxBytes: Int
        public var maxEntries: Int
        public init(maxBytes: Int, maxEntries: Int) {
            self.maxBytes = maxBytes
            self.maxEntries = maxEntries
        }
    }

    public struct Stats: Sendable, Equatable {
        public var entries: Int
        public var bytes: Int
        public var hits: Int
        public var misses: Int
        public var evictions: Int
    }

    struct Key: Hashable, Sendable {
        let namespace: String
        let key: String
    }

    /// One value, linked to its neighbours in recency order through their keys.
    struct Entry {
        var value: any Sendable
        var bytes: Int
        var expiresAt: Double?
        var newer: Key?
        var older: Key?
    }

    struct State {
        var entries: [Key: Entry] = [:]
        var newest: Key?
        var oldest: Key?
        var bytes = 0
        var stats = Stats(entries: 0, bytes: 0, hits: 0, misses: 0, evictions: 0)
        var inFlight: [Key: Task<any Sendable, any Error>] = [:]
        /// Bumped by invalidation so a computation that started before it does not store a stale value.
        var generations: [String: Int] = [:]
    }

    private let state = Mutex(State())
    private let limits: Limits
    private let clock: @Sendable () -> Double
    private let observer: (any CacheObserver)?

    /// `clock` returns monotonic seconds; tests pass their own.
    public init(limits: Limits, observer: (any CacheObserver)? = nil, clock: @escaping @Sendable () -> Double = LRUCache.monotonicSeconds) {
        self.limits = limits
        self.observer = observer
        self.clock = clock
    }

    public static func monotonicSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
    }

    /// The cached value, or nil (a miss) when absent, expired or of another type.
    public func value<Value: Sendable>(_ type: Value.Type, namespace: String, key: String) -> Value? {
        let found: Value? = state.withLock { state in
            let value = lookup(Key(namespace: namespace, key: key), in: &state) as? Value
            if value == nil { state.stats.misses += 1 }
            return value
        }
        observer?.recordLookup(namespace: namespace, hit: found != nil)
        return found
    }

    /// Stores a value; `bytes` is the caller's estimate of its size, `ttl` in seconds (nil: until evicted or
    /// invalidated). A value larger than the whole budget is not stored.
    public func store(_ value: some Sendable, bytes: Int, ttl: Double?, namespace: String, key: String) {
        let (evicted, size) = state.withLock { state in
            insert(value, bytes: bytes, ttl: ttl, key: Key(namespace: namespace, key: key), in: &state)
        }
        report(evicted: evicted, size: size)
    }

    /// The cached value, or the result of `compute`, stored with its size and TTL. Concurrent callers that miss
    /// on the same key wait for the one computation instead of each running it.
    public func value<Value: Sendable>(
        namespace: String, key: String, ttl: Double?,
        compute: @escaping @Sendable () async throws -> (value: Value, bytes: Int)
    ) async throws -> Value {
        let cacheKey = Key(namespace: namespace, key: key)
        // Either a hit, or the computation to wait for (started here when no one else has).
        let (hit, computation): (Value?, Task<any Sendable, any Error>?) = state.withLock { locked in
            if let value = lookup(cacheKey, in: &locked) as? Value { return (value, nil) }
            locked.stats.misses += 1
            if let running = locked.inFlight[cacheKey] { return (nil, running) }
            let task = startComputation(cacheKey, ttl: ttl, generation: locked.generations[namespace, default: 0], compute: compute)
            locked.inFlight[cacheKey] = task
            return (nil, task)
        }
        observer?.recordLookup(namespace: namespace, hit: hit != nil)
        if let hit { return hit }
        guard let value = try await computation?.value as? Value else {
            throw CacheTypeMismatch(namespace: namespace, key: key)
        }
        return value
    }

    private func startComputation<Value: Sendable>(
        _ key: Key, ttl: Double?, generation: Int,
        compute: @escaping @Sendable () async throws -> (value: Value, bytes: Int)
    ) -> Task<any Sendable, any Error> {
        Task { [self] in
            defer { _ = state.withLock { $0.inFlight.removeValue(forKey: key) } }
            let (value, bytes) = try await compute()
            let (evicted, size) = state.withLock { locked -> ([String], (Int, Int)?) in
                guard locked.generations[key.namespace, default: 0] == generation else { return ([], nil) }
                return insert(value, bytes: bytes, ttl: ttl, key: key, in: &locked)
            }
            report(evicted: evicted, size: size)
            return value
        }
    }

    /// Drops every entry of the namespace, synchronously, before the caller's write is answered.
    public func invalidate(namespace: String) {
        let size = state.withLock { state -> (Int, Int) in
            state.generations[namespace, default: 0] += 1
            for key in state.entries.keys where key.namespace == namespace { remove(key, in: &state) }
            return (state.bytes, state.entries.count)
        }
        observer?.recordSize(bytes: size.0, entries: size.1)
    }

    /// Drops everything.
    public func removeAll() {
        state.withLock { state in
            for namespace in Set(state.entries.keys.map(\.namespace)) { state.generations[namespace, default: 0] += 1 }
            state.entries.removeAll()
            state.newest = nil
            state.oldest = nil
            state.bytes = 0
        }
        observer?.recordSize(bytes: 0, entries: 0)
    }

    public var stats: Stats {
        state.withLock { state in
            var stats = state.stats
            stats.entries = state.entries.count
            stats.bytes = state.bytes
            return stats
        }
    }

    // MARK: - Under the lock

    private func lookup(_ key: Key, in state: inout State) -> (any Sendable)? {
        guard let entry = state.entries[key] else { return nil }
        if let expiresAt = entry.expiresAt, expiresAt <= clock() {
            remove(key, in: &state)
            return nil
        }
        state.stats.hits += 1
        moveToFront(key, in: &state)
        return entry.value
    }

    private func insert(_ value: any Sendable, bytes: Int, ttl: Double?, key: Key, in state: inout State) -> ([String], (Int, Int)?) {
        if state.entries[key] != nil { remove(key, in: &state) }
        guard bytes <= limits.maxBytes, limits.maxEntries > 0 else { return ([], (state.bytes, state.entries.count)) }
        var evicted: [String] = []
        while let oldest = state.oldest, state.bytes + bytes > limits.maxBytes || state.entries.count >= limits.maxEntries {
            evicted.append(oldest.namespace)
            remove(oldest, in: &state)
            state.stats.evictions += 1
        }
        state.entries[key] = Entry(value: value, bytes: bytes, expiresAt: ttl.map { clock() + $0 }, newer: nil, older: state.newest)
        if let previous = state.newest { state.entries[previous]?.newer = key }
        state.newest = key
        if state.oldest == nil { state.oldest = key }
        state.bytes += bytes
        return (evicted, (state.bytes, state.entries.count))
    }

    private func remove(_ key: Key, in state: inout State) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        if let newer = entry.newer { state.entries[newer]?.older = entry.older } else { state.newest = entry.older }
        if let older = entry.older { state.entries[older]?.newer = entry.newer } else { state.oldest = entry.newer }
        state.bytes -= entry.bytes
    }

    private func moveToFront(_ key: Key, in state: inout State) {
        guard state.newest != key, let entry = state.entries[key] else { return }
        if let newer = entry.newer { state.entries[newer]?.older = entry.older }
        if let older = entry.older { state.entries[older]?.newer = entry.newer } else { state.oldest = entry.newer }
        state.entries[key]?.older = state.newest
        state.entries[key]?.newer = nil
        if let previous = state.newest { state.entries[previous]?.newer = key }
        state.newest = key
    }

    private func report(evicted: [String], size: (Int, Int)?) {
        for namespace in evicted { observer?.recordEviction(namespace: namespace) }
        if let size { observer?.recordSize(bytes: size.0, entries: size.1) }
    }
}

/// Two callers used one key for values of different types: a programming error, reported rather than crashing.
public struct CacheTypeMismatch: Error, CustomStringConvertible {
    public let namespace: String
    public let key: String
    public var description: String { "cache entry \(namespace)/\(key) holds another type" }
}
