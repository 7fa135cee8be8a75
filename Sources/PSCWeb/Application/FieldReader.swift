import Foundation
import PSCCore

/// Reads a JSON object's fields for create and PATCH routes: an absent key keeps the current value, `null` clears
/// it where that is allowed, and every problem is collected by field for one 422 (00-conventions §5).
struct FieldReader {
    let object: [String: Any]
    private(set) var problems: [String: [String]] = [:]

    /// `problems`: those already found under the route's declared limits, reported with the reader's own.
    init(_ object: [String: Any], problems: [String: [String]] = [:]) {
        self.object = object
        self.problems = problems
    }

    mutating func problem(_ key: String, _ message: String) {
        if problems[key]?.contains(message) != true { problems[key, default: []].append(message) }
    }

    /// Throws the collected problems, if any.
    func validate() throws { if !problems.isEmpty { throw APIError.validation(problems) } }

    static func isBool(_ value: Any) -> Bool { ProfileValidator.isBool(value) }

    mutating func text(_ key: String, _ range: ClosedRange<Int>, _ existing: String?, required: Bool = false) -> String? {
        guard let value = object[key] else {
            if required && existing == nil { problem(key, "is required") }
            return existing
        }
        if value is NSNull {
            if required { problem(key, "is required") }
            return nil
        }
        guard let string = (value as? String)?.trimmingCharacters(in: .whitespacesAndNewlines), range.contains(string.count) else {
            problem(key, "must be \(range.lowerBound) to \(range.upperBound) characters")
            return existing
        }
        return string
    }

    mutating func choice(_ key: String, _ allowed: [String], _ existing: String?, required: Bool = false) -> String? {
        guard let value = object[key], !(value is NSNull) else {
            if required && (existing == nil || object[key] is NSNull) { problem(key, "is required") }
            return object[key] is NSNull ? nil : existing
        }
        guard let string = value as? String, allowed.contains(string) else {
            problem(key, "must be one of \(allowed.joined(separator: ", "))")
            return existing
        }
        return string
    }

    mutating func flag(_ key: String, _ existing: Bool) -> Bool {
        guard let value = object[key] else { return existing }
        guard Self.isBool(value), let result = value as? Bool else {
            problem(key, "must be true or false")
            return existing
        }
        return result
    }

    mutating func integer(_ key: String, _ range: ClosedRange<Int64>, _ existing: Int64?) -> Int64? {
        guard let value = object[key] else { return existing }
        if value is NSNull { return nil }
        guard !Self.isBool(value), let number = value as? Int, range.contains(Int64(number)) else {
            problem(key, "must be an integer from \(range.lowerBound) to \(range.upperBound)")
            return existing
        }
        return Int64(number)
    }

    mutating func time(_ key: String, _ existing: Date?) -> Date? {
        guard let value = object[key] else { return existing }
        if value is NSNull { return nil }
        guard let string = value as? String, let date = Timestamp.parse(string) else {
            problem(key, "must be an RFC 3339 time")
            return existing
        }
        return date
    }

    mutating func strings(_ key: String, maxCount: Int, eachLength: ClosedRange<Int>, _ existing: [String]) -> [String] {
        guard let value = object[key] else { return existing }
        if value is NSNull { return [] }
        guard let array = value as? [Any], array.count <= maxCount,
            let strings = array.map({ ($0 as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) }) as? [String],
            strings.allSatisfy({ eachLength.contains($0.count) })
        else {
            problem(key, "must be at most \(maxCount) strings of \(eachLength.lowerBound) to \(eachLength.upperBound) characters")
            return existing
        }
        var seen = Set<String>()
        return strings.filter { seen.insert($0.lowercased()).inserted }
    }

    /// An `https://` URL of at most `maxLength` characters.
    mutating func httpsURL(_ key: String, _ existing: String?, maxLength: Int = 500) -> String? {
        guard let value = object[key] else { return existing }
        if value is NSNull { return nil }
        guard let string = value as? String, string.count <= maxLength, let url = URL(string: string), url.scheme == "https",
            url.host?.isEmpty == false
        else {
            problem(key, "must be an https URL")
            return existing
        }
        return string
    }

    /// A number in `range` with at most two decimals (rollouts, splits).
    mutating func number(_ key: String, _ range: ClosedRange<Double>, _ existing: Double?) -> Double? {
        guard let value = object[key] else { return existing }
        guard !Self.isBool(value), !(value is String), let number = (value as? NSNumber)?.doubleValue, range.contains(number),
            ABTestRules.hasTwoDecimals(number)
        else {
            problem(key, "must be a number from \(range.lowerBound) to \(range.upperBound) with at most two decimals")
            return existing
        }
        return number
    }

    /// A list of at most `maxCount` positive ids, duplicates dropped.
    mutating func ids(_ key: String, maxCount: Int, _ existing: [Int64]) -> [Int64] {
        guard let value = object[key] else { return existing }
        if value is NSNull { return [] }
        guard let array = value as? [Any], array.count <= maxCount,
            let ids = array.map({ item in Self.isBool(item) ? nil : (item as? Int).map(Int64.init) }) as? [Int64],
            ids.allSatisfy({ $0 > 0 })
        else {
            problem(key, "must be a list of at most \(maxCount) user ids")
            return existing
        }
        var seen = Set<Int64>()
        return ids.filter { seen.insert($0).inserted }
    }
}
