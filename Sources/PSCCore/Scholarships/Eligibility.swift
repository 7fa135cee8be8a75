import Foundation

/// A scholarship's eligibility rules as portable data (20-services §7.6): any group whose rules all pass makes a
/// student eligible. The document is the JSON `{"groups":[{"name":…,"rules":[{"field":…,"op":…,"value":…}]}]}` with
/// `schema_version` 1, exported and imported unchanged (SCH-8).
public struct Eligibility: Sendable, Equatable {
    public struct Group: Sendable, Equatable {
        public var name: String
        public var rules: [Rule]
        public init(name: String, rules: [Rule]) {
            self.name = name
            self.rules = rules
        }
    }

    public struct Rule: Sendable, Equatable {
        public var field: String
        public var op: Operator
        /// Text, a number, or a list of either (`in`, `not_in`); nil for `is_true`.
        public var value: RuleValue?
        public init(field: String, op: Operator, value: RuleValue?) {
            self.field = field
            self.op = op
            self.value = value
        }
    }

    public enum Operator: String, Sendable, CaseIterable {
        case `in`, notIn = "not_in", eq, gte, lte, isTrue = "is_true"
    }

    public enum RuleValue: Sendable, Equatable {
        case text(String)
        case number(Double)
        case list([RuleValue])
    }

    public static let schemaVersion = 1
    public static let maxGroups = 10
    public static let maxRulesPerGroup = 20

    public var groups: [Group]

    public init(groups: [Group] = []) { self.groups = groups }

    /// How a field's values compare (20-services §7.6).
    enum FieldKind {
        case text, number, standing, flag, answer
    }

    static let fieldKinds: [String: FieldKind] = [
        "major": .text, "gpa": .number, "graduation_year": .number, "class_standing": .standing, "department_id": .number,
        "role": .text, "enrollment_status": .text, "state_of_residence": .text, "first_generation": .flag,
        "financial_need": .flag, "credit_hours": .number,
    ]

    /// The fields a rule may name, for forms and error messages (`answer:<key>` besides).
    public static var fields: [String] { fieldKinds.keys.sorted() }

    static func kind(of field: String) -> FieldKind? {
        if let kind = fieldKinds[field] { return kind }
        guard field.hasPrefix("answer:") else { return nil }
        let key = field.dropFirst("answer:".count)
        return AnswerKey.isValid(key) ? .answer : nil
    }

    /// Reads the rule document, naming every problem by its place (`groups[0].rules[1].op`).
    public static func parse(_ json: Any) -> (eligibility: Eligibility?, problems: [String]) {
        guard let object = json as? [String: Any] else { return (nil, ["must be an object with groups"]) }
        var problems: [String] = []
        for key in object.keys where key != "groups" { problems.append("\(key) is not part of the rule grammar") }
        guard let rawGroups = object["groups"] as? [Any] else { return (nil, problems + ["groups must be a list"]) }
        if rawGroups.count > maxGroups { problems.append("at most \(maxGroups) groups") }
        var groups: [Group] = []
        for (g, rawGroup) in rawGroups.prefix(maxGroups).enumerated() {
            guard let group = rawGroup as? [String: Any] else {
                problems.append("groups[\(g)] must be an object")
                continue
            }
            let name = (group["name"] as? String).map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
            if let given = group["name"], !(given is String) || name.count > 120 {
                problems.append("groups[\(g)].name must be text up to 120")
            }
            guard let rawRules = group["rules"] as? [Any], !rawRules.isEmpty, rawRules.count <= maxRulesPerGroup else {
                problems.append("groups[\(g)].rules must list 1 to \(maxRulesPerGroup) rules")
                continue
            }
            var rules: [Rule] = []
            for (r, rawRule) in rawRules.enumerated() {
                let place = "groups[\(g)].rules[\(r)]"
                switch rule(rawRule) {
                case .success(let rule): rules.append(rule)
                case .failure(let problem): problems.append("\(place).\(problem.message)")
                }
            }
            groups.append(Group(name: name.isEmpty ? "Group \(g + 1)" : name, rules: rules))
        }
        return problems.isEmpty ? (Eligibility(groups: groups), []) : (nil, problems)
    }

