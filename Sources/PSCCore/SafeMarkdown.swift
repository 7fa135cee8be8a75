import Foundation

/// The Markdown subset posts may use, rendered to HTML on the server: paragraphs and line breaks, `**bold**`,
/// `*italic*`, `` `code` ``, `- ` lists, `[text](https://…)` links and bare `https://…` addresses. Everything is HTML-escaped first, so no
/// markup a member types reaches a page; links must be http(s) and get `rel="nofollow noopener ugc"`.
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
        // One line of plain text, the most common post, is one paragraph.
        if !markdown.utf8.contains(where: { $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }), !markdown.hasPrefix("- "),
            !markdown.hasPrefix("* ")
        {
            return markdown.isEmpty ? "" : "<p>" + inline(markdown) + "</p>"
        }
        let blocks = markdown.replacingOccurrences(of: "\r\n", with: "\n").components(separatedBy: "\n\n")
        var output: [String] = []
        for block in blocks {
            let lines = block.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)
            guard !lines.isEmpty else { continue }
            if lines.allSatisfy({ $0.hasPrefix("- ") || $0.hasPrefix("* ") }) {
                output.append("<ul>" + lines.map { "<li>" + inline(String($0.dropFirst(2))) + "</li>" }.joined() + "</ul>")
            } else {
                output.append("<p>" + lines.map(inline).joined(separator: "<br>") + "</p>")
            }
        }
        return output.joined(separator: "\n")
    }

    public static func escape(_ text: String) -> String {
        // One pass over the bytes: five Foundation replacements cost most of a feed page.
        var output = [UInt8]()
        output.reserveCapacity(text.utf8.count + 16)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output += Array("&amp;".utf8)
            case UInt8(ascii: "<"): output += Array("&lt;".utf8)
            case UInt8(ascii: ">"): output += Array("&gt;".utf8)
            case UInt8(ascii: "\""): output += Array("&quot;".utf8)
            case UInt8(ascii: "'"): output += Array("&#39;".utf8)
            default: output.append(byte)
            }
        }
        return String(decoding: output, as: UTF8.self)
    }

    // Compiled once: NSRegularExpression is immutable and Sendable.
    static let codePattern = try! NSRegularExpression(pattern: #"`([^`]+)`"#)
    static let linkPattern = try! NSRegularExpression(pattern: #"\[([^\]]{1,200})\]\((https?://[^\s)]{1,500})\)"#)
    static let bareLinkPattern = try! NSRegularExpression(pattern: #"https?://[^\s<>\u0001\u0002]{1,500}"#)
    static let strongPattern = try! NSRegularExpression(pattern: #"\*\*([^*]+)\*\*"#)
    static let emphasisPattern = try! NSRegularExpression(pattern: #"\*([^*]+)\*"#)

    static func inline(_ raw: String) -> String {
        var text = escape(raw)
        // Plain text, the common case, has none of the marks the patterns look for.
        guard
            text.utf8.contains(where: { $0 == UInt8(ascii: "`") || $0 == UInt8(ascii: "*") || $0 == UInt8(ascii: "[") })
                || text.contains("http")
        else {
            return text
        }
        // Code and links are set aside as numbered placeholders, so their contents are not read as emphasis and a
        // link's address is not linked twice.
        var held: [String] = []
        func hold(_ html: String) -> String {
            held.append(html)
            return "\u{1}\(held.count - 1)\u{2}"
        }
        text = replace(text, codePattern) { groups in hold("<code>\(groups[1])</code>") }
        text = replace(text, linkPattern) { groups in
            hold("<a href=\"\(groups[2])\" rel=\"nofollow noopener ugc\">\(groups[1])</a>")
        }
        text = replace(text, bareLinkPattern) { groups in
            // A sentence's closing punctuation is not part of the address.
            var address = Substring(groups[0])
            var trailing = ""
            while let last = address.last, ".,;:!?)'".contains(last) {
                trailing = String(last) + trailing
                address = address.dropLast()
            }
            return hold("<a href=\"\(address)\" rel=\"nofollow noopener ugc\">\(address)</a>") + trailing
        }
        text = replace(text, strongPattern) { "<strong>\($0[1])</strong>" }
        text = replace(text, emphasisPattern) { "<em>\($0[1])</em>" }
        for (index, html) in held.enumerated().reversed() { text = text.replacingOccurrences(of: "\u{1}\(index)\u{2}", with: html) }
        return text
    }

    static func replace(_ text: String, _ expression: NSRegularExpression, _ transform: ([String]) -> String) -> String {
        let source = text as NSString
        var result = ""
        var last = 0
        for match in expression.matches(in: text, range: NSRange(location: 0, length: source.length)) {
            result += source.substring(with: NSRange(location: last, length: match.range.location - last))
            let groups = (0..<match.numberOfRanges).map { index -> String in
                let range = match.range(at: index)
                return range.location == NSNotFound ? "" : source.substring(with: range)
            }
            result += transform(groups)
            last = match.range.location + match.range.length
        }
        return result + source.substring(from: last)
    }
}
