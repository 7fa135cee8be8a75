import Foundation
import PSCCore

/// One request field's type and limits as 10-api writes them (`s(1..200)`, `i(1..5)`, `e(a|b)`, `[s](≤30)`, `ts`): the
/// route declares them with its body, the OpenAPI document lists them, and the body reader refuses a value outside
/// them (422 naming the field) before the handler runs, so the document cannot promise a limit nobody checks. Handlers
/// still check what depends on other fields or on stored state. `null` passes here: whether a field may be cleared is
/// the handler's rule (00-conventions §4).
public struct FieldRule: Sendable {
    let schema: [String: JSONValue]
    let isRequired: Bool
    /// The problem with a present, non-null value, or nil when it fits.
    let problem: @Sendable (Any) -> String?

    public var required: FieldRule { FieldRule(schema: schema, isRequired: true, problem: problem) }
    /// The same rule with the field left out allowed (a PATCH of a create's fields).
    public var optional: FieldRule { FieldRule(schema: schema, isRequired: false, problem: problem) }

    /// The schema also allows `null` (a PATCH field that clears, an optional field).
    public var nullable: FieldRule {
        var schema = schema
        if case .string(let type)? = schema["type"] { schema["type"] = [.string(type), "null"] }
        return FieldRule(schema: schema, isRequired: isRequired, problem: problem)
    }

    /// Text of `length` characters, counted after trimming surrounding white space as the handlers store it.
    public static func text(_ length: ClosedRange<Int>) -> FieldRule {
        var schema: [String: JSONValue] = ["type": "string", "maxLength": .int(Int64(length.upperBound))]
        if length.lowerBound > 0 { schema["minLength"] = .int(Int64(length.lowerBound)) }
        return FieldRule(schema: schema, isRequired: false) { value in
            guard let text = value as? String else { return "must be text" }
            return length.contains(text.trimmingCharacters(in: .whitespacesAndNewlines).count)
                ? nil : "must be \(length.lowerBound) to \(length.upperBound) characters"
        }
    }

    public static func text(max: Int) -> FieldRule { text(0...max) }

    /// Text in any length the body limit allows (a password checked by its own policy, a token).
    public static let string = FieldRule(schema: ["type": "string"], isRequired: false) { $0 is String ? nil : "must be text" }

    public static func choice(_ values: [String]) -> FieldRule {
        FieldRule(schema: ["type": "string", "enum": .array(values.map(JSONValue.string))], isRequired: false) { value in
            guard let text = value as? String, values.contains(text) else { return "must be one of \(values.joined(separator: ", "))" }
            return nil
        }
    }

