import Foundation
import PSCWeb

/// The account emails' words and layout: the crimson header and gold rule of 20-services §8.5.
enum AccountEmails {
    static func verification(to email: String, firstName: String, link: String, from: String) -> MailMessage {
        let text = """
            Hello \(firstName),

            Please confirm your email address for PittState Connect by opening this link within 24 hours:

            \(link)

            If you did not create an account, you can ignore this email.
            """
        return MailMessage(
            from: from, to: email, subject: "Confirm your email for PittState Connect", text: text,
            html: html(
                title: "Confirm your email", paragraphs: ["Hello \(firstName),", "Please confirm your email address within 24 hours."],
                link: link, button: "Confirm my email"))
    }

    static func passwordReset(to email: String, firstName: String, link: String, from: String) -> MailMessage {
        let text = """
            Hello \(firstName),

            Someone asked to reset the password of your PittState Connect account. To choose a new one, open this
            link within 20 minutes (it works once):

            \(link)

            If it was not you, ignore this email; your password stays as it is.
            """
        return MailMessage(
            from: from, to: email, subject: "Reset your PittState Connect password", text: text,
            html: html(
                title: "Reset your password",
                paragraphs: [
                    "Hello \(firstName),", "Someone asked to reset your password. The link works once, within 20 minutes.",
                    "If it was not you, ignore this email; your password stays as it is.",
                ],
                link: link, button: "Choose a new password"))
    }

    /// What a `security_alert` says for each event the security features raise.
    static let alertSentences: [String: String] = [
        "password_changed": "The password of your account was changed.",
        "password_reset": "The password of your account was reset and every session was signed out.",
        "two_factor_enabled": "Two-factor authentication was turned on for your account.",
        "two_factor_disabled": "Two-factor authentication was turned off for your account.",
        "two_factor_blocked": "Too many wrong two-factor codes were entered for your account; code entry is paused for 15 minutes.",
        "recovery_code_used": "One of your recovery codes was used to sign in.",
        "recovery_codes_regenerated": "New recovery codes were made for your account; the old ones no longer work.",
        "passkey_added": "A passkey was added to your account.",
        "passkey_removed": "A passkey was removed from your account.",
        "passkey_clone_suspected": "A passkey of your account reported a signature counter that suggests it was copied; it is now flagged.",
        "token_created": "A personal access token was created for your account.",
    ]

    static func securityAlert(to email: String, firstName: String, event: String, link: String, at time: String, from: String)
        -> MailMessage
    {
        let sentence = alertSentences[event] ?? "A security setting of your account changed."
        let text = """
            Hello \(firstName),

            \(sentence) (\(time))

            If this was you, there is nothing to do. If not, reset your password and review your sessions:

            \(link)
            """
        return MailMessage(
            from: from, to: email, subject: "Security alert for your PittState Connect account", text: text,
            html: html(
                title: "Security alert",
                paragraphs: [
                    "Hello \(firstName),", "\(sentence) (\(time))",
                    "If this was you, there is nothing to do. If not, reset your password and review your sessions.",
                ],
                link: link, button: "Review my account security"))
    }

    /// The branded HTML part. `link` is absolute (the site's public origin), and the footer's links are made from
    /// its origin too: a mail client has no page to resolve a relative link against.
    static func html(title: String, paragraphs: [String], link: String, button: String) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let body = paragraphs.map { "<p>\(escaped($0))</p>" }.joined()
        let action =
            "<p><a href=\"\(escaped(link))\" style=\"background:#A50021;color:#ffffff;padding:10px 18px;text-decoration:none\">"
            + "\(escaped(button))</a></p>"
        let origin =
            URL(string: link).flatMap { url in
                url.scheme.flatMap { scheme in url.host.map { "\(scheme)://\($0)" + (url.port.map { ":\($0)" } ?? "") } }
            } ?? ""
        return """
            <!doctype html><html lang="en"><body style="font-family:sans-serif;margin:0">\
            <div style="background:#A50021;color:#ffffff;padding:16px"><strong>PittState Connect</strong></div>\
            <div style="border-top:4px solid #FFD100;padding:16px"><h1 style="font-size:20px">\(escaped(title))</h1>\(body)\(action)</div>\
            <div style="padding:16px;color:#555;font-size:12px">Pittsburg State University · This email concerns your account's \
            security, so it is always sent. <a href="\(escaped(origin))/help">Help</a></div>\
            </body></html>
            """
    }
}
