import Dispatch
import Synchronization
import Testing

@testable import PSCCore

@Suite("LRU cache")
struct LRUCacheTests {
    final class ManualClock: Sendable {
        let seconds = Mutex<Double>(1000)
        func advance(_ by: Double) { seconds.withLock { $0 += by } }
        var read: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    final class Counter: Sendable {
        let count = Mutex(0)
    }

    @Test("the least recently used entry goes first when the entry cap is reached")
    func evictsByCount() {
        let cache = LRUCache(limits: .init(maxBytes: 1_000, maxEntries: 2))
        cache.store("a", bytes: 1, ttl: nil, namespace: "n", key: "a")
        cache.store("b", bytes: 1, ttl: nil, namespace: "n", key: "b")
        #expect(cache.value(String.self, namespace: "n", key: "a") == "a")
        cache.store("c", bytes: 1, ttl: nil, namespace: "n", key: "c")
        #expect(cache.value(String.self, namespace: "n", key: "b") == nil, "b was the least recently used")
        #expect(cache.value(String.self, namespace: "n", key: "a") == "a")
        #expect(cache.value(String.self, namespace: "n", key: "c") == "c")
        #expect(cache.stats.evictions == 1)
        #expect(cache.stats.entries == 2)
    }

    @Test("entries are evicted until the byte budget holds; a value over the whole budget is not kept")
    func evictsByBytes() {
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 100))
        cache.store("a", bytes: 40, ttl: nil, namespace: "n", key: "a")
        cache.store("b", bytes: 40, ttl: nil, namespace: "n", key: "b")
        cache.store("c", bytes: 40, ttl: nil, namespace: "n", key: "c")
        #expect(cache.value(String.self, namespace: "n", key: "a") == nil)
        #expect(cache.stats.bytes == 80)
        cache.store("huge", bytes: 101, ttl: nil, namespace: "n", key: "huge")
        #expect(cache.value(String.self, namespace: "n", key: "huge") == nil)
        #expect(cache.stats.bytes == 80)
        cache.store("b2", bytes: 10, ttl: nil, namespace: "n", key: "b")
        #expect(cache.stats.bytes == 50, "replacing a key releases its old size")
    }

    @Test("an entry expires after its time to live")
    func timeToLive() {
        let clock = ManualClock()
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10), clock: clock.read)
        cache.store("x", bytes: 1, ttl: 60, namespace: "n", key: "k")
        clock.advance(59.9)
        #expect(cache.value(String.self, namespace: "n", key: "k") == "x")
        clock.advance(0.2)
        #expect(cache.value(String.self, namespace: "n", key: "k") == nil)
        #expect(cache.stats.entries == 0)
    }

    @Test("a computation may decide its own time to live; a hit runs nothing")
    func computedTimeToLive() async throws {
        let clock = ManualClock()
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10), clock: clock.read)
        let runs = Mutex(0)
        func read() async throws -> String {
            try await cache.value(namespace: "n", key: "k") {
                let run = runs.withLock { count -> Int in
                    count += 1
                    return count
                }
                return (value: "run \(run)", bytes: 1, ttl: 30)
            }
        }
        #expect(try await read() == "run 1")
        clock.advance(29.9)
        #expect(try await read() == "run 1", "still within the lifetime the computation chose")
        clock.advance(0.2)
        #expect(try await read() == "run 2")
        #expect(runs.withLock { $0 } == 2)
    }

    @Test("invalidating a namespace drops only its entries")
    func invalidation() {
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10))
        cache.store(1, bytes: 1, ttl: nil, namespace: "departments", key: "all")
        cache.store(2, bytes: 1, ttl: nil, namespace: "departments", key: "one")
        cache.store(3, bytes: 1, ttl: nil, namespace: "other", key: "all")
        cache.invalidate(namespace: "departments")
        #expect(cache.value(Int.self, namespace: "departments", key: "all") == nil)
        #expect(cache.value(Int.self, namespace: "other", key: "all") == 3)
        #expect(cache.stats.bytes == 1)
    }

    @Test("concurrent misses on one key run one computation")
    func coalescesMisses() async throws {
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10))
        let calls = Counter()
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    try await cache.value(namespace: "n", key: "k", ttl: nil) {
                        calls.count.withLock { $0 += 1 }
                        try await Task.sleep(for: .milliseconds(50))
                        return (value: 42, bytes: 8)
                    }
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(values == Array(repeating: 42, count: 20))
        #expect(calls.count.withLock { $0 } == 1)
        #expect(cache.value(Int.self, namespace: "n", key: "k") == 42)
    }

    @Test("a computation that started before an invalidation does not store its stale value")
    func invalidationDuringComputation() async throws {
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10))
        async let value: Int = cache.value(namespace: "n", key: "k", ttl: nil) {
            try await Task.sleep(for: .milliseconds(100))
            return (value: 1, bytes: 1)
        }
        try await Task.sleep(for: .milliseconds(20))
        cache.invalidate(namespace: "n")
        #expect(try await value == 1)
        #expect(cache.value(Int.self, namespace: "n", key: "k") == nil)
    }

    @Test("a failed computation is not cached and is retried by the next caller")
    func failureNotCached() async throws {
        struct Failed: Error {}
        let cache = LRUCache(limits: .init(maxBytes: 100, maxEntries: 10))
        await #expect(throws: Failed.self) {
            let _: Int = try await cache.value(namespace: "n", key: "k", ttl: nil) { throw Failed() }
        }
        let value: Int = try await cache.value(namespace: "n", key: "k", ttl: nil) { (value: 7, bytes: 1) }
        #expect(value == 7)
    }

    @Test("an entry read since it last moved survives the next eviction; an untouched one goes")
    func secondChance() {
        let cache = LRUCache(limits: .init(maxBytes: 1_000, maxEntries: 3))
        for key in ["a", "b", "c"] { cache.store(key, bytes: 1, ttl: nil, namespace: "n", key: key) }
        _ = cache.value(String.self, namespace: "n", key: "a")
        _ = cache.value(String.self, namespace: "n", key: "b")
        cache.store("d", bytes: 1, ttl: nil, namespace: "n", key: "d")
        #expect(cache.value(String.self, namespace: "n", key: "c") == nil, "c was the only entry not read")
        cache.store("e", bytes: 1, ttl: nil, namespace: "n", key: "e")
        #expect(cache.stats.entries == 3)
        #expect(cache.stats.evictions == 2)
    }

    @Test("reads and writes from many threads at once keep the counts and the budget exact")
    func concurrentUse() {
        let cache = LRUCache(limits: .init(maxBytes: 50, maxEntries: 1_000))
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<2_000 {
                let key = "k\((thread * 7 + round) % 40)"
                if round % 5 == 0 {
                    cache.store(round, bytes: 2, ttl: nil, namespace: "n", key: key)
                } else {
                    _ = cache.value(Int.self, namespace: "n", key: key)
                }
                if round % 500 == 0 { cache.invalidate(namespace: "n") }
            }
        }
        let stats = cache.stats
        #expect(stats.hits + stats.misses == 8 * 2_000 * 4 / 5)
        #expect(stats.bytes <= 50)
        #expect(stats.bytes == stats.entries * 2)
    }
}
