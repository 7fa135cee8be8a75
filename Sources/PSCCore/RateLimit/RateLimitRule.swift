import Foundation

/// One limit: at most `count` requests per `window` seconds (00-conventions §8). A route may have several.
public struct RateLimitRule: Sendable, Equatable, Hashable, CustomStringConvertible {
    public let count: Int
    public let window: Int

    public init(count: Int, window: Int) {
        self.count = count
        self.window = window
    }

    public var description: String {
        switch window {
        case 1: "\(count)/s"
        case 60: "\(count)/min"
        case 3600: "\(count)/h"
        case 86400: "\(count)/day"
        default: "\(count)/\(window)s"
        }
    }

    /// Parses the `Limit` column's notation: `"20/min"`, `"5/min, 20/h"`, `"600/5min"`, or `"none"` (an empty
    /// list). nil when the text is not a limit.
    public static func parseList(_ text: String) -> [RateLimitRule]? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased() == "none" { return [] }
        var rules: [RateLimitRule] = []
        for part in trimmed.split(separator: ",") {
            let pieces = part.split(separator: "/", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pieces.count == 2, let count = Int(pieces[0]), count > 0, let window = seconds(pieces[1]) else { return nil }
            rules.append(RateLimitRule(count: count, window: window))
        }
        return rules.isEmpty ? nil : rules
    }

    /// `min`, `5min`, `h`, `day`, `30s`.
    private static func seconds(_ unitText: String) -> Int? {
        let digits = unitText.prefix { $0.isNumber }
        let multiplier = digits.isEmpty ? 1 : Int(digits) ?? 0
        guard multiplier > 0 else { return nil }
        let unit: Int
        switch unitText.dropFirst(digits.count).lowercased() {
        case "s", "sec", "second": unit = 1
        case "min", "m", "minute": unit = 60
        case "h", "hour": unit = 3600
        case "d", "day": unit = 86400
        default: return nil
        }
        return multiplier * unit
    }
}
