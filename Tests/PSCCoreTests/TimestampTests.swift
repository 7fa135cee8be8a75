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
