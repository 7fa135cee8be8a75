/// RFC 4180 text: fields with a comma, quote or line break are quoted with quotes doubled, lines end in CRLF, and a
/// cell that a spreadsheet would run as a formula (starting with =, +, -, @, tab or carriage return) is written with a
/// leading apostrophe so it stays text.
public enum CSV {
    public static func field(_ value: String) -> String {
        var text = value
        if let first = text.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) { text = "'" + text }
        guard text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    public static func document(header: [String], rows: [[String]]) -> String {
        ([header] + rows).map { row in row.map(field).joined(separator: ",") + "\r\n" }.joined()
    }
}
