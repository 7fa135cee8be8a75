import HTTPTypes
import Hummingbird
import PSCCore
import Synchronization

/// Which rate-limit budget a route draws on (00-conventions §8).
public enum RouteLimit: Sendable, Equatable {
    /// The shared default of API routes: 600 per 5 min per user, 300 per 5 min per IP when anonymous.
    case api
    /// The shared budget of HTML pages: 600 per 5 min per key.
    case page
    /// The route's own limits, written like the `Limit` column (`"60/min"`), in a bucket of its own.
    case own(String)
    case none
}

/// A route's request body: for JSON the type the handler decodes, whose fields the OpenAPI document lists; for the
/// upload routes a file in a multipart form.
public struct RequestBody: Sendable {
    let type: ObjectIdentifier
    let typeName: String
    let contentType: String
    let schema: @Sendable () -> JSONValue

    public static func json<T: Decodable>(_ type: T.Type) -> RequestBody {
        RequestBody(type: ObjectIdentifier(type), typeName: String(describing: type), contentType: "application/json") {
            BodySchema.of(type)
        }
    }

    static let multipartFile = RequestBody(
        type: ObjectIdentifier(MultipartForm.self), typeName: "MultipartForm", contentType: "multipart/form-data"
    ) { ["type": "object", "properties": ["file": ["type": "string", "format": "binary"]]] }
}

/// One route as the spec names it, with what the OpenAPI document says about it.
public struct RouteSpec: Sendable {
    public let id: String
    public let method: HTTPRequest.Method
    /// Template with `{name}` parameters, as in the spec and OpenAPI.
    public let path: String
    public let summary: String
    public let tag: String
    /// Status → (description, response schema reference or nil).
    public let responses: [Int: (String, String?)]
    public let queryParameters: [(name: String, schema: JSONValue, description: String)]
    public let limit: RouteLimit
    /// The JSON body the handler decodes, when it decodes one with `decodeJSON`.
    public let body: RequestBody?

    public init(
        id: String, _ method: HTTPRequest.Method, _ path: String, summary: String, tag: String,
        limit: RouteLimit = .api, body: RequestBody? = nil, responses: [Int: (String, String?)],
        queryParameters: [(name: String, schema: JSONValue, description: String)] = []
    ) {
        self.body = body
        self.id = id
        self.method = method
        self.path = path
        self.summary = summary
        self.tag = tag
        self.responses = responses
        self.queryParameters = queryParameters
        self.limit = limit
    }

    var pathParameters: [String] {
        path.split(separator: "/").compactMap { segment in
            segment.hasPrefix("{") && segment.hasSuffix("}") ? String(segment.dropFirst().dropLast()) : nil
        }
    }

    /// Whether a concrete path fits this template (any value in a parameter segment).
    func matches(_ concrete: String) -> Bool {
        let template = path.split(separator: "/", omittingEmptySubsequences: true)
        let actual = concrete.split(separator: "/", omittingEmptySubsequences: true)
        guard template.count == actual.count else { return false }
        return zip(template, actual).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
    }
}

/// Every route the server answers. Routes are added only through ``RouteCatalog/add(_:to:handler:)``, so the
/// OpenAPI document and the `405 Allow` list are built from the same table the router is.
public final class RouteCatalog: Sendable {
    private let routes = Mutex<[RouteSpec]>([])
    /// "METHOD template" → route, for the per-request lookups of the rate limiter.
    private let byEndpoint = Mutex<[String: RouteSpec]>([:])

    public init() {}

    public var all: [RouteSpec] { routes.withLock { $0 } }

    /// Registers the route with the router and records it.
    public func add(
        _ spec: RouteSpec, to router: Router<AppRequestContext>,
        handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
    ) {
        routes.withLock { $0.append(spec) }
        byEndpoint.withLock { $0["\(spec.method.rawValue) \(spec.path)"] = spec }
        router.on(RouterPath(spec.path), method: spec.method) { request, context in
            var context = context
            context.route = spec
            return try await handler(request, context)
        }
    }

    /// The route a matched request went to, from its method and template; HEAD finds the GET route.
    public func route(method: HTTPRequest.Method, template: String) -> RouteSpec? {
        let name = method == .head ? "GET" : method.rawValue
        return byEndpoint.withLock { $0["\(name) \(template)"] }
    }

    /// The methods some route answers at this path; GET implies HEAD.
    public func allowedMethods(for path: String) -> [String] {
        var methods = Set(routes.withLock { $0.filter { $0.matches(path) }.map(\.method.rawValue) })
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted()
    }
}
