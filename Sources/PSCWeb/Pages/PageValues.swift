import Foundation
import Mustache
import PSCCore

/// An instant on a page (50-ui §1.1 "Times"): shown in words in America/Chicago with the zone's abbreviation
/// ("Mon, Dec 7, 2026, 9:00 AM CST"); `{{iso(field)}}` gives the RFC 3339 value for `<time datetime>`.
struct PageTime: MustacheCustomRenderable, MustacheTransformable, Sendable {
    let iso: String
    let date: Date

    var renderText: String { Self.words(date) }
    var isNull: Bool { false }

    func transform(_ name: String) -> Any? {
        switch name {
        case "iso": iso
        case "date": Self.withLock { Self.dayFormatter.string(from: date) }
        default: nil
        }
    }

    static let zone = TimeZone(identifier: "America/Chicago") ?? .current
    // Guarded by `lock`: DateFormatter is not safe to share across threads, and pages render concurrently.
    private static let formatter = makeFormatter("EEE, MMM d, yyyy, h:mm a zzz")
    private static let dayFormatter = makeFormatter("EEE, MMM d, yyyy")
    private static let longDayFormatter = makeFormatter("EEEE, MMMM d, yyyy")

    private static func makeFormatter(_ format: String) -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = zone
        formatter.dateFormat = format
        return formatter
    }
    private static let lock = NSLock()

    static func words(_ date: Date) -> String { withLock { formatter.string(from: date) } }

    /// A day written out ("Monday, March 1, 2027"), for dates that are days rather than instants (deadlines).
    static func longDay(_ date: Date) -> String { withLock { longDayFormatter.string(from: date) } }

    private static func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }
}

/// A stored code shown to people ("info_session" → "Info session"); `{{raw(field)}}` gives the code back for
/// form values and attributes.
struct PageWord: MustacheCustomRenderable, MustacheTransformable, Sendable {
    let raw: String

    var renderText: String { Self.words(raw) }
    var isNull: Bool { false }

    func transform(_ name: String) -> Any? { name == "raw" ? raw : nil }

    /// Codes whose plain reading differs from replacing underscores.
    private static let special: [String: String] = [
        "in_person": "In person", "pending_out": "Request sent", "pending_in": "Asked to connect with you",
        "none": "Not connected", "self": "You", "waitlisted": "On the waiting list", "not_going": "Not going",
        "info_session": "Information session", "career_fair": "Career fair", "full_time": "Full time",
        "part_time": "Part time", "members": "Members only", "connections": "Connections only",
        "public": "Everyone", "private": "Only me", "reviewing": "Being reviewed", "pending_review": "Waiting for review",
    ]

    static func words(_ code: String) -> String {
        if let word = special[code] { return word }
        let spaced = code.replacingOccurrences(of: "_", with: " ")
        return spaced.prefix(1).uppercased() + spaced.dropFirst()
    }
}

/// Makes a page's data safe to draw: an absent value (an Optional holding nil, NSNull) is left out instead of being
/// written as "nil"; instants become ``PageTime`` and the codes under ``enumKeys`` become ``PageWord``, so no page
/// shows a raw timestamp or enum code.
enum PageValues {
    /// Keys whose string values are codes from a fixed set, in every shape the pages receive.
    static let enumKeys: Set<String> = [
        "kind", "format", "status", "visibility", "role", "job_type", "location_type", "employment_type",
        "connection_status", "category", "rsvp_status", "my_status", "priority", "severity", "outcome", "state",
    ]

    static func prepare(_ value: Any, key: String? = nil) -> Any? {
        if let optional = value as? AnyOptionalValue {
            guard let wrapped = optional.wrappedAny else { return nil }
            return prepare(wrapped, key: key)
        }
        switch value {
        case is NSNull: return nil
        case let text as String:
            if let date = Timestamp.date(from: text) { return PageTime(iso: text, date: date) }
            if let key, enumKeys.contains(key), !text.isEmpty { return PageWord(raw: text) }
            return text
        case let dictionary as [String: Any]:
            var prepared: [String: Any] = [:]
            prepared.reserveCapacity(dictionary.count)
            for (name, member) in dictionary {
                if let member = prepare(member, key: name) { prepared[name] = member }
            }
            return prepared
        case let array as [Any]:
            return array.compactMap { prepare($0, key: key) }
        default:
            return value
        }
    }
}

/// Lets ``PageValues`` see through an `Optional` stored as `Any`.
protocol AnyOptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: AnyOptionalValue {
    var wrappedAny: Any? {
        switch self {
        case .some(let wrapped): wrapped
        case .none: nil
        }
    }
}

/// An instant in words in America/Chicago for text outside pages (emails), as pages show it.
public enum TimeInWords {
    public static func words(_ stamp: String) -> String { Timestamp.date(from: stamp).map(PageTime.words) ?? stamp }
}
