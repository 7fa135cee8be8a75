import Foundation

/// A person's quiet hours (20-services §3.3): a window of local wall-clock times that may cross midnight, start
/// inclusive, end exclusive, read in the person's time zone on each day it applies.
public struct QuietHours: Sendable, Equatable {
    public let start: WallTime
    public let end: WallTime
    public let timeZone: TimeZone

    /// A time of day, "HH:MM".
    public struct WallTime: Sendable, Equatable, CustomStringConvertible {
        public let hour: Int
        public let minute: Int

        /// "07:00"; nil unless two-digit hours 00..23 and minutes 00..59.
        public init?(_ text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }), let hour = Int(parts[0]),
                let minute = Int(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
            else { return nil }
            (self.hour, self.minute) = (hour, minute)
        }

        public var description: String { String(format: "%02d:%02d", hour, minute) }
        var minutes: Int { hour * 60 + minute }
    }

    public init(start: WallTime, end: WallTime, timeZone: TimeZone) {
        (self.start, self.end, self.timeZone) = (start, end, timeZone)
    }

    /// When the window holding `instant` ends, or nil when `instant` is outside every window.
    public func deferral(of instant: Date) -> Date? {
        guard start != end else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let today = calendar.dateComponents([.year, .month, .day], from: instant)
        // The window holding `instant` began today or, when it crosses midnight, yesterday.
        for back in [1, 0] {
            guard let day = calendar.date(from: today).flatMap({ calendar.date(byAdding: .day, value: -back, to: $0) }) else { continue }
            let endDay = end.minutes > start.minutes ? day : calendar.date(byAdding: .day, value: 1, to: day) ?? day
            let opens = Self.instant(of: start, on: calendar.dateComponents([.year, .month, .day], from: day), in: timeZone)
            let closes = Self.instant(of: end, on: calendar.dateComponents([.year, .month, .day], from: endDay), in: timeZone)
            if opens <= instant && instant < closes { return closes }
        }
        return nil
    }

    /// The instant a wall-clock time names on a date: one that does not exist (spring forward) is the first instant
    /// after the gap; one that occurs twice (fall back) is its first occurrence (00-conventions §7).
    public static func instant(of time: WallTime, on date: DateComponents, in timeZone: TimeZone) -> Date {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        let naive = utc.date(from: DateComponents(year: date.year, month: date.month, day: date.day, hour: time.hour, minute: time.minute))!
        let before = TimeInterval(timeZone.secondsFromGMT(for: naive.addingTimeInterval(-86400)))
        let after = TimeInterval(timeZone.secondsFromGMT(for: naive.addingTimeInterval(86400)))
        let valid = Set([before, after]).map { naive.addingTimeInterval(-$0) }.filter {
            TimeInterval(timeZone.secondsFromGMT(for: $0)) == naive.timeIntervalSince($0)
        }
        if let first = valid.min() { return first }
        // In the gap: the clocks jumped past this time, so the window starts when they did.
        return timeZone.nextDaylightSavingTimeTransition(after: naive.addingTimeInterval(-before - 86400))
            ?? naive.addingTimeInterval(-before)
    }
}
