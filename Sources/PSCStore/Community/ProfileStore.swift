import Foundation
import GRDB
import PSCCore

/// Profiles, privacy settings and the directory (10-api §4, §5). Every read that shows someone else's fields goes
/// through ``ProfileRecord/shows(_:to:)`` or, in SQL, through ``visibleSQL(_:viewer:)``, so a field kept for
/// connections never reaches anyone else, whether read, filtered on or sorted by.
public struct ProfileStore: Sendable {
    public let store: Store
    let connections: ConnectionStore
    /// Recomputes the student's scholarship matches inside their profile write (20-services §7.6).
    let matches: ScholarshipMatchStore?
    let clock: @Sendable () -> Date

    public init(store: Store, matches: ScholarshipMatchStore? = nil, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.connections = ConnectionStore(store: store, clock: clock)
        self.matches = matches
        self.clock = clock
    }

    public func profile(id: Int64, in db: GRDB.Database) throws -> ProfileRecord? {
        try ProfileRecord.fetchOne(db, sql: ProfileRecord.selectSQL + " WHERE u.id = ?", arguments: [id])
    }

    /// A profile as `viewer` may see it: nil when it does not exist, is not active, or either side blocked the other.
    public func profile(id: Int64, viewer: Int64) throws -> (record: ProfileRecord, relation: ConnectionStatus)? {
        try store.read { db in
            guard let record = try profile(id: id, in: db) else { return nil }
            if id == viewer { return (record, .self) }
            guard record.status == .active else { return nil }
            let relation = try connections.status(of: viewer, with: id, in: db)
            return relation == .blocked ? nil : (record, relation)
        }
    }

    /// Cards for many users at once, with each one's relation to the viewer.
    public func cards(ids: [Int64], viewer: Int64) throws -> [Int64: (record: ProfileRecord, relation: ConnectionStatus)] {
        guard !ids.isEmpty else { return [:] }
        return try store.read { db in
            var result: [Int64: (ProfileRecord, ConnectionStatus)] = [:]
            let idList = ids.jsonList
            let records = try ProfileRecord.fetchAll(
                db.cachedStatement(sql: ProfileRecord.selectSQL + " WHERE u.id IN (SELECT value FROM json_each(?))"), arguments: [idList])
            // The viewer's relation to everyone on the page in two queries, not two per person.
            let others = records.map(\.id).filter { $0 != viewer }
            let otherList = others.jsonList
            var blocked = Set<Int64>()
            var pairs: [Int64: (requester: Int64, status: String)] = [:]
            if !others.isEmpty {
                blocked = Set(
                    try Int64.fetchAll(
                        db.cachedStatement(
                            sql: """
                                SELECT CASE WHEN blocker_id = ?1 THEN blocked_id ELSE blocker_id END FROM blocks
                                WHERE (blocker_id = ?1 AND blocked_id IN (SELECT value FROM json_each(?2)))
                                    OR (blocked_id = ?1 AND blocker_id IN (SELECT value FROM json_each(?2)))
                                """), arguments: [viewer, otherList]))
                for row in try Row.fetchAll(
                    db.cachedStatement(
                        sql: """
                            SELECT requester_id, addressee_id, status FROM connections
                            WHERE (requester_id = ?1 AND addressee_id IN (SELECT value FROM json_each(?2)))
                                OR (addressee_id = ?1 AND requester_id IN (SELECT value FROM json_each(?2)))
                            """), arguments: [viewer, otherList])
                {
                    let (requester, addressee): (Int64, Int64) = (
                        try row.decode(forColumn: "requester_id"), try row.decode(forColumn: "addressee_id")
                    )
                    pairs[requester == viewer ? addressee : requester] = (requester, try row.decode(forColumn: "status"))
                }
            }
            for record in records {
                let relation: ConnectionStatus
                if record.id == viewer {
                    relation = .self
                } else if blocked.contains(record.id) {
                    relation = .blocked
                } else if let pair = pairs[record.id] {
                    switch pair.status {
                    case "accepted": relation = .connected
                    case "pending": relation = pair.requester == viewer ? .pendingOut : .pendingIn
                    default: relation = .none
                    }
                } else {
                    relation = .none
                }
                result[record.id] = (record, relation)
            }
            return result
        }
    }

    /// USR-2: writes the given columns (already validated by the caller; nil clears).
    /// A profile column's new value as USR-2 validated it; the HTTP layer needs no database types to say it.
    public enum ProfileValue: Sendable, Equatable {
        case null
        case text(String)
        case integer(Int64)
        case flag(Bool)

