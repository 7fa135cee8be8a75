import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import PSCCore
import PSCStore

/// Resolves the caller into ``Identity``, from a bearer token (which ignores cookies and needs no CSRF token,
/// 00-conventions §3.2) or from the session cookie, and enforces the CSRF rules of §3.1 on unsafe methods: the
/// per-session token in `X-CSRF-Token` or, for HTML forms, the `_csrf` field, and no cross-site request at all
/// (`Sec-Fetch-Site: cross-site`, or an `Origin` that is not the site's own).
struct SessionMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext
    let configuration: Configuration
    let accounts: AccountStore
    let sessions: SessionStore
    let apiTokens: APITokenStore
    let signIn: SignInService
    let sessionCache: SessionCache

    /// `__Host-psc_session` over HTTPS; a development instance on plain http uses `psc_session` without `Secure`.

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        var request = request
        let unsafe = ![.get, .head, .options].contains(request.method)
        // NTF-21 is authorised by its signed token alone and must take a mail client's RFC 8058 one-click POST, which
        // carries neither the site's origin nor a CSRF token (10-api §12).
        if request.uri.path.hasPrefix(Self.unsubscribePath) { return try await next(request, context) }
        if let bearer = Self.bearerToken(request) {
            let identity = try await tokenIdentity(bearer)
            // A service key's call counts against its monthly allowance, cached identity or not (ADM-11).
            if let token = identity.token, token.kind == "api_key" {
                let (tokens, keyID) = (apiTokens, token.id)
                guard try await Offload.run({ try tokens.countCall(keyID: keyID) }) else {
                    throw APIError(.tooManyRequests, "quota_exceeded", "This key has used its calls for the month.")
                }
            }
            context.identity = identity
            return try await next(request, context)
        }
        if unsafe { try checkOrigin(request) }
        if let token = request.cookies[SessionCookie(configuration).name]?.value, !token.isEmpty {
            let hash = SecureToken.sha256(token)
            if let cached = sessionCache.identity(tokenHash: hash) {
                context.identity = cached
            } else {
                let epoch = sessionCache.changes.epoch
                let identity = try await Offload.run { try resolve(sessionToken: token) }
                if let identity { sessionCache.store(identity, tokenHash: hash, epoch: epoch) }
                context.identity = identity
            }
            if unsafe, let session = context.identity?.session {
                var sent = request.headers[.csrfToken]
                if sent == nil, Self.isForm(request) {
                    // Forms are small; the collected body stays readable by the route.
                    let body = try await request.collectBody(upTo: 64 * 1024)
                    sent = FormFields.parse(String(buffer: body))["_csrf"]
                }
                guard SecureToken.constantTimeEqual(sent ?? "", session.csrfToken) else { throw Self.csrfFailed }
            }
        }
        do {
            return try await next(request, context)
        } catch {
            // The error middleware sits outside this one and never sees the context it filled in; a page's error
            // carries the signed-in visitor out with it, so a 403 or 404 page is drawn for them, not as signed out.
            guard let identity = context.identity, identity.session != nil, !ErrorMiddleware.isAPI(request.uri.path) else { throw error }
            throw SignedInError(underlying: error, identity: identity)
        }
    }

    static let unsubscribePath = "/api/v1/notifications/unsubscribe/"

    static let csrfFailed = APIError(
        .forbidden, "csrf_failed", "The request's CSRF token is missing or wrong; reload the page and try again.")

    static func isForm(_ request: Request) -> Bool {
        request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") ?? false
    }

    static func bearerToken(_ request: Request) -> String? {
        guard let value = request.headers[.authorization], value.lowercased().hasPrefix("bearer ") else { return nil }
        return value.dropFirst(7).trimmingCharacters(in: .whitespaces)
    }

    /// The bearer token's identity, from the session cache under a key of its own (a token's value sent as a cookie
    /// never finds it) or from the database. A cached token's last use is written when its entry is next rebuilt,
    /// so `last_used_at` lags by up to the cache lifetime plus the minute ``APITokenStore`` allows.
    private func tokenIdentity(_ bearer: String) async throws -> Identity {
        let hash = SecureToken.sha256("bearer " + bearer)
        if let cached = sessionCache.identity(tokenHash: hash) { return cached }
        let epoch = sessionCache.changes.epoch
        let identity = try await Offload.run { () -> Identity? in
            switch try apiTokens.authenticate(bearer) {
            case .unknown: return nil
            case .expired: throw APIError(.unauthorized, "token_expired", "This token has expired; create a new one.")
            case .valid(let token):
                guard let user = try accounts.user(id: token.userID), user.status.canSignIn else { return nil }
                let (grants, twoFactor) = try signIn.standing(userID: user.id)
                return Identity(
                    user: user, session: nil, token: token, grants: grants, twoFactorEnabled: twoFactor,
                    twoFactorRequired: configuration.requireTwoFactorForPrivileged)
            }
        }
        guard let identity else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"psc\", error=\"invalid_token\""
            throw APIError(.unauthorized, "invalid_token", "This token is unknown or revoked.", headers: headers)
        }
        sessionCache.store(identity, tokenHash: hash, epoch: epoch)
        return identity
    }

    func resolve(sessionToken token: String) throws -> Identity? {
        guard let session = try sessions.session(token: token), let user = try accounts.user(id: session.userID),
            user.status.canSignIn
        else { return nil }
        let (grants, twoFactor) = try signIn.standing(userID: user.id)
        let identity = Identity(
            user: user, session: session, token: nil, grants: grants, twoFactorEnabled: twoFactor,
            twoFactorRequired: configuration.requireTwoFactorForPrivileged)
        try sessions.touch(session, lifetime: SessionLifetime.of(remember: session.remember, privileged: identity.privileged))
        return identity
    }

    private func checkOrigin(_ request: Request) throws {
        if request.headers[.secFetchSite]?.lowercased() == "cross-site" {
            throw APIError(.forbidden, "csrf_failed", "Requests from other sites are not accepted.")
        }
        guard let origin = request.headers[.origin] else { return }
        if origin.lowercased() != request.siteOrigin(configuration).lowercased() {
            throw APIError(.forbidden, "csrf_failed", "Requests from other sites are not accepted.")
        }
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
    /// The caller when the access level admits them: 401 without credentials; 403 when the account may not, when a
    /// token lacks the route's scope (`scope` nil: the route takes no tokens), or when an admin or grant holder has
    /// not set up the two-factor authentication the configuration requires (routes of the enrolment itself pass
    /// `enrolling`).
    func require(_ access: Access, scope: String? = nil, enrolling: Bool = false) throws -> Identity {
        guard let identity else {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "Bearer realm=\"psc\""
            throw APIError(.unauthorized, "unauthenticated", "Sign in to continue.", headers: headers)
        }
        if let token = identity.token {
            guard let scope, token.scopes.contains(scope) else {
                throw APIError(.forbidden, "scope_missing", "This token's scopes do not allow this request.")
            }
        }
        if !enrolling, identity.mustEnrolTwoFactor, identity.session != nil {
            throw APIError(.forbidden, "forbidden", "Set up two-factor authentication to continue (Account security).")
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

    /// For the `/auth/*` and `/security/*` routes that only a browser session reaches (00-conventions §3.2).
    func requireSession(_ access: Access = .signedIn, enrolling: Bool = false) throws -> (Identity, SessionRecord) {
        let identity = try require(access, scope: "", enrolling: enrolling)
        guard let session = identity.session else {
            throw APIError(.forbidden, "scope_missing", "Tokens cannot use this route; sign in with a browser session.")
        }
        return (identity, session)
    }

    /// Routes that change passwords, second factors or tokens need a check within the last 10 minutes (§3.1).
    func requireRecentAuth(_ session: SessionRecord, now: Date = Date()) throws {
        guard Self.recentlyAuthenticated(session, now: now) else {
            throw APIError(
                .forbidden, "recent_auth_required", "Confirm it is you: enter your password or a code again (POST /auth/reauthenticate).")
        }
    }
}

extension AppRequestContext {
    /// Whether the session passed a password or second-factor check in the last 10 minutes (00-conventions §3.1).
    static func recentlyAuthenticated(_ session: SessionRecord, now: Date = Date()) -> Bool {
        guard let recent = session.recentAuthAt.flatMap(Timestamp.date(from:)) else { return false }
        return now.timeIntervalSince(recent) < 600
    }
}

/// An error thrown under a signed-in page request, with who was signed in (see ``SessionMiddleware``).
struct SignedInError: Error {
    let underlying: any Error
    let identity: Identity
}
