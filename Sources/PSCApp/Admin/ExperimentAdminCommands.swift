import Foundation
import PSCCore
import PSCStore
import PSCWeb

/// `psc-admin flags …` (20-services §1): the same store the API and the flag page write through, so a change here
/// is in effect for the next request.
extension AdminCommands {
    static let experimentUsage: [String: String] = [
        "flags":
            "flags list | set NAME [--description TEXT] [--enabled true|false] [--rollout PERCENT] [--roles R1,R2] [--users ID1,ID2]"
            + " | enable NAME | disable NAME | rollout NAME PERCENT"
    ]

    func flags(_ args: [String]) throws -> JSONValue {
        let flags = platform.experiments.flags
        let audit = { (action: String, name: String) in
            AuditEntry(actorKind: .adminSocket, action: action, targetType: "feature_flag", targetID: name, severity: .warning)
        }
        func update(_ name: String, _ change: @escaping (FeatureFlagFields) -> FeatureFlagFields) throws -> JSONValue {
            do {
                return try flags.update(name: name, change: change, by: nil, audit: audit("flag.updated", name)).json
            } catch ExperimentError.notFound { throw Failure("not_found", "no flag named \(name); see psc-admin flags list") }
        }
        func rollout(_ text: String) throws -> Double {
            guard let value = Double(text), (0...100).contains(value), ABTestRules.hasTwoDecimals(value) else {
                throw Failure("bad_arguments", "the rollout is a percentage from 0 to 100 with at most two decimals")
            }
            return value
        }
        switch (args.first, args.count) {
        case ("list", 1): return ["flags": .array(flags.all.map(\.json))]
        case ("enable", 2):
            return try update(args[1]) { fields in
                var fields = fields; fields.enabled = true; return fields
            }
        case ("disable", 2):
            return try update(args[1]) { fields in
                var fields = fields; fields.enabled = false; return fields
            }
        case ("rollout", 3):
            let percent = try rollout(args[2])
            return try update(args[1]) { fields in
                var fields = fields; fields.rolloutPercentage = percent; return fields
            }
        case ("set", let count) where count >= 2:
            let name = args[1]
            guard FeatureFlagRules.isName(name) else {
                throw Failure("bad_arguments", "a flag name is 2 to 64 lowercase letters, digits or underscores")
            }
            let options = try Self.options(
                args.dropFirst(2), allowed: ["--description", "--enabled", "--rollout", "--roles", "--users"])
            var fields = flags.flag(named: name).map(FeatureFlagFields.init) ?? FeatureFlagFields(description: name)
            if let description = options["--description"] {
                guard (1...500).contains(description.count) else {
                    throw Failure("bad_arguments", "the description is 1 to 500 characters")
                }
                fields.description = description
            }
            if let enabled = options["--enabled"] {
                guard let value = Bool(enabled) else { throw Failure("bad_arguments", "--enabled is true or false") }
                fields.enabled = value
            }
            if let percent = options["--rollout"] { fields.rolloutPercentage = try rollout(percent) }
            if let roles = options["--roles"] {
                let names = roles.split(separator: ",").map { String($0) }
                let parsed = names.compactMap(Role.init(rawValue:))
                guard parsed.count == names.count else {
                    throw Failure("bad_arguments", "--roles names roles among \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                fields.targetRoles = parsed
            }
            if let users = options["--users"] {
                let ids = users.split(separator: ",").compactMap { Int64($0) }.filter { $0 > 0 }
                guard ids.count == users.split(separator: ",").count, ids.count <= 1000 else {
                    throw Failure("bad_arguments", "--users is a comma-separated list of at most 1,000 user ids")
                }
                fields.targetUsers = ids
            }
            let chosen = fields
            if flags.flag(named: name) == nil {
                return try flags.create(name: name, fields: chosen, by: nil, audit: audit("flag.created", name)).json
            }
            return try update(name) { _ in chosen }
        default: throw Failure("bad_arguments", "usage: psc-admin \(Self.experimentUsage["flags"] ?? "flags")")
        }
    }
}
