import Foundation
import GRDB
import PSCCore

/// ANL-1 (20-services §5.1): the window is the `days` Chicago dates ending today; past dates come from
/// `analytics_summary` (nil without a row), today is computed live by the same queries.
public struct Dashboard: Sendable {
    public let dates: [String]
    /// One entry per date; nil for a past date the daily job has not filled.
    public let days: [DailyFigures?]
    public let totalUsers: Int
    /// Distinct members with an active day in the window.
    public let activeUsers: Int
    public let totalPosts: Int
    public let totalEvents: Int
    public let eventsUpcoming: Int
    public let realTimeUsers: Int
    public let p95ResponseMS: Int?

    /// The sum of a figure over the dates that have one.
    public func sum(_ figure: (DailyFigures) -> Int) -> Int { days.compactMap { $0.map(figure) }.reduce(0, +) }

    /// The window's ten most viewed page names, ties by name.
    public var topPages: [(name: String, views: Int)] {
        var totals: [String: Int] = [:]
        for day in days.compactMap({ $0 }) { totals.merge(day.pageCounts, uniquingKeysWith: +) }
        return totals.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }.prefix(10).map { ($0.key, $0.value) }
    }
}

extension AnalyticsStore {
    public func dashboard(days: Int) throws -> Dashboard {
        let now = clock()
        let today = ScholarshipCalendar.today(now)
        let dates = Analytics.dates(endingWith: today, days: days)
        guard let first = dates.first, let windowStart = Analytics.bounds(of: first)?.start, let todayBounds = Analytics.bounds(of: today)
        else { throw InvalidAnalyticsDate(date: today) }
        let nowStamp = Timestamp.string(from: now)
        return try store.read { db in
            var stored: [String: DailyFigures] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT * FROM analytics_summary WHERE date >= ? AND date < ?", arguments: [first, today])
            {
                stored[(try row.decode(forColumn: "date"))] = try DailyFigures(row: row)
            }
            let live = try DailyFigures.compute(date: today, start: todayBounds.start, end: todayBounds.end, in: db)
            let series = dates.map { $0 == today ? live : stored[$0] }
            func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
                try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
            }
            let times = try Int.fetchAll(
                db, sql: "SELECT response_time_ms FROM api_usage WHERE occurred_at >= ? ORDER BY response_time_ms", arguments: [windowStart]
            )
            return Dashboard(
                dates: dates, days: series,
                totalUsers: try count("SELECT count(*) FROM users WHERE status = 'active' AND is_service_account = 0"),
                activeUsers: try count(
                    "SELECT count(DISTINCT user_id) FROM user_activity_days WHERE day >= ? AND day <= ?", [first, today]),
                totalPosts: try count("SELECT count(*) FROM posts WHERE deleted_at IS NULL"),
                totalEvents: try count("SELECT count(*) FROM events WHERE status <> 'cancelled'"),
                eventsUpcoming: try count("SELECT count(*) FROM events WHERE status <> 'cancelled' AND start_time > ?", [nowStamp]),
                realTimeUsers: try count(
                    "SELECT count(*) FROM users WHERE last_active_at >= ?", [Timestamp.string(from: now.addingTimeInterval(-300))]),
                p95ResponseMS: Analytics.p95(sorted: times))
        }
    }
}
