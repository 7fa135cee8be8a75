import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// AUTH-18, AUTH-19 and AUTH-20 (10-api §2): personal access tokens, made only from a browser session with a
/// recent password or code check, shown once.
struct TokenRoutes: FeatureRoutes {
    let apiTokens: APITokenStore

    static let scopes = [
        "profile:read", "profile:write", "content:read", "content:write", "messages:read", "messages:write", "notifications:read",
        "notifications:write", "applications:read", "applications:write", "manage", "analytics:read", "admin", "metrics:read",
    ]

    struct NewToken: Decodable {
        let name: String
        let scopes: [String]
        let expiresInDays: Int?
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "AUTH-18", .get, "/api/v1/auth/tokens", summary: "My tokens", tag: "Auth", access: .session,
                responses: [200: ("Tokens, newest first", "TokenList")]),
            to: router
        ) { _, context in
            let (identity, _) = try context.requireSession(.active)
            let tokens = apiTokens
            let items = try await Offload.run { try tokens.tokens(userID: identity.user.id) }
            return JSONResponse.make(["items": .array(items.map(Self.body))])
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-19", .post, "/api/v1/auth/tokens", summary: "Create a token", tag: "Auth", access: .session, limit: .own("10/h"),
                body: .json(
                    NewToken.self,
                    fields: [
                        "name": FieldRule.text(1...60).required, "scopes": FieldRule.texts(max: 12, each: 1...40).required,
                        "expires_in_days": .integer(1...365),
                    ]),
                responses: [
                    201: ("The token, shown once", "NewToken"), 403: ("Recent authentication required", "Error"),
                    422: ("Invalid name, scopes or lifetime", "Error"),
                ]),
            to: router, handler: create)
        catalog.add(
            RouteSpec(
                id: "AUTH-20", .delete, "/api/v1/auth/tokens/{id}", summary: "Revoke a token", tag: "Auth", access: .session,
                responses: [204: ("Revoked", nil), 404: ("Not one of your tokens", "Error")]),
            to: router
        ) { request, context in
            let (identity, _) = try context.requireSession(.active)
            let id = try context.positiveID(notFound: "There is no such token.")
            let (tokens, origin) = (apiTokens, request.origin(context))
            guard try await Offload.run({ try tokens.revoke(id: id, userID: identity.user.id, origin: origin) }) else {
                throw APIError.notFound("There is no such token.")
            }
            return Response(status: .noContent)
        }
    }

    @Sendable func create(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, session) = try context.requireSession(.active)
        try context.requireRecentAuth(session)
        let body = try await request.decodeJSON(as: NewToken.self, context: context)
        var problems: [String: [String]] = [:]
        let name = body.name.trimmingCharacters(in: .whitespaces)
        if !(1...60).contains(name.count) { problems["name", default: []].append("must be 1 to 60 characters") }
        let scopes = Array(Set(body.scopes)).sorted()
        if !(1...12).contains(scopes.count) { problems["scopes", default: []].append("choose 1 to 12 scopes") }
        for scope in scopes {
            if !Self.scopes.contains(scope) {
                problems["scopes", default: []].append("'\(scope)' is not a scope")
            } else if !Self.allows(scope, for: identity) {
                problems["scopes", default: []].append("'\(scope)' is not allowed for your account")
            }
        }
        let days = body.expiresInDays ?? 90
        if !(1...365).contains(days) { problems["expires_in_days", default: []].append("must be 1 to 365") }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let origin = request.origin(context)
        let (token, record) = try await Offload.run {
            try apiTokens.create(userID: identity.user.id, name: name, scopes: scopes, validFor: days, origin: origin)
        }
        guard case .object(var fields) = Self.body(record) else { return Response(status: .internalServerError) }
        fields["token"] = .string(token)
        var response = JSONResponse.make(.object(fields), status: .created)
        response.headers[.location] = "/api/v1/auth/tokens/\(record.id)"
        return response
    }

    /// 10-api AUTH-19: `admin` and `metrics:read` need an admin, `analytics:read` an admin or a holder of
    /// `view_analytics` or `access_reports`, `manage` a role or grant with a management right.
    static func allows(_ scope: String, for identity: Identity) -> Bool {
        let admin = identity.user.role == .admin
        let permissions = Set(identity.grants.flatMap(\.capability.permissions))
        switch scope {
        case "admin", "metrics:read": return admin
        case "analytics:read": return admin || permissions.contains(.viewAnalytics) || permissions.contains(.accessReports)
        case "manage":
            let managing: Set<Permission> = [
                .manageEvents, .manageJobs, .manageScholarships, .manageWebinars, .managePartnerships, .sendAnnouncements,
            ]
            return [.admin, .faculty, .staff, .employer].contains(identity.user.role) || !permissions.isDisjoint(with: managing)
        default: return true
        }
    }

    /// A Token of AUTH-18.
    static func body(_ token: APITokenRecord) -> JSONValue {
        [
            "id": .int(token.id), "name": .string(token.name), "prefix": .string(token.prefix), "kind": .string(token.kind),
            "scopes": .array(token.scopes.map(JSONValue.string)), "created_at": .string(token.createdAt),
            "last_used_at": token.lastUsedAt.map(JSONValue.string) ?? .null, "expires_at": token.expiresAt.map(JSONValue.string) ?? .null,
        ]
    }
}
