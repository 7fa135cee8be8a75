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
