import Foundation
import Testing

@testable import PSCCore

@Suite struct ICalendarTests {
    /// The example of 20-services §8.6: event 42 moved once.
    @Test func specExample() {
        let start = Timestamp.parse("2026-10-15T18:00:00Z")!
        let text = ICalendar.calendar(
            name: "Event",
            items: [
                ICalendar.Item(
                    uid: "event-42@connect.pittstate.edu", stamp: start, start: start, end: start.addingTimeInterval(3600),
                    timeZone: "America/Chicago",
                    summary: "Career fair, spring; part 2", location: nil, description: "Line one\nline two", url: nil, sequence: 1,
                    cancelled: false)
            ], publish: true)
        #expect(text.contains("UID:event-42@connect.pittstate.edu\r\n"))
        #expect(text.contains("SEQUENCE:1\r\n"))
        #expect(text.contains("DTSTART;TZID=America/Chicago:20261015T130000\r\n"), "18:00 UTC is 13:00 CDT")
        #expect(text.contains("SUMMARY:Career fair\\, spring\\; part 2\r\n"))
        #expect(text.contains("DESCRIPTION:Line one\\nline two\r\n"))
        #expect(text.contains("METHOD:PUBLISH\r\n") && text.hasSuffix("END:VCALENDAR\r\n"))
    }

    @Test func longLinesFoldAt75OctetsWithoutSplittingCharacters() {
        let folded = ICalendar.fold("SUMMARY:" + String(repeating: "é", count: 60))
        let lines = folded.components(separatedBy: "\r\n")
        #expect(lines.count == 2 && lines.allSatisfy { $0.utf8.count <= 75 } && lines[1].hasPrefix(" "))
        #expect(lines.joined().replacingOccurrences(of: " é", with: "é") == "SUMMARY:" + String(repeating: "é", count: 60))
    }
}
