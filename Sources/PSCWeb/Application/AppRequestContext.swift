import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// The per-request context: Hummingbird's core storage plus what the middleware chain fills in.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer's address (without port); nil for a Unix socket or in router tests.
    public let remoteAddress: String?
    /// Set by ``RequestIDMiddleware``; echoed in `X-Request-Id` and in error bodies.
    public var requestID: String = ""
    /// Set by ``SessionMiddleware`` when the request carries a live session cookie.
    public var identity: Identity?
    /// The declared route the router matched, set by ``RouteCatalog``: `decodeJSON` checks the body type against it.
    public var route: RouteSpec?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are at most 1 MiB (00-conventions §4).
    public var maxUploadSize: Int { 1 << 20 }
}

/// Who is calling: the signed-in account, the session or bearer token it came with, and its grants, as one request
/// sees them.
public struct Identity: Sendable {
    public let user: UserRecord
    /// The cookie session; nil for a bearer token.
    public let session: SessionRecord?
    /// The personal access token; nil for a cookie session.
    public let token: APITokenRecord?
    public let grants: [Grant]
    /// TOTP confirmed or a passkey registered (20-services §4.4).
    public let twoFactorEnabled: Bool
    /// `security.require_2fa_for_admins` as the request saw it.
    let twoFactorRequired: Bool

    /// The caller as the rules in PSCCore see them.
    public var actor: Actor {
        Actor(userID: user.id, role: user.role, departmentID: user.departmentID, companyID: user.companyID, grants: grants)
    }

    /// Admins and grant holders: shorter sessions, and two-factor required when the configuration says so.
    public var privileged: Bool { Actor.privileged(role: user.role, grants: grants) }
    /// Whether the role or a grant gives the permission (admins hold every one).
    public func has(_ permission: Permission) -> Bool { actor.has(permission) }

    /// A privileged account without a second factor while the configuration requires one: only enrolment is open.
    public var mustEnrolTwoFactor: Bool { twoFactorRequired && privileged && !twoFactorEnabled }
}
