import Foundation
import GRDB
import PSCCore

/// ANL-2 (20-services §5.2): one department's scholarships, applications, events, engagement and satisfaction.
public struct DepartmentScorecard: Sendable, Equatable {
    public let departmentName: String
    public let scholarships: Int
    public let totalAmountCents: Int64
    public let applicationsReceived: Int
    public let awarded: Int
    public let events: Int
    public let attendance: Int
    public let engagementScore: Double
    public let satisfaction: Double?
    public let responses: Int
}

/// ANL-7's figures, each a rate or null with its reason.
public struct UniversityFigures: Sendable, Equatable {
    public let figures: [(name: String, figure: RateFigure)]
    public static func == (left: Self, right: Self) -> Bool {
        left.figures.map(\.name) == right.figures.map(\.name) && left.figures.map(\.figure) == right.figures.map(\.figure)
    }
}

/// ANL-8: one company's postings in the window.
public struct EmployerFigures: Sendable, Equatable {
    public let postings: Int
    public let views: Int
    public let applications: Int
    public let applicationRate: Double?
    public let medianDaysToFill: Double?
    public let applicantsByMajor: [String: Int]
}

extension AnalyticsStore {
    /// The window [now − days × 24 h, now) as stamps (00-conventions §7).
    func window(days: Int) -> (start: String, end: String) {
        let now = clock()
        return (Timestamp.string(from: now.addingTimeInterval(-Double(days) * 86_400)), Timestamp.string(from: now))
    }

