import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

/// The analytics figures against a hand-built campus with exact expected numbers: the daily summary and engagement rows,
/// the dashboard's series with a day the job never filled, churn features that never read past their cutoff, a
/// trained model, and redacted exports.
@Suite("Analytics store")
struct AnalyticsStoreTests {
    static let now = Timestamp.date(from: "2026-11-20T18:00:00.000Z") ?? Date()

    struct Campus {
        let directory: TemporaryDirectory
        let store: Store
        let clock: TestClock
        let analytics: AnalyticsStore
    }

    static func campus() throws -> Campus {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let clock = TestClock()
        clock.set(now)
        return Campus(directory: directory, store: store, clock: clock, analytics: AnalyticsStore(store: store, clock: clock.read))
    }

    static func member(_ store: Store, _ email: String, role: Role = .student, created: String) throws -> Int64 {
        let id = try AccountStore(store: store).register(
            NewAccount(email: email, passwordHash: nil, role: role, status: .active, firstName: "Jordan", lastName: "Lee"),
            origin: RequestOrigin(ip: nil, userAgent: nil))
        try store.write { db in try db.execute(sql: "UPDATE users SET created_at = ? WHERE id = ?", arguments: [created, id]) }
        return id
    }

    static func post(_ db: Database, author: Int64, at stamp: String) throws {
        try db.execute(
            sql: "INSERT INTO posts (author_id, content, visibility, created_at, updated_at) VALUES (?, 'Hello', 'members', ?, ?)",
            arguments: [author, stamp, stamp])
    }

    static func view(_ db: Database, _ page: String, user: Int64?, at stamp: String) throws {
        try db.execute(
            sql: "INSERT INTO page_views (page_name, user_id, occurred_at) VALUES (?, ?, ?)", arguments: [page, user, stamp])
    }

