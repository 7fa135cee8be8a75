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

    /// One value. The value and its limits never change; the recency links change only under the write lock,
    /// and `referenced` is set by readers under the read lock.
    final class Entry: @unchecked Sendable {
        let value: any Sendable
        let bytes: Int
        let expiresAt: Double?
        var newer: Key?
        var older: Key?
        /// Read since it last moved to the front: it gets a second chance instead of being evicted.
        let referenced = Atomic<Bool>(false)

        init(value: any Sendable, bytes: Int, expiresAt: Double?, older: Key?) {
            self.value = value
            self.bytes = bytes
            self.expiresAt = expiresAt
            self.older = older
        }
    }

    /// Everything the lock guards.
    final class State: @unchecked Sendable {
        var entries: [Key: Entry] = [:]
        var newest: Key?
        var oldest: Key?
        var bytes = 0
        var evictions = 0
        var inFlight: [Key: Task<any Sendable, any Error>] = [:]
        /// Bumped by invalidation so a computation that started before it does not store a stale value.
        var generations: [String: Int] = [:]
    }

    // Reads take the lock shared and only flag the entry as used; evictions give flagged entries a second chance
    // (the CLOCK approximation of LRU). A mutex with a move to the front on every read held two threads reading
    // one hot key to 2–4 million reads/s; see docs/PERFORMANCE.md.
    private let lock = ReadWriteLock()
    private let state = State()
    private let hits = StripedCounter()
    private let misses = StripedCounter()
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
        let found = lookup(Key(namespace: namespace, key: key)) as? Value
        count(hit: found != nil)
        observer?.recordLookup(namespace: namespace, hit: found != nil)
        return found
    }

    /// Stores a value; `bytes` is the caller's estimate of its size, `ttl` in seconds (nil: until evicted or
    /// invalidated). A value larger than the whole budget is not stored.
    public func store(_ value: some Sendable, bytes: Int, ttl: Double?, namespace: String, key: String) {
        let (evicted, size) = lock.withWriteLock {
            insert(value, bytes: bytes, ttl: ttl, key: Key(namespace: namespace, key: key))
        }
        report(evicted: evicted, size: size)
    }

    /// The cached value, or the result of `compute`, stored with its size and TTL. Concurrent callers that miss
    /// on the same key wait for the one computation instead of each running it.
    public func value<Value: Sendable>(
        namespace: String, key: String, ttl: Double?,
        compute: @escaping @Sendable () async throws -> (value: Value, bytes: Int)
    ) async throws -> Value {
        try await value(namespace: namespace, key: key) {
            let (value, bytes) = try await compute()
            return (value, bytes, ttl)
        }
    }

    /// As ``value(namespace:key:ttl:compute:)``, with the TTL decided by the computation: a hit costs nothing to
    /// decide it (an answer whose lifetime depends on the data it was built from).
    public func value<Value: Sendable>(
        namespace: String, key: String, compute: @escaping @Sendable () async throws -> (value: Value, bytes: Int, ttl: Double?)
    ) async throws -> Value {
        let cacheKey = Key(namespace: namespace, key: key)
        if let hit = lookup(cacheKey) as? Value {
            count(hit: true)
            observer?.recordLookup(namespace: namespace, hit: true)
            return hit
        }
        // A miss: join the computation already running for the key, or start it. The lookup is repeated under
        // the write lock, since another caller may have stored the value in between.
        let (hit, computation): (Value?, Task<any Sendable, any Error>?) = lock.withWriteLock {
            if let entry = state.entries[cacheKey], !isExpired(entry), let value = entry.value as? Value { return (value, nil) }
            if let running = state.inFlight[cacheKey] { return (nil, running) }
            let task = startComputation(cacheKey, generation: state.generations[namespace, default: 0], compute: compute)
            state.inFlight[cacheKey] = task
            return (nil, task)
        }
        count(hit: hit != nil)
        observer?.recordLookup(namespace: namespace, hit: hit != nil)
        if let hit { return hit }
        guard let value = try await computation?.value as? Value else {
            throw CacheTypeMismatch(namespace: namespace, key: key)
        }
        return value
    }

    private func startComputation<Value: Sendable>(
        _ key: Key, generation: Int, compute: @escaping @Sendable () async throws -> (value: Value, bytes: Int, ttl: Double?)
    ) -> Task<any Sendable, any Error> {
        Task { [self] in
            defer { _ = lock.withWriteLock { state.inFlight.removeValue(forKey: key) } }
            let (value, bytes, ttl) = try await compute()
            let (evicted, size) = lock.withWriteLock { () -> ([String], (Int, Int)?) in
                guard state.generations[key.namespace, default: 0] == generation else { return ([], nil) }
                return insert(value, bytes: bytes, ttl: ttl, key: key)
            }
            report(evicted: evicted, size: size)
            return value
        }
    }

    /// Drops every entry of the namespace, synchronously, before the caller's write is answered.
    public func invalidate(namespace: String) {
        let size = lock.withWriteLock { () -> (Int, Int) in
            state.generations[namespace, default: 0] += 1
            for key in state.entries.keys where key.namespace == namespace { remove(key) }
            return (state.bytes, state.entries.count)
        }
        observer?.recordSize(bytes: size.0, entries: size.1)
    }

    /// Drops everything.
    public func removeAll() {
        lock.withWriteLock {
            for namespace in Set(state.entries.keys.map(\.namespace)) { state.generations[namespace, default: 0] += 1 }
            state.entries.removeAll()
            state.newest = nil
            state.oldest = nil
            state.bytes = 0
        }
        observer?.recordSize(bytes: 0, entries: 0)
    }

    public var stats: Stats {
        let (entries, bytes, evictions) = lock.withReadLock { (state.entries.count, state.bytes, state.evictions) }
        return Stats(
            entries: entries, bytes: bytes, hits: hits.value, misses: misses.value,
            evictions: evictions)
    }

    // MARK: - Locking inside

    /// The value of a live entry, flagged as used; an expired entry is removed under the write lock.
    private func lookup(_ key: Key) -> (any Sendable)? {
        let found: Entry? = lock.withReadLock {
            guard let entry = state.entries[key] else { return nil }
            // Written only when it changes: two threads writing one flag would fight over its cache line.
            if !entry.referenced.load(ordering: .relaxed) { entry.referenced.store(true, ordering: .relaxed) }
            return entry
        }
        guard let found else { return nil }
        if isExpired(found) {
            lock.withWriteLock { if state.entries[key] === found { remove(key) } }
            return nil
        }
        return found.value
    }

    private func count(hit: Bool) {
        (hit ? hits : misses).add(1)
    }

    private func isExpired(_ entry: Entry) -> Bool {
        guard let expiresAt = entry.expiresAt else { return false }
        return expiresAt <= clock()
    }

    // MARK: - Under the write lock

    private func insert(_ value: any Sendable, bytes: Int, ttl: Double?, key: Key) -> ([String], (Int, Int)?) {
        if state.entries[key] != nil { remove(key) }
        guard bytes <= limits.maxBytes, limits.maxEntries > 0 else { return ([], (state.bytes, state.entries.count)) }
        var evicted: [String] = []
        while let oldest = state.oldest, state.bytes + bytes > limits.maxBytes || state.entries.count >= limits.maxEntries {
            if let entry = state.entries[oldest], entry.referenced.load(ordering: .relaxed), state.entries.count > 1 {
                // Read since it last moved: a second chance at the front. Each entry gets at most one per pass,
                // so the loop ends.
                entry.referenced.store(false, ordering: .relaxed)
                moveToFront(oldest)
                continue
            }
            evicted.append(oldest.namespace)
            remove(oldest)
            state.evictions += 1
        }
        state.entries[key] = Entry(value: value, bytes: bytes, expiresAt: ttl.map { clock() + $0 }, older: state.newest)
        if let previous = state.newest { state.entries[previous]?.newer = key }
        state.newest = key
        if state.oldest == nil { state.oldest = key }
        state.bytes += bytes
        return (evicted, (state.bytes, state.entries.count))
    }

    private func remove(_ key: Key) {
        guard let entry = state.entries.removeValue(forKey: key) else { return }
        if let newer = entry.newer { state.entries[newer]?.older = entry.older } else { state.newest = entry.older }
        if let older = entry.older { state.entries[older]?.newer = entry.newer } else { state.oldest = entry.newer }
        state.bytes -= entry.bytes
    }

    private func moveToFront(_ key: Key) {
        guard state.newest != key, let entry = state.entries[key] else { return }
        if let newer = entry.newer { state.entries[newer]?.older = entry.older }
        if let older = entry.older { state.entries[older]?.newer = entry.newer } else { state.oldest = entry.newer }
        entry.older = state.newest
        entry.newer = nil
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
