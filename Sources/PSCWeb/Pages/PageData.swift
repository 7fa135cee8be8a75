import Foundation
import Hummingbird
import PSCCore
import PSCStore

extension JSONValue {
    /// The value as a Mustache template reads it: the API's own shapes, so a page shows exactly what the API lets
    /// the viewer see. Nulls are left out, so `{{#field}}` sections on them are skipped.
    var templateValue: Any? {
        switch self {
        case .null: nil
        case .bool(let flag): flag
        case .int(let number): Int(number)
        case .string(let text): text
        case .decimal(let text): text
        case .array(let items): items.compactMap(\.templateValue)
        case .object(let members): members.compactMapValues(\.templateValue)
        }
    }
}

/// Member pages (50-ui §3): the signed-in, active visitor, or a redirect to sign in and come back.
enum MemberPage {
    static func identity(_ request: Request, _ context: AppRequestContext) throws -> Identity {
        guard let identity = context.identity, identity.session != nil else {
            let next = request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            throw PageRedirect(location: "/login?next=" + (next.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? "/"))
        }
        // An account still waiting for its email or its approval is told what it waits for, not refused.
        if identity.user.status == .pendingVerification || identity.user.status == .pendingApproval {
            throw PageRedirect(location: "/pending")
        }
        return try context.require(.active)
    }

    static func register(
        _ router: Router<AppRequestContext>, _ catalog: RouteCatalog, _ id: String, _ path: String, _ summary: String,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        catalog.add(
            RouteSpec(id: id, .get, path, summary: summary, tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]), to: router
        ) { request, context in
            do { return try await handler(request, context) } catch let redirect as PageRedirect {
                return HTMLResponse.redirect(to: redirect.location)
            }
        }
    }
}

extension MemberPage {
    /// A member page's plain form post: the handler gets the signed-in, active visitor and the form's fields (the
    /// CSRF field was checked by the session middleware); a visitor who is not signed in is sent to sign in.
    static func registerForm(
        _ router: Router<AppRequestContext>, _ catalog: RouteCatalog, _ id: String, _ path: String, _ summary: String,
        limit: RouteLimit = .page, maxBytes: Int = 4096, responses: [Int: (String, String?)],
        _ handler: @escaping @Sendable (Request, AppRequestContext, Identity, [String: String]) async throws -> Response
    ) {
        catalog.add(
            RouteSpec(id: id, .post, path, summary: summary, tag: "Pages", limit: limit, responses: responses), to: router
        ) { request, context in
            do {
                let identity = try MemberPage.identity(request, context)
                var body = request
                let form = FormFields.parse(String(buffer: try await body.collectBody(upTo: maxBytes)))
                return try await handler(request, context, identity, form)
            } catch let redirect as PageRedirect {
                return HTMLResponse.redirect(to: redirect.location)
            }
        }
    }
}

/// Thrown by a page that sends the visitor elsewhere (to sign in first).
struct PageRedirect: Error {
    let location: String
}
