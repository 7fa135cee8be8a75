import Foundation
import Testing

@testable import PSCCore

@Suite("Feature flag buckets and evaluation, A/B assignment and statistics (20-services §1 and §2)")
struct ExperimentRulesTests {
    @Test(
        "MD5 buckets of the spec, the first five the earlier implementation's",
        arguments: [
            ("ai_assistant:1", 61), ("ai_assistant:2", 67), ("ai_assistant:42", 4), ("scholarships_v2:7", 9),
            ("beta_features:1000", 18), ("scholarships_v2:8", 60), ("scholarships_v2:3", 27), ("alumni_portal:1", 88), ("webinars:9", 0),
        ])
    func buckets(key: String, bucket: Int) {
        #expect(FeatureFlagRules.bucket(key) == bucket)
    }

    static func flag(_ name: String, _ enabled: Bool, _ rollout: Double, users: [Int64] = [], roles: [Role] = []) -> FeatureFlag {
        FeatureFlag(name: name, description: name, enabled: enabled, rolloutPercentage: rollout, targetUsers: users, targetRoles: roles)
    }

    @Test("the targeting table, first matching rule wins")
    func targetingTable() {
        let assistant = Self.flag("ai_assistant", true, 50)
        let v2 = Self.flag("scholarships_v2", true, 10, users: [2], roles: [.student, .alumni])
        let alumni = Self.flag("alumni_portal", true, 100, roles: [.alumni])
        typealias Caller = FeatureFlagRules.Caller
        let cases: [(FeatureFlag?, Caller?, Bool, FlagReason)] = [
            (assistant, Caller(userID: 1, role: .student), false, .outsideRollout),
            (assistant, Caller(userID: 42, role: .alumni), true, .inRollout),
            (v2, Caller(userID: 7, role: .student), true, .inRollout),
            (v2, Caller(userID: 8, role: .student), false, .outsideRollout),
            (v2, Caller(userID: 2, role: .faculty), true, .targetUser),
            (v2, Caller(userID: 3, role: .employer), false, .roleNotTargeted),
            (alumni, Caller(userID: 1, role: .alumni), true, .inRollout),
            (alumni, nil, false, .anonymous),
            (Self.flag("webinars", false, 100, users: [9]), Caller(userID: 9, role: .student), false, .disabled),
            (Self.flag("forums", true, 100), nil, true, .anonymous),
            (Self.flag("beta_features", true, 18), Caller(userID: 1000, role: .student), false, .outsideRollout),
            (Self.flag("beta_features", true, 18.5), Caller(userID: 1000, role: .student), true, .inRollout),
            (nil, Caller(userID: 1, role: .admin), false, .unknownFlag),
            (Self.flag("forums", true, 99.99), nil, false, .anonymous),
        ]
        for (flag, caller, enabled, reason) in cases {
            let result = FeatureFlagRules.evaluate(flag, for: caller)
            #expect(result.enabled == enabled, "\(flag?.name ?? "none") for \(caller.map { "\($0.userID)" } ?? "anonymous")")
            #expect(result.reason == reason, "\(flag?.name ?? "none") for \(caller.map { "\($0.userID)" } ?? "anonymous")")
        }
    }

    @Test("names and gates")
    func namesAndGates() {
        #expect(FeatureFlagRules.isName("calendar_sync"))
        #expect(!FeatureFlagRules.isName("Calendar"))
        #expect(!FeatureFlagRules.isName("a"))
        #expect(!FeatureFlagRules.isName("two-factor"))
        #expect(FeatureFlagRules.gate(forRoute: "FRM-12") == "forums")
        #expect(FeatureFlagRules.gate(forRoute: "EVT-13") == "calendar_sync")
        #expect(FeatureFlagRules.gate(forRoute: "EVT-12") == nil)
        #expect(FeatureFlagRules.gate(forRoute: "PAGE-FORUM-THREAD") == "forums")
        #expect(FeatureFlagRules.gate(forRoute: "INT-3") == nil, "webhooks are never gated")
    }

    @Test(
        "assignment buckets at splits 0.50 and 0.29",
        arguments: [
            (Int64(1), Int64(1), 68, "B", "B"), (1, 2, 60, "B", "B"), (1, 3, 4, "A", "A"), (2, 42, 84, "B", "B"), (7, 100, 28, "A", "A"),
            (7, 101, 38, "A", "B"), (3, 9, 13, "A", "A"),
        ])
    func assignment(test: Int64, user: Int64, bucket: Int, half: String, split29: String) {
        #expect(FeatureFlagRules.bucket("\(test):\(user)") == bucket)
        #expect(ABTestRules.variant(testID: test, userID: user, split: 0.50).rawValue == half)
        #expect(ABTestRules.variant(testID: test, userID: user, split: 0.29).rawValue == split29)
    }

    @Test("a split is compared in whole percent, so 0.28 puts bucket 28 in B")
    func exactSplit() {
        #expect(ABTestRules.variant(testID: 7, userID: 100, split: 0.28) == .b)
        for split in [0.07, 0.14, 0.28, 0.55, 0.56] {
            #expect(Double(ABTestRules.threshold(split: split)) == (split * 100).rounded())
        }
        #expect(ABTestRules.hasTwoDecimals(0.29))
        #expect(!ABTestRules.hasTwoDecimals(0.295))
    }

    @Test(
        "the worked z-tests",
        arguments: [
            (100, 1000, 130, 1000, 0.0300, 2.1027, 0.0355, 0.0021, 0.0579, "B"),
            (20, 200, 25, 210, 0.0190, 0.6167, 0.5374, -0.0413, 0.0794, nil),
            (60, 500, 60, 500, 0.0000, 0.0000, 1.0000, -0.0403, 0.0403, nil),
            (240, 2400, 188, 2350, -0.0200, -2.4069, 0.0161, -0.0363, -0.0037, "A"),
        ] as [(Int, Int, Int, Int, Double, Double, Double, Double, Double, String?)])
    func zTest(
        xA: Int, nA: Int, xB: Int, nB: Int, d: Double, z: Double, p: Double, low: Double, high: Double, winner: String?
    ) throws {
        let result = ABTestRules.results(
            a: .init(participants: nA, conversions: xA), b: .init(participants: nB, conversions: xB))
        #expect(ABTestRules.rounded(try #require(result.difference), 4) == d)
        #expect(ABTestRules.rounded(try #require(result.z), 4) == z)
        #expect(ABTestRules.rounded(try #require(result.pValue), 4) == p)
        let interval = try #require(result.ci95)
        #expect(ABTestRules.rounded(interval.low, 4) == low)
        #expect(ABTestRules.rounded(interval.high, 4) == high)
        #expect(result.suggestedWinner?.rawValue == winner)
        #expect(result.significant == (winner != nil))
        #expect(result.warning == nil)
    }

    @Test("no conversions at all: no z, no p, no interval, with the small-sample warning at 30")
    func degenerate() {
        let none = ABTestRules.results(a: .init(participants: 40, conversions: 0), b: .init(participants: 45, conversions: 0))
        #expect(none.z == nil && none.pValue == nil && none.ci95 == nil && !none.significant)
        #expect(none.difference == 0)
        let small = ABTestRules.results(a: .init(participants: 29, conversions: 20), b: .init(participants: 29, conversions: 1))
        #expect(small.warning == ABTestRules.sampleWarning)
        #expect(!small.significant, "a tiny p-value is not significant below 30 per variant")
        let empty = ABTestRules.results(a: .init(participants: 0, conversions: 0), b: .init(participants: 3, conversions: 1))
        #expect(empty.difference == nil && empty.z == nil)
    }
}
