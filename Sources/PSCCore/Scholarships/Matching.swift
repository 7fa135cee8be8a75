import Foundation

/// What matching knows of a student (USR-2's fields and the general application, SCH-29); nil is "not on file".
public struct StudentFacts: Sendable, Equatable {
    public var role: String
    public var major: String?
    public var gpa: Double?
    public var graduationYear: Int?
    public var classStanding: String?
    public var departmentID: Int64?
    public var enrollmentStatus: String?
    public var stateOfResidence: String?
    public var firstGeneration: Bool?
    public var financialNeed: Bool?
    public var creditHours: Int?
    public var answers: [String: String]
    public var interests: [String]

    public init(
        role: String, major: String? = nil, gpa: Double? = nil, graduationYear: Int? = nil, classStanding: String? = nil,
        departmentID: Int64? = nil, enrollmentStatus: String? = nil, stateOfResidence: String? = nil, firstGeneration: Bool? = nil,
        financialNeed: Bool? = nil, creditHours: Int? = nil, answers: [String: String] = [:], interests: [String] = []
    ) {
        (self.role, self.major, self.gpa, self.graduationYear, self.classStanding) = (role, major, gpa, graduationYear, classStanding)
        (self.departmentID, self.enrollmentStatus, self.stateOfResidence) = (departmentID, enrollmentStatus, stateOfResidence)
        (self.firstGeneration, self.financialNeed, self.creditHours) = (firstGeneration, financialNeed, creditHours)
        (self.answers, self.interests) = (answers, interests)
    }

    enum Fact: Equatable {
        case text(String)
        case number(Double)
        case flag(Bool)
    }

    func fact(_ field: String) -> Fact? {
        func text(_ value: String?) -> Fact? {
            guard let trimmed = value?.trimmingCharacters(in: .whitespaces), !trimmed.isEmpty else { return nil }
            return .text(trimmed)
        }
        switch field {
        case "major": return text(major)
        case "gpa": return gpa.map(Fact.number)
        case "graduation_year": return graduationYear.map { .number(Double($0)) }
        case "class_standing": return text(classStanding)
        case "department_id": return departmentID.map { .number(Double($0)) }
        case "role": return text(role)
        case "enrollment_status": return text(enrollmentStatus)
        case "state_of_residence": return text(stateOfResidence)
        case "first_generation": return firstGeneration.map(Fact.flag)
        case "financial_need": return financialNeed.map(Fact.flag)
        case "credit_hours": return creditHours.map { .number(Double($0)) }
        default:
            guard field.hasPrefix("answer:") else { return nil }
            return text(answers[String(field.dropFirst("answer:".count))])
        }
    }
}

/// One student against one scholarship: the status, the ranking score and the explanation (20-services §7.6).
public struct MatchResult: Sendable, Equatable {
    public enum Status: String, Sendable, CaseIterable {
        case eligible, needsInfo = "needs_info", ineligible
        /// eligible > needs_info > ineligible (SCH-6).
        public var rank: Int { self == .eligible ? 0 : self == .needsInfo ? 1 : 2 }
    }

    public enum Outcome: String, Sendable {
        case pass, fail, missing
    }

    public struct RuleResult: Sendable, Equatable {
        public let group: String
        public let field: String
        /// The rule in words ("GPA at least 3.00").
        public let rule: String
        public let result: Outcome
        /// The rule with the student's value and the verdict ("GPA 3.42 ≥ 3.00: passed").
        public let detail: String

        public init(group: String, field: String, rule: String, result: Outcome, detail: String) {
            (self.group, self.field, self.rule, self.result, self.detail) = (group, field, rule, result, detail)
        }
    }

    public let status: Status
    public let score: Int
    /// Every rule of the best group.
    public let rules: [RuleResult]
    /// The fields of the best group the student has not filled in.
    public let missingFields: [String]

    public init(status: Status, score: Int, rules: [RuleResult], missingFields: [String]) {
        (self.status, self.score, self.rules, self.missingFields) = (status, score, rules, missingFields)
    }
}

/// A scholarship's rules as matching uses them many times over: the words of each rule and the normalised tags,
/// made once per catalogue version instead of once per student.
public struct PreparedScholarship: Sendable {
    public let eligibility: Eligibility
    /// The words of each rule, by group then rule.
    let words: [[String]]
    let tags: Set<String>

    public init(eligibility: Eligibility, tags: [String]) {
        self.eligibility = eligibility
        words = eligibility.groups.map { $0.rules.map(ScholarshipMatcher.words) }
        self.tags = Set(tags.map { $0.trimmingCharacters(in: .whitespaces).lowercased() })
    }
}

