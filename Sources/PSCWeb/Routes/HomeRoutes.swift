import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// The home page, the theme switch and the static assets.
struct HomeRoutes: FeatureRoutes {
    let departments: DepartmentStore
    let scholarships: ScholarshipStore
    let announcements: AnnouncementStore
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(id: "PAGE-HOME", .get, "/", summary: "Home page", tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]),
            to: router
        ) { request, context in
            // Members start from their feed (50-ui §2: signed-in people go to their dashboard).
            if let identity = context.identity, identity.session != nil, identity.user.status == .active {
                return HTMLResponse.redirect(to: "/feed")
            }
            // The five soonest open scholarships (50-ui §2).
            var listing = ScholarshipStore.Listing()
            listing.limit = 5
            let chosen = listing
            let soonest = try await Offload.run { [scholarships] in try scholarships.list(chosen) }
            // The public announcements (for everyone, no department).
            let notices = try await Offload.run { [announcements] in try announcements.visible(to: nil, limit: 3) }
            let now = Date()
            return HTMLResponse.make(
                pages.render(
                    "home",
                    [
                        "colleges": try await colleges(),
                        "scholarships": soonest.map { ScholarshipPageViews.card($0, match: nil, now: now) },
                        "hasScholarships": !soonest.isEmpty,
                        "announcements": notices.map { CommunityPageViews.announcement($0, now: now) },
                        "hasAnnouncements": !notices.isEmpty,
                    ], request: request, identity: context.identity))
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-DEPARTMENTS", .get, "/departments", summary: "Colleges and departments", tag: "Pages", limit: .page,
                responses: [200: ("HTML page", nil)]),
            to: router
        ) { request, context in
            HTMLResponse.make(
                pages.render("departments", ["colleges": try await colleges()], request: request, identity: context.identity))
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-THEME", .post, "/theme", summary: "Choose the colour theme (form)", tag: "Pages", limit: .page,
                responses: [303: ("Back to the page", nil)]),
            to: router
        ) { request, context in
            // Posts from other sites are refused before this, by SessionMiddleware, like every unsafe request.
            var request = request
            let body = try await request.collectBody(upTo: 4096)
            let form = FormFields.parse(String(buffer: body))
            guard let choice = form["theme"].flatMap(PageRenderer.Theme.init(rawValue:)) else {
                throw APIError.badRequest("Choose system, light or dark.")
            }
            var response = HTMLResponse.redirect(to: RedirectTarget.sameSite(form["next"]))
            response.setCookie(
                Cookie(name: "psc_theme", value: choice.rawValue, maxAge: 31_536_000, path: "/", httpOnly: false, sameSite: .lax))
            return response
        }
        catalog.add(
            RouteSpec(
                id: "STATIC", .get, "/static/{file}", summary: "Static asset", tag: "Pages", limit: .none, responses: [200: ("Asset", nil)]),
            to: router
        ) { request, _ in
            guard let asset = pages.assets.byURL[request.uri.path] else { throw APIError.notFound() }
            var headers = HTTPFields()
            headers[.contentType] = asset.contentType
            headers[.cacheControl] = "public, max-age=31536000, immutable"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: asset.body)))
        }
    }

    /// The department list grouped by college, as the home page and `/departments` draw it.
    func colleges() async throws -> [[String: Any]] {
        let all = try await departments.all()
        return Self.collegeOrder(all).enumerated().map { index, name in
            let members = all.filter { ($0.college ?? "Other departments") == name }
            return ["index": index, "name": name, "departments": members.map(DepartmentViews.pageData)]
        }
    }

    /// Colleges in name order, with departments that have none last.
    static func collegeOrder(_ departments: [Department]) -> [String] {
        let named = Set(departments.compactMap(\.college)).sorted()
        return departments.contains { $0.college == nil } ? named + ["Other departments"] : named
    }
}
