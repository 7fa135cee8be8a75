import Foundation
import PSCCore
import PSCStore
import PSCWeb

/// `psc-admin user|grant|keys` and `audit tail` (00-conventions §11). The socket is equivalent to `admin`; each
/// command is audited by ``AdminCommands`` and each change also under its own action.
extension AdminCommands {
    static let accountUsage: [String: String] = [
        "user":
            "user create-admin --email E --name N | list [TERM] | show USER | set-role USER ROLE | suspend USER | reactivate USER | approve USER"
            + " | reset-2fa USER | revoke-sessions USER",
        "grant": "grant add USER CAPABILITY [--department ID] [--expires TIME] | remove GRANT_ID | list [USER]",
        "keys": "keys list | add | activate ID | rotate | remove ID",
    ]

    var administration: AccountAdministration {
        AccountAdministration(store: platform.store, accounts: platform.accounts, matches: platform.scholarships.matches)
    }

    func user(_ args: [String]) throws -> JSONValue {
        let admin = administration
        switch (args.first ?? "", args.count) {
        case ("create-admin", _):
            let options = try Self.options(args.dropFirst(), allowed: ["--email", "--name"])
            guard let email = options["--email"], let name = options["--name"], !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw Failure("bad_arguments", "usage: psc-admin user create-admin --email E --name N")
            }
            let words = name.split(separator: " ").map(String.init)
            let (first, last) = (words[0], words.count > 1 ? words.dropFirst().joined(separator: " ") : "Admin")
            let created = try mapped { try admin.createAdmin(email: email, firstName: first, lastName: last, by: .socket) }
            return [
                "user_id": .int(created.userID), "email": .string(email),
                "setup_link": .string("\(platform.configuration.siteOrigin)/setup/\(created.token)"),
                "expires_in": "24 h, single use",
            ]
        case ("list", 1), ("list", 2):
            let users = try admin.list(search: args.count == 2 ? args[1] : nil)
            return ["users": .array(users.map(Self.userSummary))]
        case ("show", 2):
            let user = try mapped { try admin.find(args[1]) }
            guard case .object(var fields) = Self.userSummary(user) else { return .null }
            let (grants, twoFactor, sessions) = try platform.store.read { db in
                (
                    try platform.accounts.grants(userID: user.id, in: db), try platform.twoFactor.methods(userID: user.id, in: db),
                    try platform.sessions.liveCount(userID: user.id, in: db)
                )
            }
            fields["grants"] = .array(
                grants.map { .string($0.capability.rawValue + ($0.departmentID.map { " (department \($0))" } ?? "")) })
            fields["second_factors"] = .array(twoFactor.map(JSONValue.string))
            fields["live_sessions"] = .int(Int64(sessions))
            fields["last_login_at"] = user.lastLoginAt.map(JSONValue.string) ?? .null
            return .object(fields)
        case ("set-role", 3):
            guard let role = Role(rawValue: args[2]) else {
                throw Failure("bad_arguments", "unknown role '\(args[2])'; roles: \(Role.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            return Self.userSummary(try mapped { try admin.setRole(args[1], role: role, by: .socket) })
        case ("suspend", 2): return Self.userSummary(try mapped { try admin.setStatus(args[1], suspended: true, by: .socket) })
        case ("reactivate", 2): return Self.userSummary(try mapped { try admin.setStatus(args[1], suspended: false, by: .socket) })
        case ("approve", 2): return Self.userSummary(try mapped { try admin.approve(args[1], by: .socket) })
        case ("reset-2fa", 2):
            let user = try mapped { try admin.resetSecondFactors(args[1], by: .socket) }
            return ["user_id": .int(user.id), "second_factors": "removed; every session revoked"]
        case ("revoke-sessions", 2):
            return ["revoked": .int(Int64(try mapped { try admin.revokeSessions(args[1], by: .socket) }))]
        default: throw Failure("bad_arguments", "usage: psc-admin \(Self.accountUsage["user"]!)")
        }
    }

    func grant(_ args: [String]) throws -> JSONValue {
        let admin = administration
        switch (args.first ?? "", args.count) {
        case ("add", let count) where count >= 3:
            guard let capability = Capability(rawValue: args[2]) else {
                throw Failure(
                    "bad_arguments",
                    "unknown capability '\(args[2])'; capabilities: \(Capability.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            var department: Int64?
            var expires: String?
            var rest = args.dropFirst(3)
            while let flag = rest.first {
                rest = rest.dropFirst()
                guard let value = rest.first else { throw Failure("bad_arguments", "\(flag) needs a value") }
                rest = rest.dropFirst()
                switch flag {
                case "--department":
                    guard let id = Int64(value), id > 0 else { throw Failure("bad_arguments", "'\(value)' is not a department id") }
                    department = id
                case "--expires": expires = value
                default: throw Failure("bad_arguments", "unknown option \(flag); use --department or --expires")
                }
            }
            let id = try mapped {
                try admin.addGrant(
                    args[1], capability: capability, departmentID: department, expiresAt: expires, grantedBy: nil, by: .socket)
            }
            return ["grant_id": .int(id), "capability": .string(capability.rawValue)]
        case ("remove", 2):
            guard let id = Int64(args[1]), id > 0 else { throw Failure("bad_arguments", "'\(args[1])' is not a grant id") }
            try mapped { try admin.removeGrant(id: id, by: .socket) }
            return ["removed": .int(id)]
        case ("list", 1), ("list", 2):
            let rows = try mapped { try admin.grants(of: args.count == 2 ? args[1] : nil) }
            return [
                "grants": .array(
                    rows.map {
                        [
                            "id": .int($0.id), "user_id": .int($0.userID), "email": .string($0.email), "capability": .string($0.capability),
                            "department_id": $0.departmentID.map(JSONValue.int) ?? .null,
                            "expires_at": $0.expiresAt.map(JSONValue.string) ?? .null, "granted_at": .string($0.grantedAt),
                        ]
                    })
            ]
        default: throw Failure("bad_arguments", "usage: psc-admin \(Self.accountUsage["grant"]!)")
        }
    }

    func keys(_ args: [String]) throws -> JSONValue {
        let ring = platform.keyRing
        let rotation = KeyRotation(store: platform.store, keyRing: ring)
        func listing() throws -> JSONValue {
            [
                "active": .string(ring.active),
                "keys": .array(
                    try ring.keyIDs.map {
                        ["id": .string($0), "values": .int(Int64(try rotation.usage(of: $0))), "active": .bool($0 == ring.active)]
                    }),
            ]
        }
        switch (args.first ?? "", args.count) {
        case ("list", 1): return try listing()
        case ("add", 1): return ["added": .string(try ring.addKey())]
        case ("activate", 2):
            do { try ring.activate(args[1]) } catch { throw Failure("not_found", "no key '\(args[1])' in the key ring") }
            try auditKeys("keys.activated", ["key": .string(args[1])])
            return try listing()
        case ("rotate", 1):
            // A new key becomes active, then every stored value moves to it while the server keeps running.
            let id = try ring.addKey()
            try ring.activate(id)
            let rewritten = try rotation.reencrypt()
            try auditKeys("keys.rotated", ["key": .string(id), "reencrypted": .int(Int64(rewritten))])
            return ["active": .string(id), "reencrypted": .int(Int64(rewritten))]
        case ("remove", 2):
            guard ring.keyIDs.contains(args[1]) else { throw Failure("not_found", "no key '\(args[1])' in the key ring") }
            guard args[1] != ring.active else { throw Failure("invalid_state", "the active key cannot be removed; activate another first") }
            let used = try rotation.usage(of: args[1])
            guard used == 0 else { throw Failure("invalid_state", "\(used) stored values still use '\(args[1])'; run keys rotate first") }
            try ring.removeKey(args[1])
            return try listing()
        default: throw Failure("bad_arguments", "usage: psc-admin \(Self.accountUsage["keys"]!)")
        }
    }

    func auditTail(_ args: [String]) throws -> JSONValue {
        let count = args.count == 2 ? Int(args[1]) : 20
        guard let count, (1...1000).contains(count) else { throw Failure("bad_arguments", "usage: psc-admin audit tail [1..1000]") }
        let rows = try platform.store.read { db in
            try AuditLog.tail(count, in: db)
        }
        return ["entries": .array(rows.reversed())]
    }

    private func auditKeys(_ action: String, _ details: [String: JSONValue]) throws {
        try platform.store.write { db in
            try AuditLog.append(AuditEntry(actorKind: .adminSocket, action: action, details: details, severity: .critical), in: db)
        }
    }

    /// The store's own errors become the command's failure with their sentence.
    @discardableResult
    private func mapped<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as AdministrationError {
            if case .noSuchUser = error { throw Failure("not_found", error.description) }
            throw Failure("invalid", error.description)
        }
    }

    static func userSummary(_ user: UserRecord) -> JSONValue {
        [
            "id": .int(user.id), "email": .string(user.email), "name": .string("\(user.firstName) \(user.lastName)"),
            "role": .string(user.role.rawValue), "status": .string(user.status.rawValue), "created_at": .string(user.createdAt),
        ]
    }
}
