import Foundation
import GRDB
import PSCCore

public struct JobApplicationRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let jobID: Int64
    public let jobTitle: String
    public let companyID: Int64
    public let companyName: String
    public let userID: Int64
    public let resumeUploadID: Int64
    public let coverLetter: String?
    public let answers: String?
    public let status: String
    public let employerNote: String?
    public let viewedAt: String?
    public let createdAt: String
    public let updatedAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        jobID = try row.decode(forColumn: "job_id")
        jobTitle = try row.decode(forColumn: "job_title")
        companyID = try row.decode(forColumn: "company_id")
        companyName = try row.decode(forColumn: "company_name")
        userID = try row.decode(forColumn: "user_id")
        resumeUploadID = try row.decode(forColumn: "resume_upload_id")
        coverLetter = try row.decode(forColumn: "cover_letter")
        answers = try row.decode(forColumn: "answers")
        status = try row.decode(forColumn: "status")
        employerNote = try row.decode(forColumn: "employer_note")
        viewedAt = try row.decode(forColumn: "viewed_at")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}

/// Applications to postings (JOB-7..12): submitted → reviewed → interview → offer or rejected, withdrawn by the
/// applicant at any point before a decision; the résumé upload is attached in the same transaction.
public struct JobApplicationStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static let selectSQL = """
        SELECT a.*, j.title AS job_title, j.company_id, c.name AS company_name
        FROM job_applications a JOIN job_postings j ON j.id = a.job_id JOIN companies c ON c.id = j.company_id
        """

    /// The order of the flow; a move is allowed only forward, never out of a decision or a withdrawal.
    static let rank = ["submitted": 0, "reviewed": 1, "interview": 2, "offer": 3, "rejected": 3]

    public static func allows(from current: String, to next: String) -> Bool {
        guard let from = rank[current], let to = rank[next], current != "offer", current != "rejected" else { return false }
        return to > from
    }

    /// JOB-8; `audit` is appended in the same transaction, with the new application's id as its target.
    public func apply(
        jobID: Int64, userID: Int64, resumeUploadID: Int64, coverLetter: String?, answers: String?, audit: AuditEntry? = nil
    ) throws -> Int64 {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT status, expires_at, apply_on_platform FROM job_postings WHERE id = ?", arguments: [jobID])
            else { throw JobPostingError.notFound }
            guard try row.decode(forColumn: "status") as String == "active", (try row.decode(forColumn: "expires_at") as String) > stamp,
                try row.decode(forColumn: "apply_on_platform") as Bool
            else {
                throw JobPostingError.notAccepting
            }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM job_applications WHERE job_id = ? AND user_id = ?", arguments: [jobID, userID])
                == true
            {
                throw JobPostingError.alreadyApplied
            }
            try db.execute(
                sql: """
                    INSERT INTO job_applications (job_id, user_id, resume_upload_id, cover_letter, answers, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 'submitted', ?6, ?6)
                    """,
                arguments: [jobID, userID, resumeUploadID, coverLetter, answers, stamp])
            let id = db.lastInsertedRowID
            // A résumé serves one application, so revoking an employer's access to it is revoking that application's.
            guard try UploadStore.attach(resumeUploadID, owner: userID, kind: "resume", to: "job_applications", id, in: db) else {
                throw JobPostingError.badResume
            }
            let title = try String.fetchOne(db, sql: "SELECT title FROM job_postings WHERE id = ?", arguments: [jobID]) ?? "a posting"
            try hub.notify(
                [userID],
                .init(
                    .applicationSubmitted, title: "Application sent", message: "Your application to \(title) was sent.",
                    link: "/jobs/\(jobID)"),
                in: db)
            if var audit {
                audit.targetID = String(id)
                try AuditLog.append(audit, in: db)
            }
            return id
        }
    }

    public func application(id: Int64) throws -> JobApplicationRecord? {
        try store.read { db in try JobApplicationRecord.fetchOne(db, sql: Self.selectSQL + " WHERE a.id = ?", arguments: [id]) }
    }

    /// One member's application to one posting, if any.
    public func application(jobID: Int64, userID: Int64) throws -> JobApplicationRecord? {
        try store.read { db in
            try JobApplicationRecord.fetchOne(
                db, sql: Self.selectSQL + " WHERE a.job_id = ? AND a.user_id = ?", arguments: [jobID, userID])
        }
    }

    /// JOB-8: a posting's applications, oldest first, after the cursor's id.
    public func applications(jobID: Int64, status: String?, afterID: Int64?, limit: Int) throws -> [JobApplicationRecord] {
        try store.read { db in
            try JobApplicationRecord.fetchAll(
                db, sql: Self.selectSQL + " WHERE a.job_id = ? AND (?2 IS NULL OR a.status = ?2) AND a.id > ? ORDER BY a.id LIMIT ?",
                arguments: [jobID, status, afterID ?? 0, limit])
        }
    }

    /// JOB-9: mine, newest first.
    public func applications(userID: Int64, beforeID: Int64?, limit: Int) throws -> [JobApplicationRecord] {
        try store.read { db in
            try JobApplicationRecord.fetchAll(
                db, sql: Self.selectSQL + " WHERE a.user_id = ? AND a.id < ? ORDER BY a.id DESC LIMIT ?",
                arguments: [userID, beforeID ?? Int64.max, limit])
        }
    }

    /// An employer's first look sets `viewed_at`; true when this was it.
    @discardableResult
    public func markViewed(id: Int64) throws -> Bool {
        try store.write { db in
            try db.execute(
                sql: "UPDATE job_applications SET viewed_at = ? WHERE id = ? AND viewed_at IS NULL",
                arguments: [Timestamp.string(from: clock()), id])
            guard db.changesCount == 1 else { return false }
            try tellApplicant(id: id, in: db) {
                .init(
                    .jobApplicationViewed, title: "Application viewed",
                    message: "\($0.companyName) looked at your application to \($0.jobTitle).",
                    link: "/jobs/\($0.jobID)")
            }
            return true
        }
    }

    /// How a notice says each status a company can move an application to.
    static let statusSentence = [
        "reviewed": "was reviewed", "interview": "moved to the interview stage", "offer": "received an offer",
        "rejected": "was not selected",
    ]

    /// JOB-11, compare-and-swap on the status read so two reviewers cannot both move it.
    public func setStatus(id: Int64, to next: String, note: String??, audit: AuditEntry? = nil) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard let current = try String.fetchOne(db, sql: "SELECT status FROM job_applications WHERE id = ?", arguments: [id]) else {
                throw JobPostingError.notFound
            }
            guard Self.allows(from: current, to: next) else { throw JobPostingError.invalidTransition }
            try db.execute(
                sql: """
                    UPDATE job_applications SET status = ?, employer_note = CASE WHEN ? THEN ? ELSE employer_note END, updated_at = ?
                    WHERE id = ? AND status = ?
                    """,
                arguments: [next, note != nil, note ?? nil, stamp, id, current])
            if db.changesCount == 0 { throw JobPostingError.invalidTransition }
            try tellApplicant(id: id, in: db) {
                .init(
                    .applicationStatus, title: "Application update",
                    message: "Your application to \($0.jobTitle) at \($0.companyName) \(Self.statusSentence[next] ?? "was updated").",
                    link: "/jobs/\($0.jobID)")
            }
            if let audit { try AuditLog.append(audit, in: db) }
        }
    }

    /// A notice about an application to its applicant, written in the change's transaction.
    func tellApplicant(id: Int64, in db: GRDB.Database, _ notice: (JobApplicationRecord) -> Notice) throws {
        guard let application = try JobApplicationRecord.fetchOne(db, sql: Self.selectSQL + " WHERE a.id = ?", arguments: [id]) else {
            return
        }
        try hub.notify([application.userID], notice(application), in: db)
    }

    /// JOB-12: before a decision only.
    public func withdraw(id: Int64, userID: Int64) throws {
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE job_applications SET status = 'withdrawn', updated_at = ? WHERE id = ? AND user_id = ?
                        AND status IN ('submitted', 'reviewed', 'interview')
                    """,
                arguments: [Timestamp.string(from: clock()), id, userID])
            if db.changesCount == 0 { throw JobPostingError.invalidTransition }
        }
    }
}
