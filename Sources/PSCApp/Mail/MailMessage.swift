import Foundation
import PSCCore
import PSCWeb

/// One email: multipart/alternative, plain text and HTML, UTF-8, with a Message-ID at the sender's domain
/// (20-services §8.5).
public struct MailMessage: Sendable {
    let from: String
    let to: String
    let subject: String
    let text: String
    let html: String
    let date: Date
    let id: String
    /// Extra header lines ("List-Unsubscribe: <…>").
    let headers: [String]

    init(from: String, to: String, subject: String, text: String, html: String, date: Date = Date(), headers: [String] = []) {
        self.from = from
        self.to = to
        self.subject = subject
        self.text = text
        self.html = html
        self.date = date
        self.headers = headers
        id = SecureToken.random(bytes: 16)
    }

    /// The sender's address inside `Name <address>`, or the whole value.
    static func address(_ mailbox: String) -> String {
        if let open = mailbox.lastIndex(of: "<"), let close = mailbox.lastIndex(of: ">"), open < close {
            return String(mailbox[mailbox.index(after: open)..<close])
        }
        return mailbox.trimmingCharacters(in: .whitespaces)
    }

    /// RFC 5322 text with CRLF line ends, bodies base64 so any UTF-8 travels over 7-bit relays.
    var rendered: String {
        let domain = Self.address(from).split(separator: "@").last.map(String.init) ?? "localhost"
        let boundary = "psc-\(id)"
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        func encodedHeader(_ value: String) -> String {
            value.allSatisfy(\.isASCII) ? value : "=?UTF-8?B?\(Data(value.utf8).base64EncodedString())?="
        }
        func base64Lines(_ body: String) -> String {
            let encoded = Data(body.utf8).base64EncodedString()
            return stride(from: 0, to: encoded.count, by: 76).map { start in
                let from = encoded.index(encoded.startIndex, offsetBy: start)
                return String(encoded[from..<(encoded.index(from, offsetBy: 76, limitedBy: encoded.endIndex) ?? encoded.endIndex)])
            }.joined(separator: "\r\n")
        }
        let lines =
            [
                "From: \(from)", "To: \(to)", "Subject: \(encodedHeader(subject))", "Date: \(formatter.string(from: date))",
                "Message-ID: <\(id)@\(domain)>",
            ] + headers + [
                "MIME-Version: 1.0", "Content-Type: multipart/alternative; boundary=\"\(boundary)\"", "",
                "--\(boundary)", "Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(text), "",
                "--\(boundary)", "Content-Type: text/html; charset=utf-8", "Content-Transfer-Encoding: base64", "", base64Lines(html), "",
                "--\(boundary)--", "",
            ]
        return lines.joined(separator: "\r\n")
    }
}

/// Sends a rendered message: `smtp`, `sendmail`, or `file` for development (20-services §8.5).
public protocol MailTransport: Sendable {
    func send(_ message: MailMessage) async throws
}

/// Writes each message exactly as it would be sent to `DATA_DIR/mail/<YYYYMMDDTHHMMSSZ>-<id>.eml`, so a new user
/// of a development instance can open the verification mail.
struct FileMailTransport: MailTransport {
    let directory: String

    func send(_ message: MailMessage) async throws {
        let directory = directory
        // Only jobs send mail: the rendering and the write run on the low-priority background threads.
        try await Offload.background {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let stamp = Timestamp.compact(from: message.date).replacingOccurrences(of: "-", with: "T") + "Z"
            let path = (directory as NSString).appendingPathComponent("\(stamp)-\(message.id).eml")
            try Data(message.rendered.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
    }
}

/// `smtp` without `mail.smtp_host` on a development instance: email is not configured (20-services §8.1), so
/// every send fails with that reason and the job records it instead of pretending the mail went out.
struct UnconfiguredMailTransport: MailTransport {
    struct NotConfigured: Error, CustomStringConvertible {
        var description: String { "email is not configured: mail.transport is smtp but mail.smtp_host is not set" }
    }
    func send(_ message: MailMessage) async throws { throw NotConfigured() }
}