        var databaseValue: DatabaseValue {
            switch self {
            case .null: .null
            case .text(let text): text.databaseValue
            case .integer(let number): number.databaseValue
            case .flag(let flag): flag.databaseValue
            }
        }
    }

    /// The ids a profile's `department_id` may name.
    public func departmentIDs() throws -> Set<Int64> {
        try store.read { db in try Set(Int64.fetchAll(db, sql: "SELECT id FROM departments")) }
    }

    /// USR-2: the given columns (already validated; nil clears) and, when given, the GPA as its sealed envelope
    /// (40-data §3; empty clears it), in one write that also recomputes the student's scholarship matches.
    public func update(userID: Int64, columns: [String: ProfileValue], gpaEnvelope: String? = nil) throws {
        let allowed: Set<String> = [
            "first_name", "last_name", "headline", "bio", "major", "degree", "graduation_year", "department_id", "skills", "interests",
            "links", "company", "position", "industry", "location", "state_of_residence", "enrollment_status", "first_generation",
            "financial_need", "time_zone", "class_standing", "credit_hours", "theme", "weekly_report",
        ]
        let names = columns.keys.filter(allowed.contains).sorted()
        guard !names.isEmpty || gpaEnvelope != nil else { return }
        var assignments = names.map { "\($0) = ?" }
        var arguments = StatementArguments(names.compactMap { columns[$0]?.databaseValue })
        if let gpaEnvelope {
            assignments.append("gpa_enc = ?")
            arguments += [gpaEnvelope.isEmpty ? nil : gpaEnvelope]
        }
        arguments += [Timestamp.string(from: clock()), userID]
        try store.write { db in
            try db.execute(
                sql: "UPDATE users SET \(assignments.joined(separator: ", ")), updated_at = ? WHERE id = ?", arguments: arguments)
            try matches?.recompute(userID: userID, in: db)
        }
    }

    /// USR-5: merges field levels into the stored settings. Choosing to be listed in the directory (or not) is the
    /// FERPA directory consent of 20-services §4.8 too, so the choice is recorded as that consent in the same write:
    /// one question for the member, one answer in force.
    public func setPrivacy(
        userID: Int64, fields: [String: FieldVisibility], employerVisible: Bool?, directoryListed: Bool?, origin: RequestOrigin
    ) throws {
        try store.write { db in
            if let directoryListed {
                try Consent.recordChoice(
                    userID: userID, type: "ferpa_directory", granted: directoryListed, version: "1", origin: origin, at: clock(), in: db)
            }
            let current = try String.fetchOne(db, sql: "SELECT privacy FROM users WHERE id = ?", arguments: [userID])
            var merged = current.flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
            for (field, level) in fields { merged[field] = level.rawValue }
            let text = JSONValue.object(merged.mapValues(JSONValue.string)).canonicalText
            try db.execute(
                sql: """
                    UPDATE users SET privacy = ?, employer_visible = coalesce(?, employer_visible), directory_listed = coalesce(?, directory_listed),
                        updated_at = ? WHERE id = ?
                    """,
                arguments: [text, employerVisible, directoryListed, Timestamp.string(from: clock()), userID])
        }
    }

    // MARK: - Directory

    public struct DirectoryQuery: Sendable {
        public var text: String?
        public var role: Role?
        public var graduationYearFrom: Int?
        public var graduationYearTo: Int?
        public var major: String?
        public var departmentID: Int64?
        public var industry: String?
        public var company: String?
        public var location: String?
        /// Only members with a mentor profile who take mentees now.
        public var mentorsOnly = false
        public var sort: String = "relevance"
        public var offset = 0
        public var limit = 20
        public init() {}

        /// Every field, in a fixed order with defaults filled in: the canonical query of a cache key.
        public var cacheKey: String {
            let parts: [String?] = [
                text, role?.rawValue, graduationYearFrom.map(String.init), graduationYearTo.map(String.init), major,
                departmentID.map(String.init), industry, company, location, mentorsOnly ? "mentors" : nil, sort, String(offset),
                String(limit),
            ]
            // The unit separator cannot be typed into a query, so fields never run into each other.
            return parts.map { $0 ?? "" }.joined(separator: "\u{1F}")
        }
    }

