import Foundation
import PSCCore
import PSCStore

/// What the community pages draw: announcements with their priority in words, Markdown through the safe renderer,
/// webinar times in the host's zone and in Central time, and a request's time left.
enum CommunityPageViews {
    static func priorityClass(_ priority: String) -> String {
        switch priority {
        case "urgent": "badge-urgent"
        case "high": "badge-info"
        case "low": "badge-muted"
        default: "badge-normal"
        }
    }

    static func announcement(_ record: AnnouncementRecord, now: Date) -> [String: Any] {
        let live = record.audience.isLive(at: now)
        let scheduled = (Timestamp.date(from: record.publishedAt) ?? now) > now
        return [
            "id": Int(record.id), "title": record.title, "content_html": SafeMarkdown.html(record.content), "content": record.content,
            "priority": record.priority, "priorityClass": priorityClass(record.priority), "published_at": record.publishedAt,
            "expires_at": record.expiresAt as Any, "department": record.departmentName as Any,
            "audience": record.audienceRoles.isEmpty ? "Everyone" : record.audienceRoles.map(PageWord.words).joined(separator: ", "),
            "state": scheduled ? "Scheduled" : live ? "Live" : "Expired", "notify": record.notify,
            "audienceRoles": record.audienceRoles,
        ]
    }

    /// "Mon, Dec 7, 2026, 2:00 PM CST" in the given zone.
    static func time(_ date: Date, zone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: zone) ?? PageTime.zone
        formatter.dateFormat = "EEE, MMM d, yyyy, h:mm a zzz"
        return formatter.string(from: date)
    }

    /// "2 days 5 hours left", "40 minutes left", or "expired".
    static func timeLeft(until date: Date, now: Date) -> String {
        let seconds = Int(max(0, min(date.timeIntervalSince(now), 1e9)))
        guard seconds > 0 else { return "expired" }
        let (days, hours, minutes) = (seconds / 86_400, seconds % 86_400 / 3600, seconds % 3600 / 60)
        func unit(_ count: Int, _ name: String) -> String { "\(count) \(name)\(count == 1 ? "" : "s")" }
        if days > 0 { return "\(unit(days, "day")) \(unit(hours, "hour")) left" }
        if hours > 0 { return "\(unit(hours, "hour")) \(unit(minutes, "minute")) left" }
        return "\(unit(max(1, minutes), "minute")) left"
    }

    /// The `datetime-local` value of an instant in Central time, for editing forms.
    static func localInput(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = PageTime.zone
        formatter.dateFormat = "yyyy-MM-dd'T'HH:mm"
        return formatter.string(from: date)
    }

    /// "1 point", "4 points", "0 threads".
    static func count(_ value: Int, _ noun: String, plural: String? = nil) -> String {
        "\(value) \(value == 1 || value == -1 ? noun : plural ?? noun + "s")"
    }

    static func name(_ card: JSONValue?) -> String {
        card?["display_name"].flatMap { if case .string(let text) = $0 { text } else { nil } } ?? "A former member"
    }
}
