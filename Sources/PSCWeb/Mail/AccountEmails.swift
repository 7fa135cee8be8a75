import Foundation

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
                link: link))
    }

    static func html(title: String, paragraphs: [String], link: String?) -> String {
        func escaped(_ text: String) -> String {
            text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
                .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
        }
        let body = paragraphs.map { "<p>\(escaped($0))</p>" }.joined()
        let button =
            link.map {
                "<p><a href=\"\(escaped($0))\" style=\"background:#A50021;color:#ffffff;padding:10px 18px;text-decoration:none\">View details</a></p>"
            } ?? ""
        return """
            <!doctype html><html lang="en"><body style="font-family:sans-serif;margin:0">\
            <div style="background:#A50021;color:#ffffff;padding:16px"><strong>PittState Connect</strong></div>\
            <div style="border-top:4px solid #FFD100;padding:16px"><h1 style="font-size:20px">\(escaped(title))</h1>\(body)\(button)</div>\
            <div style="padding:16px;color:#555;font-size:12px">Pittsburg State University · <a href="/settings/notifications">Email preferences</a></div>\
            </body></html>
            """
    }
}
