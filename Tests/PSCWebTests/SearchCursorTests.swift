import Testing

@testable import PSCWeb

@Suite("Search paging")
struct SearchCursorTests {
    @Test("a full page short of the count has a next page; a short page or the count's end has none")
    func nextCursor() {
        #expect(SearchViews.nextCursor(offset: 0, found: 5, limit: 5, total: 12) != .null)
        #expect(SearchViews.nextCursor(offset: 10, found: 2, limit: 5, total: 12) == .null)
        #expect(SearchViews.nextCursor(offset: 5, found: 5, limit: 5, total: 10) == .null)
        // Ranking ran out before the count did: no cursor to an empty page.
        #expect(SearchViews.nextCursor(offset: 40, found: 0, limit: 20, total: 100) == .null)
    }
}