    struct Problem: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    static func rule(_ raw: Any) -> Result<Rule, Problem> {
        guard let object = raw as? [String: Any] else { return .failure(Problem("rule must be an object")) }
        guard let field = object["field"] as? String, let kind = kind(of: field) else {
            return .failure(Problem("field must be one of \(fields.joined(separator: ", ")) or answer:<key>"))
        }
        guard let opName = object["op"] as? String, let op = Operator(rawValue: opName) else {
            return .failure(Problem("op must be one of \(Operator.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        switch (kind, op) {
        case (.flag, .isTrue), (.answer, _): break
        case (.flag, _): return .failure(Problem("op must be is_true for \(field)"))
        case (_, .isTrue): return .failure(Problem("op is_true applies to first_generation, financial_need and answers"))
        case (.text, .gte), (.text, .lte): return .failure(Problem("op \(op.rawValue) compares numbers or class standing"))
        default: break
        }
        if op == .isTrue { return .success(Rule(field: field, op: op, value: nil)) }
        guard let rawValue = object["value"] else { return .failure(Problem("value is required")) }
        // A number a rule could mean: finite and below 1e12 (larger ones would not survive the export as integers).
        func reasonable(_ number: Double) -> Double? { number.isFinite && abs(number) < 1e12 ? number : nil }
        func scalar(_ item: Any) -> RuleValue? {
            if let text = item as? String {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                guard (1...200).contains(trimmed.count) else { return nil }
                if kind == .number { return Double(trimmed).flatMap(reasonable).map(RuleValue.number) }
                if kind == .standing { return ClassStanding.rank(trimmed) != nil ? .text(trimmed.lowercased()) : nil }
                return .text(trimmed)
            }
            if !JSONKind.isBool(item), let number = item as? NSNumber {
                return kind == .number || kind == .answer ? reasonable(number.doubleValue).map(RuleValue.number) : nil
            }
            return nil
        }
        if op == .in || op == .notIn {
            guard let items = rawValue as? [Any], (1...100).contains(items.count) else {
                return .failure(Problem("value must list 1 to 100 values"))
            }
            let values = items.compactMap(scalar)
            guard values.count == items.count else { return .failure(Problem("value lists something that is not a \(describe(kind))")) }
            return .success(Rule(field: field, op: op, value: .list(values)))
        }
        guard let value = scalar(rawValue) else { return .failure(Problem("value must be a \(describe(kind))")) }
        if (op == .gte || op == .lte), kind == .answer, case .text = value {
            return .failure(Problem("value must be a number for \(op.rawValue)"))
        }
        return .success(Rule(field: field, op: op, value: value))
    }

    static func describe(_ kind: FieldKind) -> String {
        switch kind {
        case .number: "number"
        case .standing: "class standing (freshman, sophomore, junior, senior, graduate)"
        default: "text of 1 to 200 characters"
        }
    }

    /// The document as JSON-ready values, the same shape `parse` reads.
    public var document: [String: Any] {
        func plain(_ value: RuleValue) -> Any {
            switch value {
            case .text(let text): text
            case .number(let number): number.rounded() == number && abs(number) < 1e15 ? Int(number) as Any : number
            case .list(let items): items.map(plain)
            }
        }
        return [
            "groups": groups.map { group in
                [
                    "name": group.name,
                    "rules": group.rules.map { rule -> [String: Any] in
                        var item: [String: Any] = ["field": rule.field, "op": rule.op.rawValue]
                        if let value = rule.value { item["value"] = plain(value) }
                        return item
                    },
                ] as [String: Any]
            }
        ]
    }

    /// The fields the rules read, for a recompute that needs to know whether a change matters.
    public var fieldsRead: Set<String> { Set(groups.flatMap { $0.rules.map(\.field) }) }
}

/// General-application answer keys (SCH-29): `[a-z0-9_]`, 1 to 40 characters.
public enum AnswerKey {
    public static func isValid<S: StringProtocol>(_ key: S) -> Bool {
        (1...40).contains(key.count) && key.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
    }
}

/// Class standing in its order, for `gte` and `lte`.
public enum ClassStanding {
    public static let order = ["freshman", "sophomore", "junior", "senior", "graduate"]
    public static func rank(_ text: String) -> Int? {
        order.firstIndex(of: text.trimmingCharacters(in: .whitespaces).lowercased())
    }
}

/// Foundation's JSON reader gives numbers and booleans as one bridged type; this tells them apart.
public enum JSONKind {
    public static func isBool(_ value: Any) -> Bool { value is Bool && String(describing: type(of: value)).contains("Bool") }
}
