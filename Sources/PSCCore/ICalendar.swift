import Foundation

/// iCalendar (RFC 5545) text for events and feeds (20-services §8.6): CRLF line ends, lines folded at 75 octets,
/// text escaped, times in America/Chicago with its VTIMEZONE (other zones are written in UTC).
public enum ICalendar {
    public struct Item: Sendable {
        public let uid: String
        public let stamp: Date
        public let start: Date
        public let end: Date
        public let timeZone: String
        public let summary: String
        public let location: String?
        public let description: String?
        public let url: String?
        public let sequence: Int
        public let cancelled: Bool

        public init(
            uid: String, stamp: Date, start: Date, end: Date, timeZone: String, summary: String, location: String?, description: String?,
            url: String?, sequence: Int, cancelled: Bool
        ) {
            (self.uid, self.stamp, self.start, self.end, self.timeZone) = (uid, stamp, start, end, timeZone)
            (self.summary, self.location, self.description, self.url, self.sequence, self.cancelled) =
                (summary, location, description, url, sequence, cancelled)
        }
    }

    static let chicago = "America/Chicago"

    /// US Central time since 2007: CDT from the second Sunday of March, CST from the first Sunday of November.
    static let chicagoTimeZone = [
        "BEGIN:VTIMEZONE", "TZID:America/Chicago", "X-LIC-LOCATION:America/Chicago",
        "BEGIN:DAYLIGHT", "TZOFFSETFROM:-0600", "TZOFFSETTO:-0500", "TZNAME:CDT", "DTSTART:19700308T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=2SU", "END:DAYLIGHT",
        "BEGIN:STANDARD", "TZOFFSETFROM:-0500", "TZOFFSETTO:-0600", "TZNAME:CST", "DTSTART:19701101T020000",
        "RRULE:FREQ=YEARLY;BYMONTH=11;BYDAY=1SU", "END:STANDARD", "END:VTIMEZONE",
    ]

    public static func calendar(name: String, items: [Item], publish: Bool) -> String {
        var lines = [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Pittsburg State University//PittState Connect//EN", "CALSCALE:GREGORIAN",
        ]
        if publish { lines.append("METHOD:PUBLISH") }
        lines.append("X-WR-CALNAME:" + escape(name))
        lines += chicagoTimeZone
        for item in items {
            lines += ["BEGIN:VEVENT", "UID:" + item.uid, "DTSTAMP:" + utc(item.stamp)]
            if item.timeZone == chicago {
                lines.append("DTSTART;TZID=America/Chicago:" + local(item.start))
                lines.append("DTEND;TZID=America/Chicago:" + local(item.end))
            } else {
                lines += ["DTSTART:" + utc(item.start), "DTEND:" + utc(item.end)]
            }
            lines.append("SUMMARY:" + escape(item.summary))
            if let location = item.location { lines.append("LOCATION:" + escape(location)) }
            let description = [item.description, item.url].compactMap { $0 }.joined(separator: "\n\n")
            if !description.isEmpty { lines.append("DESCRIPTION:" + escape(description)) }
            if let url = item.url { lines.append("URL:" + url) }
            lines += ["SEQUENCE:\(item.sequence)", "STATUS:" + (item.cancelled ? "CANCELLED" : "CONFIRMED"), "END:VEVENT"]
        }
        lines.append("END:VCALENDAR")
        return lines.map(fold).joined(separator: "\r\n") + "\r\n"
    }

    public static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: ";", with: "\\;").replacingOccurrences(
            of: ",", with: "\\,"
        )
        .replacingOccurrences(of: "\r\n", with: "\\n").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Splits a line into 75-octet pieces without cutting a UTF-8 character; continuation lines start with a space.
    static func fold(_ line: String) -> String {
        var pieces: [String] = []
        var current = ""
        var octets = 0
        for character in line {
            let size = String(character).utf8.count
            let limit = pieces.isEmpty ? 75 : 74
            if octets + size > limit {
                pieces.append(current)
                current = ""
                octets = 0
            }
            current.append(character)
            octets += size
        }
        pieces.append(current)
        return pieces.joined(separator: "\r\n ")
    }

    static func utc(_ date: Date) -> String { format(date, zone: TimeZone(identifier: "UTC")!) + "Z" }
    static func local(_ date: Date) -> String { format(date, zone: TimeZone(identifier: chicago)!) }

    static func format(_ date: Date, zone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        return String(
            format: "%04d%02d%02dT%02d%02d%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0, parts.hour ?? 0, parts.minute ?? 0,
            parts.second ?? 0)
    }
}
