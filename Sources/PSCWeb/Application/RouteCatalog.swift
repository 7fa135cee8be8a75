import HTTPTypes
import Hummingbird
import PSCCore
import PSCStore
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

/// Who may call a route (00-conventions §2 and the token scopes of each 10-api group). The catalog checks it before
/// the handler runs, so the document's security cannot promise less than the route enforces; the handler then checks
/// what only it can see (account standing, roles, grants, ownership).
public enum RouteAccess: Sendable, Equatable {
    /// `anon`: no credentials needed; a signed-in caller may see more.
    case anyone
    /// Signed in with a browser session; tokens are refused (the `/auth` and `/security` routes, 00-conventions §3.2).
    case session
    /// Signed in with a session, or with a token that holds `scope`.
    case member(scope: String)
}

/// A route's request body: for JSON the type the handler decodes (whose fields the OpenAPI document lists) or, for the
/// routes that read fields one by one to tell an absent key from `null`, the fields themselves; with the spec's limits
/// per field, which the body reader enforces. For the upload routes a file in a multipart form.
public struct RequestBody: Sendable {
    let type: ObjectIdentifier?
    let typeName: String
    let contentType: String
    let fields: [String: FieldRule]
    private let recorded: @Sendable () -> JSONValue

    public static func json<T: Decodable>(_ type: T.Type, fields: [String: FieldRule] = [:]) -> RequestBody {
        RequestBody(
            type: ObjectIdentifier(type), typeName: String(describing: type), contentType: "application/json", fields: fields
        ) { BodySchema.of(type) }
    }

    /// A JSON object read field by field (`FieldReader`): the rules are the whole declaration.
    public static func object(_ fields: [String: FieldRule]) -> RequestBody {
        RequestBody(type: nil, typeName: "JSON object", contentType: "application/json", fields: fields) {
            ["type": "object", "properties": [:]]
        }
    }

    static let multipartFile = RequestBody(
        type: ObjectIdentifier(MultipartForm.self), typeName: "MultipartForm", contentType: "multipart/form-data", fields: [:]
    ) { ["type": "object", "properties": ["file": ["type": "string", "format": "binary"]]] }

    /// The fields a declared type decodes, by client name (empty for object bodies).
    var decodedFields: Set<String> {
        guard type != nil, case .object(let properties)? = recorded()["properties"] else { return [] }
        return Set(properties.keys)
    }

    /// The JSON Schema: the recorded type's fields with each rule's limits laid over them.
    func schema() -> JSONValue {
        guard case .object(var schema) = recorded() else { return recorded() }
        var properties = schema["properties"]?.objectValue ?? [:]
        var required = Set((schema["required"]?.arrayValue ?? []).compactMap(\.stringValue))
        for (name, rule) in fields {
            var property = properties[name]?.objectValue ?? [:]
            for (keyword, value) in rule.schema { property[keyword] = value }
            properties[name] = .object(property)
            if rule.isRequired { required.insert(name) }
        }
        schema["properties"] = .object(properties)
        if !required.isEmpty { schema["required"] = .array(required.sorted().map(JSONValue.string)) }
        return .object(schema)
    }
}

/// A query parameter a route reads, as the document lists it, its schema spelt as the body fields' (``FieldRule``).
/// Any route reading one may refuse a bad value (422, naming it); a route reading `cursor` refuses one it did not give
/// (400 `invalid_cursor`).
public struct QueryParameter: Sendable {
    public let name: String
    public let schema: JSONValue
    public let description: String

    public init(_ name: String, _ schema: JSONValue, _ description: String) {
        self.name = name
        self.schema = schema
        self.description = description
    }

    public static func text(_ name: String, max: Int, _ description: String) -> QueryParameter {
        QueryParameter(name, .object(FieldRule.text(max: max).schema), description)
    }
    public static func choice(_ name: String, _ values: [String], _ description: String) -> QueryParameter {
        QueryParameter(name, .object(FieldRule.choice(values).schema), description)
    }
    public static func id(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name, .object(FieldRule.id.schema), description)
    }
    public static func integer(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name, ["type": "integer"], description)
    }
    public static func boolean(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name, .object(FieldRule.boolean.schema), description)
    }
    public static func instant(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name, .object(FieldRule.instant.schema), description)
    }
    public static func date(_ name: String, _ description: String) -> QueryParameter {
        QueryParameter(name, ["type": "string", "format": "date"], description)
    }
}

extension [QueryParameter] {
    /// The cursor and page size of a cursor page (00-conventions §6).
    public static func page(defaultLimit: Int = 20, maxLimit: Int = 100) -> Self {
        [
            QueryParameter("cursor", ["type": "string"], "The next_cursor of the previous page"),
            QueryParameter(
                "limit", ["type": "integer", "minimum": 1, "default": .int(Int64(defaultLimit))],
                "Items per page; larger values are clamped to \(maxLimit)"),
        ]
    }
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
    public let queryParameters: [QueryParameter]
    public let limit: RouteLimit
    /// The JSON body the handler decodes, when it decodes one with `decodeJSON`.
    public let body: RequestBody?
    public let access: RouteAccess

    public init(
        id: String, _ method: HTTPRequest.Method, _ path: String, summary: String, tag: String, access: RouteAccess = .anyone,
        limit: RouteLimit = .api, body: RequestBody? = nil, query queryParameters: [QueryParameter] = [],
        responses: [Int: (String, String?)]
    ) {
        self.body = body
        self.access = access
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
    /// The flags that switch modules off (20-services §1); set once before the routes are added.
    private let flags = Mutex<FeatureFlagStore?>(nil)

    public init() {}

    public var all: [RouteSpec] { routes.withLock { $0 } }

    /// Gates every route the flag rules name (``FeatureFlagRules/gate(forRoute:)``) on the caller's evaluation.
    public func gate(with flags: FeatureFlagStore) { self.flags.withLock { $0 = flags } }

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
            switch spec.access {
            case .anyone: break
            case .session: _ = try context.requireSession(enrolling: true)
            case .member(let scope): _ = try context.require(.signedIn, scope: scope, enrolling: true)
            }
            if let name = FeatureFlagRules.gate(forRoute: spec.id), let flags = self.flags.withLock({ $0 }),
                !flags.isOn(name, for: context.identity?.flagCaller)
            {
                // A page of a switched-off module is not there for this person; its API says why.
                if spec.id.hasPrefix("PAGE-") { throw APIError.notFound("There is no such page.") }
                throw APIError(.forbidden, "feature_disabled", "This feature is switched off.")
            }
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
