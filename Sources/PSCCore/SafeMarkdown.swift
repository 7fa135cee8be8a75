import Foundation

/// The Markdown subset posts may use, rendered to HTML on the server: paragraphs and line breaks, `**bold**`,
/// `*italic*`, `` `code` ``, `- ` lists and `[text](https://…)` links. Everything is HTML-escaped first, so no
/// markup a member types reaches a page; links must be http(s) and get `rel="nofollow noopener ugc"`.
public enum SafeMarkdown {
    public static func html(_ markdown: String) -> String {
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
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "'", with: "&#39;")
    }

    static func inline(_ raw: String) -> String {
        var text = escape(raw)
        // Code first, so its contents are not read as emphasis or links.
        var codes: [String] = []
        text = replace(text, #"`([^`]+)`"#) { groups in
            codes.append("<code>\(groups[1])</code>")
            return "\u{1}\(codes.count - 1)\u{1}"
        }
        text = replace(text, #"\[([^\]]{1,200})\]\((https?://[^\s)]{1,500})\)"#) { groups in
            "<a href=\"\(groups[2])\" rel=\"nofollow noopener ugc\">\(groups[1])</a>"
        }
        text = replace(text, #"\*\*([^*]+)\*\*"#) { "<strong>\($0[1])</strong>" }
        text = replace(text, #"\*([^*]+)\*"#) { "<em>\($0[1])</em>" }
        for (index, code) in codes.enumerated() { text = text.replacingOccurrences(of: "\u{1}\(index)\u{1}", with: code) }
        return text
    }

    static func replace(_ text: String, _ pattern: String, _ transform: ([String]) -> String) -> String {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return text }
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
