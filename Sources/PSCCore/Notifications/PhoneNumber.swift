/// Phone numbers as the SMS adapter sends them (20-services §8.3): E.164, with North American numbers completed.
public enum PhoneNumber {
    /// "(620) 555-0142" → "+16205550142"; nil for what cannot be a number ("555-0142").
    public static func e164(_ text: String) -> String? {
        let kept = text.filter { !" -.()".contains($0) }
        let digits = kept.hasPrefix("+") ? kept.dropFirst() : Substring(kept)
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        if kept.hasPrefix("+") { return (8...15).contains(digits.count) ? kept : nil }
        if digits.count == 10 { return "+1" + digits }
        if digits.count == 11, digits.hasPrefix("1") { return "+" + digits }
        return nil
    }

    /// "•••-•••-0142": enough for a person to recognise their own number.
    public static func masked(_ number: String) -> String {
        "•••-•••-" + number.suffix(4)
    }
}
