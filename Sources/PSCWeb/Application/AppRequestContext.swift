import Hummingbird
import NIOCore

/// The per-request context: Hummingbird's core storage plus what the middleware chain fills in.
public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The socket peer's address (without port); nil for a Unix socket or in router tests.
    public let remoteAddress: String?
    /// Set by ``RequestIDMiddleware``; echoed in `X-Request-Id` and in error bodies.
    public var requestID: String = ""

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress?.ipAddress
    }

    /// JSON bodies are at most 1 MiB (00-conventions §4).
    public var maxUploadSize: Int { 1 << 20 }
}
