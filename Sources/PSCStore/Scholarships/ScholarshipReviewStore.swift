import Foundation
import GRDB
import PSCCore

/// The committee's side (SCH-21..26, 32): assigned reviewers score submitted applications against the rubric, the
/// chair or a manager decides awards within the cycle's budget, and donors see what their funds did.
public struct ScholarshipReviewStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// The caller's place on a scholarship's committee: nil when not assigned.
    public func seat(scholarshipID: Int64, userID: Int64) throws -> ScholarshipStore.Reviewer? {
        try store.read { db in
            try Row.fetchOne(
                db, sql: "SELECT user_id, is_chair FROM scholarship_reviewers WHERE scholarship_id = ? AND user_id = ?",
                arguments: [scholarshipID, userID]
            ).map { ScholarshipStore.Reviewer(userID: try $0.decode(forColumn: "user_id"), isChair: try $0.decode(forColumn: "is_chair")) }
        }
    }

    public struct Review: Sendable {
        public let reviewerID: Int64
        public let scores: [String: Int]
        public let total: Double?
        public let comment: String?
        public let conflictOfInterest: Bool
        public let submittedAt: String?
    }

    public func reviews(applicationID: Int64) throws -> [Review] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM scholarship_reviews WHERE application_id = ? ORDER BY id", arguments: [applicationID])
                .map {
                    Review(
                        reviewerID: try $0.decode(forColumn: "reviewer_id"),
                        scores: ScholarshipJSON.scores(try $0.decode(forColumn: "scores")), total: try $0.decode(forColumn: "total"),
                        comment: try $0.decode(forColumn: "comment"),
                        conflictOfInterest: try $0.decode(forColumn: "conflict_of_interest"),
                        submittedAt: try $0.decode(forColumn: "submitted_at"))
                }
        }
    }

    public struct Ranked: Sendable {
        public let application: ScholarshipApplicationRecord
        public let reviewsDone: Int
        public let meanScore: Double?
    }

    /// SCH-21: the scholarship's submitted applications (drafts stay private), by mean score or submission time.
    public func ranking(scholarshipID: Int64, status: String?, sort: String, limit: Int, offset: Int) throws -> [Ranked] {
        try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, (SELECT count(*) FROM scholarship_reviews r WHERE r.application_id = a.id AND r.submitted_at IS NOT NULL) AS done,
                        (SELECT avg(r.total) FROM scholarship_reviews r WHERE r.application_id = a.id AND r.total IS NOT NULL
                            AND r.conflict_of_interest = 0) AS mean
                    FROM scholarship_applications a
                    WHERE a.scholarship_id = ? AND a.submitted_at IS NOT NULL AND (?2 IS NULL OR a.status = ?2)
                    ORDER BY \(sort == "submitted_at" ? "a.submitted_at, a.id" : "mean IS NULL, mean DESC, a.submitted_at, a.id")
                    LIMIT ? OFFSET ?
                    """, arguments: [scholarshipID, status, limit, offset])
            return try rows.compactMap { row in
                guard let application = try ScholarshipApplicationStore.application(id: try row.decode(forColumn: "id"), in: db) else {
                    return nil
                }
                let mean: Double? = try row.decode(forColumn: "mean")
                return Ranked(
                    application: application, reviewsDone: try row.decode(forColumn: "done"),
                    meanScore: mean.map { ($0 * 10).rounded() / 10 })
            }
        }
    }

    public struct Assignment: Sendable {
        public let applicationID: Int64
        public let scholarshipID: Int64
        public let scholarshipTitle: String
        public let submittedAt: String
        /// pending, submitted or conflict.
        public let myReviewStatus: String
    }

    /// SCH-24: submitted applications of the scholarships the caller reviews.
    public func assigned(reviewerID: Int64, limit: Int, offset: Int) throws -> [Assignment] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT a.id, s.id AS scholarship_id, s.title, a.submitted_at,
                        CASE WHEN r.conflict_of_interest = 1 THEN 'conflict' WHEN r.submitted_at IS NOT NULL THEN 'submitted' ELSE 'pending' END AS mine
                    FROM scholarship_reviewers sr JOIN scholarships s ON s.id = sr.scholarship_id
                        JOIN scholarship_applications a ON a.scholarship_id = s.id AND a.submitted_at IS NOT NULL AND a.status <> 'withdrawn'
                        LEFT JOIN scholarship_reviews r ON r.application_id = a.id AND r.reviewer_id = sr.user_id
                    WHERE sr.user_id = ?
                    ORDER BY mine = 'pending' DESC, s.deadline, a.submitted_at, a.id LIMIT ? OFFSET ?
                    """, arguments: [reviewerID, limit, offset]
            ).map {
                Assignment(
                    applicationID: try $0.decode(forColumn: "id"), scholarshipID: try $0.decode(forColumn: "scholarship_id"),
                    scholarshipTitle: try $0.decode(forColumn: "title"),
                    submittedAt: try $0.decode(forColumn: "submitted_at"), myReviewStatus: try $0.decode(forColumn: "mine"))
            }
        }
    }

    /// SCH-25: a reviewer's scores (or a conflict declaration); the first review moves the application under review.
    public func saveReview(
        applicationID: Int64, reviewerID: Int64, scores: [String: Int], comment: String?, conflict: Bool
    ) throws -> Double? {
        try store.write { db in
            guard let application = try ScholarshipApplicationStore.application(id: applicationID, in: db) else {
                throw ScholarshipError.notFound
            }
            guard ["submitted", "under_review"].contains(application.status) else { throw ScholarshipError.notSubmitted }
            var total: Double?
            if !conflict {
                let criteria = application.scholarship.rubric ?? []
                var problems: [String] = []
                if criteria.isEmpty { problems.append("the scholarship has no rubric yet") }
                for criterion in criteria {
                    guard let score = scores[criterion.key] else {
                        problems.append("\(criterion.key) is required")
                        continue
                    }
                    if score < 0 || score > criterion.maxPoints {
                        problems.append("\(criterion.key) must be 0 to \(criterion.maxPoints)")
                    }
                }
                let unknown = Set(scores.keys).subtracting(criteria.map(\.key))
                if !unknown.isEmpty { problems.append("\(unknown.sorted().joined(separator: ", ")) are not criteria of the rubric") }
                if !problems.isEmpty { throw ScholarshipError.invalid(["scores": problems]) }
                total = Rubric.total(criteria, scores: scores)
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO scholarship_reviews (application_id, reviewer_id, scores, total, comment, conflict_of_interest, submitted_at,
                        created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?7, ?7, ?7)
                    ON CONFLICT (application_id, reviewer_id) DO UPDATE SET scores = excluded.scores, total = excluded.total,
                        comment = excluded.comment, conflict_of_interest = excluded.conflict_of_interest, submitted_at = excluded.submitted_at,
                        updated_at = excluded.updated_at
                    """,
                arguments: [applicationID, reviewerID, ScholarshipJSON.text(conflict ? [:] : scores), total, comment, conflict, stamp])
            if application.status == "submitted" {
                try db.execute(
                    sql: "UPDATE scholarship_applications SET status = 'under_review', updated_at = ? WHERE id = ?",
                    arguments: [stamp, applicationID])
            }
            return total
        }
    }

    /// SCH-26: awarded (within the cycle's budget), declined or waitlisted; the applicant is told.
    public func decide(
        applicationID: Int64, deciderID: Int64, decision: String, amountCents: Int64?, message: String?, audit: AuditEntry
    ) throws {
        try store.write { db in
            guard let application = try ScholarshipApplicationStore.application(id: applicationID, in: db) else {
                throw ScholarshipError.notFound
            }
            guard application.submittedAt != nil, application.status != "withdrawn" else { throw ScholarshipError.notSubmitted }
            let scholarship = application.scholarship
            if decision == "awarded" {
                let amount = amountCents ?? 0
                let already =
                    try Int64.fetchOne(
                        db,
                        sql: """
                            SELECT coalesce(sum(awarded_amount_cents), 0) FROM scholarship_applications
                            WHERE scholarship_id = ? AND cycle = ? AND status = 'awarded' AND id <> ?
                            """, arguments: [scholarship.id, application.cycle, applicationID]) ?? 0
                guard
                    AwardBudget.allows(
                        amountCents: scholarship.amountCents, awardCount: scholarship.awardCount, alreadyAwarded: already, adding: amount)
                else {
                    throw ScholarshipError.budgetExceeded(
                        remainingCents: max(0, scholarship.amountCents * Int64(scholarship.awardCount) - already))
                }
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    UPDATE scholarship_applications SET status = ?, awarded_amount_cents = ?, decision_message = ?, decided_at = ?, decided_by = ?,
                        award_accepted = NULL, updated_at = ? WHERE id = ?
                    """,
                arguments: [decision, decision == "awarded" ? amountCents : nil, message, stamp, deciderID, stamp, applicationID])
            let words =
                decision == "awarded"
                ? "Congratulations: you were awarded \(Money.words(amountCents ?? 0)) from “\(scholarship.title)”. Accept it on your applications page."
                : decision == "waitlisted"
                    ? "Your application to “\(scholarship.title)” is on the waitlist."
                    : "Your application to “\(scholarship.title)” was not selected this time."
            try hub.notify(
                application.userID,
                Notice(
                    .applicationStatus, title: "Scholarship decision", message: words, link: "/applications/\(applicationID)",
                    data: ["application_id": String(applicationID), "decision": decision]), in: db)
            _ = try AuditLog.append(audit, in: db)
        }
    }

    public struct DonorItem: Sendable {
        public struct Award: Sendable {
            public let recipientID: Int64?
            public let amountCents: Int64
            public let decidedAt: String?
            public let accepted: Bool?
            public let thankYouUploadID: Int64?
        }
        public let scholarshipID: Int64
        public let title: String
        public let cycle: String
        public let fundName: String?
        public let applicationsSubmitted: Int
        public let awards: [Award]
    }

    /// Whether the person is listed as a donor of any scholarship (a link to their report).
    public func isDonor(userID: Int64) throws -> Bool {
        try store.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM scholarship_donors WHERE user_id = ?)", arguments: [userID]) ?? false
        }
    }

    /// SCH-32: the donor's scholarships; a recipient only with their consent.
    public func donorReport(donorID: Int64, cycle: String?) throws -> [DonorItem] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT s.id, s.title, s.cycle, d.fund_name,
                        (SELECT count(*) FROM scholarship_applications a WHERE a.scholarship_id = s.id AND a.submitted_at IS NOT NULL) AS submitted
                    FROM scholarship_donors d JOIN scholarships s ON s.id = d.scholarship_id
                    WHERE d.user_id = ? AND (?2 IS NULL OR s.cycle = ?2) ORDER BY s.cycle DESC, s.title
                    """, arguments: [donorID, cycle]
            ).map { row in
                let awards = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT user_id, share_with_donor, awarded_amount_cents, decided_at, award_accepted, thank_you_upload_id
                        FROM scholarship_applications WHERE scholarship_id = ? AND status = 'awarded' ORDER BY decided_at, id
                        """, arguments: [try row.decode(forColumn: "id") as Int64]
                ).map { award -> DonorItem.Award in
                    let shared: Bool = try award.decode(forColumn: "share_with_donor")
                    return DonorItem.Award(
                        recipientID: shared ? try award.decode(forColumn: "user_id") : nil,
                        amountCents: try award.decode(forColumn: "awarded_amount_cents") ?? 0,
                        decidedAt: try award.decode(forColumn: "decided_at"), accepted: try award.decode(forColumn: "award_accepted"),
                        thankYouUploadID: shared ? try award.decode(forColumn: "thank_you_upload_id") : nil)
                }
                return DonorItem(
                    scholarshipID: try row.decode(forColumn: "id"), title: try row.decode(forColumn: "title"),
                    cycle: try row.decode(forColumn: "cycle"), fundName: try row.decode(forColumn: "fund_name"),
                    applicationsSubmitted: try row.decode(forColumn: "submitted"), awards: awards)
            }
        }
    }
}

/// Amounts in words for messages ("$2,500.00").
public enum Money {
    public static func words(_ cents: Int64) -> String {
        let formatter = NumberFormatter()
        formatter.numberStyle = .decimal
        formatter.minimumFractionDigits = 2
        formatter.maximumFractionDigits = 2
        formatter.locale = Locale(identifier: "en_US")
        return "$" + (formatter.string(from: NSNumber(value: Double(cents) / 100)) ?? String(cents / 100))
    }

    /// The decimal string of the API (`amount`): "2500.00".
    public static func decimal(_ cents: Int64) -> String { String(format: "%lld.%02lld", cents / 100, abs(cents % 100)) }
}
