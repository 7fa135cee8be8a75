import Foundation
import GRDB
import PSCCore

/// Global search over `search_index` (10-api §17): BM25 with title 3, body 1, tags 2, filtered by what the reader
/// may see before anything is returned.
public struct SearchStore: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public static let types = [
        "users", "posts", "events", "jobs", "scholarships", "forum_threads", "webinars", "announcements", "departments",
    ]
    /// What SRC-2 suggests: things with titles.
    public static let suggestionTypes = ["users", "events", "jobs", "scholarships", "forum_threads", "webinars", "departments"]

    public struct Hit: Sendable {
        public let type: String
        public let id: Int64
        public let title: String
        /// Plain text with U+0002 and U+0003 around the matched words; the caller escapes it and marks them.
        public let snippet: String
        public let score: Double
    }

    /// The MATCH expression for what a person typed: words ANDed, `"quoted phrases"` kept, a trailing `*` on a
    /// word of two or more characters as a prefix; every other character is text, never an FTS5 operator.
    public static func matchExpression(_ input: String) -> String? {
        var terms: [String] = []
        var rest = Substring(input)
        while let quote = rest.firstIndex(of: "\"") {
            terms += words(rest[..<quote])
            let after = rest.index(after: quote)
            guard let close = rest[after...].firstIndex(of: "\"") else {
                rest = rest[after...]
                break
            }
            let phrase = rest[after..<close].split(whereSeparator: { !$0.isLetter && !$0.isNumber }).joined(separator: " ")
            if !phrase.isEmpty { terms.append("\"\(phrase)\"") }
            rest = rest[rest.index(after: close)...]
        }
        terms += words(rest)
        return terms.isEmpty ? nil : terms.joined(separator: " ")
    }

    static func words(_ text: Substring) -> [String] {
        text.split(whereSeparator: \.isWhitespace).compactMap { raw in
            let prefix = raw.hasSuffix("*")
            let word = raw.filter { $0.isLetter || $0.isNumber }
            guard !word.isEmpty else { return nil }
            return prefix && word.count >= 2 ? "\"\(word)\"*" : "\"\(word)\""
        }
    }

    /// SRC-2: every word a prefix of a word in the title, e.g. `sof eng` → `title : "sof"* AND title : "eng"*`.
    public static func suggestExpression(_ input: String) -> String? {
        let words = input.split(whereSeparator: \.isWhitespace).map { $0.filter { $0.isLetter || $0.isNumber } }.filter { !$0.isEmpty }
        guard !words.isEmpty else { return nil }
        return words.map { "title : \"\($0)\"*" }.joined(separator: " AND ")
    }

    /// The type code each row's rowid carries (rowid = code × 2^40 + object id; schema 0018).
    public static let codes: [String: Int64] = [
        "users": 1, "posts": 2, "events": 3, "jobs": 4, "departments": 5, "scholarships": 6, "forum_threads": 7, "webinars": 8,
        "announcements": 9,
    ]
    static let span: Int64 = 1 << 40

    /// The first rowid of a type's range; an object's rowid is this plus its id.
    public static func base(_ type: String) -> Int64 { (codes[type] ?? 0) * span }

    /// The ids of a type's matches for one `?` MATCH argument, for use in `IN (…)`.
    public static func idsSQL(type: String) -> String {
        "SELECT rowid - \(base(type)) FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN \(base(type)) AND \(base(type) + span - 1)"
    }
    /// Counts stop here ("100+"): past it, knowing the exact number would cost checking every match's visibility.
    public static let countCap = 100
    /// How many ranked matches are read, and their visibility checked, at a time.
    static let window = 200
    /// How many of a type's newest matches are ranked by BM25 and can be paged to (older ones are still counted).
    /// Scoring costs about 3.5 µs a match on top of a fixed cost per query (measured on a word in 33,000 posts:
    /// 7.2 ms at 2,000, 3.3 ms at 500); 500 is five times the counts' cap of 100.
    public static let rankedMatches = 500

    /// The ids among `ids` of `type` the viewer may see (in no particular order).
    func visible(_ ids: [Int64], type: String, viewer: Int64?, viewerDepartment: Int64?, in db: GRDB.Database) throws -> Set<Int64> {
        guard !ids.isEmpty else { return [] }
        let list = ids.map(String.init).joined(separator: ",")
        let sql: String
        switch type {
        case "posts":
            sql =
                "SELECT p.id FROM posts p WHERE p.id IN (\(list)) AND \(PostStore.visibleSQL(.init(userID: viewer, departmentID: viewerDepartment)))"
        case "events":
            sql = "SELECT e.id FROM events e WHERE e.id IN (\(list))" + (viewer == nil ? " AND e.visibility = 'public'" : "")
        case "jobs":
            guard viewer != nil else { return [] }
            sql =
                "SELECT j.id FROM job_postings j WHERE j.id IN (\(list)) AND j.status = 'active' AND j.expires_at > '\(Timestamp.string(from: Date()))'"
        case "scholarships":
            // Drafts and archived ones are their managers' alone; the public catalogue is open and closed ones.
            sql = "SELECT s.id FROM scholarships s WHERE s.id IN (\(list)) AND s.status IN ('open', 'closed')"
        case "users":
            guard let viewer else { return [] }
            sql = "SELECT u.id FROM users u WHERE u.id IN (\(list)) AND \(ProfileStore.listedSQL(viewer: viewer))"
        case "forum_threads":
            // Categories open to everyone, or listing the viewer's role (admins read them all).
            let role = try viewer.flatMap { try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = ?", arguments: [$0]) }
            sql = """
                SELECT t.id FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id
                WHERE t.id IN (\(list)) AND t.deleted_at IS NULL
                    AND (c.allowed_roles = '[]' OR \(role == "admin" ? "1" : "0")
                        OR EXISTS (SELECT 1 FROM json_each(c.allowed_roles) WHERE value = '\(role ?? "")'))
                """
        case "webinars":
            // Members only; the index holds the title and description, never the meeting link.
            guard viewer != nil else { return [] }
            sql = "SELECT w.id FROM webinars w WHERE w.id IN (\(list))"
        case "announcements":
            let actor = try viewer.flatMap { try Self.actor($0, in: db) }
            let (condition, arguments) = AnnouncementStore.visibleSQL(actor, now: Timestamp.string(from: Date()))
            return Set(
                try Int64.fetchAll(
                    db, sql: "SELECT a.id FROM announcements a WHERE a.id IN (\(list)) AND \(condition)", arguments: arguments))
        default:
            sql = "SELECT id FROM departments WHERE id IN (\(list))"
        }
        return Set(try Int64.fetchAll(db, sql: sql))
    }

    /// The viewer as the announcement rule sees them: role, department and active grants.
    static func actor(_ userID: Int64, in db: GRDB.Database) throws -> Actor? {
        guard let row = try Row.fetchOne(db, sql: "SELECT role, department_id FROM users WHERE id = ?", arguments: [userID]),
            let role = Role(rawValue: try row.decode(forColumn: "role"))
        else { return nil }
        let grants = try Row.fetchAll(
            db,
            sql: """
                SELECT capability, department_id, expires_at FROM capability_grants
                WHERE user_id = ? AND active = 1 AND (expires_at IS NULL OR expires_at > ?)
                """, arguments: [userID, Timestamp.string(from: Date())]
        ).compactMap { grant -> Grant? in
            guard let capability = Capability(rawValue: try grant.decode(forColumn: "capability")) else { return nil }
            return Grant(
                capability: capability, departmentID: try grant.decode(forColumn: "department_id"),
                expiresAt: try grant.decode(forColumn: "expires_at"))
        }
        return Actor(userID: userID, role: role, departmentID: try row.decode(forColumn: "department_id"), grants: grants)
    }

    /// Up to `limit` title matches across the suggestion types, best first.
    public func suggest(_ input: String, viewer: Int64?, viewerDepartment: Int64?, limit: Int = 8) throws -> [Hit] {
        guard let match = Self.suggestExpression(input) else { return [] }
        return try store.read { db in
            try Self.suggestionTypes.flatMap { type in
                try search(
                    match, type: type, viewer: viewer, viewerDepartment: viewerDepartment, limit: limit, offset: 0, counting: false, in: db
                ).hits
            }
        }.sorted { $0.score > $1.score }.prefix(limit).map { $0 }
    }

    /// Each type's hits and count (see ``search(_:type:viewer:viewerDepartment:limit:offset:counting:in:)``), all read in
    /// one transaction: one consistent snapshot, and one trip to a reader instead of one per type.
    public func search(
        _ match: String, types: [String], viewer: Int64?, viewerDepartment: Int64?, limit: Int, offset: Int
    ) throws -> [String: (hits: [Hit], total: Int)] {
        try store.read { db in
            var found: [String: (hits: [Hit], total: Int)] = [:]
            for type in types {
                found[type] = try search(
                    match, type: type, viewer: viewer, viewerDepartment: viewerDepartment, limit: limit, offset: offset, in: db)
            }
            return found
        }
    }

    /// One type's hits, best first, from `offset`, and how many the viewer may see (up to ``countCap``). Matches
    /// are ranked by BM25 inside the index (no stored text is read), then checked for visibility a window at a
    /// time, so nothing the viewer may not see is returned or counted.
    func search(
        _ match: String, type: String, viewer: Int64?, viewerDepartment: Int64?, limit: Int, offset: Int, counting: Bool = true,
        in db: GRDB.Database
    ) throws -> (hits: [Hit], total: Int) {
        guard Self.codes[type] != nil else { return ([], 0) }
        let (low, high) = (Self.base(type), Self.base(type) + Self.span - 1)
        // BM25 is worked out for the newest `rankedMatches` matches of the type only: a common word can match tens of
        // thousands of posts, and scoring them all cost more than the rest of the request.
        let floor =
            try Int64.fetchOne(
                db,
                sql:
                    "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                arguments: [match, low, high, Self.rankedMatches - 1]) ?? low
        // The page: ranked windows until offset + limit visible matches are found.
        var ranked: [(id: Int64, score: Double)] = []
        var start = 0
        // Most matches are visible, so a window twice the page usually suffices.
        let size = min(Self.window, max(50, 2 * (offset + limit)))
        while ranked.count < offset + limit {
            let window = try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid - ? AS id, bm25(search_index, 3.0, 1.0, 2.0) AS score FROM search_index
                    WHERE search_index MATCH ? AND rowid BETWEEN ? AND ? ORDER BY score LIMIT ? OFFSET ?
                    """,
                arguments: [low, match, floor, high, size, start]
            ).map { (id: try $0.decode(forColumn: "id") as Int64, score: try $0.decode(forColumn: "score") as Double) }
            let seen = try visible(window.map(\.id), type: type, viewer: viewer, viewerDepartment: viewerDepartment, in: db)
            ranked += window.filter { seen.contains($0.id) }
            if window.count < size { break }
            start += size
        }
        let page = Array(ranked.dropFirst(offset).prefix(limit))
        var hits: [Hit] = []
        if !page.isEmpty {
            let rowids = page.map { String($0.id + low) }.joined(separator: ",")
            var texts: [Int64: (String, String)] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT rowid - \(low) AS id, title, snippet(search_index, \(["posts", "forum_threads", "announcements"].contains(type) ? 1 : 0), char(2), char(3), '…', 16) AS snippet
                    FROM search_index WHERE search_index MATCH ? AND rowid IN (\(rowids))
                    """,
                arguments: [match])
            {
                texts[try row.decode(forColumn: "id")] = (try row.decode(forColumn: "title"), try row.decode(forColumn: "snippet") ?? "")
            }
            hits = page.compactMap { item in
                texts[item.id].map { Hit(type: type, id: item.id, title: $0.0, snippet: $0.1, score: -item.score) }
            }
        }
        guard counting else { return (hits, ranked.count) }
        // The count: every visible match in rowid order (cheap), up to the cap.
        var total = 0
        var after = low - 1
        while total < Self.countCap {
            let ids = try Int64.fetchAll(
                db,
                sql: "SELECT rowid FROM search_index WHERE search_index MATCH ? AND rowid > ? AND rowid <= ? ORDER BY rowid LIMIT ?",
                arguments: [match, after, high, Self.countCap + Self.countCap / 2])
            guard let last = ids.last else { break }
            after = last
            total += try visible(ids.map { $0 - low }, type: type, viewer: viewer, viewerDepartment: viewerDepartment, in: db).count
            if ids.count < Self.countCap + Self.countCap / 2 { break }
        }
        return (hits, min(total, Self.countCap))
    }
}
