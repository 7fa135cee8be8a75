import Foundation
import GRDB
import PSCCore

public enum JobPostingError: Error, Equatable {
    case notFound
    case closed
    case notPending
    case quotaReached(tier: String, limit: Int)
    case alreadyApplied
    case notAccepting
    case badResume
    case invalidTransition
}

public struct JobPostingRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let companyID: Int64
    public let companyName: String
    public let companyVerified: Bool
    public let companyLogoUploadID: Int64?
    public let postedBy: Int64?
    public let title: String
    public let description: String
    public let location: String?
    public let remote: Bool
    public let jobType: String
    public let experienceLevel: String?
    public let salaryMinCents: Int64?
    public let salaryMaxCents: Int64?
    public let currency: String?
    public let skillsRequired: [String]
    public let applicationURL: String?
    public let applyOnPlatform: Bool
    /// `active` past `expires_at` reads as `expired` before the nightly job writes it.
    public let status: String
    public let featured: Bool
    public let reviewReason: String?
    public let postedAt: String?
    public let expiresAt: String
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        companyID = try row.decode(forColumn: "company_id")
        companyName = try row.decode(forColumn: "company_name")
        companyVerified = try row.decode(forColumn: "company_verified")
        companyLogoUploadID = try row.decode(forColumn: "company_logo_upload_id")
        postedBy = try row.decode(forColumn: "posted_by")
        title = try row.decode(forColumn: "title")
        description = try row.decode(forColumn: "description")
        location = try row.decode(forColumn: "location")
        remote = try row.decode(forColumn: "remote")
        jobType = try row.decode(forColumn: "job_type")
        experienceLevel = try row.decode(forColumn: "experience_level")
        salaryMinCents = try row.decode(forColumn: "salary_min_cents")
        salaryMaxCents = try row.decode(forColumn: "salary_max_cents")
        currency = try row.decode(forColumn: "currency")
        skillsRequired =
            (try row.decode(forColumn: "skills_required") as String?).flatMap {
                try? JSONDecoder().decode([String].self, from: Data($0.utf8))
            } ?? []
        applicationURL = try row.decode(forColumn: "application_url")
        applyOnPlatform = try row.decode(forColumn: "apply_on_platform")
        status = try row.decode(forColumn: "effective_status")
        featured = try row.decode(forColumn: "featured")
        reviewReason = try row.decode(forColumn: "review_reason")
        postedAt = try row.decode(forColumn: "posted_at")
        expiresAt = try row.decode(forColumn: "expires_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// What a poster sets on a posting (JOB-3, JOB-4), already validated.
public struct JobPostingFields: Sendable {
    public var title: String
    public var description: String
    public var location: String?
    public var remote: Bool
    public var jobType: String
    public var experienceLevel: String?
    public var salaryMinCents: Int64?
    public var salaryMaxCents: Int64?
    public var currency: String?
    public var skillsRequired: [String]
    public var applicationURL: String?
    public var applyOnPlatform: Bool
    public var expiresAt: Date?

    public init(
        title: String, description: String, location: String?, remote: Bool, jobType: String, experienceLevel: String?,
        salaryMinCents: Int64?, salaryMaxCents: Int64?, currency: String?, skillsRequired: [String], applicationURL: String?,
        applyOnPlatform: Bool, expiresAt: Date?
    ) {
        (self.title, self.description, self.location, self.remote, self.jobType) = (title, description, location, remote, jobType)
        (self.experienceLevel, self.salaryMinCents, self.salaryMaxCents, self.currency) = (
            experienceLevel, salaryMinCents, salaryMaxCents, currency
        )
        (self.skillsRequired, self.applicationURL, self.applyOnPlatform, self.expiresAt) = (
            skillsRequired, applicationURL, applyOnPlatform, expiresAt
        )
    }
}

/// Job postings (10-api §9): employer postings wait for approval and count against the tier's quota; postings by
/// faculty, staff and job managers are active at once; every posting expires.
public struct JobPostingStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date

    /// The free tier's benefits (20-services §8.2) until subscriptions exist: 2 postings (active and pending) of
    /// at most 30 days; everyone else posts for up to 180 days.
    public static let employerTier = (name: "free", postings: 2, days: 30)
    public static let staffPostingDays = 180

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static func selectSQL(now: String) -> String {
        """
        SELECT j.*, c.name AS company_name, c.verified AS company_verified, c.logo_upload_id AS company_logo_upload_id,
            CASE WHEN j.status = 'active' AND j.expires_at <= '\(now)' THEN 'expired' ELSE j.status END AS effective_status
        FROM job_postings j JOIN companies c ON c.id = j.company_id
        """
    }

    var now: String { Timestamp.string(from: clock()) }

    public func posting(id: Int64) throws -> JobPostingRecord? {
        try store.read { db in try posting(id: id, in: db) }
    }

    func posting(id: Int64, in db: GRDB.Database) throws -> JobPostingRecord? {
        try JobPostingRecord.fetchOne(db, sql: Self.selectSQL(now: now) + " WHERE j.id = ?", arguments: [id])
    }

    /// The latest expiry a poster may set, from now.
    public func latestExpiry(employer: Bool) -> Date {
        clock().addingTimeInterval(Double(employer ? Self.employerTier.days : Self.staffPostingDays) * 86400)
    }

    /// `new_job` to students and alumni whose skills or major match: a required skill equals one of theirs, or
    /// their major appears in the title or the required skills, ignoring case (10-api §9).
    func announce(_ posting: JobPostingRecord, in db: GRDB.Database) throws {
        try hub.notify(
            selecting: """
                SELECT u.id FROM users u WHERE u.role IN ('student', 'alumni') AND u.status = 'active' AND (
                    EXISTS (SELECT 1 FROM json_each(coalesce(u.skills, '[]')) s, json_each(?) r WHERE lower(s.value) = lower(r.value))
                    OR (u.major IS NOT NULL AND u.major <> '' AND (instr(lower(?), lower(u.major)) > 0
                        OR EXISTS (SELECT 1 FROM json_each(?) r WHERE instr(lower(r.value), lower(u.major)) > 0))))
                """,
            arguments: [Self.json(posting.skillsRequired), posting.title, Self.json(posting.skillsRequired)],
            .init(
                .newJob, title: "A job that fits", message: "\(posting.companyName) posted \(posting.title).", link: "/jobs/\(posting.id)"),
            in: db)
    }

    /// JOB-3: employers' postings wait for approval within the quota; the others are active at once. `audit` is
    /// appended in the same transaction, with the new posting's id as its target.
    public func create(_ fields: JobPostingFields, companyID: Int64, postedBy: Int64, employer: Bool, audit: AuditEntry? = nil) throws
        -> Int64
    {
        let stamp = now
        let expires = Timestamp.string(from: fields.expiresAt ?? latestExpiry(employer: employer))
        return try store.write { db in
            if employer {
                let used =
                    try Int.fetchOne(
                        db,
                        sql: """
                            SELECT count(*) FROM job_postings WHERE company_id = ? AND (status = 'pending_approval'
                                OR (status = 'active' AND expires_at > ?))
                            """,
                        arguments: [companyID, stamp]) ?? 0
                if used >= Self.employerTier.postings {
                    throw JobPostingError.quotaReached(tier: Self.employerTier.name, limit: Self.employerTier.postings)
                }
            }
            try db.execute(
                sql: """
                    INSERT INTO job_postings (company_id, posted_by, title, description, location, remote, job_type, experience_level,
                        salary_min_cents, salary_max_cents, currency, skills_required, application_url, apply_on_platform, status,
                        posted_at, expires_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?18, ?18)
                    """,
                arguments: [
                    companyID, postedBy, fields.title, fields.description, fields.location, fields.remote, fields.jobType,
                    fields.experienceLevel, fields.salaryMinCents, fields.salaryMaxCents, fields.currency, Self.json(fields.skillsRequired),
                    fields.applicationURL, fields.applyOnPlatform, employer ? "pending_approval" : "active", employer ? nil : stamp,
                    expires, stamp,
                ])
            let id = db.lastInsertedRowID
            if !employer, let posting = try posting(id: id, in: db) { try announce(posting, in: db) }
            if var audit {
                audit.targetID = String(id)
                try AuditLog.append(audit, in: db)
            }
            return id
        }
    }

    static func json(_ strings: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    /// JOB-4: a changed description sends an active employer posting back for approval.
    public func update(id: Int64, fields: JobPostingFields, employer: Bool) throws {
        let stamp = now
        try store.write { db in
            guard let current = try posting(id: id, in: db) else { throw JobPostingError.notFound }
            guard ["pending_approval", "active"].contains(current.status) else { throw JobPostingError.closed }
            let status =
                employer && current.status == "active" && fields.description != current.description ? "pending_approval" : current.status
            try db.execute(
                sql: """
                    UPDATE job_postings SET title = ?, description = ?, location = ?, remote = ?, job_type = ?, experience_level = ?,
                        salary_min_cents = ?, salary_max_cents = ?, currency = ?, skills_required = ?, application_url = ?,
                        apply_on_platform = ?, expires_at = ?, status = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    fields.title, fields.description, fields.location, fields.remote, fields.jobType, fields.experienceLevel,
                    fields.salaryMinCents, fields.salaryMaxCents, fields.currency, Self.json(fields.skillsRequired), fields.applicationURL,
                    fields.applyOnPlatform, Timestamp.string(from: fields.expiresAt ?? Timestamp.date(from: current.expiresAt) ?? clock()),
                    status, stamp, id,
                ])
        }
    }

    /// JOB-5: closed, not deleted, so applicants keep their history.
    public func close(id: Int64, audit: AuditEntry? = nil) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE job_postings SET status = 'closed', updated_at = ? WHERE id = ? AND status IN ('pending_approval', 'active')",
                arguments: [now, id])
            if db.changesCount == 0 { throw JobPostingError.closed }
            let title = try String.fetchOne(db, sql: "SELECT title FROM job_postings WHERE id = ?", arguments: [id]) ?? "A posting"
            try hub.notify(
                selecting:
                    "SELECT user_id AS id FROM job_applications WHERE job_id = ? AND status IN ('submitted', 'reviewed', 'interview')",
                arguments: [id], .init(.applicationStatus, title: "Posting closed", message: "\(title) is closed.", link: "/jobs/\(id)"),
                in: db)
            if let audit { try AuditLog.append(audit, in: db) }
        }
    }

    /// JOB-6: approve (active from now) or reject with a reason.
    public func review(id: Int64, approve: Bool, reason: String?, audit: AuditEntry? = nil) throws {
        let stamp = now
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE job_postings SET status = ?, review_reason = ?, posted_at = CASE WHEN ?1 = 'active' THEN ?3 ELSE posted_at END,
                        updated_at = ?3 WHERE id = ? AND status = 'pending_approval'
                    """,
                arguments: [approve ? "active" : "rejected", reason, stamp, id])
            if db.changesCount == 0 { throw JobPostingError.notPending }
            if approve, let posting = try posting(id: id, in: db) { try announce(posting, in: db) }
            if let audit { try AuditLog.append(audit, in: db) }
        }
    }

    public struct Listing: Sendable {
        public var text: String?
        public var location: String?
        public var remote: Bool?
        public var jobType: String?
        public var experienceLevel: String?
        public var companyID: Int64?
        public var postedSince: String?
        public var salaryMinCents: Int64?
        public var sort = "newest"
        public var offset = 0
        public var limit = 20
        public init() {}
    }

    /// JOB-1: active, unexpired postings; featured first, then by the chosen order. `relevance` ranks by the
    /// search index's BM25 when there is text, else falls back to newest.
    public func list(_ listing: Listing) throws -> [JobPostingRecord] {
        let stamp = now
        var conditions = ["j.status = 'active'", "j.expires_at > ?"]
        var arguments: StatementArguments = [stamp]
        var order = "j.posted_at DESC, j.id DESC"
        if let text = listing.text, let match = SearchStore.matchExpression(text) {
            conditions.append("j.id IN (\(SearchStore.idsSQL(type: "jobs")))")
            arguments += [match]
            if listing.sort == "relevance" {
                order = """
                    (SELECT bm25(search_index, 3.0, 1.0, 2.0) FROM search_index WHERE search_index MATCH ? AND rowid = j.id + \(SearchStore.base("jobs"))),
                        j.id DESC
                    """
            }
        }
        if let location = listing.location {
            conditions.append("lower(coalesce(j.location, '')) LIKE ?")
            arguments += ["%" + location.lowercased().replacingOccurrences(of: "%", with: "") + "%"]
        }
        if let remote = listing.remote {
            conditions.append("j.remote = ?")
            arguments += [remote]
        }
        for (column, value) in [("j.job_type", listing.jobType), ("j.experience_level", listing.experienceLevel)] {
            if let value {
                conditions.append("\(column) = ?")
                arguments += [value]
            }
        }
        if let company = listing.companyID {
            conditions.append("j.company_id = ?")
            arguments += [company]
        }
        if let since = listing.postedSince {
            conditions.append("j.posted_at >= ?")
            arguments += [since]
        }
        if let salary = listing.salaryMinCents {
            conditions.append("coalesce(j.salary_max_cents, j.salary_min_cents) >= ?")
            arguments += [salary]
        }
        if listing.sort == "salary" { order = "coalesce(j.salary_max_cents, j.salary_min_cents, -1) DESC, j.id DESC" }
        if order.contains("MATCH ?"), let text = listing.text, let match = SearchStore.matchExpression(text) { arguments += [match] }
        arguments += [listing.limit, listing.offset]
        let sql =
            Self.selectSQL(now: stamp)
            + " WHERE \(conditions.joined(separator: " AND ")) ORDER BY j.featured DESC, \(order) LIMIT ? OFFSET ?"
        return try store.read { db in try JobPostingRecord.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// Postings of one company in any status, for its members' dashboard.
    public func postings(companyID: Int64) throws -> [JobPostingRecord] {
        try store.read { db in
            try JobPostingRecord.fetchAll(
                db, sql: Self.selectSQL(now: now) + " WHERE j.company_id = ? ORDER BY j.created_at DESC, j.id DESC LIMIT 200",
                arguments: [companyID])
        }
    }

    /// Housekeeping of the nightly retention job: active postings past `expires_at` become `expired`.
    public func expirePostings() throws -> Int {
        try store.write { db in
            try db.execute(
                sql: "UPDATE job_postings SET status = 'expired', updated_at = ?1 WHERE status = 'active' AND expires_at <= ?1",
                arguments: [now])
            return db.changesCount
        }
    }

    /// JOB-2 by a signed-in reader: the view ANL-8 and `job_deadline` count.
    public static let viewPageName = "jobs.view"
}
