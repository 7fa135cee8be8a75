import Foundation

public enum ABTestStatus: String, Sendable, CaseIterable {
    case draft, running, completed
}

public enum ABVariant: String, Sendable, CaseIterable {
    case a = "A"
    case b = "B"
}

/// The A/B test rules of 20-services §2: the lifecycle, sticky assignment by bucket, and the results' statistics.
public enum ABTestRules {
    /// Edit and delete only in draft; start only from draft (no restart); stop only while running.
    public static func mayEdit(_ status: ABTestStatus) -> Bool { status == .draft }
    public static func mayStart(_ status: ABTestStatus) -> Bool { status == .draft }
    public static func mayStop(_ status: ABTestStatus) -> Bool { status == .running }

    /// The split in whole percent, exactly: 0.28 × 100 in binary floating point is 28.000000000000004.
    public static func threshold(split: Double) -> Int { Int((split * 100).rounded()) }

    /// Whether a number has at most two decimals (rollouts and splits).
    public static func hasTwoDecimals(_ value: Double) -> Bool {
        let scaled = value * 100
        return abs(scaled - scaled.rounded()) < 1e-7
    }

    public static func variant(testID: Int64, userID: Int64, split: Double) -> ABVariant {
        FeatureFlagRules.bucket("\(testID):\(userID)") < threshold(split: split) ? .a : .b
    }

    /// Participants and converting users of one variant.
    public struct Counts: Sendable, Equatable {
        public let participants: Int
        public let conversions: Int
        public init(participants: Int, conversions: Int) {
            self.participants = participants
            self.conversions = conversions
        }
        public var rate: Double? { participants == 0 ? nil : Double(conversions) / Double(participants) }
    }

    /// Unrounded results; the API rounds only when it reports them.
    public struct Results: Sendable {
        public let difference: Double?
        public let pooled: Double?
        public let standardError: Double?
        public let z: Double?
        public let pValue: Double?
        public let ci95: (low: Double, high: Double)?
        public let significant: Bool
        public let suggestedWinner: ABVariant?
        public let warning: String?
    }

    public static let minimumSample = 30
    public static let sampleWarning = "At least 30 participants per variant are needed for a significant result."

    /// The two-proportion z-test with a pooled standard error, and the unpooled 95% interval of rate_B − rate_A.
    public static func results(a: Counts, b: Counts) -> Results {
        let warning = min(a.participants, b.participants) < minimumSample ? sampleWarning : nil
        guard let rateA = a.rate, let rateB = b.rate else {
            return Results(
                difference: nil, pooled: nil, standardError: nil, z: nil, pValue: nil, ci95: nil, significant: false, suggestedWinner: nil,
                warning: warning)
        }
        let difference = rateB - rateA
        let (nA, nB) = (Double(a.participants), Double(b.participants))
        let pooled = Double(a.conversions + b.conversions) / (nA + nB)
        guard pooled > 0, pooled < 1 else {
            return Results(
                difference: difference, pooled: pooled, standardError: nil, z: nil, pValue: nil, ci95: nil, significant: false,
                suggestedWinner: nil, warning: warning)
        }
        let standardError = (pooled * (1 - pooled) * (1 / nA + 1 / nB)).squareRoot()
        let z = difference / standardError
        let pValue = erfc(abs(z) / 2.0.squareRoot())
        let margin = 1.959964 * (rateA * (1 - rateA) / nA + rateB * (1 - rateB) / nB).squareRoot()
        let significant = pValue < 0.05 && min(a.participants, b.participants) >= minimumSample
        let winner: ABVariant? = significant && rateA != rateB ? (rateB > rateA ? .b : .a) : nil
        return Results(
            difference: difference, pooled: pooled, standardError: standardError, z: z, pValue: pValue,
            ci95: (difference - margin, difference + margin), significant: significant, suggestedWinner: winner, warning: warning)
    }

    /// Rounded to `places` decimals for reporting.
    public static func rounded(_ value: Double, _ places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    public static let goalPattern = "^[a-z0-9_]{1,40}$"
    public static func isGoal(_ goal: String) -> Bool {
        (1...40).contains(goal.utf8.count) && goal.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }
}
