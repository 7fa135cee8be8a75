import Foundation
import Hummingbird
import Logging
import PSCCore
import ServiceLifecycle
import Synchronization

/// The plain-HTTP port beside psc's own HTTPS (`http.redirect_port`): every request gets a 308 to the same path and
/// query on the https origin, except certbot's webroot challenges (`/.well-known/acme-challenge/<token>`), served from
/// `http.acme_webroot` so a certificate can be issued and renewed while psc runs.
struct RedirectMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    /// `https://host[:port]` from `http.public_origin`; nil: the request's host with the HTTPS port.
    let origin: String?
    /// The HTTPS port once bound (the configured one may be 0).
    let httpsPort: BoundPort
    let webroot: String?

    static let challengePrefix = "/.well-known/acme-challenge/"

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        if path.hasPrefix(Self.challengePrefix) {
            let token = String(path.dropFirst(Self.challengePrefix.count))
            // Tokens are base64url; anything else (a slash, dots) never reaches the file system.
            guard let webroot, !token.isEmpty, token.count <= 256,
                token.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }),
                let data = FileManager.default.contents(atPath: webroot + Self.challengePrefix + token)
            else { return Response(status: .notFound, body: .init(byteBuffer: ByteBuffer(string: "no such challenge\n"))) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
        let target =
            (origin ?? Self.origin(host: request.head.authority, port: httpsPort.value))
            + path + (request.uri.query.map { "?" + $0 } ?? "")
        return Response(status: .permanentRedirect, headers: [.location: target, .contentLength: "0"])
    }

    /// `https://` and the request's host (without its port) and the HTTPS port, left out when it is 443.
    static func origin(host: String?, port: Int) -> String {
        var name = host ?? "localhost"
        if name.hasPrefix("[") {
            name = String(name.prefix { $0 != "]" }) + "]"
        } else if let colon = name.firstIndex(of: ":") {
            name = String(name[..<colon])
        }
        return "https://" + name + (port == 443 ? "" : ":\(port)")
    }
}

/// The redirect port's application: one middleware, no routes.
public func buildRedirectApplication(configuration: Configuration, httpsPort: BoundPort, logger: Logger) -> (any Service)? {
    guard let port = configuration.integer("http.redirect_port") else { return nil }
    let router = Router()
    let origin = configuration.publicOrigin.flatMap { $0.hasPrefix("https://") ? String($0.trimmingCharacters(in: ["/"])) : nil }
    router.add(middleware: RedirectMiddleware(origin: origin, httpsPort: httpsPort, webroot: configuration.string("http.acme_webroot")))
    return Application(
        router: router, configuration: .init(address: .hostname(configuration.host, port: port), serverName: nil), logger: logger)
}

/// The port the HTTPS server bound, set when it starts listening.
public final class BoundPort: Sendable {
    private let port: Atomic<Int>
    public init(_ port: Int) { self.port = Atomic(port) }
    public var value: Int { port.load(ordering: .relaxed) }
    public func set(_ value: Int) { port.store(value, ordering: .relaxed) }
}
