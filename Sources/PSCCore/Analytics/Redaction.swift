/// PII redaction for exports without `export_data` (20-services §5.6).
public enum Redaction {
    /// `jordan.lee@gus.pittstate.edu` → `j***@gus.pittstate.edu`.
    public static func email(_ email: String) -> String {
        guard let at = email.firstIndex(of: "@"), let first = email.first, at != email.startIndex else { return "***" }
        return "\(first)***\(email[at...])"
    }

    /// `Jordan Lee` → `Jordan L.`: the first name and the last name's initial.
    public static func name(first: String, last: String) -> String {
        guard let initial = last.first else { return first }
        return "\(first) \(initial)."
    }

    /// An IPv4 address becomes its /24, an IPv6 address its /48; anything else is withheld.
    public static func ip(_ address: String) -> String {
        guard let bytes = IPNetwork.parseAddress(address) else { return "withheld" }
        if bytes.count == 4 { return "\(bytes[0]).\(bytes[1]).\(bytes[2]).0/24" }
        let groups = stride(from: 0, to: 6, by: 2).map { String(Int(bytes[$0]) << 8 | Int(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/48"
    }

    /// A phone number keeps its last four digits.
    public static func phone(_ phone: String) -> String {
        let digits = phone.filter(\.isNumber)
        return "***" + String(digits.suffix(4))
    }
}
