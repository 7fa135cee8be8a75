import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// ADM-1..8 (10-api §22): people for admins, with read access for `verify_users` (everyone) and `approve_employers`
/// (employer accounts); approvals for those two permissions. The changes go through ``AccountAdministration``, the
/// service `psc-admin user` uses, so each is one audited transaction whichever door it came through.
struct PeopleAdminRoutes: FeatureRoutes {
    let administration: AccountAdministration
    let profiles: ProfileStore
    let configuration: Configuration

    static let roles = Role.allCases.map(\.rawValue)
    static let statuses = AccountStatus.allCases.map(\.rawValue)
    static let capabilities = Capability.allCases.map(\.rawValue)

    /// Who may read people: admins everything, `verify_users` everyone, `approve_employers` employer accounts only.
    enum Reader {
        case everyone, employersOnly
    }

    static func reader(_ context: AppRequestContext) throws -> (Identity, Reader) {
        let identity = try context.require(.active, scope: "admin")
        if identity.user.role == .admin || identity.has(.verifyUsers) { return (identity, .everyone) }
        if identity.has(.approveEmployers) { return (identity, .employersOnly) }
        throw APIError.forbidden("People administration needs the admin role or the verify users permission.")
    }

    /// An admin, with a password or code entered in the last 10 minutes when signed in with a browser session.
    static func recentAdmin(_ context: AppRequestContext) throws -> Identity {
        let identity = try context.require(.admin, scope: "admin")
        if let session = identity.session { try context.requireRecentAuth(session) }
        return identity
    }

    static func actor(_ identity: Identity, _ request: Request, _ context: AppRequestContext) -> AccountAdministration.Actor {
        AccountAdministration.Actor(
            userID: identity.user.id, kind: identity.token == nil ? .user : .apiToken, origin: request.origin(context))
    }

    static func failure(_ error: AdministrationError) -> APIError {
        switch error {
        case .noSuchUser: APIError.notFound("There is no such person.")
        case .lastAdmin: APIError(.conflict, "conflict", error.description)
        case .conflict(let why): APIError(.conflict, "conflict", why)
        case .invalid(let why): APIError(.unprocessableContent, "validation_failed", why)
        }
    }

    static func grant(_ grant: AccountAdministration.GrantRow) -> JSONValue {
        [
            "id": .int(grant.id), "capability": .string(grant.capability), "department_id": grant.departmentID.map(JSONValue.int) ?? .null,
            "expires_at": grant.expiresAt.map(JSONValue.string) ?? .null, "granted_at": .string(grant.grantedAt),
        ]
    }

    static func person(_ person: AccountAdministration.Person, card: JSONValue?) -> [String: JSONValue] {
        let user = person.user
        return [
            "user": card ?? .null, "email": .string(user.email), "role": .string(user.role.rawValue),
            "status": .string(user.status.rawValue),
            "created_at": .string(user.createdAt), "last_active_at": user.lastActiveAt.map(JSONValue.string) ?? .null,
            "two_factor_enabled": .bool(person.twoFactorEnabled), "grants": .array(person.grants.map(Self.grant)),
        ]
    }

    /// ADM-2's answer (also ADM-3's): the list's fields with the person's standing and recent audit trail.
    static func detailBody(_ detail: AccountAdministration.PersonDetail, viewer: Int64, profiles: ProfileStore) async throws -> JSONValue {
        let user = detail.person.user
        let cards = try await CommunityViews.cards([user.id], viewer: viewer, profiles: profiles)
        var body = Self.person(detail.person, card: cards[user.id])
        body["department_id"] = user.departmentID.map(JSONValue.int) ?? .null
        body["last_login_at"] = user.lastLoginAt.map(JSONValue.string) ?? .null
        body["suspended_until"] = user.suspendedUntil.map(JSONValue.string) ?? .null
        body["email_verified"] = .bool(user.emailVerified)
        body["sessions"] = .int(Int64(detail.sessions))
        body["tokens"] = .int(Int64(detail.tokens))
        body["recent_audit"] = .array(detail.audit)
        return .object(body)
    }

