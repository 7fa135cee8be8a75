import Foundation
import GRDB
import PSCCore

/// The figures of 20-services §5 read from stored rows: job 1's daily summary and engagement rows, the dashboard
/// (ANL-1), department scorecards (ANL-2), a member's engagement (ANL-6), university figures (ANL-7), employer figures
/// (ANL-8) and the insight sentences (ANL-4). A figure whose inputs are missing is nil; none is ever a constant.
public final class AnalyticsStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    // MARK: Job 1

    /// Stores `date`'s summary row and the engagement rows of the members active in the 30 days ending that date;
    /// a rerun recomputes the same figures. Returns the day's figures and the number of engagement rows.
    @discardableResult
    public func summarize(date: String) throws -> (figures: DailyFigures, engagementRows: Int) {
        guard let bounds = Analytics.bounds(of: date) else { throw InvalidAnalyticsDate(date: date) }
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let figures = try DailyFigures.compute(date: date, start: bounds.start, end: bounds.end, in: db)
            let counts = String(decoding: try JSONEncoder.sorted.encode(figures.pageCounts), as: UTF8.self)
            let columns = DailyFigures.columns
            try db.execute(
                sql: """
                    INSERT INTO analytics_summary (date, \(columns.joined(separator: ", ")), page_counts, computed_at)
                    VALUES (?, \(columns.map { _ in "?" }.joined(separator: ", ")), ?, ?)
                    ON CONFLICT (date) DO UPDATE SET \(columns.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")),
                        page_counts = excluded.page_counts, computed_at = excluded.computed_at
                    """,
                arguments: StatementArguments([date] + figures.values.map { $0 as (any DatabaseValueConvertible)? } + [counts, stamp]))
            let scores = try Self.engagement(through: date, users: nil, in: db)
            let upsert = try db.cachedStatement(
                sql: """
                    INSERT INTO user_engagement (user_id, date, score, components) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user_id, date) DO UPDATE SET score = excluded.score, components = excluded.components
                    """)
            for (user, counts) in scores {
                let result = EngagementScore.score(counts)
                // Written by hand: a JSONEncoder per row was most of a day's cost at 40,000 active members.
                let json = "{" + result.parts.map { "\"\($0.component.rawValue)\":\($0.count)" }.joined(separator: ",") + "}"
                try upsert.execute(arguments: [user, date, result.score, json])
            }
            return (figures, scores.count)
        }
    }

    /// Every date of the 31 before today (Chicago) without a summary row, oldest first: the dates job 1 must fill.
    public func missingDates(now: Date? = nil) throws -> [String] {
        let today = ScholarshipCalendar.today(now ?? clock())
        let dates = Analytics.dates(endingWith: today, days: 32).dropLast()
        let stored = try store.read { db in
            try Set(String.fetchAll(db, sql: "SELECT date FROM analytics_summary WHERE date >= ?", arguments: [dates.first ?? today]))
        }
        return dates.filter { !stored.contains($0) }
    }

    /// The engagement counts of 20-services §5.3 over the 30 dates ending `date`, for the members active in them (or
    /// only `users`).
    static func engagement(through date: String, users: [Int64]?, in db: Database) throws -> [Int64: [EngagementScore.Component: Int]] {
        guard let first = ScholarshipCalendar.adding(days: -(EngagementScore.windowDays - 1), to: date),
            let start = Analytics.bounds(of: first)?.start, let end = Analytics.bounds(of: date)?.end
        else { return [:] }
        var counts: [Int64: [EngagementScore.Component: Int]] = [:]
        let filter = users.map { "AND user_id IN (\($0.map(String.init).joined(separator: ",")))" } ?? ""
        for row in try Row.fetchAll(
            db, sql: "SELECT user_id, count(*) AS n FROM user_activity_days WHERE day >= ? AND day <= ? \(filter) GROUP BY user_id",
            arguments: [first, date])
        {
            counts[(try row.decode(forColumn: "user_id")), default: [:]][.activeDays] = (try row.decode(forColumn: "n"))
        }
        let active = Set(counts.keys)
        func add(_ component: EngagementScore.Component, _ sql: String) throws {
            for row in try Row.fetchAll(db, sql: sql, arguments: [start, end]) {
                let user: Int64 = (try row.decode(forColumn: "user_id"))
                guard active.contains(user) else { continue }
                counts[user, default: [:]][component, default: 0] += (try row.decode(forColumn: "n")) ?? 0
            }
        }
        try add(
            .posts,
            "SELECT author_id AS user_id, count(*) AS n FROM posts WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL GROUP BY author_id"
        )
        try add(
            .comments,
            "SELECT author_id AS user_id, count(*) AS n FROM comments WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL GROUP BY author_id"
        )
        try add(
            .comments,
            "SELECT author_id AS user_id, count(*) AS n FROM forum_posts WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL GROUP BY author_id"
        )
        try add(
            .eventCheckins,
            "SELECT user_id, count(*) AS n FROM event_checkins WHERE checked_in_at >= ? AND checked_in_at < ? GROUP BY user_id")
        try add(
            .applications,
            "SELECT user_id, count(*) AS n FROM scholarship_applications WHERE submitted_at >= ? AND submitted_at < ? GROUP BY user_id")
        try add(
            .applications, "SELECT user_id, count(*) AS n FROM job_applications WHERE created_at >= ? AND created_at < ? GROUP BY user_id")
        try add(
            .connections,
            """
            SELECT requester_id AS user_id, count(*) AS n FROM connections
            WHERE status = 'accepted' AND responded_at >= ?1 AND responded_at < ?2 GROUP BY requester_id
            UNION ALL SELECT addressee_id, count(*) FROM connections
            WHERE status = 'accepted' AND responded_at >= ?1 AND responded_at < ?2 GROUP BY addressee_id
            """)
        try add(
            .mentorshipSessions,
            """
            SELECT m.mentor_id AS user_id, count(*) AS n FROM mentorship_sessions s JOIN mentorships m ON m.id = s.mentorship_id
            WHERE s.status = 'completed' AND s.scheduled_at >= ?1 AND s.scheduled_at < ?2 GROUP BY m.mentor_id
            UNION ALL SELECT m.mentee_id, count(*) FROM mentorship_sessions s JOIN mentorships m ON m.id = s.mentorship_id
            WHERE s.status = 'completed' AND s.scheduled_at >= ?1 AND s.scheduled_at < ?2 GROUP BY m.mentee_id
            """)
        return counts
    }

    /// ANL-6: a member's score over the 30 dates ending today, computed live.
    public func engagement(userID: Int64) throws -> (score: Int, parts: [EngagementScore.Part])? {
        let today = ScholarshipCalendar.today(clock())
        return try store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ? AND status <> 'deleted'", arguments: [userID]) != nil else {
                return nil
            }
            let counts = try Self.engagement(through: today, users: [userID], in: db)[userID] ?? [:]
            return EngagementScore.score(counts)
        }
    }
}

extension JSONEncoder {
    /// Keys sorted, so a stored JSON column is the same text for the same content.
    static var sorted: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}

/// What a caller asked for that does not exist (the HTTP layer answers 404).
public enum AnalyticsError: Error, Equatable, Sendable {
    case unknownDepartment
    case unknownCompany
}

/// A date the server's own clock or schedule produced that the calendar cannot read: a fault of the server, logged
/// in full, never the caller's.
public struct InvalidAnalyticsDate: Error, Equatable, Sendable {
    public let date: String
}
