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

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are at most 1 MiB (00-conventions §4).
    public var maxUploadSize: Int { 1 << 20 }
}

/// Who is calling: the signed-in account, its session and its grants, as one request sees them.
public struct Identity: Sendable {
    public let user: UserRecord
    public let session: SessionRecord
    public let grants: [Grant]
}
