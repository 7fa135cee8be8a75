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
                id: "DIR-1", .get, "/api/v1/directory", summary: "Member directory", tag: "Directory",
                access: .member(scope: "content:read"), limit: .own("60/min"),
                query: .page() + [
                    .text("q", max: 100, "Words in a name, headline or major"),
                    .choice("role", ["alumni", "student", "faculty", "staff"], "One role"),
                    .integer("graduation_year_from", "Graduating in or after"), .integer("graduation_year_to", "Graduating in or before"),
                    .text("major", max: 100, "One major"), .id("department_id", "One department"),
                    .text("industry", max: 120, "One industry"),
                    .text("company", max: 120, "One employer"), .text("location", max: 120, "Where"),
                    .boolean("is_mentor", "Mentors only"), .choice("sort", ["relevance", "name", "graduation_year"], "Order"),
                ],
                responses: [
                    200: ("A page of UserCard with company, position and industry", "DirectoryPage"),
                    403: ("Employers without directory access", "Error"),
                    422: ("Bad filter", "Error"),
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
