import Foundation

/// A university figure of 20-services §5.2: numerator ÷ denominator × 100 with one decimal, or null with a reason.
public struct RateFigure: Sendable, Equatable {
    public enum Reason: String, Sendable { case insufficientData = "insufficient_data", notTracked = "not_tracked" }
    public let value: Double?
    public let numerator: Int?
    public let denominator: Int?
    public let reason: Reason?

    /// Null with `insufficient_data` below `minimum` in the denominator.
    public init(numerator: Int, denominator: Int, minimum: Int = 20) {
        self.numerator = numerator
        self.denominator = denominator
        if denominator < minimum || denominator == 0 {
            (value, reason) = (nil, .insufficientData)
        } else {
            (value, reason) = (Analytics.round(Double(numerator) / Double(denominator) * 100, places: 1), nil)
        }
    }

    public static let notTracked = RateFigure(notTracked: ())
    private init(notTracked: Void) { (value, numerator, denominator, reason) = (nil, nil, nil, .notTracked) }
}

public enum Analytics {
    public static func round(_ value: Double, places: Int) -> Double {
        let scale = pow(10, Double(places))
        return (value * scale).rounded() / scale
    }

    /// ANL-2: min(100, (10 × events + 2 × attendance + 5 × applications) ÷ 10), one decimal.
    public static func departmentEngagement(events: Int, attendance: Int, applications: Int) -> Double {
        min(100, round(Double(10 * events + 2 * attendance + 5 * applications) / 10, places: 1))
    }

    /// ANL-2: the mean rating × 20, one decimal; null below 5 ratings.
    public static func satisfaction(ratingSum: Int, ratings: Int) -> Double? {
        guard ratings >= 5 else { return nil }
        return round(Double(ratingSum) / Double(ratings) * 20, places: 1)
    }

    /// The nearest-rank 95th percentile of sorted values; nil below 20 values (20-services §5.1).
    public static func p95(sorted values: [Int]) -> Int? {
        guard values.count >= 20 else { return nil }
        let rank = Int((0.95 * Double(values.count)).rounded(.up))
        return values[max(0, min(values.count, rank) - 1)]
    }

    /// The Chicago dates of a window of `days` dates ending with `today`, oldest first.
    public static func dates(endingWith today: String, days: Int) -> [String] {
        (0..<max(days, 1)).reversed().compactMap { ScholarshipCalendar.adding(days: -$0, to: today) }
    }

    /// The instants (stamps) where a Chicago date starts and where the next one starts.
    public static func bounds(of date: String) -> (start: String, end: String)? {
        guard let components = ScholarshipCalendar.parts(date), let start = ScholarshipCalendar.calendar.date(from: components),
            let end = ScholarshipCalendar.calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        return (Timestamp.string(from: start), Timestamp.string(from: end))
    }
}

extension Analytics {
    /// Whole Chicago calendar days from `from` to `to` (dates as `2027-03-14`).
    public static func daysBetween(_ from: String, _ to: String) -> Int? {
        guard let start = ScholarshipCalendar.parts(from).flatMap(ScholarshipCalendar.calendar.date(from:)),
            let end = ScholarshipCalendar.parts(to).flatMap(ScholarshipCalendar.calendar.date(from:))
        else { return nil }
        return ScholarshipCalendar.calendar.dateComponents([.day], from: start, to: end).day
    }
}