public enum ScholarshipMatcher {
    static let weights = (major: 30, gpa: 25, year: 20, interest: 5, interestCap: 25)

    public static func match(_ eligibility: Eligibility, tags: [String], facts: StudentFacts) -> MatchResult {
        match(PreparedScholarship(eligibility: eligibility, tags: tags), facts: facts)
    }

    /// The same against a scholarship prepared once (its rules in words, its tags normalised), so matching one
    /// student against the whole catalogue does per rule only what depends on the student.
    public static func match(_ scholarship: PreparedScholarship, facts: StudentFacts) -> MatchResult {
        let groups = scholarship.eligibility.groups
        var outcomes: [[MatchResult.Outcome]] = []
        outcomes.reserveCapacity(groups.count)
        var passing: Int?
        var clean: Int?
        var fewest: (index: Int, failures: Int)?
        for (index, group) in groups.enumerated() {
            var results: [MatchResult.Outcome] = []
            results.reserveCapacity(group.rules.count)
            var failures = 0
            var missing = 0
            for rule in group.rules {
                let outcome = evaluate(rule, facts)
                results.append(outcome)
                if outcome == .fail { failures += 1 } else if outcome == .missing { missing += 1 }
            }
            outcomes.append(results)
            if failures == 0 && missing == 0 && passing == nil { passing = index }
            if failures == 0 && clean == nil { clean = index }
            if fewest == nil || failures < fewest!.failures { fewest = (index, failures) }
        }
        let status: MatchResult.Status = groups.isEmpty || passing != nil ? .eligible : clean != nil ? .needsInfo : .ineligible
        let best = passing ?? clean ?? fewest?.index
        var results: [MatchResult.RuleResult] = []
        var missing: [String] = []
        var blocked: Set<String> = []
        if let best {
            let group = groups[best]
            for (offset, rule) in group.rules.enumerated() {
                let outcome = outcomes[best][offset]
                results.append(
                    MatchResult.RuleResult(
                        group: group.name, field: rule.field, rule: scholarship.words[best][offset], result: outcome,
                        detail: detail(rule, outcome, facts)))
                if outcome == .missing && !missing.contains(rule.field) { missing.append(rule.field) }
                if outcome != .pass { blocked.insert(rule.field) }
            }
        }
        // Each part is earned when every rule on its fields passes, or the best group has none (20-services §7.6).
        var score = 0
        if !blocked.contains("major") { score += weights.major }
        if !blocked.contains("gpa") { score += weights.gpa }
        if !blocked.contains("graduation_year") && !blocked.contains("class_standing") { score += weights.year }
        if !scholarship.tags.isEmpty {
            var shared = Set<String>()
            for interest in facts.interests {
                let normal = interest.trimmingCharacters(in: .whitespaces).lowercased()
                if scholarship.tags.contains(normal) { shared.insert(normal) }
            }
            score += min(shared.count * weights.interest, weights.interestCap)
        }
        return MatchResult(status: status, score: min(score, 100), rules: results, missingFields: missing)
    }

    static func evaluate(_ rule: Eligibility.Rule, _ facts: StudentFacts) -> MatchResult.Outcome {
        guard let fact = facts.fact(rule.field) else { return .missing }
        switch rule.op {
        case .isTrue:
            switch fact {
            case .flag(let flag): return flag ? .pass : .fail
            case .text(let text): return ["yes", "true"].contains(text.lowercased()) ? .pass : .fail
            case .number(let number): return number != 0 ? .pass : .fail
            }
        case .in, .notIn:
            guard case .list(let values) = rule.value else { return .fail }
            let found = values.contains { equal(fact, $0, field: rule.field) }
            return found == (rule.op == .in) ? .pass : .fail
        case .eq:
            return rule.value.map { equal(fact, $0, field: rule.field) } == true ? .pass : .fail
        case .gte, .lte:
            guard let value = rule.value, let order = compare(fact, value, field: rule.field) else { return .fail }
            return (rule.op == .gte ? order >= 0 : order <= 0) ? .pass : .fail
        }
    }

    static func number(_ fact: StudentFacts.Fact) -> Double? {
        switch fact {
        case .number(let number): number
        case .text(let text): Double(text)
        case .flag: nil
        }
    }

    static func equal(_ fact: StudentFacts.Fact, _ value: Eligibility.RuleValue, field: String) -> Bool {
        switch value {
        case .number(let expected): return number(fact).map { abs($0 - expected) < 1e-9 } ?? false
        case .text(let expected):
            guard case .text(let text) = fact else { return false }
            return text.lowercased() == expected.lowercased()
        case .list: return false
        }
    }

