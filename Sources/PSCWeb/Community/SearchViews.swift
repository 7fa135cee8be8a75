import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Search results as the caller may see them (SRC-1 and the `/search` page).
struct SearchViews {
    let search: SearchStore

    /// Hits per type with their counts, as the caller may see them (SRC-1 and the `/search` page); the cursor only
    /// for a single type.
    func results(_ query: String, types: [String], limit: Int, offset: Int, identity: Identity?) async throws -> (
        results: [String: JSONValue], counts: [String: JSONValue], next: JSONValue
    ) {
        var results: [String: JSONValue] = [:]
        var counts: [String: JSONValue] = [:]
        var next: JSONValue = .null
        guard let match = SearchStore.matchExpression(query) else { return (results, counts, next) }
        let (search, viewer, department) = (search, identity?.user.id, identity?.user.departmentID)
        let found = try await Offload.run {
            try search.search(match, types: types, viewer: viewer, viewerDepartment: department, limit: limit, offset: offset)
        }
        for type in types {
            let (hits, total) = found[type] ?? ([], 0)
            results[type] = .array(hits.map(Self.body))
            counts[type] = .int(Int64(total))
            if types.count == 1 { next = Self.nextCursor(offset: offset, found: hits.count, limit: limit, total: total) }
        }
        return (results, counts, next)
    }

    /// The cursor after a one-type page. Only a full page has a next one: ranking stops at the type's newest
    /// matches (``SearchStore/rankedMatches``) while the count takes in older ones, so a count that reaches further
    /// must not send a client after empty pages.
    static func nextCursor(offset: Int, found: Int, limit: Int, total: Int) -> JSONValue {
        found == limit && offset + found < total ? OffsetCursor.next(offset + found) : .null
    }

    /// Where a result's page is, for the navbar's suggestions and the search page.
    static func pageURL(_ hit: SearchStore.Hit) -> JSONValue { .string(pageURL(type: hit.type, id: hit.id)) }

    static func pageURL(type: String, id: Int64) -> String {
        switch type {
        case "users": "/profile/\(id)"
        case "events": "/events/\(id)"
        case "jobs": "/jobs/\(id)"
        case "posts": "/posts/\(id)"
        case "scholarships": "/scholarships/\(id)"
        case "forum_threads": "/forums/t/\(id)"
        case "webinars": "/webinars/\(id)"
        case "announcements": "/announcements#announcement-\(id)"
        default: "/departments/\(id)"
        }
    }

    static func body(_ hit: SearchStore.Hit) -> JSONValue {
        // Escape what members wrote, then mark the matched words.
        let snippet = SafeMarkdown.escape(hit.snippet).replacingOccurrences(of: "\u{2}", with: "<mark>")
            .replacingOccurrences(of: "\u{3}", with: "</mark>")
        let url: String
        switch hit.type {
        case "users": url = "/api/v1/users/\(hit.id)"
        case "posts": url = "/api/v1/posts/\(hit.id)"
        case "events": url = "/api/v1/events/\(hit.id)"
        case "jobs": url = "/api/v1/jobs/\(hit.id)"
        case "scholarships": url = "/api/v1/scholarships/\(hit.id)"
        case "forum_threads": url = "/api/v1/forums/threads/\(hit.id)"
        case "webinars": url = "/api/v1/webinars/\(hit.id)"
        case "announcements": url = "/api/v1/announcements/\(hit.id)"
        default: url = "/departments/\(hit.id)"
        }
        let title = hit.title.isEmpty ? String(hit.snippet.filter { $0 != "\u{2}" && $0 != "\u{3}" }.prefix(80)) : hit.title
        return [
            "id": .int(hit.id), "title": .string(title), "snippet": .string(snippet), "url": .string(url),
            "score": .string(String(format: "%.3f", hit.score)),
        ]
    }
}
