import Foundation
import Testing

@testable import PSCCore

@Suite("Cron and Chicago slots")
struct ScheduleTests {
    let calendar = SlotCalendar.chicago

    func instant(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text)!
    }

    @Test(
        "the spec's DST examples",
        arguments: [
            // job 11 on 2026-03-08 runs at 03:00 CDT (08:00Z) because 02:00 does not exist
            ("0 2 * * *", "2026-03-08T12:00:00Z", "2026-03-08T08:00:00Z", "2026-03-08T03:00:00-05:00"),
            // job 2 on 2026-11-01 runs once, at the first 01:00 (06:00Z)
            ("0 1 * * *", "2026-11-01T07:30:00Z", "2026-11-01T06:00:00Z", "2026-11-01T01:00:00-05:00"),
            // job 3's 01:15 slot that day also runs once
            ("15 * * * *", "2026-11-01T07:20:00Z", "2026-11-01T06:15:00Z", "2026-11-01T01:15:00-05:00"),
            // a slot inside the gap runs at the first instant after it
            ("30 2 * * *", "2026-03-08T12:00:00Z", "2026-03-08T08:00:00Z", "2026-03-08T03:00:00-05:00"),
            // ordinary days, CDT and CST
            ("5 0 * * *", "2026-09-01T10:00:00Z", "2026-09-01T05:05:00Z", "2026-09-01T00:05:00-05:00"),
            ("5 0 * * *", "2026-12-01T10:00:00Z", "2026-12-01T06:05:00Z", "2026-12-01T00:05:00-06:00"),
            ("0 3 * * 6", "2026-09-03T12:00:00Z", "2026-08-29T08:00:00Z", "2026-08-29T03:00:00-05:00"),
            ("0 0,6,12,18 * * *", "2026-09-01T16:59:00Z", "2026-09-01T11:00:00Z", "2026-09-01T06:00:00-05:00"),
        ])
    func latestSlot(cron: String, now: String, expected: String, name: String) throws {
        let slot = try #require(calendar.latestSlot(of: try CronExpression(cron), atOrBefore: instant(now)))
        #expect(slot.instant == instant(expected))
        #expect(slot.name == name)
    }

    @Test("the repeated autumn hour's second pass is not a slot")
    func repeatedHour() throws {
        let cron = try CronExpression("15 * * * *")
        #expect(calendar.isSlot(cron, at: instant("2026-11-01T06:15:00Z")))
        #expect(!calendar.isSlot(cron, at: instant("2026-11-01T07:15:00Z")), "01:15 CST repeats 01:15 CDT")
        #expect(calendar.isSlot(cron, at: instant("2026-11-01T08:15:00Z")))
        #expect(calendar.slotCount(of: cron, after: instant("2026-11-01T05:00:00Z"), through: instant("2026-11-01T09:00:00Z")) == 3)
    }

    @Test("next slots step over the spring gap once")
    func nextSlots() throws {
        let cron = try CronExpression("0 2 * * *")
        let first = try #require(calendar.nextSlot(of: cron, after: instant("2026-03-07T09:00:00Z")))
        #expect(first.name == "2026-03-08T03:00:00-05:00")
        let second = try #require(calendar.nextSlot(of: cron, after: first.instant))
        #expect(second.name == "2026-03-09T02:00:00-05:00")
    }

    @Test(
        "fields: ranges, lists, steps and names",
        arguments: [
            ("*/15 * * * *", 9, 1, 3, 10, 30, true),
            ("*/15 * * * *", 9, 1, 3, 10, 31, false),
            ("0 9-17/4 * * mon-fri", 9, 1, 2, 13, 0, true),
            ("0 9-17/4 * * mon-fri", 9, 5, 6, 13, 0, false),
            ("0 8 * jan,sep 1", 9, 7, 1, 8, 0, true),
            ("0 8 1 * 1", 9, 1, 2, 8, 0, true),
            ("0 8 1 * 1", 9, 7, 1, 8, 0, true),
            ("0 8 1 * 1", 9, 8, 2, 8, 0, false),
            ("0 0 * * 7", 9, 6, 0, 0, 0, true),
        ])
    func matching(cron: String, month: Int, day: Int, weekday: Int, hour: Int, minute: Int, expected: Bool) throws {
        #expect(try CronExpression(cron).matches(month: month, day: day, weekday: weekday, hour: hour, minute: minute) == expected)
    }

    @Test(
        "bad expressions are refused",
        arguments: ["* * * *", "60 * * * *", "* 24 * * *", "* * 0 * *", "*/0 * * * *", "5-1 * * * *", "* * * foo *", "x * * * *"])
    func refuses(text: String) {
        #expect(throws: CronExpression.ParseError.self) { try CronExpression(text) }
    }
}
