import HummingbirdCore

/// A form post's fields (`application/x-www-form-urlencoded`), decoded the way ``URI/formQuery`` decodes a query;
/// the last of a repeated name wins. Used by the routes that take plain form posts and by the CSRF check.
enum FormFields {
    static func parse(_ body: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2 else { continue }
            fields[URI.formDecode(parts[0])] = URI.formDecode(parts[1])
        }
        return fields
    }
}
