import Foundation
import PSCCore
import PSCStore

/// What the scholarship pages draw: amounts and dates in words, rules in sentences, match explanations with the
/// profile field to fill (50-ui §3).
enum ScholarshipPageViews {
    /// "Monday, March 1, 2027".
    static func dateWords(_ date: String) -> String {
        guard let parts = ScholarshipCalendar.parts(date), let day = ScholarshipCalendar.calendar.date(from: parts) else { return date }
        return PageTime.longDay(day)
    }

    /// "12 days left", "closes today", "closed".
    static func daysLeft(_ deadline: String, now: Date) -> String {
        guard let days = ScholarshipCalendar.daysLeft(until: deadline, at: now) else { return "" }
        switch days {
        case ..<0: return "closed"
        case 0: return "closes today"
        case 1: return "1 day left"
        default: return "\(days) days left"
        }
    }

    static func card(_ s: ScholarshipRecord, match: (status: String, score: Int)?, now: Date) -> [String: Any] {
        var card: [String: Any] = [
            "id": Int(s.id), "title": s.title, "amount": Money.words(s.amountCents), "deadline": dateWords(s.deadline),
            "deadline_iso": s.deadline, "daysLeft": daysLeft(s.deadline, now: now), "department": s.departmentName as Any,
            "category": s.category as Any, "renewable": s.renewable, "essays": s.prompts.count, "status": s.status,
            "open": s.isActive(at: now), "external": s.applicationMethod != "internal",
        ]
        if let match {
            card["eligible"] = match.status == "eligible"
            card["needsInfo"] = match.status == "needs_info"
            card["matchScore"] = match.score
        }
        return card
    }

    /// Each rule group as a sentence list: "GPA at least 3.00", "Major one of Nursing".
    static func eligibility(_ rules: Eligibility) -> [[String: Any]] {
        rules.groups.map { group in ["name": group.name, "rules": group.rules.map(ScholarshipMatcher.words)] }
    }

    /// Where a student fills in a field a rule reads.
    static func fixLink(_ field: String) -> String {
        if field.hasPrefix("answer:") { return "/applications/general" }
        let anchors: [String: String] = [
            "gpa": "edit-gpa", "major": "edit-major", "graduation_year": "edit-year", "class_standing": "edit-class-standing",
            "state_of_residence": "edit-state-of-residence", "enrollment_status": "edit-enrollment-status",
            "first_generation": "edit-first-generation", "financial_need": "edit-financial-need", "credit_hours": "edit-credit-hours",
            "department_id": "edit-department",
        ]
        return "/settings/profile" + (anchors[field].map { "#" + $0 } ?? "")
    }

    static func explanation(_ result: MatchResult) -> [String: Any] {
        [
            "status": result.status.rawValue, "score": result.score, "eligible": result.status == .eligible,
            "needsInfo": result.status == .needsInfo, "ineligible": result.status == .ineligible,
            "rules": result.rules.map { rule -> [String: Any] in
                [
                    "detail": rule.detail, "passed": rule.result == .pass, "failed": rule.result == .fail,
                    "missing": rule.result == .missing, "fix": fixLink(rule.field), "group": rule.group,
                ]
            },
            "hasRules": !result.rules.isEmpty,
        ]
    }
}