    public func department(id: Int64, days: Int) throws -> DepartmentScorecard {
        let (start, end) = window(days: days)
        return try store.read { db in
            guard let name = try String.fetchOne(db, sql: "SELECT name FROM departments WHERE id = ?", arguments: [id]) else {
                throw AnalyticsError.unknownDepartment
            }
            let money = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS total, coalesce(sum(amount_cents), 0) AS cents FROM scholarships
                    WHERE department_id = ? AND status IN ('open', 'closed')
                    """, arguments: [id])
            let applications = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(a.submitted_at >= ?2 AND a.submitted_at < ?3), 0) AS received,
                        coalesce(sum(a.status = 'awarded' AND a.decided_at >= ?2 AND a.decided_at < ?3), 0) AS awarded
                    FROM scholarship_applications a JOIN scholarships s ON s.id = a.scholarship_id
                    WHERE s.department_id = ?1 AND s.status IN ('open', 'closed')
                    """, arguments: [id, start, end])
            let events = try Row.fetchOne(
                db,
                sql: """
                    SELECT count(*) AS held,
                        coalesce(sum((SELECT count(*) FROM event_checkins c WHERE c.event_id = e.id)), 0) AS attendance,
                        coalesce(sum((SELECT count(*) FROM event_feedback f WHERE f.event_id = e.id)), 0) AS ratings,
                        coalesce(sum((SELECT sum(rating) FROM event_feedback f WHERE f.event_id = e.id)), 0) AS rating_sum
                    FROM events e WHERE e.department_id = ? AND e.status <> 'cancelled' AND e.start_time >= ? AND e.start_time < ?
                    """, arguments: [id, start, end])
            let held: Int = (try events?.decode(forColumn: "held")) ?? 0
            let attendance: Int = (try events?.decode(forColumn: "attendance")) ?? 0
            let received: Int = (try applications?.decode(forColumn: "received")) ?? 0
            let ratings: Int = (try events?.decode(forColumn: "ratings")) ?? 0
            return DepartmentScorecard(
                departmentName: name, scholarships: (try money?.decode(forColumn: "total")) ?? 0,
                totalAmountCents: (try money?.decode(forColumn: "cents")) ?? 0,
                applicationsReceived: received, awarded: (try applications?.decode(forColumn: "awarded")) ?? 0, events: held,
                attendance: attendance,
                engagementScore: Analytics.departmentEngagement(events: held, attendance: attendance, applications: received),
                satisfaction: Analytics.satisfaction(ratingSum: (try events?.decode(forColumn: "rating_sum")) ?? 0, ratings: ratings),
                responses: ratings)
        }
    }

    /// ANL-7, optionally for one department's members.
    public func university(days: Int, departmentID: Int64? = nil) throws -> UniversityFigures {
        let (start, end) = window(days: days)
        let firstDay = ScholarshipCalendar.today(clock().addingTimeInterval(-Double(days) * 86_400))
        let scope = departmentID.map { "AND u.department_id = \($0)" } ?? ""
        return try store.read { db in
            // Every count binds the window's start, end and first day; a query names those it reads.
            func count(_ sql: String) throws -> Int {
                try Int.fetchOne(db, sql: sql + " AND coalesce(?1, ?2, ?3) IS NOT NULL", arguments: [start, end, firstDay]) ?? 0
            }
            let activeAccounts = try count("SELECT count(*) FROM users u WHERE u.status = 'active' AND u.is_service_account = 0 \(scope)")
            let activeWithDay = try count(
                """
                SELECT count(*) FROM users u WHERE u.status = 'active' AND u.is_service_account = 0 \(scope)
                AND EXISTS (SELECT 1 FROM user_activity_days d WHERE d.user_id = u.id AND d.day >= ?3 )
                """)
            let students = try count("SELECT count(*) FROM users u WHERE u.status = 'active' AND u.role = 'student' \(scope)")
            let applicants = try count(
                """
                SELECT count(*) FROM users u WHERE u.status = 'active' AND u.role = 'student' \(scope) AND EXISTS (
                    SELECT 1 FROM scholarship_applications a WHERE a.user_id = u.id AND a.submitted_at >= ?1 AND a.submitted_at < ?2)
                """)
            let decisions = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum(a.status = 'awarded'), 0) AS awarded, count(*) AS decided FROM scholarship_applications a
                    JOIN users u ON u.id = a.user_id
                    WHERE a.status IN ('awarded', 'declined') AND a.decided_at >= ? AND a.decided_at < ? \(scope)
                    """, arguments: [start, end])
            let attendance = try Row.fetchOne(
                db,
                sql: """
                    SELECT coalesce(sum((SELECT count(*) FROM event_checkins c WHERE c.event_id = e.id)), 0) AS checkins,
                        coalesce(sum((SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.status = 'going')), 0) AS going
                    FROM events e WHERE e.status <> 'cancelled' AND e.start_time >= ? AND e.start_time < ?
                        \(departmentID.map { "AND e.department_id = \($0)" } ?? "")
                    """, arguments: [start, end])
            let mentees = try count(
                """
                SELECT count(*) FROM users u WHERE u.status = 'active' AND u.role = 'student' \(scope) AND EXISTS (
                    SELECT 1 FROM mentorships m WHERE m.mentee_id = u.id AND m.status = 'active')
                """)
            let seekers = try count(
                "SELECT count(*) FROM users u WHERE u.status = 'active' AND u.role IN ('student', 'alumni') \(scope)")
            let jobApplicants = try count(
                """
                SELECT count(*) FROM users u WHERE u.status = 'active' AND u.role IN ('student', 'alumni') \(scope) AND EXISTS (
                    SELECT 1 FROM job_applications a WHERE a.user_id = u.id AND a.created_at >= ?1 AND a.created_at < ?2)
                """)
            return UniversityFigures(figures: [
                ("active_user_rate", RateFigure(numerator: activeWithDay, denominator: activeAccounts)),
                ("scholarship_application_rate", RateFigure(numerator: applicants, denominator: students)),
                (
                    "award_rate",
                    RateFigure(
                        numerator: (try decisions?.decode(forColumn: "awarded")) ?? 0,
                        denominator: (try decisions?.decode(forColumn: "decided")) ?? 0)
                ),
                (
                    "event_attendance_rate",
                    RateFigure(
                        numerator: (try attendance?.decode(forColumn: "checkins")) ?? 0,
                        denominator: (try attendance?.decode(forColumn: "going")) ?? 0)
                ),
                ("mentorship_rate", RateFigure(numerator: mentees, denominator: students)),
                ("job_application_rate", RateFigure(numerator: jobApplicants, denominator: seekers)),
                ("graduation_rate", .notTracked), ("employment_rate", .notTracked),
            ])
        }
    }

    /// ANL-8: views are `jobs.view` page views of the company's postings; a posting is filled when an application
    /// reached `offer`, its days to fill from `posted_at` to that application's `updated_at`.
    public func employer(companyID: Int64, days: Int) throws -> EmployerFigures {
        let (start, end) = window(days: days)
        return try store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [companyID]) != nil else {
                throw AnalyticsError.unknownCompany
            }
            let postings =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM job_postings WHERE company_id = ? AND posted_at >= ? AND posted_at < ?",
                    arguments: [companyID, start, end]) ?? 0
            let views =
                try Int.fetchOne(
                    db,
                    sql: """
                        SELECT count(*) FROM page_views v JOIN job_postings p ON p.id = v.object_id
                        WHERE v.page_name = 'jobs.view' AND p.company_id = ? AND v.occurred_at >= ? AND v.occurred_at < ?
                        """, arguments: [companyID, start, end]) ?? 0
            let majors = try Row.fetchAll(
                db,
                sql: """
                    SELECT coalesce(nullif(trim(u.major), ''), 'undeclared') AS major, count(*) AS n FROM job_applications a
                    JOIN job_postings p ON p.id = a.job_id JOIN users u ON u.id = a.user_id
                    WHERE p.company_id = ? AND a.created_at >= ? AND a.created_at < ? GROUP BY 1
                    """, arguments: [companyID, start, end])
            var byMajor: [String: Int] = [:]
            var applications = 0
            for row in majors {
                let (major, count): (String, Int) = ((try row.decode(forColumn: "major")), (try row.decode(forColumn: "n")))
                applications += count
                byMajor[count < 5 ? "other" : major, default: 0] += count
            }
            let fills = try Double.fetchAll(
                db,
                sql: """
                    SELECT julianday((SELECT min(a.updated_at) FROM job_applications a WHERE a.job_id = p.id AND a.status = 'offer'))
                        - julianday(p.posted_at)
                    FROM job_postings p WHERE p.company_id = ? AND p.posted_at IS NOT NULL
                        AND EXISTS (SELECT 1 FROM job_applications a WHERE a.job_id = p.id AND a.status = 'offer'
                            AND a.updated_at >= ? AND a.updated_at < ?)
                    """, arguments: [companyID, start, end]
            ).sorted()
            let median: Double? =
                fills.count < 3
                ? nil
                : Analytics.round(
                    fills.count % 2 == 1 ? fills[fills.count / 2] : (fills[fills.count / 2 - 1] + fills[fills.count / 2]) / 2, places: 1)
            return EmployerFigures(
                postings: postings, views: views, applications: applications,
                applicationRate: views < 20 ? nil : Analytics.round(Double(applications) / Double(views) * 100, places: 1),
                medianDaysToFill: median, applicantsByMajor: byMajor)
        }
    }

    /// ANL-4 and the weekly report: the sentences of 20-services §5.5 over the last `days` days.
    public func insights(days: Int) throws -> [String] {
        let now = clock()
        let (start, end) = window(days: days)
        let previousStart = Timestamp.string(from: now.addingTimeInterval(-2 * Double(days) * 86_400))
        let firstDay = ScholarshipCalendar.today(now.addingTimeInterval(-Double(days) * 86_400))
        let today = ScholarshipCalendar.today(now)
        let weekAhead = ScholarshipCalendar.adding(days: 7, to: today) ?? today
        return try store.read { db in
            func count(_ sql: String, _ arguments: StatementArguments) throws -> Int {
                try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0
            }
            var figures = Insights.Figures(days: days)
            figures.newUsers = try count(
                "SELECT count(*) FROM users WHERE created_at >= ? AND created_at < ? AND is_service_account = 0", [start, end])
            figures.totalUsers = try count("SELECT count(*) FROM users WHERE status = 'active' AND is_service_account = 0", [])
            figures.activeUsers = try count(
                """
                SELECT count(*) FROM users u WHERE u.status = 'active' AND u.is_service_account = 0
                AND EXISTS (SELECT 1 FROM user_activity_days d WHERE d.user_id = u.id AND d.day >= ?)
                """, [firstDay])
            figures.posts = try count(
                "SELECT count(*) FROM posts WHERE created_at >= ? AND created_at < ? AND deleted_at IS NULL", [start, end])
            figures.scholarshipsAdded = try count(
                "SELECT count(*) FROM scholarships WHERE created_at >= ? AND created_at < ?", [start, end])
            figures.jobsPosted = try count("SELECT count(*) FROM job_postings WHERE posted_at >= ? AND posted_at < ?", [start, end])
            figures.applications = try count(
                "SELECT count(*) FROM scholarship_applications WHERE submitted_at >= ? AND submitted_at < ?", [start, end])
            figures.previousApplications = try count(
                "SELECT count(*) FROM scholarship_applications WHERE submitted_at >= ? AND submitted_at < ?", [previousStart, start])
            figures.closingSoon = try count(
                "SELECT count(*) FROM scholarships WHERE status = 'open' AND deadline >= ? AND deadline < ?", [today, weekAhead])
            figures.inProgressClosingSoon = try count(
                """
                SELECT count(*) FROM scholarship_applications a JOIN scholarships s ON s.id = a.scholarship_id
                WHERE a.status = 'in_progress' AND s.status = 'open' AND s.deadline >= ? AND s.deadline < ?
                """, [today, weekAhead])
            return Insights.sentences(figures)
        }
    }
}
