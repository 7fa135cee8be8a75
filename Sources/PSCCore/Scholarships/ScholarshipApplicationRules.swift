import Foundation

/// An essay prompt of a scholarship (SCH-3), numbered from 1 in its order.
public struct EssayPrompt: Sendable, Equatable {
    public let prompt: String
    public let minWords: Int
    public let maxWords: Int
    public init(prompt: String, minWords: Int, maxWords: Int) {
        (self.prompt, self.minWords, self.maxWords) = (prompt, minWords, maxWords)
    }
    public func accepts(words: Int) -> Bool { (minWords...max(minWords, maxWords)).contains(words) }
}

/// A question of a scholarship's form (SCH-3).
public struct FormQuestion: Sendable, Equatable {
    public let key: String
    public let label: String
    public let required: Bool
    public init(key: String, label: String, required: Bool) { (self.key, self.label, self.required) = (key, label, required) }
}

/// Words as the essay measures count them (20-services §7.5): runs of letters and digits, with apostrophe suffixes.
public enum WordCount {
    public static func of(_ text: String) -> Int {
        var count = 0
        var inWord = false
        var afterApostrophe = false
        let scalars = Array(text.unicodeScalars)
        var index = 0
        func alphanumeric(_ scalar: Unicode.Scalar) -> Bool {
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
        }
        func letter(_ scalar: Unicode.Scalar) -> Bool { ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) }
        while index < scalars.count {
            let scalar = scalars[index]
            if alphanumeric(scalar) {
                if !inWord && !afterApostrophe { count += 1 }
                inWord = true
                afterApostrophe = false
            } else if inWord, scalar == "'" || scalar == "’", index + 1 < scalars.count, letter(scalars[index + 1]) {
                afterApostrophe = true
                inWord = false
            } else {
                inWord = false
                afterApostrophe = false
            }
            index += 1
        }
        return count
    }
}

/// The checklist of an application (20-services §7.7): `form`, `essay:<i>`, `letter:<n>`, `transcript`.
public struct ApplicationChecklist: Sendable, Equatable {
    public struct Item: Sendable, Equatable {
        public let item: String
        public let label: String
        public let done: Bool
    }

    public let items: [Item]

    public init(
        questions: [FormQuestion], answers: [String: String], prompts: [EssayPrompt], essayWordCounts: [Int: Int],
        lettersRequired: Int, lettersReceived: Int, transcriptRequired: Bool, transcriptSubmitted: Bool
    ) {
        var items: [Item] = []
        let formDone = questions.filter(\.required).allSatisfy {
            !(answers[$0.key]?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true)
        }
        items.append(Item(item: "form", label: "Application form", done: formDone))
        for (offset, prompt) in prompts.enumerated() {
            let index = offset + 1
            let done = essayWordCounts[index].map(prompt.accepts(words:)) ?? false
            items.append(Item(item: "essay:\(index)", label: "Essay \(index)", done: done))
        }
        if lettersRequired > 0 {
            for n in 1...lettersRequired {
                items.append(Item(item: "letter:\(n)", label: "Recommendation letter \(n)", done: lettersReceived >= n))
            }
        }
        if transcriptRequired { items.append(Item(item: "transcript", label: "Transcript", done: transcriptSubmitted)) }
        self.items = items
    }

    public var doneCount: Int { items.filter(\.done).count }
    public var progressPercentage: Int { items.isEmpty ? 100 : 100 * doneCount / items.count }
    public var unfinished: [String] { items.filter { !$0.done }.map(\.item) }
    public var isComplete: Bool { unfinished.isEmpty }
}

/// A rubric criterion (SCH-22) and the totals of 20-services §7.7.
public struct RubricCriterion: Sendable, Equatable {
    public let key: String
    public let label: String
    public let maxPoints: Int
    public let weight: Int
    public init(key: String, label: String, maxPoints: Int, weight: Int) {
        (self.key, self.label, self.maxPoints, self.weight) = (key, label, maxPoints, weight)
    }
}

public enum Rubric {
    /// Σ(score ÷ max × weight) ÷ Σ weight × 100, to one decimal place.
    public static func total(_ criteria: [RubricCriterion], scores: [String: Int]) -> Double? {
        let weights = criteria.reduce(0) { $0 + $1.weight }
        guard weights > 0 else { return nil }
        var sum = 0.0
        for criterion in criteria {
            guard let score = scores[criterion.key], score >= 0, score <= criterion.maxPoints, criterion.maxPoints > 0 else { return nil }
            sum += Double(score) / Double(criterion.maxPoints) * Double(criterion.weight)
        }
        return (sum / Double(weights) * 100 * 10).rounded() / 10
    }

