import Foundation
import GRDB
import PSCCore
import Synchronization

/// A stored match (`scholarship_match_results`) with its scholarship's headline.
public struct MatchRecord: Sendable {
    public let scholarshipID: Int64
    public let title: String
    public let amountCents: Int64
    public let deadline: String
    public let result: MatchResult
}

/// Keeps `scholarship_match_results` current (20-services §7.6): a student's own profile or general-application
/// write recomputes their matches inside that write; a scholarship that opens or changes its rules is recomputed for
/// every student by `match_recompute` jobs, in chunks, telling the newly eligible. No request scans the catalogue
/// against every student.
public struct ScholarshipMatchStore: Sendable, NotifyingStore {
    public let store: Store
    let keyRing: KeyRing
    let clock: @Sendable () -> Date
    /// The open catalogue prepared for matching, kept while it is unchanged (measured: parsing the rules of 100
    /// scholarships was a third of matching one student).
    let catalogue = PreparedCatalogue()

    final class PreparedCatalogue: Sendable {
        let cached = Mutex<(key: String, scholarships: [(id: Int64, prepared: PreparedScholarship)])?>(nil)
    }
    /// Students per transaction of a scholarship's recompute, so other writers wait at most one chunk.
    public static let chunk = 500

    public init(store: Store, keyRing: KeyRing, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.clock = clock
    }

    /// Who has matches kept: active students and alumni.
    static let matchedSQL = "u.status = 'active' AND u.role IN ('student', 'alumni')"

    /// The facts of these users, read in one query (with their general-application answers).
    func facts(_ userIDs: [Int64], in db: GRDB.Database) throws -> [Int64: StudentFacts] {
        let rows = try Row.fetchAll(
            db,
            sql: """
                SELECT u.id, u.role, u.major, u.gpa_enc, u.graduation_year, u.class_standing, u.department_id, u.enrollment_status,
                    u.state_of_residence, u.first_generation, u.financial_need, u.credit_hours, u.interests, g.answers
                FROM users u LEFT JOIN general_applications g ON g.user_id = u.id
                WHERE u.id IN (SELECT value FROM json_each(?))
                """, arguments: [userIDs.jsonList])
        var result: [Int64: StudentFacts] = [:]
        for row in rows {
            let gpa = (try row.decode(forColumn: "gpa_enc") as String?).flatMap { try? keyRing.decrypt($0, column: "users.gpa_enc") }
                .flatMap(Double.init)
            result[try row.decode(forColumn: "id")] = StudentFacts(
                role: try row.decode(forColumn: "role"), major: try row.decode(forColumn: "major"), gpa: gpa,
                graduationYear: try row.decode(forColumn: "graduation_year"),
                classStanding: try row.decode(forColumn: "class_standing"), departmentID: try row.decode(forColumn: "department_id"),
                enrollmentStatus: try row.decode(forColumn: "enrollment_status"),
                stateOfResidence: try row.decode(forColumn: "state_of_residence"),
                firstGeneration: try row.decode(forColumn: "first_generation"),
                financialNeed: try row.decode(forColumn: "financial_need"), creditHours: try row.decode(forColumn: "credit_hours"),
                answers: ScholarshipJSON.answers(try row.decode(forColumn: "answers")),
                interests: ScholarshipJSON.strings(try row.decode(forColumn: "interests")))
        }
        return result
    }

    /// The open catalogue prepared for matching: read again only when a scholarship opened, closed or changed (its
    /// count, newest change and largest id tell), or the day turned.
    func openPrepared(in db: GRDB.Database) throws -> [(id: Int64, prepared: PreparedScholarship)] {
        let today = ScholarshipCalendar.today(clock())
        let version =
            try String.fetchOne(
                db,
                sql: """
                    SELECT count(*) || ':' || coalesce(max(updated_at), '') || ':' || coalesce(max(id), 0) FROM scholarships
                    WHERE status = 'open' AND deadline >= ?
                    """, arguments: [today]) ?? ""
        let key = today + "|" + version
        if let cached = catalogue.cached.withLock({ $0 }), cached.key == key { return cached.scholarships }
        let prepared = try openScholarships(in: db).map { ($0.id, PreparedScholarship(eligibility: $0.eligibility, tags: $0.tags)) }
        catalogue.cached.withLock { $0 = (key, prepared) }
        return prepared
    }

