/// Page names of 20-services §5.7, made from the route the router matched: `/` is `home`; otherwise the fixed
/// segments joined by `.` (hyphens as `_`), then `.index` for a one-segment path and `.view` when the path ends in
/// an item's id or slug. Route templates and raw paths are never stored.
public enum PageName {
    /// The name for a route template such as `/forums/t/{id}` (parameters written `{name}` or `:name`).
    public static func from(template: String) -> String {
        let segments = template.split(separator: "/").map(String.init)
        guard !segments.isEmpty else { return "home" }
        let isParameter = { (segment: String) in segment.hasPrefix("{") || segment.hasPrefix(":") }
        let fixed = segments.filter { !isParameter($0) }.map { $0.replacingOccurrences(of: "-", with: "_").lowercased() }
        let base = fixed.joined(separator: ".")
        if let last = segments.last, isParameter(last) { return (base.isEmpty ? "item" : base) + ".view" }
        return segments.count == 1 ? base + ".index" : base
    }

    /// ANL-9's `page_name`: 1 to 100 characters of `[a-z0-9_.]`.
    public static func isValid(_ name: String) -> Bool {
        (1...100).contains(name.utf8.count)
            && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 || $0 == 46 }
    }
}
