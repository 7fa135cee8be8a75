import Synchronization
import Testing

@testable import PSCCore

@Suite("Rate limits")
struct RateLimitTests {
    @Test(
        "the Limit column's notation",
        arguments: [
            ("20/min", [RateLimitRule(count: 20, window: 60)]),
            ("5/min, 20/h", [RateLimitRule(count: 5, window: 60), RateLimitRule(count: 20, window: 3600)]),
            ("600/5min", [RateLimitRule(count: 600, window: 300)]),
            ("none", []),
            ("3/day", [RateLimitRule(count: 3, window: 86400)]),
        ])
    func parses(text: String, rules: [RateLimitRule]) {
        #expect(RateLimitRule.parseList(text) == rules)
    }

    @Test("bad notation is refused", arguments: ["", "20", "x/min", "0/min", "20/fortnight", "-1/min", "20/0min"])
    func refuses(text: String) {
        #expect(RateLimitRule.parseList(text) == nil)
    }

    final class ManualClock: Sendable {
        let seconds = Mutex<Double>(1_800_000_000)
        func set(_ value: Double) { seconds.withLock { $0 = value } }
        var read: @Sendable () -> Double { { [self] in seconds.withLock { $0 } } }
    }

    @Test("a limit allows its count, then refuses with the seconds until a request is free")
    func refusesOverTheLimit() throws {
        let clock = ManualClock()
        let limiter = SlidingWindowLimiter(clock: clock.read)
        let rule = [RateLimitRule(count: 3, window: 60)]
        for remaining in [2, 1, 0] {
            let decision = try #require(limiter.check(key: "ip:1", rules: rule))
            #expect(decision.allowed)
            #expect(decision.remaining == remaining)
        }
        let refused = try #require(limiter.check(key: "ip:1", rules: rule))
        #expect(!refused.allowed)
        // The window began now: after its 60 s the 3 requests carry over at full weight and must fade to 2,
        // 3 × (1 − t/60) ≤ 2 at t = 20, so 80 s in all.
        #expect(refused.retryAfter == 80)
        #expect(try #require(limiter.check(key: "ip:2", rules: rule)).allowed, "other keys are not affected")
    }

    @Test("the previous window counts by how much of it still overlaps")
    func slidingWeight() throws {
        let clock = ManualClock()
        let limiter = SlidingWindowLimiter(clock: clock.read)
        let rule = [RateLimitRule(count: 10, window: 60)]
        for _ in 0..<10 { #expect(try #require(limiter.check(key: "k", rules: rule)).allowed) }
        // Halfway through the next window, half of the previous 10 still count: 5 more fit.
        clock.set(1_800_000_000 + 60 + 30)
        for _ in 0..<5 { #expect(try #require(limiter.check(key: "k", rules: rule)).allowed) }
        let refused = try #require(limiter.check(key: "k", rules: rule))
        #expect(!refused.allowed)
        #expect(refused.retryAfter == 6, "10 × (1 − t/60) + 5 ≤ 9 once t ≥ 36, 6 s from now")
    }

    @Test("every rule must pass, and a refused request counts against none")
    func severalRules() throws {
        let limiter = SlidingWindowLimiter(clock: ManualClock().read)
        let rules = [RateLimitRule(count: 2, window: 60), RateLimitRule(count: 100, window: 3600)]
        #expect(try #require(limiter.check(key: "k", rules: rules)).allowed)
        #expect(try #require(limiter.check(key: "k", rules: rules)).allowed)
        for _ in 0..<5 { #expect(try #require(limiter.check(key: "k", rules: rules)).allowed == false) }
        let hourly = try #require(limiter.check(key: "k", rules: [RateLimitRule(count: 100, window: 3600)]))
        #expect(hourly.remaining == 97, "only the two allowed requests were counted")
    }

    @Test("no rules means no decision")
    func unlimited() {
        #expect(SlidingWindowLimiter().check(key: "k", rules: []) == nil)
    }
}