    /// The open scholarships whose deadline has not passed: what matching is about.
    func openScholarships(in db: GRDB.Database) throws -> [ScholarshipRecord] {
        try ScholarshipRecord.fetchAll(
            db, sql: ScholarshipRecord.selectSQL + " WHERE s.status = 'open' AND s.deadline >= ? ORDER BY s.id",
            arguments: [ScholarshipCalendar.today(clock())])
    }

    /// The explanation as stored (the same JSON the canonical writer gives, keys in order), built by hand: a catalogue
    /// recompute writes one per student and scholarship.
    static func detailsText(_ result: MatchResult) -> String {
        var text = "{\"missing_fields\":["
        text += result.missingFields.map { "\"" + JSONValue.escaped($0) + "\"" }.joined(separator: ",")
        text += "],\"rules\":["
        text += result.rules.map { rule in
            "{\"detail\":\"\(JSONValue.escaped(rule.detail))\",\"field\":\"\(JSONValue.escaped(rule.field))\",\"group\":\"\(JSONValue.escaped(rule.group))\","
                + "\"result\":\"\(rule.result.rawValue)\",\"rule\":\"\(JSONValue.escaped(rule.rule))\"}"
        }.joined(separator: ",")
        return text + "]}"
    }

    static func result(status: String, score: Int, details: String) -> MatchResult {
        let object = ScholarshipJSON.object(details) as? [String: Any] ?? [:]
        let rules = (object["rules"] as? [[String: String]] ?? []).map { rule in
            MatchResult.RuleResult(
                group: rule["group"] ?? "", field: rule["field"] ?? "", rule: rule["rule"] ?? "",
                result: MatchResult.Outcome(rawValue: rule["result"] ?? "") ?? .missing, detail: rule["detail"] ?? "")
        }
        return MatchResult(
            status: MatchResult.Status(rawValue: status) ?? .ineligible, score: score, rules: rules,
            missingFields: object["missing_fields"] as? [String] ?? [])
    }

    func upsert(userID: Int64, scholarshipID: Int64, _ result: MatchResult, details: String? = nil, stamp: String, in db: GRDB.Database)
        throws
    {
        // Cached: a catalogue recompute runs this once per student and scholarship.
        try db.cachedStatement(
            sql: """
                INSERT INTO scholarship_match_results (user_id, scholarship_id, status, score, details, computed_at) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (user_id, scholarship_id) DO UPDATE SET status = excluded.status, score = excluded.score,
                    details = excluded.details, computed_at = excluded.computed_at
                """
        ).execute(arguments: [userID, scholarshipID, result.status.rawValue, result.score, details ?? Self.detailsText(result), stamp])
    }

    /// One student against the open catalogue, inside the caller's write (USR-2, SCH-29); only the rows that changed
    /// are written. Returns the scholarships the student has newly become eligible for.
    @discardableResult
    public func recompute(userID: Int64, in db: GRDB.Database) throws -> [Int64] {
        let active = try Bool.fetchOne(db, sql: "SELECT status = 'active' FROM users WHERE id = ?", arguments: [userID]) ?? false
        guard active, let facts = try facts([userID], in: db)[userID], ["student", "alumni"].contains(facts.role) else {
            try db.execute(sql: "DELETE FROM scholarship_match_results WHERE user_id = ?", arguments: [userID])
            return []
        }
        var previous: [Int64: (status: String, score: Int, details: String)] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT scholarship_id, status, score, details FROM scholarship_match_results WHERE user_id = ?", arguments: [userID])
        {
            previous[try row.decode(forColumn: "scholarship_id")] = (
                try row.decode(forColumn: "status"), try row.decode(forColumn: "score"), try row.decode(forColumn: "details")
            )
        }
        let open = try openPrepared(in: db)
        let stamp = Timestamp.string(from: clock())
        var newlyEligible: [Int64] = []
        for scholarship in open {
            let result = ScholarshipMatcher.match(scholarship.prepared, facts: facts)
            let details = Self.detailsText(result)
            let before = previous[scholarship.id]
            if before?.status != result.status.rawValue || before?.score != result.score || before?.details != details {
                try upsert(userID: userID, scholarshipID: scholarship.id, result, details: details, stamp: stamp, in: db)
            }
            if result.status == .eligible && before?.status != "eligible" { newlyEligible.append(scholarship.id) }
        }
        let openIDs = Set(open.map(\.id))
        let stale = previous.keys.filter { !openIDs.contains($0) }
        if !stale.isEmpty {
            try db.execute(
                sql: "DELETE FROM scholarship_match_results WHERE user_id = ? AND scholarship_id IN (SELECT value FROM json_each(?))",
                arguments: [userID, stale.jsonList])
        }
        return newlyEligible
    }

