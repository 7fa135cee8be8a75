import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SRC-1 (10-api §17): one query across members, posts, events and departments, filtered before it is ranked.
struct SearchRoutes: FeatureRoutes {
    let cache: LRUCache
    let search: SearchStore
    let views: SearchViews

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SRC-1", .get, "/api/v1/search", summary: "Search", tag: "Search", limit: .own("60/min"),
                query: [
                    .text("q", max: 200, "What to look for"), .text("types", max: 100, "Comma-separated kinds of result"),
                    QueryParameter("limit", ["type": "integer", "minimum": 1], "Results per kind"),
                    QueryParameter("cursor", ["type": "string"], "The next_cursor of one kind's previous page"),
                ],
                responses: [200: ("Results by type with snippets", "SearchResults"), 422: ("Bad query", "Error")]),
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
            return try await CachedResponses.json(cache, namespace: CachedResponses.search, key: key) { [types, limit] in
                let found = try await views.results(query, types: types, limit: limit, offset: offset, identity: identity)
                return [
                    "query": .string(query), "results": .object(found.results), "counts": .object(found.counts),
                    "next_cursor": found.next,
                ]
            }
        }
        catalog.add(
            RouteSpec(
                id: "SRC-2", .get, "/api/v1/search/suggest", summary: "Suggestions as you type", tag: "Search", limit: .own("120/min"),
                query: [QueryParameter("q", ["type": "string", "minLength": 2, "maxLength": 50], "What has been typed")],
                responses: [200: ("Up to 8 suggestions", "Suggestions"), 422: ("Bad query", "Error")]),
            to: router
        ) { request, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let query = (request.uri.formQuery.get("q").map { String($0) } ?? "").trimmingCharacters(in: .whitespaces)
            guard (2...50).contains(query.count) else { throw APIError.validation(["q": ["must be 2 to 50 characters"]]) }
            let (search, viewer, department) = (search, identity?.user.id, identity?.user.departmentID)
            let key = "SRC-2|\(CachedResponses.caller(identity))|\(query)"
            return try await CachedResponses.json(cache, namespace: CachedResponses.search, key: key) {
                let hits = try await Offload.run { try search.suggest(query, viewer: viewer, viewerDepartment: department) }
                return [
                    "suggestions": .array(
                        hits.map { hit in
                            let body = SearchViews.body(hit)
                            return [
                                "type": .string(hit.type), "id": .int(hit.id), "title": body["title"] ?? .null,
                                "url": SearchViews.pageURL(hit),
                            ]
                        })
                ]
            }
        }
    }

}