    /// SQL true when `viewer` may see `field` of the row `u`: the owner's level (or the default) admits members,
    /// or connections when the two are connected, or the viewer is the owner.
    static func visibleSQL(_ field: String, viewer: Int64) -> String {
        let fallback = ProfileRecord.privacyDefaults[field]?.rawValue ?? "members"
        return """
            (u.id = \(viewer) OR CASE coalesce(json_extract(u.privacy, '$.\(field)'), '\(fallback)')
                WHEN 'public' THEN 1 WHEN 'members' THEN 1
                WHEN 'connections' THEN EXISTS (SELECT 1 FROM connections c WHERE c.user_low = min(u.id, \(viewer))
                    AND c.user_high = max(u.id, \(viewer)) AND c.status = 'accepted')
                ELSE 0 END)
            """
    }

    /// SQL true when the member `u` may be found by `viewer` in the directory and in search: a listed, active
    /// student, alumnus, faculty or staff member who has granted `ferpa_directory` (20-services §4.8), with no block
    /// either way.
    ///
    /// `+` keeps SQLite off the role-and-status index here: nearly every member is active in one of these roles, so
    /// that index only multiplied the lookups (four per id of a search match) and hid the name order's index.
    public static func listedSQL(viewer: Int64) -> String {
        """
        (+u.status = 'active' AND u.directory_listed = 1 AND +u.role IN ('student', 'alumni', 'faculty', 'staff')
            AND \(Consent.grantedSQL(user: "u.id", type: "ferpa_directory")) = 1
            AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = \(viewer) AND b.blocked_id = u.id)
                OR (b.blocker_id = u.id AND b.blocked_id = \(viewer))))
        """
    }

    /// DIR-1: the members ``listedSQL(viewer:)`` admits; filters and sorting use only fields the viewer may see.
    public func directory(_ query: DirectoryQuery, viewer: Int64, employersOnlyVisible: Bool = false) throws -> [ProfileRecord] {
        guard let (sql, arguments) = Self.directorySQL(query, viewer: viewer, employersOnlyVisible: employersOnlyVisible) else { return [] }
        return try store.read { db in try ProfileRecord.fetchAll(db, sql: sql, arguments: arguments) }
    }

    /// The directory page's statement, or nil when the query can match nobody.
    static func directorySQL(_ query: DirectoryQuery, viewer: Int64, employersOnlyVisible: Bool) -> (String, StatementArguments)? {
        var conditions = [Self.listedSQL(viewer: viewer)]
        var arguments: StatementArguments = []
        func like(_ text: String) -> String { LikePattern.containing(text.lowercased()) }
        if employersOnlyVisible { conditions.append("u.employer_visible = 1") }
        if let role = query.role {
            conditions.append("u.role = ?")
            arguments += [role.rawValue]
        }
        if let text = query.text, !text.isEmpty {
            // Names through the full-text index (each word a prefix); other fields have filters of their own, which
            // honour each field's privacy.
            guard let match = SearchStore.suggestExpression(text) else { return nil }
            conditions.append("u.id IN (\(SearchStore.idsSQL(type: "users")))")
            arguments += [match]
        }
        if let from = query.graduationYearFrom {
            conditions.append("\(Self.visibleSQL("graduation_year", viewer: viewer)) AND u.graduation_year >= ?")
            arguments += [from]
        }
        if let to = query.graduationYearTo {
            conditions.append("\(Self.visibleSQL("graduation_year", viewer: viewer)) AND u.graduation_year <= ?")
            arguments += [to]
        }
        if let department = query.departmentID {
            conditions.append("\(Self.visibleSQL("department", viewer: viewer)) AND u.department_id = ?")
            arguments += [department]
        }
        for (field, value) in [
            ("major", query.major), ("industry", query.industry), ("company", query.company), ("location", query.location),
        ] {
            if let value, !value.isEmpty {
                conditions.append("\(Self.visibleSQL(field, viewer: viewer)) AND lower(u.\(field)) LIKE ? ESCAPE '\\'")
                arguments += [like(value)]
            }
        }
        if query.mentorsOnly {
            conditions.append("EXISTS (SELECT 1 FROM mentor_profiles m WHERE m.user_id = u.id AND m.is_accepting_mentees = 1)")
        }
        let order: String
        switch query.sort {
        case "graduation_year":
            order =
                "CASE WHEN \(Self.visibleSQL("graduation_year", viewer: viewer)) THEN u.graduation_year END DESC NULLS LAST, u.last_name, u.first_name, u.id"
        case "name": order = "lower(u.last_name), lower(u.first_name), u.id"
        default:
            order = "lower(u.last_name), lower(u.first_name), u.id"
        }
        arguments += [query.limit, query.offset]
        return (
            ProfileRecord.selectSQL + " WHERE " + conditions.joined(separator: " AND ") + " ORDER BY \(order) LIMIT ? OFFSET ?", arguments
        )
    }
}