    /// The sign of fact − value, or nil when they do not compare.
    static func compare(_ fact: StudentFacts.Fact, _ value: Eligibility.RuleValue, field: String) -> Int? {
        if field == "class_standing" {
            guard case .text(let text) = fact, case .text(let expected) = value, let left = ClassStanding.rank(text),
                let right = ClassStanding.rank(expected)
            else { return nil }
            return left < right ? -1 : left > right ? 1 : 0
        }
        guard let left = number(fact), case .number(let right) = value else { return nil }
        return abs(left - right) < 1e-9 ? 0 : left < right ? -1 : 1
    }

    static let labels: [String: String] = [
        "major": "Major", "gpa": "GPA", "graduation_year": "Graduation year", "class_standing": "Class standing",
        "department_id": "Department", "role": "Role", "enrollment_status": "Enrolment status",
        "state_of_residence": "State of residence", "first_generation": "First-generation student",
        "financial_need": "Financial need on file", "credit_hours": "Credit hours",
    ]

    /// What a student adds to satisfy a missing field.
    public static func hint(_ field: String) -> String {
        switch field {
        case "gpa": "add your GPA"
        case "state_of_residence": "add your state of residence"
        case "first_generation": "say whether you are a first-generation student"
        case "financial_need": "say whether you have financial need on file"
        case let answer where answer.hasPrefix("answer:"): "answer “\(words(ofKey: answer))” in your general application"
        default: "add your \(label(field).lowercased())"
        }
    }

    /// An answer key as people read it: `answer:home_county` → "home county".
    static func words(ofKey field: String) -> String { field.dropFirst("answer:".count).replacingOccurrences(of: "_", with: " ") }

    public static func label(_ field: String) -> String {
        if field.hasPrefix("answer:") { return "Answer to “\(words(ofKey: field))”" }
        return labels[field] ?? field
    }

    /// "3.42": String(format:) costs more than the rest of a rule's explanation.
    static func twoDecimals(_ number: Double) -> String {
        let hundredths = Int((abs(number) * 100).rounded())
        let fraction = hundredths % 100
        return (number < 0 ? "-" : "") + String(hundredths / 100) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    /// Coded values (`full_time`, `first_generation`) read as words.
    static let codedFields: Set<String> = ["enrollment_status", "role", "class_standing"]

    static func show(_ value: Eligibility.RuleValue, field: String) -> String {
        switch value {
        case .text(let text): return codedFields.contains(field) ? text.replacingOccurrences(of: "_", with: " ") : text
        case .number(let number):
            // Rule values come from imported JSON: a huge or odd number is shown as it is, never converted to Int.
            guard number.isFinite, abs(number) < 1e12 else { return String(number) }
            return field == "gpa" ? twoDecimals(number) : number.rounded() == number ? String(Int(number)) : String(number)
        case .list(let items):
            let shown = items.map { show($0, field: field) }
            return shown.count <= 1 ? shown.joined() : shown.dropLast().joined(separator: ", ") + " or " + shown.last!
        }
    }

    /// "GPA at least 3.00", "Major one of Nursing or Biology".
    public static func words(_ rule: Eligibility.Rule) -> String {
        let label = label(rule.field)
        guard let value = rule.value else { return "\(label): yes" }
        let shown = show(value, field: rule.field)
        switch rule.op {
        case .in: return "\(label) one of \(shown)"
        case .notIn: return "\(label) not \(shown)"
        case .eq: return "\(label) \(shown)"
        case .gte: return "\(label) at least \(shown)"
        case .lte: return "\(label) at most \(shown)"
        case .isTrue: return "\(label): yes"
        }
    }

    static func detail(_ rule: Eligibility.Rule, _ outcome: MatchResult.Outcome, _ facts: StudentFacts) -> String {
        let label = label(rule.field)
        guard let fact = facts.fact(rule.field) else { return "\(label): missing — \(hint(rule.field))" }
        let verdict = outcome == .pass ? "passed" : "failed"
        let have: String
        switch fact {
        case .text(let text): have = show(.text(text), field: rule.field)
        case .number(let number): have = show(.number(number), field: rule.field)
        case .flag(let flag): have = flag ? "yes" : "no"
        }
        guard let value = rule.value else { return "\(label) \(have): \(verdict)" }
        let shown = show(value, field: rule.field)
        switch rule.op {
        case .in: return "\(label) \(have), one of \(shown): \(verdict)"
        case .notIn: return "\(label) \(have), not \(shown): \(verdict)"
        case .eq: return "\(label) \(have) = \(shown): \(verdict)"
        case .gte: return "\(label) \(have) ≥ \(shown): \(verdict)"
        case .lte: return "\(label) \(have) ≤ \(shown): \(verdict)"
        case .isTrue: return "\(label) \(have): \(verdict)"
        }
    }
}
