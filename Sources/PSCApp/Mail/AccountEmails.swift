import Foundation
import PSCWeb

/// The account emails' words and the branded layout every email shares: the crimson header and gold rule of
/// 20-services §8.5.
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

    static func invitation(to email: String, firstName: String, link: String, from: String) -> MailMessage {
        let text = """
            Hello \(firstName),

            An administrator of PittState Connect made you an account. To start using it, choose a password within
            24 hours with this link (it works once):

            \(link)

            If you did not expect this, ignore this email and the account stays closed.
            """
        return MailMessage(
            from: from, to: email, subject: "You are invited to PittState Connect", text: text,
            html: html(
                title: "You are invited",
                paragraphs: [
                    "Hello \(firstName),", "An administrator of PittState Connect made you an account.",
                    "Choose a password within 24 hours to start using it. The link works once.",
                ],
                link: link, button: "Choose a password"))
    }

    /// The branded HTML part. `link` is absolute (the site's public origin), and the footer's links are made from
    /// its origin too: a mail client has no page to resolve a relative link against.
    static func html(
        title: String, paragraphs: [String], link: String?, button: String,
        footer: String = "This email concerns your account's security, so it is always sent.", footerLinks: [(String, String)] = []
    ) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let body = paragraphs.map { "<p>\(escaped($0))</p>" }.joined()
        let action =
            link.map { link in
                "<p><a href=\"\(escaped(link))\" style=\"background:#A50021;color:#ffffff;padding:10px 18px;text-decoration:none\">"
                    + "\(escaped(button))</a></p>"
            } ?? ""
        let origin =
            link.flatMap(URL.init(string:)).flatMap { url in
                url.scheme.flatMap { scheme in url.host.map { "\(scheme)://\($0)" + (url.port.map { ":\($0)" } ?? "") } }
            } ?? ""
        let links = (footerLinks.isEmpty ? [("Help", "\(origin)/help")] : footerLinks).map {
            "<a href=\"\(escaped($0.1))\">\(escaped($0.0))</a>"
        }.joined(separator: " · ")
        return """
            <!doctype html><html lang="en"><body style="font-family:sans-serif;margin:0">\
            <div style="background:#A50021;color:#ffffff;padding:16px"><strong>PittState Connect</strong></div>\
            <div style="border-top:4px solid #FFD100;padding:16px"><h1 style="font-size:20px">\(escaped(title))</h1>\(body)\(action)</div>\
            <div style="padding:16px;color:#555;font-size:12px">Pittsburg State University · \(escaped(footer)) \
            \(links)</div>\
            </body></html>
            """
    }
}
