import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// DEP-1 and DEP-2 (10-api §…), and the department page.
struct DepartmentRoutes: FeatureRoutes {
    let departments: DepartmentStore
    let scholarships: ScholarshipStore
    let pages: PageRenderer
    let cache: LRUCache

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "DEP-1", .get, "/api/v1/departments", summary: "List departments", tag: "Departments",
                responses: [200: ("Every department by college and name", "DepartmentList")]),
            to: router
        ) { _, _ in
            let body = try await cache.value(namespace: DepartmentViews.cacheNamespace, key: "DEP-1", ttl: DepartmentViews.cacheTTL) {
                let bytes = JSONValue.object(["items": .array(try await departments.all().map(DepartmentViews.item))]).canonicalBytes
                return (value: bytes, bytes: bytes.count)
            }
            return JSONResponse.make(bytes: body, cache: "public, max-age=60")
        }
        catalog.add(
            RouteSpec(
                id: "DEP-2", .get, "/api/v1/departments/{id}", summary: "One department", tag: "Departments",
                responses: [200: ("The department", "Department"), 404: ("No such department", "Error")]),
            to: router
        ) { _, context in
            let id = try Self.id(context)
            let body = try await cache.value(namespace: DepartmentViews.cacheNamespace, key: "DEP-2:\(id)", ttl: DepartmentViews.cacheTTL) {
                guard let department = try await departments.find(id: id) else { throw APIError.notFound("There is no such department.") }
                let bytes = DepartmentViews.item(department).canonicalBytes
                return (value: bytes, bytes: bytes.count)
            }
            return JSONResponse.make(bytes: body, cache: "public, max-age=60")
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-DEPARTMENT", .get, "/departments/{id}", summary: "Department page", tag: "Pages", limit: .page,
                responses: [200: ("HTML page", nil)]),
            to: router
        ) { request, context in
            let department = try await department(context)
            // The department's open scholarships, soonest deadline first (50-ui: the public subset for visitors).
            var listing = ScholarshipStore.Listing()
            listing.departmentID = department.id
            listing.limit = 10
            let (chosen, catalogue) = (listing, scholarships)
            let open = try await Offload.run { try catalogue.list(chosen) }
            let now = Date()
            return HTMLResponse.make(
                pages.render(
                    "department",
                    [
                        "department": DepartmentViews.pageData(department),
                        "scholarships": open.map { ScholarshipPageViews.card($0, match: nil, now: now) }, "hasScholarships": !open.isEmpty,
                    ], request: request, identity: context.identity))
        }
    }

    /// A positive integer id, else 404 (00-conventions §4: a non-numeric id matches no route).
    private static func id(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID(notFound: "There is no such department.")
    }

    private func department(_ context: AppRequestContext) async throws -> Department {
        guard let department = try await departments.find(id: try Self.id(context)) else {
            throw APIError.notFound("There is no such department.")
        }
        return department
    }

}
