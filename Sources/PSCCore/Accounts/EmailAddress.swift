/// The shape an address must have before mail is sent to it: one `@`, a local part, a dotted domain, no spaces.
public enum EmailAddress {
    public static func isValid(_ email: String) -> Bool {
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        return (3...254).contains(email.count) && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".") && !email.contains(" ")
    }
}
