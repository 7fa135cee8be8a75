import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// DIR-1 (10-api §5): the member directory, searched and filtered only on what each member lets the caller see.
struct DirectoryRoutes: FeatureRoutes {
    let cache: LRUCache
    let views: DirectoryViews

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "DIR-1", .get, "/api/v1/directory", summary: "Member directory", tag: "Directory", limit: .own("60/min"),
                responses: [
                    401: ("Not signed in", "Error"),
                    200: ("A page of UserCard", nil), 403: ("Employers without directory access", "Error"), 422: ("Bad filter", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            // Employers see the directory through the résumé-database benefit, which arrives with subscriptions.
            if identity.user.role == .employer {
                throw APIError(.forbidden, "forbidden", "The directory is open to employers with the résumé database benefit.")
            }
            let query = try DirectoryViews.query(request)
            let key = "DIR-1|\(CachedResponses.caller(identity))|\(query.cacheKey)"
            return try await CachedResponses.json(cache, namespace: CachedResponses.directory, key: key) {
                let page = try await views.results(query, identity: identity)
                return ["items": .array(page.items), "next_cursor": page.next, "limit": .int(Int64(page.limit))]
            }
        }
    }

}
