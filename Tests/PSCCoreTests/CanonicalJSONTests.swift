import Foundation
import Testing

@testable import PSCCore

@Suite("Canonical JSON")
struct CanonicalJSONTests {
    @Test("keys are sorted, no whitespace, slash unescaped, control characters escaped")
    func canonical() {
        let value: JSONValue = ["b": 1, "a": ["z": "x/y", "é": "q\"\n\u{01}"], "A": nil, "c": [true, false]]
        #expect(value.canonicalText == #"{"A":null,"a":{"z":"x/y","é":"q\"\n\u0001"},"b":1,"c":[true,false]}"#)
    }

    @Test("timestamps are RFC 3339 UTC with milliseconds")
    func timestamps() {
        let date = Date(timeIntervalSince1970: 1_788_271_387.125)
        #expect(Timestamp.string(from: date) == "2026-09-01T14:03:07.125Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp.string(from: Date(timeIntervalSince1970: 4_102_444_799.5)) == "2099-12-31T23:59:59.500Z")
    }
}