    /// The mean of the finished totals (conflicts have none), to one decimal place; nil without any.
    public static func mean(_ totals: [Double]) -> Double? {
        guard !totals.isEmpty else { return nil }
        return (totals.reduce(0, +) / Double(totals.count) * 10).rounded() / 10
    }
}

/// Dates of the scholarship calendar: deadlines end with their day in America/Chicago, cycles run July to June.
public enum ScholarshipCalendar {
    /// The zone the scheduler already uses.
    public static var zone: TimeZone { SlotCalendar.chicago.timeZone }

    /// The Gregorian calendar in Chicago, made once (it is read for every card's days-left and every deadline check).
    public static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = SlotCalendar.chicago.timeZone
        return calendar
    }()

    /// "2027-03-14" → its parts, or nil when it is not a real date.
    public static func parts(_ date: String) -> DateComponents? {
        let pieces = date.split(separator: "-")
        guard date.count == 10, pieces.count == 3, let year = Int(pieces[0]), let month = Int(pieces[1]), let day = Int(pieces[2]) else {
            return nil
        }
        let components = DateComponents(year: year, month: month, day: day)
        guard let instant = calendar.date(from: components), calendar.dateComponents([.year, .month, .day], from: instant) == components
        else { return nil }
        return components
    }

    /// The last second of that day in Chicago (the deadline), or nil for a malformed date.
    public static func deadlineInstant(_ date: String) -> Date? {
        guard let components = parts(date), let start = calendar.date(from: components),
            let next = calendar.date(byAdding: .day, value: 1, to: start)
        else { return nil }
        return next.addingTimeInterval(-1)
    }

    public static func isPast(deadline: String, at now: Date) -> Bool {
        deadlineInstant(deadline).map { now > $0 } ?? true
    }

    /// Today's date in Chicago.
    public static func today(_ now: Date) -> String { string(calendar.dateComponents([.year, .month, .day], from: now)) }

    static func string(_ components: DateComponents) -> String {
        String(format: "%04d-%02d-%02d", components.year ?? 0, components.month ?? 0, components.day ?? 0)
    }

    /// Whole days from today (Chicago) to the deadline's day; negative after it.
    public static func daysLeft(until deadline: String, at now: Date) -> Int? {
        guard let target = parts(deadline), let start = parts(today(now)), let from = calendar.date(from: start),
            let to = calendar.date(from: target)
        else { return nil }
        return calendar.dateComponents([.day], from: from, to: to).day
    }

    /// The date `days` after `date` (Chicago calendar days).
    public static func adding(days: Int, to date: String) -> String? {
        guard let components = parts(date), let start = calendar.date(from: components),
            let moved = calendar.date(byAdding: .day, value: days, to: start)
        else { return nil }
        return string(calendar.dateComponents([.year, .month, .day], from: moved))
    }

    /// One year later; 29 February becomes 28 February (SCH-30).
    public static func oneYearLater(_ date: String) -> String? {
        guard var components = parts(date) else { return nil }
        components.year = (components.year ?? 0) + 1
        if components.month == 2 && components.day == 29 { components.day = 28 }
        return parts(string(components)).map(string)
    }

    /// Is it a cycle name of the `2026-27` form?
    public static func isCycle(_ text: String) -> Bool { startYear(of: text) != nil }

    static func startYear(of cycle: String) -> Int? {
        let pieces = cycle.split(separator: "-")
        guard cycle.count == 7, pieces.count == 2, let start = Int(pieces[0]), pieces[1].count == 2, let end = Int(pieces[1]),
            (start + 1) % 100 == end, start >= 2000
        else { return nil }
        return start
    }

    public static func cycle(startingIn year: Int) -> String { String(format: "%04d-%02d", year, (year + 1) % 100) }

    public static func next(cycle: String) -> String? { startYear(of: cycle).map { Self.cycle(startingIn: $0 + 1) } }

    /// The cycle a deadline falls in: July to June.
    public static func cycle(forDeadline date: String) -> String? {
        guard let components = parts(date), let year = components.year, let month = components.month else { return nil }
        return cycle(startingIn: month >= 7 ? year : year - 1)
    }
}

/// Awards of a cycle may be split but never exceed `amount_cents` × `award_count` (10-api §10).
public enum AwardBudget {
    public static func allows(amountCents: Int64, awardCount: Int, alreadyAwarded: Int64, adding: Int64) -> Bool {
        let (budget, overflow) = amountCents.multipliedReportingOverflow(by: Int64(awardCount))
        return !overflow && alreadyAwarded + adding <= budget
    }
}
