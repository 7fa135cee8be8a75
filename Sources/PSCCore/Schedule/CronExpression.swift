/// A five-field cron expression (minute hour day-of-month month day-of-week) with ranges, lists, steps and
/// day and month names. As in classic cron, when both day fields are restricted a day matching either counts.
public struct CronExpression: Sendable, Equatable, CustomStringConvertible {
    public let description: String
    let minutes: Set<Int>
    let hours: Set<Int>
    let daysOfMonth: Set<Int>
    let months: Set<Int>
    /// 0 = Sunday … 6 = Saturday (7 is accepted for Sunday).
    let daysOfWeek: Set<Int>
    let dayOfMonthRestricted: Bool
    let dayOfWeekRestricted: Bool

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    static let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]

    public init(_ text: String) throws(ParseError) {
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { throw ParseError(description: "'\(text)' needs 5 fields, has \(fields.count)") }
        description = text
        minutes = try Self.field(fields[0], 0...59, names: [], what: "minute")
        hours = try Self.field(fields[1], 0...23, names: [], what: "hour")
        daysOfMonth = try Self.field(fields[2], 1...31, names: [], what: "day of month")
        months = try Self.field(fields[3], 1...12, names: Self.monthNames, what: "month", nameOffset: 1)
        let weekdays = try Self.field(fields[4], 0...7, names: Self.dayNames, what: "day of week")
        daysOfWeek = Set(weekdays.map { $0 == 7 ? 0 : $0 })
        dayOfMonthRestricted = fields[2] != "*"
        dayOfWeekRestricted = fields[4] != "*"
    }

    private static func field(_ text: String, _ range: ClosedRange<Int>, names: [String], what: String, nameOffset: Int = 0)
        throws(ParseError) -> Set<Int>
    {
        var values = Set<Int>()
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            let stepParts = part.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard stepParts.count <= 2 else { throw ParseError(description: "bad \(what) '\(part)'") }
            var step = 1
            if stepParts.count == 2 {
                guard let parsed = Int(stepParts[1]), parsed > 0 else { throw ParseError(description: "bad step in \(what) '\(part)'") }
                step = parsed
            }
            let base = stepParts[0]
            var lower: Int
            var upper: Int
            if base == "*" {
                lower = range.lowerBound
                upper = range.upperBound
            } else {
                let bounds = base.split(separator: "-", omittingEmptySubsequences: false).map(String.init)
                guard bounds.count <= 2, let first = value(bounds[0], names: names, offset: nameOffset) else {
                    throw ParseError(description: "bad \(what) '\(part)'")
                }
                lower = first
                upper = first
                if bounds.count == 2 {
                    guard let second = value(bounds[1], names: names, offset: nameOffset) else {
                        throw ParseError(description: "bad \(what) '\(part)'")
                    }
                    upper = second
                } else if stepParts.count == 2 {
                    upper = range.upperBound
                }
            }
            guard range.contains(lower), range.contains(upper), lower <= upper else {
                throw ParseError(description: "\(what) '\(part)' is outside \(range.lowerBound)-\(range.upperBound)")
            }
            values.formUnion(stride(from: lower, through: upper, by: step))
        }
        return values
    }

    private static func value(_ text: String, names: [String], offset: Int) -> Int? {
        if let number = Int(text) { return number }
        return names.firstIndex(of: text.lowercased()).map { $0 + offset }
    }

    /// Whether a local wall-clock minute matches. `weekday`: 0 = Sunday.
    public func matches(month: Int, day: Int, weekday: Int, hour: Int, minute: Int) -> Bool {
        guard minutes.contains(minute), hours.contains(hour), months.contains(month) else { return false }
        let dayOfMonth = daysOfMonth.contains(day)
        let dayOfWeek = daysOfWeek.contains(weekday)
        if dayOfMonthRestricted && dayOfWeekRestricted { return dayOfMonth || dayOfWeek }
        return dayOfMonth && dayOfWeek
    }
}
