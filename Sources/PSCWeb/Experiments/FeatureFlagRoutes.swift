import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// FLG-1..6 (10-api §18): evaluation for the caller, and the admins' definitions. Every write goes through
/// ``FeatureFlagStore``, which replaces the in-process copy before it returns, so the next request sees the change.
struct FeatureFlagRoutes: FeatureRoutes {
    let flags: FeatureFlagStore

    static let roles = Role.allCases.map(\.rawValue)

    static func fields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "description": creating ? FieldRule.text(1...500).required : .text(1...500), "enabled": .boolean,
            "rollout_percentage": .number(0...100), "target_users": .ids(max: 1000), "target_roles": .choices(roles, max: 6, min: 0),
        ]
        if creating { fields["name"] = FieldRule.text(2...64).required }
        return fields
    }

    /// The changed fields laid over `current`, every problem collected.
    static func read(_ reader: inout FieldReader, over current: FeatureFlagFields) -> FeatureFlagFields {
        var fields = current
        fields.description = reader.text("description", 1...500, current.description, required: true) ?? current.description
        fields.enabled = reader.flag("enabled", current.enabled)
        fields.rolloutPercentage = reader.number("rollout_percentage", 0...100, current.rolloutPercentage) ?? current.rolloutPercentage
        fields.targetUsers = reader.ids("target_users", maxCount: 1000, current.targetUsers)
        fields.targetRoles = reader.strings("target_roles", maxCount: 6, eachLength: 1...20, current.targetRoles.map(\.rawValue))
            .compactMap { name in
                guard let role = Role(rawValue: name) else {
                    reader.problem("target_roles", "must name roles among \(roles.joined(separator: ", "))")
                    return nil
                }
                return role
            }
        return fields
    }

    static func failure(_ error: ExperimentError, _ name: String) -> APIError {
        switch error {
        case .notFound: APIError.notFound("There is no flag named \(name).")
        case .conflict(let code, let message): APIError(.conflict, code, message)
        }
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let flags = flags
        catalog.add(
            RouteSpec(
                id: "FLG-1", .get, "/api/v1/feature-flags", summary: "Every flag as it answers for the caller", tag: "Feature flags",
                responses: [200: ("The caller's flags", "FlagEvaluations")]),
            to: router
        ) { _, context in
            let caller = context.identity?.flagCaller
            var answers: [String: JSONValue] = [:]
            for flag in flags.all { answers[flag.name] = .bool(FeatureFlagRules.evaluate(flag, for: caller).enabled) }
            return JSONResponse.make(["user_id": caller.map { .int($0.userID) } ?? .null, "flags": .object(answers)])
        }
        catalog.add(
            RouteSpec(
                id: "FLG-2", .get, "/api/v1/feature-flags/check/{flag_name}", summary: "One flag for the caller, with the reason",
                tag: "Feature flags", responses: [200: ("The evaluation", "FlagCheck")]),
            to: router
        ) { _, context in
            let name = context.parameters.get("flag_name") ?? ""
            let result = flags.evaluate(name, for: context.identity?.flagCaller)
            return JSONResponse.make(["flag": .string(name), "enabled": .bool(result.enabled), "reason": .string(result.reason.rawValue)])
        }
        catalog.add(
            RouteSpec(
                id: "FLG-3", .post, "/api/v1/feature-flags", summary: "Create a flag", tag: "Feature flags",
                access: .member(scope: "admin"),
                limit: .own("10/h"), body: .object(Self.fields(creating: true)),
                responses: [
                    201: ("Created", "FlagSaved"), 403: ("Not an admin", "Error"), 409: ("The name is taken", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let name = reader.text("name", 2...64, nil, required: true) ?? ""
            if problems["name"] == nil, !name.isEmpty, !FeatureFlagRules.isName(name) {
                reader.problem("name", "must be 2 to 64 lowercase letters, digits or underscores")
            }
            let fields = Self.read(&reader, over: FeatureFlagFields(description: ""))
            try reader.validate()
            let audit = context.auditEntry("flag.created", target: ("feature_flag", nil), severity: .warning)
            do {
                let flag = try await Offload.run {
                    try flags.create(name: name, fields: fields, by: identity.user.id, audit: audit.withTarget(name))
                }
                var body = flag.json.objectValue ?? [:]
                body["message"] = "Feature flag created"
                return JSONResponse.make(.object(body), status: .created)
            } catch let error as ExperimentError { throw Self.failure(error, name) }
        }
        catalog.add(
            RouteSpec(
                id: "FLG-4", .put, "/api/v1/feature-flags/{flag_name}", summary: "Change a flag", tag: "Feature flags",
                access: .member(scope: "admin"), limit: .own("20/h"), body: .object(Self.fields(creating: false)),
                responses: [
                    200: ("Changed, in effect at once", "FlagSaved"), 403: ("Not an admin", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let name = context.parameters.get("flag_name") ?? ""
            guard let current = flags.flag(named: name) else { throw APIError.notFound("There is no flag named \(name).") }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let fields = Self.read(&reader, over: FeatureFlagFields(current))
            try reader.validate()
            let audit = context.auditEntry("flag.updated", target: ("feature_flag", nil), severity: .warning).withTarget(name)
            do {
                let flag = try await Offload.run {
                    try flags.update(name: name, change: { _ in fields }, by: identity.user.id, audit: audit)
                }
                var body = flag.json.objectValue ?? [:]
                body["message"] = "Feature flag updated"
                return JSONResponse.make(.object(body))
            } catch let error as ExperimentError { throw Self.failure(error, name) }
        }
        catalog.add(
            RouteSpec(
                id: "FLG-5", .delete, "/api/v1/feature-flags/{flag_name}", summary: "Delete a flag", tag: "Feature flags",
                access: .member(scope: "admin"), limit: .own("5/h"),
                responses: [200: ("Deleted (200 for old clients)", "Accepted"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let name = context.parameters.get("flag_name") ?? ""
            let audit = context.auditEntry("flag.deleted", target: ("feature_flag", nil), severity: .warning).withTarget(name)
            do {
                try await Offload.run { try flags.delete(name: name, audit: audit) }
            } catch let error as ExperimentError { throw Self.failure(error, name) }
            return JSONResponse.make(["message": "Feature flag deleted"])
        }
        catalog.add(
            RouteSpec(
                id: "FLG-6", .get, "/api/v1/admin/feature-flags", summary: "Every flag's definition", tag: "Feature flags",
                access: .member(scope: "admin"),
                query: [
                    .text("q", max: 100, "Part of a name or description"), .choice("state", ["all", "enabled", "disabled"], "Which flags"),
                ],
                responses: [200: ("The flags", "FlagList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let query = QueryReader(request)
            let found = flags.list(query: query.text("q", max: 100), state: try query.choice("state", ["all", "enabled", "disabled"]))
            return JSONResponse.make(["items": .array(found.map(\.json))])
        }
    }
}

extension AuditEntry {
    /// The entry about an item named by text rather than an id.
    func withTarget(_ name: String) -> AuditEntry {
        var entry = self
        entry.targetID = name
        return entry
    }
}

extension FeatureFlag {
    /// The Flag of the API (FLG-3, FLG-4, FLG-6), also what `psc-admin flags` prints.
    public var json: JSONValue {
        [
            "name": .string(name), "description": .string(description), "enabled": .bool(enabled),
            "rollout_percentage": .decimal(rolloutPercentage, places: 2), "target_users": .array(targetUsers.map(JSONValue.int)),
            "target_roles": .array(targetRoles.map { .string($0.rawValue) }), "updated_at": .string(updatedAt),
            "updated_by": updatedBy.map(JSONValue.int) ?? .null,
        ]
    }
}
