/// A `LIKE … ESCAPE '\'` pattern matching text that contains `text` literally: the backslash, `%` and `_` a person
/// typed are escaped, so they match themselves and never act as wildcards.
enum LikePattern {
    static func containing(_ text: String) -> String { "%" + escaped(text) + "%" }

    /// The text with its wildcards escaped, to build a prefix or suffix pattern.
    static func escaped(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(
            of: "_", with: "\\_")
    }
}
