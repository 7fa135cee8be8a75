import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SRC-1 (10-api §17): one query across members, posts, events and departments, filtered before it is ranked.
struct SearchRoutes {
    let platform: Platform

    /// Hits per type with their counts, as the caller may see them (SRC-1 and the `/search` page); the cursor only
    /// for a single type.
    func results(_ query: String, types: [String], limit: Int, offset: Int, identity: Identity?) async throws -> (
        results: [String: JSONValue], counts: [String: JSONValue], next: JSONValue
    ) {
        var results: [String: JSONValue] = [:]
        var counts: [String: JSONValue] = [:]
        var next: JSONValue = .null
        guard let match = SearchStore.matchExpression(query) else { return (results, counts, next) }
        let (search, viewer, department) = (platform.search, identity?.user.id, identity?.user.departmentID)
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

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SRC-1", .get, "/api/v1/search", summary: "Search", tag: "Search", limit: .own("60/min"),
                responses: [200: ("Results by type with snippets", nil), 422: ("Bad query", "Error")]),
            to: router
        ) { request, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let parameters = request.uri.formQuery
            let query = (parameters.get("q").map { String($0) } ?? "").trimmingCharacters(in: .whitespaces)
            var problems: [String: [String]] = [:]
            if !(2...200).contains(query.count) { problems["q"] = ["must be 2 to 200 characters"] }
            var types = SearchStore.types
            if let requested = parameters.get("types").map({ String($0) }), !requested.isEmpty {
                types = requested.split(separator: ",").map(String.init)
                let unknown = types.filter { !SearchStore.types.contains($0) }
                if !unknown.isEmpty { problems["types"] = ["unknown or not searchable yet: \(unknown.joined(separator: ", "))"] }
            }
            var limit = 5
            if let text = parameters.get("limit") {
                if let value = Int(text), value > 0 {
                    limit = min(value, 20)
                } else {
                    problems["limit"] = ["must be a positive whole number"]
                }
            }
            let cursor = parameters.get("cursor")
            if cursor?.isEmpty == false, types.count != 1 { throw APIError.validation(["cursor": ["works with one type only"]]) }
            let offset = try OffsetCursor.offset(cursor)
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let key = "SRC-1|\(CachedResponses.caller(identity))|\(types.joined(separator: ","))|\(limit)|\(offset)|\(query)"
            return try await CachedResponses.json(platform.cache, namespace: CachedResponses.search, key: key) { [types, limit] in
                let found = try await results(query, types: types, limit: limit, offset: offset, identity: identity)
                return [
                    "query": .string(query), "results": .object(found.results), "counts": .object(found.counts),
                    "next_cursor": found.next,
                ]
            }
        }
        catalog.add(
            RouteSpec(
                id: "SRC-2", .get, "/api/v1/search/suggest", summary: "Suggestions as you type", tag: "Search", limit: .own("120/min"),
                responses: [200: ("Up to 8 suggestions", nil), 422: ("Bad query", "Error")]),
            to: router
        ) { request, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let query = (request.uri.formQuery.get("q").map { String($0) } ?? "").trimmingCharacters(in: .whitespaces)
            guard (2...50).contains(query.count) else { throw APIError.validation(["q": ["must be 2 to 50 characters"]]) }
            let (search, viewer, department) = (platform.search, identity?.user.id, identity?.user.departmentID)
            let key = "SRC-2|\(CachedResponses.caller(identity))|\(query)"
            return try await CachedResponses.json(platform.cache, namespace: CachedResponses.search, key: key) {
                let hits = try await Offload.run { try search.suggest(query, viewer: viewer, viewerDepartment: department) }
                return [
                    "suggestions": .array(
                        hits.map { hit in
                            let body = Self.body(hit)
                            return [
                                "type": .string(hit.type), "id": .int(hit.id), "title": body["title"] ?? .null, "url": Self.pageURL(hit),
                            ]
                        })
                ]
            }
        }
    }

    /// Where a result's page is, for the navbar's suggestions and the search page.
    static func pageURL(_ hit: SearchStore.Hit) -> JSONValue { .string(pageURL(type: hit.type, id: hit.id)) }

    static func pageURL(type: String, id: Int64) -> String {
        switch type {
        case "users": "/profile/\(id)"
        case "events": "/events/\(id)"
        case "jobs": "/jobs/\(id)"
        case "posts": "/posts/\(id)"
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
        default: url = "/departments/\(hit.id)"
        }
        let title = hit.title.isEmpty ? String(hit.snippet.filter { $0 != "\u{2}" && $0 != "\u{3}" }.prefix(80)) : hit.title
        return [
            "id": .int(hit.id), "title": .string(title), "snippet": .string(snippet), "url": .string(url),
            "score": .string(String(format: "%.3f", hit.score)),
        ]
    }
}