    /// The `match_recompute` job for one scholarship: every matched student, `chunk` per transaction, telling the
    /// newly eligible with `scholarship_matched` (once per person and scholarship; `notify` false for generated data).
    /// A scholarship that is not open loses its matches. Returns how many students were matched.
    @discardableResult
    public func recompute(scholarshipID: Int64, notify: Bool = true) throws -> Int {
        // A change made while this ran could not queue another job (its unique key is taken while this one runs), so
        // the scholarship is read again at the end and, if it changed, matched again.
        var matched = 0
        for _ in 0..<3 {
            let started = try store.read { db in
                try String.fetchOne(db, sql: "SELECT updated_at FROM scholarships WHERE id = ?", arguments: [scholarshipID])
            }
            matched = try recomputeOnce(scholarshipID: scholarshipID, notify: notify)
            let now = try store.read { db in
                try String.fetchOne(db, sql: "SELECT updated_at FROM scholarships WHERE id = ?", arguments: [scholarshipID])
            }
            if now == started { break }
        }
        return matched
    }

    func recomputeOnce(scholarshipID: Int64, notify: Bool) throws -> Int {
        let scholarship = try store.read { db in
            try ScholarshipRecord.fetchOne(db, sql: ScholarshipRecord.selectSQL + " WHERE s.id = ?", arguments: [scholarshipID])
        }
        guard let scholarship, scholarship.isActive(at: clock()) else {
            try store.write { db in
                try db.execute(sql: "DELETE FROM scholarship_match_results WHERE scholarship_id = ?", arguments: [scholarshipID])
            }
            return 0
        }
        let prepared = PreparedScholarship(eligibility: scholarship.eligibility, tags: scholarship.tags)
        return try forEachChunk { ids, facts, db in
            let previous = try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db,
                    sql: """
                        SELECT user_id, status FROM scholarship_match_results
                        WHERE scholarship_id = ? AND user_id IN (SELECT value FROM json_each(?))
                        """, arguments: [scholarshipID, ids.jsonList]
                ).map { (try $0.decode(forColumn: "user_id") as Int64, try $0.decode(forColumn: "status") as String) })
            let stamp = Timestamp.string(from: clock())
            var newlyEligible: [Int64] = []
            for id in ids {
                guard let student = facts[id] else { continue }
                let result = ScholarshipMatcher.match(prepared, facts: student)
                try upsert(userID: id, scholarshipID: scholarshipID, result, stamp: stamp, in: db)
                if result.status == .eligible && previous[id] != "eligible" { newlyEligible.append(id) }
            }
            if notify && !newlyEligible.isEmpty {
                try hub.notify(
                    newlyEligible,
                    Notice(
                        .scholarshipMatched, title: "A scholarship you qualify for",
                        message: "You meet every rule of “\(scholarship.title)”. It closes \(scholarship.deadline).",
                        link: "/scholarships/\(scholarshipID)", data: ["scholarship_id": String(scholarshipID)],
                        dedupeKey: "matched:\(scholarshipID)"), in: db)
            }
        }
    }

    /// Every matched student against the whole open catalogue, telling nobody: a new catalogue (generated data, an
    /// import). Each student's facts are read and opened once. Returns how many students were matched.
    @discardableResult
    public func recomputeEveryone() throws -> Int {
        try forEachChunk { ids, facts, db in
            let open = try openPrepared(in: db)
            let stamp = Timestamp.string(from: clock())
            for id in ids {
                guard let student = facts[id] else { continue }
                for scholarship in open {
                    try upsert(
                        userID: id, scholarshipID: scholarship.id, ScholarshipMatcher.match(scholarship.prepared, facts: student),
                        stamp: stamp, in: db)
                }
            }
        }
    }

    /// Runs `body` over every matched student, `chunk` at a time, each chunk in its own write (so other writers wait
    /// at most one chunk) with its students' facts read once. Returns how many students there were.
    func forEachChunk(_ body: ([Int64], [Int64: StudentFacts], GRDB.Database) throws -> Void) throws -> Int {
        var after: Int64 = 0
        var total = 0
        while true {
            let done: Int = try store.write { db in
                let ids = try Int64.fetchAll(
                    db, sql: "SELECT u.id FROM users u WHERE u.id > ? AND \(Self.matchedSQL) ORDER BY u.id LIMIT ?",
                    arguments: [after, Self.chunk])
                guard let last = ids.last else { return 0 }
                after = last
                try body(ids, try facts(ids, in: db), db)
                return ids.count
            }
            total += done
            if done < Self.chunk { return total }
        }
    }

    /// One student's stored match for a scholarship, or a fresh one for people whose matches are not kept.
    public func match(userID: Int64, scholarshipID: Int64) throws -> MatchResult? {
        try store.read { db in
            if let row = try Row.fetchOne(
                db, sql: "SELECT status, score, details FROM scholarship_match_results WHERE user_id = ? AND scholarship_id = ?",
                arguments: [userID, scholarshipID])
            {
                return Self.result(
                    status: try row.decode(forColumn: "status"), score: try row.decode(forColumn: "score"),
                    details: try row.decode(forColumn: "details"))
            }
            guard
                let scholarship = try ScholarshipRecord.fetchOne(
                    db, sql: ScholarshipRecord.selectSQL + " WHERE s.id = ?", arguments: [scholarshipID]),
                let facts = try facts([userID], in: db)[userID]
            else { return nil }
            return ScholarshipMatcher.match(scholarship.eligibility, tags: scholarship.tags, facts: facts)
        }
    }

    /// Computes a student's matches when none are kept yet (a new account, before its first profile write): one
    /// student against the catalogue, as their own write would.
    public func ensureComputed(userID: Int64) throws {
        let kept = try store.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM scholarship_match_results WHERE user_id = ?)", arguments: [userID])
                ?? false
        }
        if !kept { try store.write { db in _ = try recompute(userID: userID, in: db) } }
    }

    /// SCH-6: the student's matches, best first (eligible > needs_info > ineligible, then score, then deadline).
    public func matches(userID: Int64, statuses: [String], limit: Int, offset: Int) throws -> [MatchRecord] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT m.scholarship_id, m.status, m.score, m.details, s.title, s.amount_cents, s.deadline
                    FROM scholarship_match_results m JOIN scholarships s ON s.id = m.scholarship_id
                    WHERE m.user_id = ? AND m.status IN (SELECT value FROM json_each(?)) AND s.status = 'open' AND s.deadline >= ?
                    ORDER BY CASE m.status WHEN 'eligible' THEN 0 WHEN 'needs_info' THEN 1 ELSE 2 END, m.score DESC, s.deadline, s.id
                    LIMIT ? OFFSET ?
                    """,
                arguments: [userID, ScholarshipJSON.text(statuses), ScholarshipCalendar.today(clock()), limit, offset]
            ).map {
                MatchRecord(
                    scholarshipID: try $0.decode(forColumn: "scholarship_id"), title: try $0.decode(forColumn: "title"),
                    amountCents: try $0.decode(forColumn: "amount_cents"), deadline: try $0.decode(forColumn: "deadline"),
                    result: Self.result(
                        status: try $0.decode(forColumn: "status"), score: try $0.decode(forColumn: "score"),
                        details: try $0.decode(forColumn: "details")))
            }
        }
    }

    /// The statuses of the viewer's matches for these scholarships (the browse page's badges).
    public func statuses(userID: Int64, scholarshipIDs: [Int64]) throws -> [Int64: (status: String, score: Int)] {
        try store.read { db in
            var result: [Int64: (String, Int)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT scholarship_id, status, score FROM scholarship_match_results
                    WHERE user_id = ? AND scholarship_id IN (SELECT value FROM json_each(?))
                    """, arguments: [userID, scholarshipIDs.jsonList])
            {
                result[try row.decode(forColumn: "scholarship_id")] = (
                    try row.decode(forColumn: "status"), try row.decode(forColumn: "score")
                )
            }
            return result
        }
    }

    /// One student against the whole open catalogue without storing anything (the matching benchmark's unit).
    public func evaluate(userID: Int64) throws -> [(Int64, MatchResult)] {
        try store.read { db in
            guard let facts = try facts([userID], in: db)[userID] else { return [] }
            return try openPrepared(in: db).map { ($0.id, ScholarshipMatcher.match($0.prepared, facts: facts)) }
        }
    }
}