    @Test("a day's summary and engagement rows hold the exact counts; the dashboard shows an unfilled day as null")
    func summaryAndDashboard() throws {
        let campus = try Self.campus()
        let store = campus.store
        let a = try Self.member(store, "jordan.lee@gus.pittstate.edu", created: "2026-11-19T15:00:00.000Z")
        let b = try Self.member(store, "b@gus.pittstate.edu", created: "2026-11-19T16:00:00.000Z")
        _ = try Self.member(store, "c@gus.pittstate.edu", created: "2026-11-20T15:00:00.000Z")
        _ = try Self.member(store, "d@pittstate.edu", role: .admin, created: "2026-01-01T15:00:00.000Z")
        try store.write { db in
            for (user, day) in [(a, "2026-11-19"), (b, "2026-11-19"), (a, "2026-11-20")] {
                try db.execute(sql: "INSERT INTO user_activity_days (user_id, day) VALUES (?, ?)", arguments: [user, day])
            }
            try Self.post(db, author: a, at: "2026-11-19T16:00:00.000Z")
            try Self.post(db, author: a, at: "2026-11-19T20:00:00.000Z")
            // 05:30 UTC on the 20th is still the 19th in Chicago.
            try Self.post(db, author: a, at: "2026-11-20T05:30:00.000Z")
            try Self.post(db, author: a, at: "2026-11-20T17:00:00.000Z")
            try db.execute(
                sql: "INSERT INTO comments (post_id, author_id, content, created_at) VALUES (1, ?, 'Nice', '2026-11-19T18:00:00.000Z')",
                arguments: [b])
            try Self.view(db, "jobs.view", user: a, at: "2026-11-19T16:00:00.000Z")
            try Self.view(db, "jobs.view", user: a, at: "2026-11-19T16:01:00.000Z")
            try Self.view(db, "jobs.view", user: nil, at: "2026-11-19T16:02:00.000Z")
            try Self.view(db, "home", user: b, at: "2026-11-19T17:00:00.000Z")
            try Self.view(db, "home", user: nil, at: "2026-11-20T16:00:00.000Z")
            for index in 1...25 {
                try db.execute(
                    sql: """
                        INSERT INTO api_usage (endpoint, method, status_code, response_time_ms, occurred_at)
                        VALUES ('/api/v1/feed', 'GET', ?, ?, '2026-11-19T19:00:00.000Z')
                        """, arguments: [index == 25 ? 500 : 200, index])
            }
        }
        #expect(try campus.analytics.missingDates().count == 31, "nothing filled yet: the 31 dates before today")

        let (figures, engagementRows) = try campus.analytics.summarize(date: "2026-11-19")
        #expect(figures.pageViews == 4 && figures.uniqueViewers == 2 && figures.anonymousViews == 1 && figures.jobsViewed == 3)
        #expect(figures.newUsers == 2 && figures.activeUsers == 2 && figures.posts == 3 && figures.comments == 1)
        #expect(figures.apiRequests == 25 && figures.apiErrors == 1 && figures.apiTimeMSSum == 325)
        #expect(figures.pageCounts == ["jobs.view": 3, "home": 1])
        #expect(engagementRows == 2)
        let scores = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT user_id, score FROM user_engagement WHERE date = '2026-11-19' ORDER BY user_id").map {
                row -> Int in row["score"] ?? -1
            }
        }
        #expect(scores == [11, 3], "A: 1 day (2) + 3 posts (9); B: 1 day (2) + 1 comment (1)")
        #expect(try campus.analytics.summarize(date: "2026-11-19").figures == figures, "a rerun recomputes the same figures")
        #expect(try !campus.analytics.missingDates().contains("2026-11-19"))

        let board = try campus.analytics.dashboard(days: 3)
        #expect(board.dates == ["2026-11-18", "2026-11-19", "2026-11-20"])
        #expect(board.days[0] == nil, "a past date without a summary row is null, not 0")
        #expect(board.days.map { $0?.newUsers } == [nil, 2, 1])
        #expect(board.sum(\.posts) == 4 && board.sum(\.pageViews) == 5)
        #expect(board.activeUsers == 2 && board.totalUsers == 4)
        #expect(board.topPages.map(\.name) == ["jobs.view", "home"] && board.topPages.map(\.views) == [3, 2])
        #expect(board.p95ResponseMS == 24)
    }

    @Test("activity is one row per member and Chicago day with last_active_at, and an unknown account is skipped")
    func activityDays() throws {
        let campus = try Self.campus()
        let member = try Self.member(campus.store, "active@gus.pittstate.edu", created: "2026-06-01T15:00:00.000Z")
        let recorder = UsageRecorder(store: campus.store)
        let evening = Timestamp.date(from: "2026-11-20T04:30:00.000Z") ?? Date()
        for (user, time) in [(member, evening), (member, evening.addingTimeInterval(30)), (99_999, evening)] {
            recorder.recordActivity(userID: user, at: time)
        }
        try recorder.flush()
        recorder.recordActivity(userID: member, at: evening.addingTimeInterval(7200))
        try recorder.flush()
        let (days, last) = try campus.store.read { db in
            (
                try String.fetchAll(db, sql: "SELECT day FROM user_activity_days WHERE user_id = ? ORDER BY day", arguments: [member]),
                try String.fetchOne(db, sql: "SELECT last_active_at FROM users WHERE id = ?", arguments: [member])
            )
        }
        #expect(days == ["2026-11-19", "2026-11-20"], "04:30 UTC is the evening before in Chicago; 06:30 the next day")
        #expect(last == "2026-11-20T06:30:00.000Z")
    }

    @Test("churn features read nothing after their cutoff: activity moved past it changes none of them")
    func featuresStopAtTheCutoff() throws {
        let campus = try Self.campus()
        let store = campus.store
        let member = try Self.member(store, "m@gus.pittstate.edu", created: "2026-06-01T15:00:00.000Z")
        try store.write { db in
            try db.execute(sql: "INSERT INTO user_activity_days (user_id, day) VALUES (?, '2026-10-01')", arguments: [member])
            try Self.post(db, author: member, at: "2026-10-01T16:00:00.000Z")
        }
        let cutoff = Analytics.bounds(of: "2026-10-21")?.start ?? ""
        func features() throws -> [Double] {
            try store.read { db in try AnalyticsStore.churnFeatures(cutoff: cutoff, referenceDay: "2026-10-21", users: [member], in: db) }[
                member] ?? []
        }
        let before = try features()
        #expect(before[0] == 20, "20 days since the last active day")
        #expect(before[2] == 1, "one post in the 90 days before the cutoff")
        try store.write { db in
            for day in ["2026-10-21", "2026-10-25", "2026-11-10"] {
                try db.execute(sql: "INSERT INTO user_activity_days (user_id, day) VALUES (?, ?)", arguments: [member, day])
            }
            try Self.post(db, author: member, at: "2026-10-21T05:00:00.001Z")
            try Self.post(db, author: member, at: "2026-11-01T16:00:00.000Z")
            try db.execute(
                sql: "INSERT INTO user_engagement (user_id, date, score, components) VALUES (?, '2026-10-21', 80, '{}')",
                arguments: [member])
        }
        #expect(try features() == before)
    }

    @Test("training on a campus with a known signal stores a version with its holdout AUC, and predictions for every active student")
    func training() throws {
        let campus = try Self.campus()
        let store = campus.store
        var users: [Int64] = []
        for index in 0..<160 {
            users.append(try Self.member(store, "s\(index)@gus.pittstate.edu", created: "2026-06-01T15:00:00.000Z"))
        }
        try store.write { db in
            for (index, user) in users.enumerated() {
                let engaged = index % 2 == 0
                // Everyone was active before the cutoff (2026-10-21); only the engaged posted and stayed.
                let lastActive = engaged ? "2026-10-19" : "2026-09-25"
                try db.execute(sql: "INSERT INTO user_activity_days (user_id, day) VALUES (?, ?)", arguments: [user, lastActive])
                if engaged || index % 7 == 1 {
                    try db.execute(sql: "INSERT INTO user_activity_days (user_id, day) VALUES (?, '2026-11-02')", arguments: [user])
                }
                for post in 0..<(engaged ? 3 + index % 4 : index % 2) {
                    try Self.post(db, author: user, at: "2026-10-0\(post + 1)T16:00:00.000Z")
                }
            }
        }
        let result = try campus.analytics.trainChurnModel(slotDate: "2026-11-20")
        #expect(result.version == "student_churn_predictor@2026-11-20")
        #expect(result.trainingRows + result.holdoutRows == 160 && result.holdoutRows > 10)
        #expect((result.auc ?? 0) > 0.8, "AUC \(String(describing: result.auc))")
        #expect(result.predictions == 160)
        let models = try campus.analytics.models()
        #expect(models.count == 1 && models[0].active && models[0].fitted != nil)
        let again = try campus.analytics.trainChurnModel(slotDate: "2026-11-20")
        #expect(again.version == result.version)
        #expect(try campus.analytics.models().count == 1, "a rerun replaces its version")
        let riskiest = try campus.analytics.churnList(risk: nil, departmentIDs: nil, offset: 0, limit: 5)
        #expect(riskiest.count == 5 && riskiest.allSatisfy { $0.method == "model" })
        #expect(zip(riskiest, riskiest.dropFirst()).allSatisfy { $0.probability >= $1.probability })
        let live = try campus.analytics.churnPrediction(userID: users[1])
        #expect(live?.method == "model" && live?.modelVersion == result.version)
    }

    @Test("with fewer than 50 training rows no model is stored and predictions use the heuristic")
    func heuristicBelowFifty() throws {
        let campus = try Self.campus()
        let member = try Self.member(campus.store, "lone@gus.pittstate.edu", created: "2026-06-01T15:00:00.000Z")
        let result = try campus.analytics.trainChurnModel(slotDate: "2026-11-20")
        #expect(result.insufficientData && result.version == nil && result.predictions == 1)
        let prediction = try campus.analytics.churnPrediction(userID: member)
        #expect(prediction?.method == "heuristic" && prediction?.auc == nil && prediction?.probability == 1)
        #expect(try campus.analytics.churnPrediction(userID: 9999) == nil)
    }

    @Test("exports redact names and emails without export_data, and keep a department-scoped caller to their department")
    func exportRedaction() throws {
        let campus = try Self.campus()
        let store = campus.store
        let a = try Self.member(store, "jordan.lee@gus.pittstate.edu", created: "2026-11-19T15:00:00.000Z")
        let b = try Self.member(store, "=cmd@gus.pittstate.edu", created: "2026-11-19T15:00:00.000Z")
        try store.write { db in
            for name in ["Biology", "Physics"] {
                try db.execute(
                    sql:
                        "INSERT INTO departments (name, created_at, updated_at) VALUES (?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')",
                    arguments: [name])
            }
            try db.execute(sql: "UPDATE users SET department_id = 1 WHERE id = ?", arguments: [a])
            try db.execute(sql: "UPDATE users SET department_id = 2 WHERE id = ?", arguments: [b])
        }
        let exports = AnalyticsExports(store: store, clock: campus.clock.read)
        let redacted = try exports.table(.init(report: "user_activity", days: 30, departmentIDs: nil, redacted: true))
        #expect(redacted.rows.map { $0[1] } == ["Jordan L.", "Jordan L."])
        #expect(redacted.rows[0][2] == "j***@gus.pittstate.edu")
        let full = try exports.table(.init(report: "user_activity", days: 30, departmentIDs: [2], redacted: false))
        #expect(full.rows.count == 1 && full.rows[0][2] == "=cmd@gus.pittstate.edu")
        let csv = CSV.document(header: full.header, rows: full.rows)
        #expect(csv.contains(",'=cmd@gus.pittstate.edu,"), "a cell starting with = is neutralised")
        #expect(try exports.count(.init(report: "user_activity", days: 30, departmentIDs: [], redacted: true)) == 0)
    }
}
