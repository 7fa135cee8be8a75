/// Where a page may send a visitor next (`?next=` after sign-in, a form's `next` field).
enum RedirectTarget {
    /// Only same-site relative paths are honoured as a redirect target. Browsers drop tabs and newlines from a URL
    /// and read `\` as `/`, so `/\t/evil.example` would become `//evil.example`: any control character, space or
    /// backslash refuses the target.
    static func sameSite(_ next: String?, otherwise fallback: String = "/") -> String {
        guard let next, next.hasPrefix("/"), !next.hasPrefix("//"),
            !next.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" })
        else { return fallback }
        return next
    }
}
