extension Array where Element == Int64 {
    /// The ids as one JSON array argument for `IN (SELECT value FROM json_each(?))`, so a statement's text is fixed
    /// and compiled once per connection whatever the list's length.
    var jsonList: String { "[" + map(String.init).joined(separator: ",") + "]" }
}
