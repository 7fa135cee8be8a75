import Foundation

/// The password rules of 20-services §4.1: length in Unicode scalars after NFC, the 10,000 most common passwords,
/// and words from the person's own name and address or the university's.
public enum PasswordPolicy {
    public static let lengthRange = 8...128
    static let contextWords: Set<String> = ["pittstate", "pittsburg", "gorilla", "gorillas", "gus"]

    /// The embedded list, lower-cased; the file's first line is its provenance.
    static let commonPasswords: Set<String> = {
        let text = EmbeddedWordLists.files["common-passwords.txt"] ?? ""
        return Set(text.split(separator: "\n").dropFirst().map(String.init))
    }()

    /// Why the password is refused, or nil when it is acceptable.
    public static func problem(_ password: String, email: String, firstName: String, lastName: String) -> String? {
        let normalised = password.precomposedStringWithCanonicalMapping
        guard lengthRange.contains(normalised.unicodeScalars.count) else {
            return "must be \(lengthRange.lowerBound) to \(lengthRange.upperBound) characters long"
        }
        let lowered = normalised.lowercased()
        if commonPasswords.contains(lowered) { return "is one of the most common passwords" }
        let core = stripTrailing(lowered)
        let localPart = email.split(separator: "@").first.map { String($0).lowercased() } ?? ""
        let personal = [localPart, firstName.lowercased(), lastName.lowercased()].filter { !$0.isEmpty }
        if personal.contains(core) || personal.contains(lowered) { return "must not be your name or email address" }
        if contextWords.contains(core) { return "must not be the university's name or mascot" }
        return nil
    }

    /// Drops trailing digits, spaces and punctuation (`Gorillas2026!` → `gorillas`).
    static func stripTrailing(_ text: String) -> String {
        var scalars = Array(text.unicodeScalars)
        while let last = scalars.last,
            CharacterSet.decimalDigits.contains(last) || CharacterSet.whitespaces.contains(last)
                || CharacterSet.punctuationCharacters.contains(last) || CharacterSet.symbols.contains(last)
        {
            scalars.removeLast()
        }
        return String(String.UnicodeScalarView(scalars))
    }
}
