import Foundation
import Testing

@testable import PSCCore

/// The rules of 20-services §5 with the spec's worked examples.
@Suite("Analytics rules")
struct AnalyticsRulesTests {
    @Test("page names follow §5.7: home, .index, .view with the id, fixed segments joined, hyphens as underscores")
    func pageNames() {
        #expect(PageName.from(template: "/") == "home")
        #expect(PageName.from(template: "/scholarships") == "scholarships.index")
        #expect(PageName.from(template: "/scholarships/{id}") == "scholarships.view")
        #expect(PageName.from(template: "/scholarships/matches") == "scholarships.matches")
        #expect(PageName.from(template: "/jobs/{id}") == "jobs.view")
        #expect(PageName.from(template: "/forums/t/{id}") == "forums.t.view")
        #expect(PageName.from(template: "/admin/feature-flags") == "admin.feature_flags")
        #expect(PageName.isValid("jobs.view") && !PageName.isValid("Jobs/View") && !PageName.isValid(""))
        #expect(!PageName.isValid(String(repeating: "a", count: 101)))
    }

    @Test("the engagement example scores 44, each component capped")
    func engagementExample() {
        let result = EngagementScore.score([.activeDays: 9, .posts: 2, .comments: 14, .eventCheckins: 1, .connections: 7])
        #expect(result.score == 44)
        #expect(result.parts.map(\.points) == [18, 6, 10, 5, 0, 5, 0])
        #expect(
            result.parts.map(\.component.rawValue) == [
                "active_days", "posts", "comments", "event_checkins", "applications", "connections", "mentorship_sessions",
            ])
        #expect(
            EngagementScore.score([
                .activeDays: 99, .posts: 99, .comments: 99, .eventCheckins: 99, .applications: 99,
                .connections: 99, .mentorshipSessions: 99,
            ]).score == 100)
    }

    @Test("the prediction example gives p = 0.8074, high")
    func predictionExample() {
        let model = ChurnModel.Fitted(
            intercept: -1.10, features: ["days_since_active", "posts_90d", "log_connections"], coefficients: [1.40, -0.60, -0.45],
            means: [21.0, 4.0, 2.0], sds: [18.0, 5.0, 0.9])
        let prediction = ChurnModel.predict(model, values: ["days_since_active": 45, "posts_90d": 1, "log_connections": log(4)])
        #expect(abs(prediction.probability - 0.8074) < 0.00005)
        #expect(prediction.risk == .high)
        #expect(prediction.factors.map(\.name) == ["days_since_active", "posts_90d", "log_connections"])
        #expect(prediction.factors[0].direction == "raises_risk")
        #expect(ChurnModel.Risk(probability: 0.6) == .medium && ChurnModel.Risk(probability: 0.3) == .low)
    }

    @Test("the AUC example is 0.8125; ties count a half; a missing class is nil")
    func aucExample() {
        let scores = [0.91, 0.80, 0.74, 0.62, 0.55, 0.40, 0.33, 0.12]
        let labels = [true, true, false, true, false, true, false, false]
        #expect(ChurnModel.auc(scores: scores, labels: labels) == 0.8125)
        #expect(ChurnModel.auc(scores: [0.5, 0.5], labels: [true, false]) == 0.5)
        #expect(ChurnModel.auc(scores: [0.1, 0.2], labels: [true, true]) == nil)
    }

    @Test("the heuristic example is 0.8, high")
    func heuristicExample() {
        let prediction = ChurnModel.heuristic(daysSinceActive: 20, lifetimePosts: 0, connections: 3)
        #expect(abs(prediction.probability - 0.8) < 1e-9 && prediction.risk == .high)
        #expect(ChurnModel.heuristic(daysSinceActive: 40, lifetimePosts: 0, connections: 0).probability == 1)
        #expect(ChurnModel.heuristic(daysSinceActive: 1, lifetimePosts: 5, connections: 20).risk == .low)
    }

    /// A deterministic generator, so the synthetic sets are the same on every run.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state
        }
    }

    static func synthetic(_ count: Int, seed: UInt64) -> (rows: [[Double]], labels: [Bool]) {
        var generator = Generator(state: seed)
        var rows: [[Double]] = []
        var labels: [Bool] = []
        for _ in 0..<count {
            let days = Double.random(in: 0...120, using: &generator)
            let posts = Double.random(in: 0...20, using: &generator)
            let noise = Double.random(in: 0...1, using: &generator)
            let constant = 1.0
            let logit = 0.05 * days - 0.3 * posts - 0.5
            rows.append([days, posts, noise, constant])
            labels.append(Double.random(in: 0...1, using: &generator) < 1 / (1 + exp(-logit)))
        }
        return (rows, labels)
    }

    @Test("a fit on a set with known signal ranks a holdout with AUC above 0.8; shuffled labels give about 0.5")
    func fittedAUC() {
        let names = ["days", "posts", "noise", "constant"]
        let training = Self.synthetic(2000, seed: 7)
        let holdout = Self.synthetic(1000, seed: 99)
        let model = ChurnModel.fit(rows: training.rows, labels: training.labels, names: names)
        #expect(!model.features.contains("constant"), "a feature with sd 0 is dropped")
        #expect(model.coefficients[0] > 0 && model.coefficients[1] < 0, "more idle days raise the risk, more posts lower it")
        let scores = holdout.rows.map { row in model.probability(Dictionary(uniqueKeysWithValues: zip(names, row))) }
        let auc = ChurnModel.auc(scores: scores, labels: holdout.labels) ?? 0
        #expect(auc > 0.8, "AUC \(auc)")

        var generator = Generator(state: 3)
        let shuffled = ChurnModel.fit(rows: training.rows, labels: training.labels.shuffled(using: &generator), names: names)
        let shuffledScores = holdout.rows.map { row in shuffled.probability(Dictionary(uniqueKeysWithValues: zip(names, row))) }
        let chance = ChurnModel.auc(scores: shuffledScores, labels: holdout.labels.shuffled(using: &generator)) ?? 0
        #expect(abs(chance - 0.5) < 0.07, "AUC \(chance)")
    }

    @Test("insight sentences: the spec's example, singular forms, the change on the previous window")
    func insightSentences() {
        var figures = Insights.Figures(days: 7)
        (figures.newUsers, figures.activeUsers, figures.totalUsers) = (12, 450, 1500)
        (figures.scholarshipsAdded, figures.jobsPosted) = (2, 1)
        #expect(
            Insights.sentences(figures) == [
                "12 new users joined in the last 7 days.", "30.0% of users were active in the last 7 days.",
                "2 new scholarships were added.", "1 job was posted.",
            ])
        var more = Insights.Figures(days: 7)
        (more.newUsers, more.posts, more.applications, more.previousApplications) = (1, 1, 9, 12)
        (more.closingSoon, more.inProgressClosingSoon) = (1, 1)
        #expect(
            Insights.sentences(more) == [
                "1 new user joined in the last 7 days.", "Not enough data for an engagement rate yet.",
                "1 post was created in the last 7 days.",
                "9 scholarship applications were submitted, down 25.0% on the previous 7 days.",
                "1 scholarship closes in the next 7 days with 1 application still in progress.",
            ])
    }

    @Test("redaction: email, name, IPv4 /24, IPv6 /48, phone")
    func redaction() {
        #expect(Redaction.email("jordan.lee@gus.pittstate.edu") == "j***@gus.pittstate.edu")
        #expect(Redaction.name(first: "Jordan", last: "Lee") == "Jordan L.")
        #expect(Redaction.ip("198.51.100.77") == "198.51.100.0/24")
        #expect(Redaction.ip("2001:db8:abcd:12::1") == "2001:db8:abcd::/48")
        #expect(Redaction.phone("+1 (620) 555-0142") == "***0142")
    }

    @Test("department figures: the scorecard example, satisfaction only from 5 ratings, rates null below 20")
    func departmentFigures() {
        #expect(Analytics.departmentEngagement(events: 4, attendance: 120, applications: 18) == 37.0)
        #expect(Analytics.departmentEngagement(events: 100, attendance: 900, applications: 0) == 100)
        #expect(Analytics.satisfaction(ratingSum: 51, ratings: 12) == 85.0)
        #expect(Analytics.satisfaction(ratingSum: 20, ratings: 4) == nil)
        #expect(RateFigure(numerator: 5, denominator: 19).value == nil)
        #expect(RateFigure(numerator: 5, denominator: 19).reason == .insufficientData)
        #expect(RateFigure(numerator: 7, denominator: 21).value == 33.3)
        #expect(Analytics.p95(sorted: Array(1...19)) == nil && Analytics.p95(sorted: Array(1...20)) == 19)
    }

    @Test("the PDF names its pages and escapes what PDF strings must")
    func pdfStructure() {
        let rows = (1...120).map { ["row \($0)", "(parenthesised) \\ back"] }
        let text = String(
            decoding: PDFReport.document(title: "T", generated: "now", filters: "none", header: ["a", "b"], rows: rows), as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4") && text.hasSuffix("%%EOF\n"))
        #expect(text.contains("(Page 1 of 3)") && text.contains("(Page 3 of 3)"))
        #expect(text.contains("\\(parenthesised\\) \\\\ back"))
    }
}
