import Foundation

/// The API's snake_case field names (00-conventions §4) and the Swift names of request bodies, converted one way in
/// one place: `user_id` ↔ `userID`, `application_url` ↔ `applicationURL`, `expires_in_days` ↔ `expiresInDays`. Request
/// types declare no key enums of their own.
enum RequestKeys {
    /// Words written in capitals in Swift names.
    static let initialisms: Set<String> = ["id", "url"]

    static func swiftName(_ field: String) -> String {
        let words = field.split(separator: "_", omittingEmptySubsequences: false).map(String.init)
        guard words.count > 1, let first = words.first else { return field }
        return first
            + words.dropFirst().map { word in
                initialisms.contains(word) ? word.uppercased() : word.prefix(1).uppercased() + word.dropFirst()
            }
            .joined()
    }

    static func fieldName(_ swiftName: String) -> String {
        var field = ""
        var previous: Character?
        for character in swiftName {
            if character.isUppercase, let previous, previous.isLowercase || previous.isNumber { field.append("_") }
            field.append(Character(character.lowercased()))
            previous = character
        }
        return field
    }

    /// The field name a client sends for a Swift name: its snake_case form when that reads back to the same name,
    /// else the name itself (WebAuthn's `clientDataJSON` and `rawId` arrive as browsers write them).
    static func jsonName(_ swiftName: String) -> String {
        let field = fieldName(swiftName)
        return self.swiftName(field) == swiftName ? field : swiftName
    }

    /// A decoder for request bodies that reads snake_case fields into the Swift names above.
    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .custom { path in
            let last = path[path.count - 1]
            guard last.intValue == nil else { return last }
            return Key(stringValue: swiftName(last.stringValue))
        }
        return decoder
    }

    private struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
