import Foundation
import Hummingbird
import HummingbirdCore

extension URI {
    /// The query as a browser's form sends it (`application/x-www-form-urlencoded`): `+` is a space, then
    /// percent-escapes are decoded. Hummingbird's `queryParameters` decodes only the escapes, so "software+engineer"
    /// would be searched for literally.
    var formQuery: FlatDictionary<Substring, Substring> {
        guard let query, !query.isEmpty else { return .init() }
        var pairs: [(key: Substring, value: Substring)] = []
        for part in query.split(separator: "&", omittingEmptySubsequences: true) {
            let halves = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.formDecode(halves[0])
            let value = halves.count > 1 ? Self.formDecode(halves[1]) : ""
            pairs.append((key: key[...], value: value[...]))
        }
        return FlatDictionary(pairs)
    }

    static func formDecode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
