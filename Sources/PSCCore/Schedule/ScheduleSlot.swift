import Foundation

/// One scheduled occurrence (30-jobs §2): the instant it runs and its name, the Chicago wall-clock time with
/// its offset (`2026-09-01T00:05:00-05:00`).
public struct ScheduleSlot: Sendable, Equatable {
    public let instant: Date
    public let name: String
}

/// Finds cron slots in a time zone with the DST rules of 00-conventions §7: a slot in the spring gap runs at the
/// first instant after the gap and is named by it; a slot in the repeated autumn hour runs once, at its first
/// occurrence.
public struct SlotCalendar: Sendable {
    public let timeZone: TimeZone

    public static let chicago = SlotCalendar(timeZone: TimeZone(identifier: "America/Chicago")!)

    public init(timeZone: TimeZone) { self.timeZone = timeZone }

    struct Local: Equatable {
        let year, month, day, hour, minute, weekday: Int
    }

    func local(_ instant: Date) -> Local {
        let offset = timeZone.secondsFromGMT(for: instant)
        var seconds = time_t(instant.timeIntervalSince1970) + time_t(offset)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return Local(
            year: Int(parts.tm_year) + 1900, month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday), hour: Int(parts.tm_hour),
            minute: Int(parts.tm_min), weekday: Int(parts.tm_wday))
    }

    /// The local day of month and weekday (0 = Sunday) of an instant.
    public func dayAndWeekday(of instant: Date) -> (day: Int, weekday: Int) {
        let time = local(instant)
        return (time.day, time.weekday)
    }

    func matches(_ cron: CronExpression, _ time: Local) -> Bool {
        cron.matches(month: time.month, day: time.day, weekday: time.weekday, hour: time.hour, minute: time.minute)
    }

    func name(_ instant: Date) -> String {
        let time = local(instant)
        let offset = timeZone.secondsFromGMT(for: instant)
        let sign = offset < 0 ? "-" : "+"
        let absolute = abs(offset)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:00%@%02d:%02d", time.year, time.month, time.day, time.hour, time.minute, sign,
            absolute / 3600, absolute % 3600 / 60)
    }

    /// Whether the instant is a slot of the expression under the DST rules.
    func isSlot(_ cron: CronExpression, at instant: Date) -> Bool {
        let time = local(instant)
        let previous = local(instant.addingTimeInterval(-60))
        if matches(cron, time) {
            // The second pass through a repeated hour is not a slot: its wall-clock minute already ran an hour ago.
            return local(instant.addingTimeInterval(-3600)) != time
        }
        // The first instant after a spring gap carries the slots of the skipped minutes.
        let expected = previous.minute == 59 ? (previous.hour + 1, 0) : (previous.hour, previous.minute + 1)
        guard previous.day == time.day, (expected.0, expected.1) != (time.hour, time.minute), time.hour > expected.0 else {
            return false
        }
        var hour = expected.0
        var minute = expected.1
        while (hour, minute) < (time.hour, time.minute) {
            let skipped = Local(year: time.year, month: time.month, day: time.day, hour: hour, minute: minute, weekday: time.weekday)
            if matches(cron, skipped) { return true }
            minute += 1
            if minute == 60 {
                minute = 0
                hour += 1
            }
        }
        return false
    }

    /// The latest slot at or before `instant`, searching back at most `horizon`.
    public func latestSlot(of cron: CronExpression, atOrBefore instant: Date, horizon: TimeInterval = 40 * 86400) -> ScheduleSlot? {
        var candidate = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 60).rounded(.down) * 60)
        let limit = instant.addingTimeInterval(-horizon)
        while candidate >= limit {
            if isSlot(cron, at: candidate) { return ScheduleSlot(instant: candidate, name: name(candidate)) }
            candidate = candidate.addingTimeInterval(-60)
        }
        return nil
    }

    /// The first slot strictly after `instant`, searching ahead at most `horizon`.
    public func nextSlot(of cron: CronExpression, after instant: Date, horizon: TimeInterval = 400 * 86400) -> ScheduleSlot? {
        var candidate = Date(timeIntervalSince1970: (instant.timeIntervalSince1970 / 60).rounded(.down) * 60 + 60)
        let limit = instant.addingTimeInterval(horizon)
        while candidate <= limit {
            if isSlot(cron, at: candidate) { return ScheduleSlot(instant: candidate, name: name(candidate)) }
            candidate = candidate.addingTimeInterval(60)
        }
        return nil
    }

    /// How many slots lie in (after, through]; for the `missed_count` of a downtime.
    public func slotCount(of cron: CronExpression, after: Date, through: Date) -> Int {
        var count = 0
        var cursor = after
        while let slot = nextSlot(of: cron, after: cursor, horizon: through.timeIntervalSince(cursor)), slot.instant <= through {
            count += 1
            cursor = slot.instant
        }
        return count
    }
}
