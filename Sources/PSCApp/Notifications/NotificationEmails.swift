import Foundation
import PSCCore
import PSCStore

/// A notification as an email (20-services §8.5): the notice's words, a "View details" button only when there is a
/// link, and a footer with the preferences link and, for types that are not critical, the one-click unsubscribe of
/// RFC 8058 for that type.
enum NotificationEmails {
    static func message(_ work: DeliveryWork, type: NotificationType, origin: String, from: String, unsubscribe: String?) -> MailMessage {
        let link = work.link.map { $0.hasPrefix("/") ? origin + $0 : $0 }
        let preferences = "\(origin)/settings/notifications"
        var text = "Hello \(work.firstName),\n\n\(work.message)\n"
        if let link { text += "\nView details: \(link)\n" }
        text += "\n—\nChoose what PittState Connect sends you: \(preferences)\n"
        var headers: [String] = []
        var footerLinks = [("Notification settings", preferences)]
        if let unsubscribe {
            let url = "\(origin)/api/v1/notifications/unsubscribe/\(unsubscribe)"
            text += "Stop these emails (\(type.definition.label.lowercased())): \(url)\n"
            headers = ["List-Unsubscribe: <\(url)>", "List-Unsubscribe-Post: List-Unsubscribe=One-Click"]
            footerLinks.append(("Unsubscribe from \(type.definition.label.lowercased())", url))
        }
        let footer =
            type.isCritical
            ? "This email concerns your account, so it is always sent."
            : "You receive this because \(type.definition.label.lowercased()) emails are on in your settings."
        return MailMessage(
            from: from, to: work.email, subject: work.title, text: text,
            html: AccountEmails.html(
                title: work.title, paragraphs: ["Hello \(work.firstName),", work.message], link: link, button: "View details",
                footer: footer, footerLinks: footerLinks),
            headers: headers)
    }

    /// The 18:00 digest (30-jobs job 10): the medium and low notices held back, one line each.
    static func digest(
        to email: String, firstName: String, items: [(title: String, message: String, link: String?)], origin: String, from: String
    )
        -> MailMessage
    {
        let lines = items.map { item in
            "• \(item.title): \(item.message)" + (item.link.map { " \($0.hasPrefix("/") ? origin + $0 : $0)" } ?? "")
        }
        let preferences = "\(origin)/settings/notifications"
        let count = items.count == 1 ? "1 update" : "\(items.count) updates"
        let text =
            "Hello \(firstName),\n\nYour PittState Connect digest: \(count).\n\n\(lines.joined(separator: "\n"))\n\n—\nDigest settings: \(preferences)\n"
        return MailMessage(
            from: from, to: email, subject: "Your PittState Connect digest: \(count)", text: text,
            html: AccountEmails.html(
                title: "Your digest: \(count)", paragraphs: ["Hello \(firstName),"] + lines, link: "\(origin)/notifications",
                button: "Open my notifications", footer: "You chose to receive these as a digest.",
                footerLinks: [("Notification settings", preferences)]))
    }
}
