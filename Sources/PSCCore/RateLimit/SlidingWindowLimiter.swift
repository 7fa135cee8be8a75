import Foundation
import Synchronization

/// In-memory rate limiting with the sliding window of 00-conventions §8: two fixed windows, the previous one
/// weighted by how much of it still overlaps the sliding window. Counters reset on restart by design.
///
/// Thread-safe. Keys are whatever the caller limits by (`user:17`, `ip:198.51.100.7`) plus the rule's name.
public final class SlidingWindowLimiter: Sendable {
    /// The outcome of one check against all of a route's rules.
    public struct Decision: Sendable, Equatable {
        public let allowed: Bool
        /// The tightest rule's figures, for the `RateLimit-*` headers.
        public let limit: Int
        public let remaining: Int
        /// Whole seconds until the tightest window frees a request.
        public let resetSeconds: Int
        /// Whole seconds to wait before retrying; 0 when allowed.
        public let retryAfter: Int
    }

    struct Counter {
        var windowStart: Int
        var current: Int
        var previous: Int
    }

    private let counters = Mutex<(table: [String: Counter], checks: Int)>(([:], 0))
    private let clock: @Sendable () -> Double

    /// `clock` gives wall-clock seconds; tests pass their own.
    public init(clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.clock = clock
    }

    /// Counts the request against every rule when all of them allow it; counts nothing when one refuses.
    public func check(key: String, rules: [RateLimitRule]) -> Decision? {
        guard !rules.isEmpty else { return nil }
        let now = clock()
        return counters.withLock { state in
            state.checks += 1
            if state.checks % 10_000 == 0 { prune(&state.table, now: now) }
            var evaluations: [(key: String, counter: Counter, rule: RateLimitRule, estimate: Double, elapsed: Double)] = []
            for rule in rules {
                let ruleKey = "\(key)|\(rule.count)/\(rule.window)"
                let windowStart = Int(now) / rule.window * rule.window
                var counter = state.table[ruleKey] ?? Counter(windowStart: windowStart, current: 0, previous: 0)
                if counter.windowStart != windowStart {
                    counter.previous = counter.windowStart == windowStart - rule.window ? counter.current : 0
                    counter.current = 0
                    counter.windowStart = windowStart
                }
                let elapsed = now - Double(windowStart)
                let estimate = Double(counter.previous) * (1 - elapsed / Double(rule.window)) + Double(counter.current)
                evaluations.append((ruleKey, counter, rule, estimate, elapsed))
            }
            let refused = evaluations.filter { $0.estimate + 1 > Double($0.rule.count) }
            if refused.isEmpty {
                for evaluation in evaluations {
                    var counter = evaluation.counter
                    counter.current += 1
                    state.table[evaluation.key] = counter
                }
            } else {
                for evaluation in evaluations { state.table[evaluation.key] = evaluation.counter }
            }
            let tightest = evaluations.min {
                (Double($0.rule.count) - $0.estimate) < (Double($1.rule.count) - $1.estimate)
            }!
            let used = tightest.estimate + (refused.isEmpty ? 1 : 0)
            let retry = refused.map { Self.secondsUntilFree($0.counter, rule: $0.rule, elapsed: $0.elapsed) }.max() ?? 0
            return Decision(
                allowed: refused.isEmpty,
                limit: tightest.rule.count,
                remaining: max(0, tightest.rule.count - Int(used.rounded(.up))),
                resetSeconds: max(1, Int((Double(tightest.rule.window) - tightest.elapsed).rounded(.up))),
                retryAfter: retry
            )
        }
    }

    /// When the weighted estimate first leaves room for one more request, in whole seconds (at least 1).
    static func secondsUntilFree(_ counter: Counter, rule: RateLimitRule, elapsed: Double) -> Int {
        let window = Double(rule.window)
        let room = Double(rule.count - 1)
        var wait: Double
        if Double(counter.current) <= room, counter.previous > 0 {
            // Within this window, as the previous window's weight fades.
            wait = window * (1 - (room - Double(counter.current)) / Double(counter.previous)) - elapsed
        } else {
            // Only once this window has become the previous one and faded enough.
            let fade = counter.current > 0 ? window * max(0, 1 - room / Double(counter.current)) : 0
            wait = (window - elapsed) + fade
        }
        return max(1, Int(wait.rounded(.up)))
    }

    private func prune(_ table: inout [String: Counter], now: Double) {
        table = table.filter { key, counter in
            let window = Int(key.split(separator: "/").last ?? "") ?? 0
            return Double(counter.windowStart + 2 * window) > now
        }
    }
}
