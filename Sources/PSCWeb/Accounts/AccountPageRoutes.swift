import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The account pages of 50-ui: sign-in and its second step, registration, the single-form pages reached from
/// emailed links, the security settings, and sign-out from the header. The forms post to the JSON API through
/// account.js, so the rules live in one place.
struct AccountPageRoutes: FeatureRoutes {
    let configuration: Configuration
    let sessions: SessionStore
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        page(router, catalog, "PAGE-LOGIN", "/login", "Sign in") { request, context in
            let next = RedirectTarget.sameSite(request.uri.formQuery.get("next").map { String($0) }, otherwise: "/feed")
            if context.identity?.session != nil { return HTMLResponse.redirect(to: next) }
            return HTMLResponse.make(
                pages.render(
                    "login", ["next": next, "expired": request.uri.formQuery.get("expired") != nil], request: request,
                    identity: context.identity))
        }
        page(router, catalog, "PAGE-LOGIN-2FA", "/login/2fa", "Sign in: second step") { request, context in
            let next = RedirectTarget.sameSite(request.uri.formQuery.get("next").map { String($0) }, otherwise: "/feed")
            return HTMLResponse.make(pages.render("login-2fa", ["next": next], request: request, identity: context.identity))
        }
        page(router, catalog, "PAGE-REGISTER", "/register", "Create an account") { request, context in
            HTMLResponse.make(pages.render("register", [:], request: request, identity: context.identity))
        }
        page(router, catalog, "PAGE-VERIFY-EMAIL", "/verify-email/{token}", "Confirm an email address") { request, context in
            tokenPage(
                request, context,
                [
                    "heading": "Confirm your email", "explanation": "One click confirms the address this link was sent to.",
                    "api": "/api/v1/auth/verify-email", "onSuccess": "done", "button": "Confirm my email",
                    "doneMessage": "Your email is confirmed.", "doneLink": "/login", "doneLinkText": "Sign in",
                ])
        }
        page(router, catalog, "PAGE-FORGOT", "/forgot-password", "Forgotten password") { request, context in
            tokenPage(
                request, context,
                [
                    "heading": "Reset your password", "explanation": "We will email a link that works once, for 20 minutes.",
                    "api": "/api/v1/auth/password/forgot", "onSuccess": "done", "askEmail": true, "button": "Email me a link",
                    "doneMessage": "If an account uses this address, a reset link is on its way.",
                ])
        }
        page(router, catalog, "PAGE-RESET", "/reset-password/{token}", "Choose a new password") { request, context in
            tokenPage(
                request, context,
                [
                    "heading": "Choose a new password", "explanation": "Every session of your account is signed out afterwards.",
                    "api": "/api/v1/auth/password/reset", "onSuccess": "done", "passwordField": "new_password", "askCode": true,
                    "button": "Set the new password", "doneMessage": "Your password is reset.", "doneLink": "/login",
                    "doneLinkText": "Sign in",
                ])
        }
        for (id, path) in [("PAGE-SETUP", "/setup/{token}"), ("PAGE-INVITATION", "/invitation/{token}")] {
            page(router, catalog, id, path, "Set your first password") { request, context in
                tokenPage(
                    request, context,
                    [
                        "heading": "Welcome to PittState Connect", "explanation": "Choose the password for your new account.",
                        "api": "/api/v1/auth/invitations/accept", "onSuccess": "login", "passwordField": "password",
                        "button": "Set password and sign in",
                    ])
            }
        }
        page(router, catalog, "PAGE-SECURITY", "/settings/security", "Account security") { request, context in
            guard let identity = context.identity, identity.session != nil else {
                return HTMLResponse.redirect(to: "/login?next=/settings/security")
            }
            return HTMLResponse.make(
                pages.render("security", ["enrolFirst": identity.mustEnrolTwoFactor], request: request, identity: identity))
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-LOGOUT", .post, "/logout", summary: "Sign out (form)", tag: "Pages", limit: .page,
                responses: [303: ("To the sign-in page", nil)]),
            to: router
        ) { request, context in
            // The session middleware has already checked the form's `_csrf` and the request's origin.
            var response = HTMLResponse.redirect(to: "/login")
            guard let identity = context.identity, let session = identity.session else { return response }
            let (sessions, origin) = (sessions, request.origin(context))
            _ = try await Offload.run { try sessions.revoke(id: session.id, userID: identity.user.id, reason: "logout", origin: origin) }
            response.setCookie(SessionCookie(configuration).expired())
            return response
        }
    }

    private func page(
        _ router: Router<AppRequestContext>, _ catalog: RouteCatalog, _ id: String, _ path: String, _ summary: String,
        _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        catalog.add(
            RouteSpec(
                id: id, .get, path, summary: summary, tag: "Pages", limit: .page,
                responses: [200: ("HTML page", nil)]),
            to: router, handler: handler)
    }

    private func tokenPage(_ request: Request, _ context: AppRequestContext, _ data: [String: Any]) -> Response {
        var data = data
        if let token = context.parameters.get("token") {
            guard token.count <= 128, token.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
                return HTMLResponse.make(
                    pages.render("error", ["heading": "This link is not valid", "explanation": "Ask for a new one."], request: request),
                    status: .notFound)
            }
            data["token"] = token
        }
        return HTMLResponse.make(pages.render("token-form", data, request: request, identity: context.identity))
    }
}
