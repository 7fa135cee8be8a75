import Foundation
import Testing

@testable import PSCCore

@Suite("Timestamps")
struct TimestampTests {
    @Test("stamps read back to the millisecond; anything else is refused")
    func roundTrip() {
        for seconds in [0.0, 1_788_271_200.123, 951_782_400.999, 4_102_444_799.5] {
            let date = Date(timeIntervalSince1970: seconds)
            let stamp = Timestamp.string(from: date)
            #expect(Timestamp.date(from: stamp).map { Timestamp.string(from: $0) } == stamp)
        }
        #expect(Timestamp.date(from: "2026-09-01T14:00:00.000Z") == Date(timeIntervalSince1970: 1_788_271_200))
        #expect(Timestamp.date(from: "2024-02-29T00:00:00.000Z") != nil, "a leap day")
        for bad in [
            "2026-02-31T00:00:00.000Z", "2026-13-01T00:00:00.000Z", "2026-09-01T14:00:00Z", "2026-09-01 14:00:00.000Z", "",
            "2026-09-01T24:00:00.000Z",
        ] {
            #expect(Timestamp.date(from: bad) == nil, "\(bad)")
        }
    }
}

@Suite("Client times")
struct ClientTimeTests {
    @Test("RFC 3339 times are read strictly: impossible days, hours and offsets are refused, never rolled over")
    func strict() {
        #expect(Timestamp.parse("2027-03-10T10:00:00Z") == Date(timeIntervalSince1970: 1_804_672_800))
        #expect(Timestamp.parse("2027-03-10T04:00:00-06:00") == Timestamp.parse("2027-03-10T10:00:00Z"))
        #expect(Timestamp.parse("2027-03-10T10:00:00.250Z") == Date(timeIntervalSince1970: 1_804_672_800.25))
        #expect(Timestamp.parse("2028-02-29T00:00:00Z") != nil, "a leap day")
        for text in [
            "2027-02-29T00:00:00Z", "2027-02-30T10:00:00Z", "2100-02-29T00:00:00Z", "2027-04-31T00:00:00Z", "2027-13-01T00:00:00Z",
            "2027-03-10T24:00:00Z", "2027-03-10T10:60:00Z", "2027-03-10T10:00:00+25:00", "2027-03-10T10:00:00+05:60",
            "2027-03-10T10:00:00", "2027-03-10 10:00:00Z", "2027-03-10T10:00:00.Z", "2027-03-10T10:00:00Zjunk", "",
        ] {
            #expect(Timestamp.parse(text) == nil, "\(text)")
        }
    }
}