    public static func integer(_ range: ClosedRange<Int64>) -> FieldRule {
        FieldRule(
            schema: ["type": "integer", "minimum": .int(range.lowerBound), "maximum": .int(range.upperBound)], isRequired: false
        ) { value in
            guard let number = wholeNumber(value), range.contains(number) else {
                return "must be an integer from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        }
    }

    /// The id of a stored record.
    public static let id = FieldRule(schema: ["type": "integer", "format": "int64", "minimum": 1], isRequired: false) { value in
        guard let number = wholeNumber(value), number >= 1 else { return "must be an id" }
        return nil
    }

    /// A parsed JSON value as a whole number an `Int64` holds; nil for text, booleans, fractions and numbers beyond
    /// the range (which `NSNumber.int64Value` would silently turn into `Int64.min`).
    static func wholeNumber(_ value: Any) -> Int64? {
        guard !FieldReader.isBool(value), let number = value as? NSNumber, !(value is String) else { return nil }
        let double = number.doubleValue
        guard double.rounded() == double, double >= -9.2e18, double <= 9.2e18 else { return nil }
        return number.int64Value
    }

    public static func number(_ range: ClosedRange<Double>) -> FieldRule {
        FieldRule(
            schema: ["type": "number", "minimum": .decimal(range.lowerBound, places: 2), "maximum": .decimal(range.upperBound, places: 2)],
            isRequired: false
        ) {
            value in
            guard !FieldReader.isBool(value), let number = value as? NSNumber, !(value is String), range.contains(number.doubleValue) else {
                return "must be a number from \(range.lowerBound) to \(range.upperBound)"
            }
            return nil
        }
    }

    public static let boolean = FieldRule(schema: ["type": "boolean"], isRequired: false) {
        FieldReader.isBool($0) ? nil : "must be true or false"
    }

    /// An instant in RFC 3339 (00-conventions §7), read as strictly as the handlers read it.
    public static let instant = FieldRule(schema: ["type": "string", "format": "date-time"], isRequired: false) { value in
        guard let text = value as? String, Timestamp.parse(text) != nil else { return "must be an RFC 3339 time" }
        return nil
    }

    /// An https URL of at most `max` characters.
    public static func https(max: Int) -> FieldRule {
        FieldRule(schema: ["type": "string", "format": "uri", "pattern": "^https://", "maxLength": .int(Int64(max))], isRequired: false) {
            value in
            guard let text = value as? String, text.count <= max, text.lowercased().hasPrefix("https://"), URL(string: text)?.host != nil
            else { return "must be an https URL of at most \(max) characters" }
            return nil
        }
    }

    /// A list of at most `max` texts of `length` characters each.
    public static func texts(max: Int, each length: ClosedRange<Int>) -> FieldRule {
        let item = text(length)
        return FieldRule(schema: ["type": "array", "maxItems": .int(Int64(max)), "items": .object(item.schema)], isRequired: false) {
            value in
            guard let items = value as? [Any], items.count <= max else { return "must list at most \(max)" }
            return items.lazy.compactMap(item.problem).first.map { "each item \($0)" }
        }
    }

    /// A list of `min` (1 unless an empty list means something, like "every role") to `max` of the given values.
    public static func choices(_ values: [String], max: Int, min: Int = 1) -> FieldRule {
        FieldRule(
            schema: [
                "type": "array", "minItems": .int(Int64(min)), "maxItems": .int(Int64(max)),
                "items": ["type": "string", "enum": .array(values.map(JSONValue.string))],
            ], isRequired: false
        ) { value in
            guard let items = value as? [Any], items.count >= min, items.count <= max,
                items.allSatisfy({ ($0 as? String).map(values.contains) == true })
            else { return "must list \(min) to \(max) of \(values.joined(separator: ", "))" }
            return nil
        }
    }

    /// A list of 1 to `max` ids.
    public static func ids(max: Int) -> FieldRule {
        FieldRule(
            schema: ["type": "array", "minItems": 1, "maxItems": .int(Int64(max)), "items": .object(FieldRule.id.schema)], isRequired: false
        ) { value in
            guard let items = value as? [Any], (1...max).contains(items.count),
                items.allSatisfy({ FieldRule.wholeNumber($0).map { $0 > 0 } == true })
            else { return "must list 1 to \(max) ids" }
            return nil
        }
    }

    /// A list of `count` JSON objects (essay prompts, rubric criteria), whose members the handler checks.
    public static func objects(_ count: ClosedRange<Int>) -> FieldRule {
        FieldRule(
            schema: [
                "type": "array", "minItems": .int(Int64(count.lowerBound)), "maxItems": .int(Int64(count.upperBound)),
                "items": ["type": "object"],
            ], isRequired: false
        ) { value in
            guard let items = value as? [Any], count.contains(items.count), items.allSatisfy({ $0 is [String: Any] }) else {
                return "must list \(count.lowerBound) to \(count.upperBound) objects"
            }
            return nil
        }
    }

    /// A calendar date, `YYYY-MM-DD`.
    public static let date = FieldRule(schema: ["type": "string", "format": "date"], isRequired: false) { value in
        guard let text = value as? String, ScholarshipCalendar.parts(text) != nil else { return "must be a date (YYYY-MM-DD)" }
        return nil
    }

    /// A JSON object (answers, links, a passkey's credential), checked by the handler.
    public static let object = FieldRule(schema: ["type": "object"], isRequired: false) { $0 is [String: Any] ? nil : "must be an object" }

    /// The problems of a body's fields under these rules, by field.
    static func problems(_ rules: [String: FieldRule], in object: [String: Any]) -> [String: [String]] {
        var problems: [String: [String]] = [:]
        for (name, rule) in rules {
            guard let value = object[name], !(value is NSNull) else {
                if rule.isRequired { problems[name] = ["is required"] }
                continue
            }
            if let problem = rule.problem(value) { problems[name] = [problem] }
        }
        return problems
    }
}
