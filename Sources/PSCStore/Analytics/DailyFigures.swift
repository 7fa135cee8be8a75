import Foundation
import GRDB
import PSCCore

/// One Chicago date's figures (30-jobs job 1, 40-data `analytics_summary`): stored by the daily job for past dates and
/// computed live for today, by the same queries, so a series and its totals agree.
public struct DailyFigures: Sendable, Equatable, Codable {
    public var pageViews = 0
    public var uniqueViewers = 0
    public var anonymousViews = 0
    public var newUsers = 0
    public var activeUsers = 0
    public var posts = 0
    public var comments = 0
    public var applicationsSubmitted = 0
    public var scholarshipsViewed = 0
    public var jobsViewed = 0
    public var eventCheckins = 0
    public var messagesSent = 0
    public var forumPosts = 0
    public var scholarshipsCreated = 0
    public var jobsPosted = 0
    public var eventsHeld = 0
    public var apiRequests = 0
    public var apiErrors = 0
    public var apiTimeMSSum = 0
    public var pageCounts: [String: Int] = [:]

    public init() {}

    /// The columns of `analytics_summary` in this struct's order (page counts apart).
    static let columns = [
        "page_views", "unique_viewers", "anonymous_views", "new_users", "active_users", "posts", "comments",
        "applications_submitted", "scholarships_viewed", "jobs_viewed", "event_checkins", "messages_sent", "forum_posts",
        "scholarships_created", "jobs_posted", "events_held", "api_requests", "api_errors", "api_time_ms_sum",
    ]

    var values: [Int] {
        [
            pageViews, uniqueViewers, anonymousViews, newUsers, activeUsers, posts, comments, applicationsSubmitted,
            scholarshipsViewed, jobsViewed, eventCheckins, messagesSent, forumPosts, scholarshipsCreated, jobsPosted, eventsHeld,
            apiRequests, apiErrors, apiTimeMSSum,
        ]
    }

    init(row: Row) throws {
        let numbers = try Self.columns.map { column -> Int in (try row.decode(forColumn: column) as Int?) ?? 0 }
        (pageViews, uniqueViewers, anonymousViews, newUsers, activeUsers) = (numbers[0], numbers[1], numbers[2], numbers[3], numbers[4])
        (posts, comments, applicationsSubmitted, scholarshipsViewed) = (numbers[5], numbers[6], numbers[7], numbers[8])
        (jobsViewed, eventCheckins, messagesSent, forumPosts) = (numbers[9], numbers[10], numbers[11], numbers[12])
        (scholarshipsCreated, jobsPosted, eventsHeld) = (numbers[13], numbers[14], numbers[15])
        (apiRequests, apiErrors, apiTimeMSSum) = (numbers[16], numbers[17], numbers[18])
        let counts: String = (try row.decode(forColumn: "page_counts")) ?? "{}"
        pageCounts = (try? JSONDecoder().decode([String: Int].self, from: Data(counts.utf8))) ?? [:]
    }

    /// The figures of the instants [start, end), and of `date`'s active days.
    static func compute(date: String, start: String, end: String, in db: Database) throws -> DailyFigures {
        func count(_ sql: String) throws -> Int { try Int.fetchOne(db, sql: sql, arguments: [start, end]) ?? 0 }
        var figures = DailyFigures()
        // One pass by page name gives the totals, the anonymous views and the per-name counts; one more the viewers.
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT page_name, count(*) AS views, count(*) - count(user_id) AS anonymous FROM page_views
                WHERE occurred_at >= ? AND occurred_at < ? GROUP BY page_name
                """, arguments: [start, end])
        {
            let (name, views, anonymous): (String, Int, Int) = (
                try row.decode(forColumn: "page_name"), try row.decode(forColumn: "views"), try row.decode(forColumn: "anonymous")
            )
            figures.pageCounts[name] = views
            figures.pageViews += views
            figures.anonymousViews += anonymous
            if name.hasPrefix("scholarships.") { figures.scholarshipsViewed += views }
            if name.hasPrefix("jobs.") { figures.jobsViewed += views }
        }
        figures.uniqueViewers = try count(
            "SELECT count(DISTINCT user_id) FROM page_views WHERE occurred_at >= ? AND occurred_at < ? AND user_id IS NOT NULL")
        figures.newUsers = try count("SELECT count(*) FROM users WHERE created_at >= ? AND created_at < ? AND is_service_account = 0")
        figures.activeUsers = try Int.fetchOne(db, sql: "SELECT count(*) FROM user_activity_days WHERE day = ?", arguments: [date]) ?? 0
        figures.posts = try count("SELECT count(*) FROM posts WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL")
        figures.comments = try count("SELECT count(*) FROM comments WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL")
        figures.applicationsSubmitted =
            try count("SELECT count(*) FROM scholarship_applications WHERE submitted_at >= ? AND submitted_at < ?")
            + count("SELECT count(*) FROM job_applications WHERE created_at >= ? AND created_at < ?")
        figures.eventCheckins = try count("SELECT count(*) FROM event_checkins WHERE checked_in_at >= ? AND checked_in_at < ?")
        figures.messagesSent = try count("SELECT count(*) FROM messages WHERE created_at >= ? AND created_at < ?")
        figures.forumPosts = try count("SELECT count(*) FROM forum_posts WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL")
        figures.scholarshipsCreated = try count("SELECT count(*) FROM scholarships WHERE created_at >= ? AND created_at < ?")
        figures.jobsPosted = try count("SELECT count(*) FROM job_postings WHERE posted_at >= ? AND posted_at < ?")
        figures.eventsHeld = try count(
            "SELECT count(*) FROM events WHERE start_time >= ? AND start_time < ? AND status <> 'cancelled'")
        if let api = try Row.fetchOne(
            db,
            sql: """
                SELECT count(*) AS requests, coalesce(sum(status_code >= 500), 0) AS errors, coalesce(sum(response_time_ms), 0) AS time
                FROM api_usage WHERE occurred_at >= ? AND occurred_at < ?
                """, arguments: [start, end])
        {
            figures.apiRequests = (try api.decode(forColumn: "requests")) ?? 0
            figures.apiErrors = (try api.decode(forColumn: "errors")) ?? 0
            figures.apiTimeMSSum = (try api.decode(forColumn: "time")) ?? 0
        }
        return figures
    }
}
