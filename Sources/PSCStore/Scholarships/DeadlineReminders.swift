import Foundation
import GRDB
import PSCCore

/// Job 8 `deadline_reminders` (30-jobs): 7, 3 and 1 days before an open internal scholarship's deadline (Chicago
/// dates), every active student or alumnus who matched (eligible or needs info) or started an application and has not
/// submitted is told through the hub; postings expiring in 3 days remind those who viewed them and did not apply. Each
/// notice carries a dedupe key, so a rerun, a catch-up or a manual run never sends twice.
public struct DeadlineReminders: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date
    public static let thresholds = [7, 3, 1]

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// How many people each kind of reminder went to (including ones whose key had already been used, which the hub
    /// skips).
    public func run() throws -> (scholarships: Int, postings: Int) {
        let today = ScholarshipCalendar.today(clock())
        var told = 0
        for days in Self.thresholds {
            guard let date = ScholarshipCalendar.adding(days: days, to: today) else { continue }
            let due = try store.read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT id, title FROM scholarships
                        WHERE status = 'open' AND application_method = 'internal' AND deadline = ? ORDER BY id
                        """, arguments: [date])
            }
            for scholarship in due {
                told += try remind(
                    scholarshipID: try scholarship.decode(forColumn: "id"), title: try scholarship.decode(forColumn: "title"), days: days)
            }
        }
        return (told, try remindPostings())
    }

    func remind(scholarshipID: Int64, title: String, days: Int) throws -> Int {
        try store.write { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, m.status AS match_status, m.details, a.id AS application_id
                    FROM users u
                        LEFT JOIN scholarship_match_results m ON m.user_id = u.id AND m.scholarship_id = ?1
                        LEFT JOIN scholarship_applications a ON a.user_id = u.id AND a.scholarship_id = ?1
                            AND a.cycle = (SELECT cycle FROM scholarships WHERE id = ?1)
                    WHERE u.status = 'active' AND u.role IN ('student', 'alumni')
                        AND (m.status IN ('eligible', 'needs_info') OR a.status = 'in_progress')
                        AND (a.id IS NULL OR a.status = 'in_progress')
                    ORDER BY u.id
                    """, arguments: [scholarshipID])
            let when = days == 1 ? "tomorrow" : "in \(days) days"
            for row in rows {
                let userID: Int64 = try row.decode(forColumn: "id")
                let message: String
                var link = "/scholarships/\(scholarshipID)"
                if let applicationID = try row.decode(forColumn: "application_id") as Int64?,
                    let application = try ScholarshipApplicationStore.application(id: applicationID, in: db)
                {
                    let checklist = application.checklist
                    message = "Finish your application: \(checklist.doneCount) of \(checklist.items.count) items done. It closes \(when)."
                    link = "/applications/\(applicationID)"
                } else if try row.decode(forColumn: "match_status") as String? == "needs_info" {
                    let missing = ScholarshipMatchStore.result(
                        status: "needs_info", score: 0, details: try row.decode(forColumn: "details") ?? "{}"
                    ).missingFields
                    let hints = missing.map(ScholarshipMatcher.hint).joined(separator: "; ")
                    message = "You may be eligible if you \(hints). It closes \(when)."
                } else {
                    message = "You may be eligible. It closes \(when)."
                }
                try hub.notify(
                    userID,
                    Notice(
                        .scholarshipDeadline, title: "“\(title)” closes \(when)", message: message, link: link,
                        data: ["scholarship_id": String(scholarshipID), "days": String(days)],
                        dedupeKey: "deadline:\(scholarshipID):\(userID):\(days)"), in: db)
            }
            return rows.count
        }
    }

    /// `job_deadline`: postings that expire within the day three days from now, to members who viewed them and did
    /// not apply.
    func remindPostings() throws -> Int {
        let now = clock()
        let from = Timestamp.string(from: now.addingTimeInterval(2 * 86_400))
        let to = Timestamp.string(from: now.addingTimeInterval(3 * 86_400))
        return try store.write { db in
            let postings = try Row.fetchAll(
                db,
                sql: "SELECT id, title FROM job_postings WHERE status = 'active' AND expires_at > ? AND expires_at <= ? ORDER BY id",
                arguments: [from, to])
            var told = 0
            for posting in postings {
                let id: Int64 = posting["id"]
                let viewers = try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT DISTINCT v.user_id FROM page_views v JOIN users u ON u.id = v.user_id AND u.status = 'active'
                        WHERE v.page_name = ? AND v.object_id = ?
                            AND NOT EXISTS (SELECT 1 FROM job_applications a WHERE a.job_id = ? AND a.user_id = v.user_id)
                        """, arguments: [JobPostingStore.viewPageName, id, id])
                for viewer in viewers {
                    try hub.notify(
                        viewer,
                        Notice(
                            .jobDeadline, title: "“\(posting["title"] as String)” closes in 3 days",
                            message: "You looked at this posting and have not applied yet.", link: "/jobs/\(id)",
                            data: ["job_id": String(id)], dedupeKey: "jobdeadline:\(id):\(viewer)"), in: db)
                }
                told += viewers.count
            }
            return told
        }
    }
}
