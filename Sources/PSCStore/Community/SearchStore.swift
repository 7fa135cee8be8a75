import Foundation
import GRDB
import PSCCore

/// Global search over `search_index` (10-api §17): BM25 with title 3, body 1, tags 2, filtered by what the reader
/// may see before anything is returned.
public struct SearchStore: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public static let types = ["users", "posts", "events", "jobs", "departments"]
    /// What SRC-2 suggests: things with titles.
    public static let suggestionTypes = ["users", "events", "jobs", "departments"]

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

    /// Up to `limit` title matches across the suggestion types, best first.
    public func suggest(_ input: String, viewer: Int64?, viewerDepartment: Int64?, limit: Int = 8) throws -> [Hit] {
        guard let match = Self.suggestExpression(input) else { return [] }
        return try Self.suggestionTypes.flatMap { type in
            try search(match, type: type, viewer: viewer, viewerDepartment: viewerDepartment, limit: limit, offset: 0).hits
        }.sorted { $0.score > $1.score }.prefix(limit).map { $0 }
    }

    /// One type's hits, best first, from `offset`.
    public func search(_ match: String, type: String, viewer: Int64?, viewerDepartment: Int64?, limit: Int, offset: Int) throws -> (
        hits: [Hit], total: Int
    ) {
        let filter: String
        switch type {
        case "posts":
            filter =
                "EXISTS (SELECT 1 FROM posts p WHERE p.id = s.object_id AND \(PostStore.visibleSQL(.init(userID: viewer, departmentID: viewerDepartment))))"
        case "events":
            filter = viewer == nil ? "s.visibility = 'public'" : "1"
        case "jobs":
            guard viewer != nil else { return ([], 0) }
            filter = """
                EXISTS (SELECT 1 FROM job_postings j WHERE j.id = s.object_id AND j.status = 'active'
                    AND j.expires_at > '\(Timestamp.string(from: Date()))')
                """
        case "users":
            guard let viewer else { return ([], 0) }
            filter = "EXISTS (SELECT 1 FROM users u WHERE u.id = s.object_id AND \(ProfileStore.listedSQL(viewer: viewer)))"
        default:
            filter = "1"
        }
        return try store.read { db in
            let condition = "search_index MATCH ? AND s.type = ? AND \(filter)"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM search_index s WHERE \(condition)", arguments: [match, type]) ?? 0
            let hits = try Row.fetchAll(
                db,
                sql: """
                    SELECT s.object_id, s.title, snippet(search_index, \(type == "posts" ? 3 : 2), char(2), char(3), '…', 16) AS snippet,
                        bm25(search_index, 0, 0, 3.0, 1.0, 2.0) AS score
                    FROM search_index s WHERE \(condition) ORDER BY score LIMIT ? OFFSET ?
                    """,
                arguments: [match, type, limit, offset]
            ).map { row in
                Hit(type: type, id: row["object_id"], title: row["title"], snippet: row["snippet"] ?? "", score: -(row["score"] as Double))
            }
            return (hits, total)
        }
    }
}
