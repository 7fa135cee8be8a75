import Foundation
import GRDB
import PSCCore

/// How the composition root queues a `match_recompute` job for a scholarship inside a transaction (30-jobs §4).
public struct MatchScheduling: Sendable {
    public let schedule: @Sendable (_ scholarshipID: Int64, _ db: GRDB.Database) throws -> Void
    public init(schedule: @escaping @Sendable (_ scholarshipID: Int64, _ db: GRDB.Database) throws -> Void) {
        self.schedule = schedule
    }
    /// For tests and tools that recompute by hand.
    public static let none = MatchScheduling { _, _ in }
}

/// The scholarship catalogue (10-api §10, SCH-1..8, 22, 23, 30, 31): what managers write and everyone browses. A
/// change that can move matches (opening, rules) queues the scholarship's recompute in the same transaction.
public struct ScholarshipStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date
    let matching: MatchScheduling

    public init(store: Store, matching: MatchScheduling, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.matching = matching
        self.clock = clock
    }

    public func scholarship(id: Int64) throws -> ScholarshipRecord? { try store.read { db in try scholarship(id: id, in: db) } }

    func scholarship(id: Int64, in db: GRDB.Database) throws -> ScholarshipRecord? {
        try ScholarshipRecord.fetchOne(db, sql: ScholarshipRecord.selectSQL + " WHERE s.id = ?", arguments: [id])
    }

    /// SCH-1's filters.
    public struct Listing: Sendable {
        public var text: String?
        public var departmentID: Int64?
        public var category: String?
        public var minAmountCents: Int64?
        public var maxAmountCents: Int64?
        public var deadlineAfter: String?
        public var deadlineBefore: String?
        public var openOnly = true
        public var renewable: Bool?
        public var essayRequired: Bool?
        public var applicationMethod: String?
        public var cycle: String?
        /// deadline, amount, newest, or match (with `matchFor`).
        public var sort = "deadline"
        public var matchFor: Int64?
        /// Drafts and archived ones are shown only to their managers (`nil`: nobody's).
        public var includeUnpublished = false
        public var limit = 20
        public var offset = 0
        public init() {}
    }

    public func list(_ listing: Listing) throws -> [ScholarshipRecord] {
        try store.read { db in
            var conditions: [String] = []
            var arguments = StatementArguments()
            let today = ScholarshipCalendar.today(clock())
            if listing.openOnly {
                conditions.append("s.status = 'open' AND s.deadline >= ?")
                arguments += [today]
            } else if !listing.includeUnpublished {
                conditions.append("s.status IN ('open', 'closed')")
            }
            if let text = listing.text, let match = SearchStore.matchExpression(text) {
                conditions.append("s.id IN (\(SearchStore.idsSQL(type: "scholarships")))")
                arguments += [match]
            }
            if let id = listing.departmentID {
                conditions.append("s.department_id = ?")
                arguments += [id]
            }
            if let category = listing.category {
                conditions.append("s.category = ?")
                arguments += [category]
            }
            if let minimum = listing.minAmountCents {
                conditions.append("s.amount_cents >= ?")
                arguments += [minimum]
            }
            if let maximum = listing.maxAmountCents {
                conditions.append("s.amount_cents <= ?")
                arguments += [maximum]
            }
            if let after = listing.deadlineAfter {
                conditions.append("s.deadline >= ?")
                arguments += [after]
            }
            if let before = listing.deadlineBefore {
                conditions.append("s.deadline <= ?")
                arguments += [before]
            }
            if let renewable = listing.renewable {
                conditions.append("s.renewable = ?")
                arguments += [renewable]
            }
            if let essays = listing.essayRequired {
                conditions.append(essays ? "json_array_length(s.essay_prompts) > 0" : "json_array_length(s.essay_prompts) = 0")
            }
            if let method = listing.applicationMethod {
                conditions.append("s.application_method = ?")
                arguments += [method]
            }
            if let cycle = listing.cycle {
                conditions.append("s.cycle = ?")
                arguments += [cycle]
            }
            var join = ""
            let order: String
            switch listing.sort {
            case "amount": order = "s.amount_cents DESC, s.deadline, s.id"
            case "newest": order = "s.created_at DESC, s.id DESC"
            case "match" where listing.matchFor != nil:
                join = " LEFT JOIN scholarship_match_results m ON m.scholarship_id = s.id AND m.user_id = ?"
                arguments = [listing.matchFor] + arguments
                order =
                    "CASE m.status WHEN 'eligible' THEN 0 WHEN 'needs_info' THEN 1 WHEN 'ineligible' THEN 2 ELSE 3 END, m.score DESC, s.deadline, s.id"
            default: order = "s.deadline, s.id"
            }
            let whereSQL = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
            arguments += [listing.limit, listing.offset]
            return try ScholarshipRecord.fetchAll(
                db, sql: ScholarshipRecord.selectSQL + join + whereSQL + " ORDER BY \(order) LIMIT ? OFFSET ?", arguments: arguments)
        }
    }

    /// SCH-3. Opening it queues the matching of every student.
    public func create(_ fields: ScholarshipFields, createdBy: Int64, audit: AuditEntry) throws -> Int64 {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            let columns = ScholarshipFields.columns + ["created_by", "created_at", "updated_at"]
            try db.execute(
                sql:
                    "INSERT INTO scholarships (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                arguments: fields.arguments + [createdBy, stamp, stamp])
            let id = db.lastInsertedRowID
            _ = try AuditLog.append(audit.targeting(id), in: db)
            if fields.status == "open" { try matching.schedule(id, db) }
            return id
        }
    }

    /// SCH-4: essays and letters cannot shrink once someone submitted; a rule change or opening re-matches.
    public func update(id: Int64, fields: ScholarshipFields, audit: AuditEntry) throws {
        try store.write { db in
            guard let current = try scholarship(id: id, in: db) else { throw ScholarshipError.notFound }
            guard current.status != "archived" else { throw ScholarshipError.notOpen }
            let submitted =
                try Bool.fetchOne(
                    db,
                    sql: "SELECT EXISTS (SELECT 1 FROM scholarship_applications WHERE scholarship_id = ? AND submitted_at IS NOT NULL)",
                    arguments: [id]) ?? false
            if submitted {
                if fields.prompts.count < current.prompts.count { throw ScholarshipError.shrinking("essay_prompts") }
                if fields.numRecommendations < current.numRecommendations { throw ScholarshipError.shrinking("num_recommendations") }
            }
            let assignments = ScholarshipFields.columns.map { "\($0) = ?" }.joined(separator: ", ")
            try db.execute(
                sql: "UPDATE scholarships SET \(assignments), updated_at = ? WHERE id = ?",
                arguments: fields.arguments + [Timestamp.string(from: clock()), id])
            try ScholarshipApplicationStore.refreshProgress(scholarshipID: id, in: db)
            _ = try AuditLog.append(audit, in: db)
            let rulesChanged = fields.eligibility != current.eligibility || fields.tags != current.tags
            if fields.status != current.status || (fields.status == "open" && rulesChanged) { try matching.schedule(id, db) }
        }
    }

    /// SCH-5: archived; applicants still in progress are told.
    public func archive(id: Int64, audit: AuditEntry) throws {
        try store.write { db in
            guard let current = try scholarship(id: id, in: db) else { throw ScholarshipError.notFound }
            guard current.status != "archived" else { return }
            try db.execute(
                sql: "UPDATE scholarships SET status = 'archived', updated_at = ? WHERE id = ?",
                arguments: [Timestamp.string(from: clock()), id])
            try db.execute(sql: "DELETE FROM scholarship_match_results WHERE scholarship_id = ?", arguments: [id])
            try hub.notify(
                selecting: "SELECT user_id FROM scholarship_applications WHERE scholarship_id = ? AND status = 'in_progress'",
                arguments: [id],
                Notice(
                    .applicationStatus, title: "A scholarship was withdrawn",
                    message: "“\(current.title)” is no longer offered, so your application in progress cannot be submitted.",
                    link: "/applications", data: ["scholarship_id": String(id)]), in: db)
            _ = try AuditLog.append(audit, in: db)
        }
    }

    /// SCH-8: replaces the rules; re-matching follows in a job.
    public func setRules(id: Int64, eligibility: Eligibility, audit: AuditEntry) throws {
        try store.write { db in
            guard let current = try scholarship(id: id, in: db) else { throw ScholarshipError.notFound }
            try db.execute(
                sql: "UPDATE scholarships SET eligibility = ?, updated_at = ? WHERE id = ?",
                arguments: [ScholarshipJSON.text(eligibility.document), Timestamp.string(from: clock()), id])
            _ = try AuditLog.append(audit, in: db)
            if current.status == "open" && current.eligibility != eligibility { try matching.schedule(id, db) }
        }
    }

    /// SCH-22: the rubric is fixed once a review exists.
    public func setRubric(id: Int64, criteria: [RubricCriterion], audit: AuditEntry) throws {
        try store.write { db in
            guard try scholarship(id: id, in: db) != nil else { throw ScholarshipError.notFound }
            let reviewed =
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM scholarship_reviews r JOIN scholarship_applications a ON a.id = r.application_id
                            WHERE a.scholarship_id = ?)
                        """, arguments: [id]) ?? false
            if reviewed { throw ScholarshipError.rubricLocked }
            try db.execute(
                sql: "UPDATE scholarships SET rubric = ?, updated_at = ? WHERE id = ?",
                arguments: [ScholarshipJSON.rubricText(criteria), Timestamp.string(from: clock()), id])
            _ = try AuditLog.append(audit, in: db)
        }
    }

    public struct Reviewer: Sendable {
        public let userID: Int64
        public let isChair: Bool
    }

    public func reviewers(scholarshipID: Int64) throws -> [Reviewer] {
        try store.read { db in try reviewers(scholarshipID: scholarshipID, in: db) }
    }

    func reviewers(scholarshipID: Int64, in db: GRDB.Database) throws -> [Reviewer] {
        try Row.fetchAll(
            db, sql: "SELECT user_id, is_chair FROM scholarship_reviewers WHERE scholarship_id = ? ORDER BY is_chair DESC, user_id",
            arguments: [scholarshipID]
        ).map { Reviewer(userID: try $0.decode(forColumn: "user_id"), isChair: try $0.decode(forColumn: "is_chair")) }
    }

    /// SCH-23: the committee replaced as a whole. Each member must hold `review_scholarships` for the department.
    public func setReviewers(scholarshipID: Int64, userIDs: [Int64], chairID: Int64?, audit: AuditEntry) throws {
        try store.write { db in
            guard let scholarship = try scholarship(id: scholarshipID, in: db) else { throw ScholarshipError.notFound }
            let qualified = try Set(
                Int64.fetchAll(
                    db,
                    sql: """
                        SELECT u.id FROM users u WHERE u.id IN (SELECT value FROM json_each(?)) AND u.status = 'active' AND (u.role = 'admin'
                            OR EXISTS (SELECT 1 FROM capability_grants g WHERE g.user_id = u.id AND g.active = 1
                                AND g.capability IN ('department_head', 'scholarship_committee')
                                AND (g.department_id IS NULL OR g.department_id IS ?)
                                AND (g.expires_at IS NULL OR g.expires_at > ?)))
                        """, arguments: [userIDs.jsonList, scholarship.departmentID, Timestamp.string(from: clock())]))
            let refused = userIDs.filter { !qualified.contains($0) }
            if !refused.isEmpty {
                throw ScholarshipError.invalid([
                    "user_ids": [
                        "\(refused.map(String.init).joined(separator: ", ")) cannot review this scholarship (review_scholarships in its department is needed)"
                    ]
                ])
            }
            try db.execute(sql: "DELETE FROM scholarship_reviewers WHERE scholarship_id = ?", arguments: [scholarshipID])
            for id in Set(userIDs).sorted() {
                try db.execute(
                    sql: "INSERT INTO scholarship_reviewers (scholarship_id, user_id, is_chair) VALUES (?, ?, ?)",
                    arguments: [scholarshipID, id, id == chairID])
            }
            _ = try AuditLog.append(audit, in: db)
        }
    }

    public struct Donor: Sendable {
        public let userID: Int64
        public let fundName: String?
        public init(userID: Int64, fundName: String?) {
            self.userID = userID
            self.fundName = fundName
        }
    }

    public func donors(scholarshipID: Int64) throws -> [Donor] {
        try store.read { db in
            try Row.fetchAll(
                db, sql: "SELECT user_id, fund_name FROM scholarship_donors WHERE scholarship_id = ? ORDER BY user_id",
                arguments: [scholarshipID]
            ).map { Donor(userID: try $0.decode(forColumn: "user_id"), fundName: try $0.decode(forColumn: "fund_name")) }
        }
    }

    /// SCH-31: the donors replaced as a whole; each must be an active account.
    public func setDonors(scholarshipID: Int64, donors: [Donor], addedBy: Int64, audit: AuditEntry) throws {
        try store.write { db in
            guard try scholarship(id: scholarshipID, in: db) != nil else { throw ScholarshipError.notFound }
            let ids = donors.map(\.userID)
            let known = try Set(
                Int64.fetchAll(
                    db, sql: "SELECT id FROM users WHERE id IN (SELECT value FROM json_each(?)) AND status = 'active'",
                    arguments: [ids.jsonList]))
            let unknown = ids.filter { !known.contains($0) }
            if !unknown.isEmpty {
                throw ScholarshipError.invalid(["donors": ["\(unknown.map(String.init).joined(separator: ", ")) are not active accounts"]])
            }
            try db.execute(sql: "DELETE FROM scholarship_donors WHERE scholarship_id = ?", arguments: [scholarshipID])
            var seen = Set<Int64>()
            for donor in donors where seen.insert(donor.userID).inserted {
                try db.execute(
                    sql: "INSERT INTO scholarship_donors (scholarship_id, user_id, fund_name, added_by) VALUES (?, ?, ?, ?)",
                    arguments: [scholarshipID, donor.userID, donor.fundName, addedBy])
            }
            _ = try AuditLog.append(audit, in: db)
        }
    }

    public struct Rollover: Sendable {
        public var copied: [Int64] = []
        public var archived: [Int64] = []
        public var skipped: [(id: Int64, reason: String)] = []
    }

    /// SCH-30: copies each scholarship of the cycle in scope into the next as a draft, then archives the old ones.
    /// With `dryRun` the same answer is computed and nothing is kept.
    public func rollover(from: String, to: String, departmentID: Int64?, dryRun: Bool, audit: AuditEntry) throws -> Rollover {
        do {
            return try store.write { db in
                var result = Rollover()
                let scope = departmentID == nil ? "" : " AND s.department_id = ?"
                let arguments: StatementArguments = departmentID.map { [from, $0] } ?? [from]
                let old = try ScholarshipRecord.fetchAll(
                    db, sql: ScholarshipRecord.selectSQL + " WHERE s.cycle = ? AND s.status <> 'archived'\(scope) ORDER BY s.id",
                    arguments: arguments)
                let present = Set(
                    try String.fetchAll(db, sql: "SELECT lower(title) FROM scholarships WHERE cycle = ?", arguments: [to]))
                let stamp = Timestamp.string(from: clock())
                for record in old {
                    if record.source != "platform" {
                        result.skipped.append((record.id, "from an external feed"))
                        continue
                    }
                    if present.contains(record.title.lowercased()) {
                        result.skipped.append((record.id, "already in \(to)"))
                    } else {
                        var fields = ScholarshipFields(record)
                        fields.deadline = ScholarshipCalendar.oneYearLater(record.deadline) ?? record.deadline
                        fields.awardNotificationDate = record.awardNotificationDate.flatMap(ScholarshipCalendar.oneYearLater)
                        fields.cycle = to
                        fields.status = "draft"
                        let columns = ScholarshipFields.columns + ["rubric", "created_by", "created_at", "updated_at"]
                        try db.execute(
                            sql:
                                "INSERT INTO scholarships (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                            arguments: fields.arguments + [record.rubric.map(ScholarshipJSON.rubricText), record.createdBy, stamp, stamp])
                        let copy = db.lastInsertedRowID
                        try db.execute(
                            sql: """
                                INSERT INTO scholarship_reviewers (scholarship_id, user_id, is_chair)
                                SELECT ?, user_id, is_chair FROM scholarship_reviewers WHERE scholarship_id = ?
                                """, arguments: [copy, record.id])
                        try db.execute(
                            sql: """
                                INSERT INTO scholarship_donors (scholarship_id, user_id, fund_name, added_by)
                                SELECT ?, user_id, fund_name, added_by FROM scholarship_donors WHERE scholarship_id = ?
                                """, arguments: [copy, record.id])
                        result.copied.append(copy)
                    }
                    try db.execute(
                        sql: "UPDATE scholarships SET status = 'archived', updated_at = ? WHERE id = ?", arguments: [stamp, record.id])
                    try db.execute(sql: "DELETE FROM scholarship_match_results WHERE scholarship_id = ?", arguments: [record.id])
                    result.archived.append(record.id)
                }
                _ = try AuditLog.append(
                    audit.adding([
                        "from_cycle": .string(from), "to_cycle": .string(to), "copied": .int(Int64(result.copied.count)),
                        "archived": .int(Int64(result.archived.count)), "dry_run": .bool(dryRun),
                    ]), in: db)
                if dryRun { throw DryRun(result: result) }
                return result
            }
        } catch let dry as DryRun {
            return dry.result
        }
    }

    /// Rolls the transaction back while carrying its answer out.
    struct DryRun: Error {
        let result: Rollover
    }
}
