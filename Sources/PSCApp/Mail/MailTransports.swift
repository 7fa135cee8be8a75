import Foundation
import PSCCore
import PSCWeb

/// The mail transport the configuration names (`mail.transport`: file, sendmail or SMTP); unconfigured SMTP answers
/// every send with that reason rather than pretending to deliver.
enum MailTransports {
    /// False for `smtp` without a host: email is then a disabled channel (20-services §8.1).
    static func isConfigured(_ configuration: Configuration) -> Bool {
        configuration.mailTransport != "smtp" || configuration.string("mail.smtp_host") != nil
    }

    static func make(_ configuration: Configuration) throws -> any MailTransport {
        switch configuration.mailTransport {
        case "file": return FileMailTransport(directory: (configuration.dataDirectory as NSString).appendingPathComponent("mail"))
        case "sendmail": return SendmailTransport(path: configuration.string("mail.sendmail_path") ?? "sendmail")
        default:
            guard let host = configuration.string("mail.smtp_host") else { return UnconfiguredMailTransport() }
            let password = try configuration.string("mail.password_file").map {
                try String(contentsOfFile: $0, encoding: .utf8).trimmingCharacters(in: .newlines)
            }
            return SMTPMailTransport(
                host: host, port: configuration.integer("mail.smtp_port") ?? 587,
                startTLS: SMTPMailTransport.StartTLS(rawValue: configuration.string("mail.starttls") ?? "required") ?? .required,
                username: configuration.string("mail.username"), password: password, caFile: configuration.string("mail.ca_file"))
        }
    }
}
