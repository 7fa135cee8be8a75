import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PSCCore
import PSCStore

/// Resolves the session cookie into ``Identity`` and enforces the CSRF rules of 00-conventions §3.1 on unsafe
/// methods: the per-session token in `X-CSRF-Token` when a session cookie is used, and no cross-site request at
/// all (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not the site's own).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let platform: Platform

    /// `__Host-psc_session` over HTTPS; a development instance on plain http uses `psc_session` without `Secure`.
    static func cookieName(secure: Bool) -> String { secure ? "__Host-psc_session" : "psc_session" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        let secure = platform.configuration.usesTLS
        let unsafe = ![.get, .head, .options].contains(request.method)
        if unsafe { try checkOrigin(request) }
        if let token = request.cookies[Self.cookieName(secure: secure)]?.value, !token.isEmpty {
            let (sessions, accounts) = (platform.sessions, platform.accounts)
            context.identity = try await Offload.run { try Self.identity(token: token, sessions: sessions, accounts: accounts) }
            if unsafe, let identity = context.identity {
                let sent = request.headers[.csrfToken] ?? ""
                guard Self.constantTimeEqual(sent, identity.session.csrfToken) else {
                    throw APIError(
                        .forbidden, "csrf_failed", "The request's CSRF token is missing or wrong; reload the page and try again.")
                }
            }
        }
        return try await next(request, context)
    }

    static func identity(token: String, sessions: SessionStore, accounts: AccountStore) throws -> Identity? {
        guard let session = try sessions.session(token: token), let user = try accounts.user(id: session.userID), user.status.canSignIn
        else { return nil }
        let grants = try accounts.grants(userID: user.id)
        let privileged = user.role == .admin || !grants.isEmpty
        try sessions.touch(session, lifetime: SessionLifetime.of(remember: session.remember, privileged: privileged))
        return Identity(user: user, session: session, grants: grants)
    }

    private func checkOrigin(_ request: Request) throws {
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" {
            throw APIError(.forbidden, "csrf_failed", "Requests from other sites are not accepted.")
        }
        guard let origin = request.headers[.origin] else { return }
        let expected = platform.configuration.publicOrigin ?? request.head.authority.map { "http://\($0)" }
        if let expected, origin.lowercased() != expected.lowercased() {
            throw APIError(.forbidden, "csrf_failed", "Requests from other sites are not accepted.")
        }
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let (x, y) = (Array(a.utf8), Array(b.utf8))
        guard x.count == y.count, !x.isEmpty else { return false }
        return zip(x, y).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

extension HTTPField.Name {
    static let csrfToken = HTTPField.Name("X-CSRF-Token")!
    static let secFetchSite = HTTPField.Name("Sec-Fetch-Site")!
}

/// Access levels of 00-conventions §2, checked in one place for every route.
enum Access {
    /// `user~`: signed in, any status that can sign in.
    case signedIn
    /// `user`: signed in and active.
    case active
    case admin
}

extension AppRequestContext {
    /// The caller when the access level admits them; 401 without a session, 403 when the account may not.
    func require(_ access: Access) throws -> Identity {
        guard let identity else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"psc\""
            throw APIError(.unauthorized, "unauthenticated", "Sign in to continue.", headers: headers)
        }
        switch access {
        case .signedIn: return identity
        case .active:
            guard identity.user.status == .active else {
                throw APIError(.forbidden, "account_pending", "Your account is waiting for email verification or approval.")
            }
            return identity
        case .admin:
            guard identity.user.status == .active, identity.user.role == .admin else { throw APIError.forbidden() }
            return identity
        }
    }
}
