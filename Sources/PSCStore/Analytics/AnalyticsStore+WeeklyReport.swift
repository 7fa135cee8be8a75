import Foundation
import GRDB
import PSCCore

/// Job 7's email (30-jobs job 7): what one recipient's weekly report holds.
public struct WeeklyReport: Sendable {
    public let email: String
    public let firstName: String
    /// Admins get the whole report; a grant holder only the scorecard of the grant's department.
    public let isAdmin: Bool
    public let sentences: [String]
    public let newUsers: Int
    public let activeUsers: Int
    public let applications: Int
    public let eventsHeld: Int
    public let deliveriesFailed: Int
    public let lastBackup: String?
    public let scorecards: [DepartmentScorecard]
}

extension AnalyticsStore {
    public static let weeklyBatchPrefix = "weekly:"

    /// Queues one operational email per recipient for the slot: active admins and active `department_head` or
    /// `analyst` holders whose `weekly_report` setting is on. A rerun of the slot queues nobody twice.
    public func queueWeeklyReports(slot: String) throws -> Int {
        let stamp = Timestamp.string(from: clock())
        let batch = Self.weeklyBatchPrefix + slot
        return try store.write { db in
            let recipients = try Int64.fetchAll(
                db,
                sql: """
                    SELECT u.id FROM users u WHERE u.status = 'active' AND u.weekly_report = 1 AND u.is_service_account = 0 AND (
                        u.role = 'admin' OR EXISTS (SELECT 1 FROM capability_grants g WHERE g.user_id = u.id AND g.active = 1
                            AND g.capability IN ('department_head', 'analyst') AND (g.expires_at IS NULL OR g.expires_at > ?1)))
                    AND NOT EXISTS (SELECT 1 FROM deliveries d WHERE d.user_id = u.id AND d.batch_id = ?2)
                    ORDER BY u.id
                    """, arguments: [stamp, batch])
            var jobs: [DeliveryJob] = []
            for user in recipients {
                try db.execute(
                    sql: """
                        INSERT INTO deliveries (user_id, channel, purpose, batch_id, priority, status, attempts, queued_at)
                        VALUES (?, 'email', 'operational', ?, 'medium', 'queued', 0, ?)
                        """, arguments: [user, batch, stamp])
                jobs.append(DeliveryJob(deliveryID: db.lastInsertedRowID, channel: .email, priority: .medium, runAt: nil))
            }
            try store.outbox.enqueue(jobs, in: db)
            return recipients.count
        }
    }

    /// The report for one recipient, over the last 7 days; nil when they are no longer a recipient.
    public func weeklyReport(userID: Int64) throws -> WeeklyReport? {
        let (start, end) = window(days: 7)
        let firstDay = ScholarshipCalendar.today(clock().addingTimeInterval(-7 * 86_400))
        let facts = try store.read { db -> (Row, [Int64?], Row?)? in
            guard
                let user = try Row.fetchOne(
                    db, sql: "SELECT email, first_name, role FROM users WHERE id = ? AND status = 'active'", arguments: [userID])
            else { return nil }
            let departments = try Int64?.fetchAll(
                db,
                sql: """
                    SELECT department_id FROM capability_grants WHERE user_id = ? AND active = 1
                    AND capability IN ('department_head', 'analyst')
                    """, arguments: [userID])
            let totals = try Row.fetchOne(
                db,
                sql: """
                    SELECT (SELECT count(*) FROM users WHERE created_at >= ?1 AND created_at < ?2 AND is_service_account = 0) AS new_users,
                        (SELECT count(DISTINCT user_id) FROM user_activity_days WHERE day >= ?3) AS active_users,
                        (SELECT count(*) FROM scholarship_applications WHERE submitted_at >= ?1 AND submitted_at < ?2)
                        + (SELECT count(*) FROM job_applications WHERE created_at >= ?1 AND created_at < ?2) AS applications,
                        (SELECT count(*) FROM events WHERE status <> 'cancelled' AND start_time >= ?1 AND start_time < ?2) AS events,
                        (SELECT count(*) FROM deliveries WHERE status IN ('failed', 'dead') AND queued_at >= ?1) AS failed,
                        (SELECT max(created_at) FROM backups WHERE deleted_at IS NULL) AS backup
                    """, arguments: [start, end, firstDay])
            return (user, departments, totals)
        }
        guard let (user, departments, totals) = facts else { return nil }
        let isAdmin = ((try user.decode(forColumn: "role")) as String?) == "admin"
        if !isAdmin && departments.isEmpty { return nil }
        let scoped: [Int64] = isAdmin ? [] : departments.compactMap { $0 }
        let scorecards = try scoped.map { try department(id: $0, days: 7) }
        return WeeklyReport(
            email: (try user.decode(forColumn: "email")) ?? "", firstName: (try user.decode(forColumn: "first_name")) ?? "",
            isAdmin: isAdmin,
            sentences: isAdmin ? try insights(days: 7) : [], newUsers: (try totals?.decode(forColumn: "new_users")) ?? 0,
            activeUsers: (try totals?.decode(forColumn: "active_users")) ?? 0,
            applications: (try totals?.decode(forColumn: "applications")) ?? 0, eventsHeld: (try totals?.decode(forColumn: "events")) ?? 0,
            deliveriesFailed: (try totals?.decode(forColumn: "failed")) ?? 0, lastBackup: (try totals?.decode(forColumn: "backup")),
            scorecards: scorecards)
    }
}
