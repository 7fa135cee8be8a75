import GRDB
import Testing

@testable import PSCStore

@Suite struct SearchQueryTests {
    @Test func wordsPhrasesAndPrefixes() {
        #expect(SearchStore.matchExpression("career fair") == #""career" "fair""#)
        #expect(
            SearchStore.matchExpression(#"say "career fair" now"#) == #""say" "now" "career fair""#
                || SearchStore.matchExpression(#"say "career fair" now"#) == #""say" "career fair" "now""#)
        #expect(SearchStore.matchExpression("psych*") == #""psych"*"#)
        #expect(SearchStore.matchExpression("p*") == #""p""#, "a prefix needs two characters")
        #expect(SearchStore.matchExpression("NOT OR (x) NEAR/2") == #""NOT" "OR" "x" "NEAR2""#, "operators are only text")
        #expect(SearchStore.matchExpression("!!! ***") == nil)
    }
}

@Suite("Directory query plans")
struct DirectoryQueryPlanTests {
    func plan(_ query: ProfileStore.DirectoryQuery) throws -> String {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        defer { try? store.close() }
        let (sql, arguments) = try #require(ProfileStore.directorySQL(query, viewer: 1, employersOnlyVisible: false))
        return try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }.joined(
                separator: "\n")
        }
    }

    @Test("the first page walks the name-order index and stops; a name search looks its matches up by id")
    func indexed() throws {
        let browse = try plan(ProfileStore.DirectoryQuery())
        #expect(browse.contains("users_name_order") && !browse.contains("TEMP B-TREE"), "\(browse)")
        var named = ProfileStore.DirectoryQuery()
        named.text = "avery"
        let search = try plan(named)
        #expect(search.contains("SEARCH u USING INTEGER PRIMARY KEY") && !search.contains("users_role_status"), "\(search)")
    }
}
