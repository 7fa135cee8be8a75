import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// ADM-11 (10-api §22): service API keys for integrations, each with its own service account, scopes and a monthly
/// call allowance that ``SessionMiddleware`` counts on every call.
struct ServiceKeyRoutes: FeatureRoutes {
    let apiTokens: APITokenStore

    /// Any scope a member's token may hold except `admin`: a service account is never an admin.
    static let scopes = TokenRoutes.scopes.filter { $0 != "admin" }
    static let roles = ["staff", "employer"]

    static func body(_ key: APITokenStore.ServiceKey) -> JSONValue {
        var body = TokenRoutes.body(key.record).objectValue ?? [:]
        body["organization"] = .string(key.organization)
        body["max_api_calls"] = .int(key.maxCalls)
        body["api_calls_used"] = .int(key.callsUsed)
        return .object(body)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let apiTokens = apiTokens
        catalog.add(
            RouteSpec(
                id: "ADM-11", .get, "/api/v1/admin/api-keys", summary: "Service API keys with this month's calls", tag: "Administration",
                access: .member(scope: "admin"), responses: [200: ("The keys", "ServiceKeyList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let keys = try await Offload.run { try apiTokens.serviceKeys() }
            return JSONResponse.make(["items": .array(keys.map(Self.body))])
        }
        catalog.add(
            RouteSpec(
                id: "ADM-11", .post, "/api/v1/admin/api-keys", summary: "Create a service API key (shown once)", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("10/h"),
                body: .object([
                    "name": FieldRule.text(1...60).required, "organization": FieldRule.text(1...120).required,
                    "service_role": FieldRule.choice(Self.roles).required,
                    "scopes": FieldRule.choices(Self.scopes, max: Self.scopes.count).required,
                    "max_api_calls": FieldRule.integer(1...1_000_000_000).required, "expires_at": .instant,
                ]),
                responses: [
                    201: ("Created; `key` is shown this once", "ServiceKeyCreated"),
                    403: ("Not an admin, or no recent authentication", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try PeopleAdminRoutes.recentAdmin(context)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let name = reader.text("name", 1...60, nil, required: true) ?? ""
            let organization = reader.text("organization", 1...120, nil, required: true) ?? ""
            let role = reader.choice("service_role", Self.roles, nil, required: true).flatMap(Role.init(rawValue:)) ?? .staff
            let scopes = reader.strings("scopes", maxCount: Self.scopes.count, eachLength: 1...40, [])
            if scopes.isEmpty || !scopes.allSatisfy(Self.scopes.contains) {
                reader.problem("scopes", "must name one or more of \(Self.scopes.joined(separator: ", "))")
            }
            let maxCalls = reader.integer("max_api_calls", 1...1_000_000_000, nil)
            if maxCalls == nil { reader.problem("max_api_calls", "is required") }
            let expires = reader.time("expires_at", nil)
            if let expires, expires <= Date() { reader.problem("expires_at", "must be in the future") }
            try reader.validate()
            let audit = context.auditEntry("api_key.created", target: ("api_token", nil), severity: .warning)
            let (key, created) = try await Offload.run {
                try apiTokens.createServiceKey(
                    name: name, organization: organization, role: role, scopes: scopes, maxCalls: maxCalls ?? 1,
                    expiresAt: expires.map(Timestamp.string(from:)), audit: audit)
            }
            var body = Self.body(created).objectValue ?? [:]
            body["key"] = .string(key)
            return JSONResponse.make(.object(body), status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "ADM-11", .delete, "/api/v1/admin/api-keys/{id}", summary: "Revoke a service API key", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("10/h"),
                responses: [204: ("Revoked", nil), 403: ("Not an admin, or no recent authentication", "Error")]),
            to: router
        ) { _, context in
            _ = try PeopleAdminRoutes.recentAdmin(context)
            let id = try context.positiveID(notFound: "There is no such key.")
            let audit = context.auditEntry("api_key.revoked", target: ("api_token", id), severity: .warning)
            guard try await Offload.run({ try apiTokens.revokeServiceKey(id: id, audit: audit) }) else {
                throw APIError.notFound("There is no such key.")
            }
            return Response(status: .noContent)
        }
    }
}