    /// The person if the caller may read them (an employer-only reader sees employer accounts only).
    func readable(_ id: Int64, _ reader: Reader) async throws -> AccountAdministration.PersonDetail {
        guard let detail = try await Offload.run({ try administration.detail(userID: id) }),
            reader == .everyone || detail.person.user.role == .employer
        else { throw APIError.notFound("There is no such person.") }
        return detail
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (administration, profiles, configuration) = (administration, profiles, configuration)
        catalog.add(
            RouteSpec(
                id: "ADM-1", .get, "/api/v1/admin/users", summary: "People, filtered", tag: "Administration",
                access: .member(scope: "admin"),
                query: .page() + [
                    .text("q", max: 100, "Part of a name or email"), .choice("role", Self.roles, "Primary role"),
                    .choice("status", Self.statuses, "Account status"), .id("department_id", "Department"),
                    .boolean("has_2fa", "With (true) or without (false) a second factor"),
                ],
                responses: [200: ("A page of people", "AdminUserPage"), 403: ("Not an admin or a people reader", "Error")]),
            to: router
        ) { request, context in
            let (identity, reader) = try Self.reader(context)
            let query = QueryReader(request)
            var filter = AccountAdministration.PeopleFilter(
                query: query.text("q", max: 100), role: try query.choice("role", Self.roles).flatMap(Role.init(rawValue:)),
                status: try query.choice("status", Self.statuses).flatMap(AccountStatus.init(rawValue:)),
                departmentID: try query.id("department_id"), hasTwoFactor: try query.flag("has_2fa"))
            if reader == .employersOnly {
                if let role = filter.role, role != .employer { return JSONResponse.make(["items": [], "next_cursor": .null, "limit": 20]) }
                filter.role = .employer
            }
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let found = try await Offload.run { [filter] in try administration.people(filter, limit: limit, offset: offset) }
            let cards = try await CommunityViews.cards(found.map(\.user.id), viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make([
                "items": .array(found.map { .object(Self.person($0, card: cards[$0.user.id])) }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "ADM-2", .get, "/api/v1/admin/users/{id}", summary: "One person with their standing and audit trail",
                tag: "Administration", access: .member(scope: "admin"),
                responses: [200: ("The person", "AdminUserDetail"), 403: ("Not an admin or a people reader", "Error")]),
            to: router
        ) { _, context in
            let (identity, reader) = try Self.reader(context)
            let id = try context.positiveID(notFound: "There is no such person.")
            let detail = try await readable(id, reader)
            return JSONResponse.make(try await Self.detailBody(detail, viewer: identity.user.id, profiles: profiles))
        }
        catalog.add(
            RouteSpec(
                id: "ADM-3", .patch, "/api/v1/admin/users/{id}", summary: "Change a person's role or status", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("60/h"),
                body: .object([
                    "role": .choice(Self.roles), "status": .choice(["active", "suspended"]), "suspended_until": .instant,
                    "reason": FieldRule.text(3...500).required,
                ]),
                responses: [
                    200: ("The person after the change", "AdminUserDetail"),
                    403: ("Not an admin, or no recent authentication (`recent_auth_required`)", "Error"),
                    409: ("The last active admin cannot be demoted or suspended", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.recentAdmin(context)
            let id = try context.positiveID(notFound: "There is no such person.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let role = reader.choice("role", Self.roles, nil).flatMap(Role.init(rawValue:))
            let status = reader.choice("status", ["active", "suspended"], nil)
            let until = reader.time("suspended_until", nil)
            let reason = reader.text("reason", 3...500, nil, required: true) ?? ""
            if role == nil && status == nil { reader.problem("role", "name a role or a status to change") }
            if until != nil && status != "suspended" { reader.problem("suspended_until", "goes with status suspended") }
            try reader.validate()
            let actor = Self.actor(identity, request, context)
            do {
                try await Offload.run {
                    if let role { _ = try administration.setRole(String(id), role: role, reason: reason, by: actor) }
                    if let status {
                        _ = try administration.setStatus(
                            String(id), suspended: status == "suspended", until: until.map(Timestamp.string(from:)), reason: reason,
                            by: actor)
                    }
                }
            } catch let error as AdministrationError { throw Self.failure(error) }
            let detail = try await readable(id, .everyone)
            return JSONResponse.make(try await Self.detailBody(detail, viewer: identity.user.id, profiles: profiles))
        }
        catalog.add(
            RouteSpec(
                id: "ADM-4", .post, "/api/v1/admin/users/invitations", summary: "Invite a person (24-hour link by email)",
                tag: "Administration", access: .member(scope: "admin"), limit: .own("30/h"),
                body: .object([
                    "email": FieldRule.text(3...254).required, "first_name": FieldRule.text(1...100).required,
                    "last_name": FieldRule.text(1...100).required, "role": FieldRule.choice(Self.roles).required, "department_id": .id,
                    "grants": .objects(0...10),
                ]),
                responses: [
                    201: ("Invited", "Invitation"), 403: ("Not an admin", "Error"), 409: ("The email is taken", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let email = reader.text("email", 3...254, nil, required: true) ?? ""
            if !email.isEmpty, !EmailAddress.isValid(email) { reader.problem("email", "must be an email address") }
            let first = reader.text("first_name", 1...100, nil, required: true) ?? ""
            let last = reader.text("last_name", 1...100, nil, required: true) ?? ""
            let role = reader.choice("role", Self.roles, nil, required: true).flatMap(Role.init(rawValue:)) ?? .student
            let department = reader.integer("department_id", 1...Int64.max, nil)
            var grants: [(capability: Capability, departmentID: Int64?, expiresAt: String?)] = []
            for item in (object["grants"] as? [Any]) ?? [] {
                guard let fields = item as? [String: Any],
                    let capability = (fields["capability"] as? String).flatMap(Capability.init(rawValue:))
                else {
                    reader.problem("grants", "each grant names a capability among \(Self.capabilities.joined(separator: ", "))")
                    continue
                }
                let expires = (fields["expires_at"] as? String).flatMap(Timestamp.parse)
                if fields["expires_at"] is String, expires == nil || expires.map({ $0 <= Date() }) == true {
                    reader.problem("grants", "a grant's expires_at is a future RFC 3339 time")
                }
                grants.append((capability, (fields["department_id"] as? Int).map(Int64.init), expires.map(Timestamp.string(from:))))
            }
            try reader.validate()
            let actor = Self.actor(identity, request, context)
            let origin = request.siteOrigin(configuration)
            do {
                let invitation = try await Offload.run { [grants] in
                    try administration.invite(
                        email: email, firstName: first, lastName: last, role: role, departmentID: department, grants: grants,
                        origin: origin,
                        by: actor)
                }
                return JSONResponse.make(
                    ["user_id": .int(invitation.userID), "invitation_expires_at": .string(invitation.expiresAt)], status: .created)
            } catch let error as AdministrationError { throw Self.failure(error) }
        }
        for decision in ["approve", "reject"] {
            catalog.add(
                RouteSpec(
                    id: "ADM-5", .post, "/api/v1/admin/users/{id}/\(decision)",
                    summary: decision == "approve" ? "Approve an account waiting for approval" : "Refuse an account waiting for approval",
                    tag: "Administration", access: .member(scope: "admin"), limit: .own("120/h"),
                    body: .object(["reason": decision == "reject" ? FieldRule.text(1...500).required : .text(max: 500)]),
                    responses: [
                        200: ("The account's status", "AccountStatus"), 403: ("Not allowed to decide on this account", "Error"),
                        409: ("Not pending approval", "Error"),
                    ]),
                to: router
            ) { request, context in
                let identity = try context.require(.active, scope: "admin")
                let id = try context.positiveID(notFound: "There is no such person.")
                let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
                var reader = FieldReader(object, problems: problems)
                let reason = reader.text("reason", 1...500, nil, required: decision == "reject")
                try reader.validate()
                guard let user = try await Offload.run({ try administration.detail(userID: id, auditLimit: 0) })?.person.user else {
                    throw APIError.notFound("There is no such person.")
                }
                // Alumni by `verify_users`, employers by `approve_employers` (admins hold both).
                let needed: Permission = user.role == .employer ? .approveEmployers : .verifyUsers
                guard identity.has(needed) else {
                    throw APIError.forbidden(
                        "Deciding on this account needs the \(needed.rawValue.replacingOccurrences(of: "_", with: " ")) permission.")
                }
                let actor = Self.actor(identity, request, context)
                do {
                    let decided = try await Offload.run {
                        decision == "approve"
                            ? try administration.approve(String(id), by: actor)
                            : try administration.reject(String(id), reason: reason ?? "", by: actor)
                    }
                    return JSONResponse.make(["id": .int(id), "status": .string(decided.status.rawValue)])
                } catch let error as AdministrationError { throw Self.failure(error) }
            }
        }
        catalog.add(
            RouteSpec(
                id: "ADM-6", .get, "/api/v1/admin/users/{id}/grants", summary: "A person's active grants", tag: "Administration",
                access: .member(scope: "admin"), responses: [200: ("The grants", "GrantList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such person.")
            let detail = try await readable(id, .everyone)
            return JSONResponse.make(["items": .array(detail.person.grants.map(Self.grant))])
        }
        catalog.add(
            RouteSpec(
                id: "ADM-6", .post, "/api/v1/admin/users/{id}/grants", summary: "Grant a capability", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("60/h"),
                body: .object(["capability": FieldRule.choice(Self.capabilities).required, "department_id": .id, "expires_at": .instant]),
                responses: [
                    201: ("Granted", "Created"), 403: ("Not an admin, or no recent authentication", "Error"),
                    409: ("The same grant is active", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.recentAdmin(context)
            let id = try context.positiveID(notFound: "There is no such person.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let capability = reader.choice("capability", Self.capabilities, nil, required: true).flatMap(Capability.init(rawValue:))
            let department = reader.integer("department_id", 1...Int64.max, nil)
            let expires = reader.time("expires_at", nil)
            if let expires, expires <= Date() { reader.problem("expires_at", "must be in the future") }
            try reader.validate()
            _ = try await readable(id, .everyone)
            let actor = Self.actor(identity, request, context)
            do {
                let grantID = try await Offload.run {
                    try administration.addGrant(
                        String(id), capability: capability ?? .moderator, departmentID: department,
                        expiresAt: expires.map(Timestamp.string(from:)), grantedBy: identity.user.id, by: actor)
                }
                return JSONResponse.make(["id": .int(grantID)], status: .created)
            } catch AdministrationError.invalid(let why) where why.contains("already holds") {
                throw APIError(.conflict, "conflict", why)
            } catch let error as AdministrationError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ADM-6", .delete, "/api/v1/admin/grants/{id}", summary: "Revoke a grant", tag: "Administration",
                access: .member(scope: "admin"), limit: .own("60/h"),
                responses: [204: ("Revoked", nil), 403: ("Not an admin, or no recent authentication", "Error")]),
            to: router
        ) { request, context in
            let identity = try Self.recentAdmin(context)
            let id = try context.positiveID(notFound: "There is no such grant.")
            let actor = Self.actor(identity, request, context)
            do {
                try await Offload.run { try administration.removeGrant(id: id, by: actor) }
            } catch AdministrationError.invalid { throw APIError.notFound("There is no such grant.") }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "ADM-7", .post, "/api/v1/admin/users/{id}/revoke-sessions", summary: "Sign a person out everywhere",
                tag: "Administration", access: .member(scope: "admin"), limit: .own("60/h"),
                responses: [200: ("How many sessions ended", "Revoked"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such person.")
            let actor = Self.actor(identity, request, context)
            do {
                let count = try await Offload.run { try administration.revokeSessions(String(id), by: actor) }
                return JSONResponse.make(["revoked": .int(Int64(count))])
            } catch let error as AdministrationError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ADM-8", .post, "/api/v1/admin/users/{id}/reset-2fa", summary: "Remove a person's second factors",
                tag: "Administration", access: .member(scope: "admin"), limit: .own("10/h"),
                body: .object(["reason": FieldRule.text(3...500).required]),
                responses: [
                    200: ("Removed; the person is told", "AccountStatus"), 403: ("Not an admin, or no recent authentication", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.recentAdmin(context)
            let id = try context.positiveID(notFound: "There is no such person.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let reason = reader.text("reason", 3...500, nil, required: true) ?? ""
            try reader.validate()
            let actor = Self.actor(identity, request, context)
            do {
                let user = try await Offload.run { try administration.resetSecondFactors(String(id), reason: reason, by: actor) }
                return JSONResponse.make(["id": .int(id), "status": .string(user.status.rawValue)])
            } catch let error as AdministrationError { throw Self.failure(error) }
        }
    }
}
