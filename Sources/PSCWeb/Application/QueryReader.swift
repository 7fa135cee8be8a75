import Foundation
import Hummingbird
import HummingbirdCore
import PSCCore

/// A request's query parameters read by kind, each refusing a value that does not parse with 400
/// `invalid_parameter` naming the parameter (00-conventions §5: a bad filter is the caller's error, not an empty page).
struct QueryReader {
    let parameters: FlatDictionary<Substring, Substring>

    init(_ request: Request) { parameters = request.uri.formQuery }

    static func invalid(_ message: String) -> APIError { APIError(.badRequest, "invalid_parameter", message) }

    func text(_ name: String, max: Int) -> String? { parameters.get(name).map { String($0.prefix(max)) } }

    func flag(_ name: String) throws -> Bool? {
        guard let text = parameters.get(name) else { return nil }
        guard text == "true" || text == "false" else { throw Self.invalid("\(name) must be true or false.") }
        return text == "true"
    }

    func choice(_ name: String, _ allowed: [String]) throws -> String? {
        guard let raw = parameters.get(name) else { return nil }
        let text = String(raw)
        guard allowed.contains(text) else { throw Self.invalid("\(name) must be one of \(allowed.joined(separator: ", ")).") }
        return text
    }

    func cents(_ name: String) throws -> Int64? {
        guard let text = parameters.get(name) else { return nil }
        guard let value = Int64(text), value >= 0 else { throw Self.invalid("\(name) must be whole cents.") }
        return value
    }

    func id(_ name: String) throws -> Int64? {
        guard let text = parameters.get(name) else { return nil }
        guard let value = Int64(text), value > 0 else { throw Self.invalid("\(name) must be an id.") }
        return value
    }

    func integer(_ name: String, _ range: ClosedRange<Int>) throws -> Int? {
        guard let text = parameters.get(name) else { return nil }
        guard let value = Int(text), range.contains(value) else {
            throw Self.invalid("\(name) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return value
    }

    /// A calendar date, `YYYY-MM-DD`.
    func date(_ name: String) throws -> String? {
        guard let raw = parameters.get(name) else { return nil }
        let text = String(raw)
        guard ScholarshipCalendar.parts(text) != nil else { throw Self.invalid("\(name) must be a date (YYYY-MM-DD).") }
        return text
    }

    /// A scholarship cycle, `2026-27`.
    func cycle(_ name: String) throws -> String? {
        guard let raw = parameters.get(name) else { return nil }
        let text = String(raw)
        guard ScholarshipCalendar.isCycle(text) else { throw Self.invalid("\(name) must name a cycle like 2026-27.") }
        return text
    }

    /// The offset a cursor names (0 without one).
    var offset: Int { get throws { try OffsetCursor.offset(parameters.get("cursor").map { String($0) }) } }
}
