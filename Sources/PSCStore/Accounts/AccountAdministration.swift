import Foundation
import GRDB
import PSCCore

public enum AdministrationError: Error, Equatable, CustomStringConvertible {
    case noSuchUser(String)
    case invalid(String)
    /// The last active admin cannot be demoted or suspended (10-api ADM-3: 409).
    case lastAdmin
    /// The change does not fit the account's state (approving an account not pending: 409).
    case conflict(String)

    public var description: String {
        switch self {
        case .noSuchUser(let who): "no user '\(who)'"
        case .invalid(let why): why
        case .lastAdmin: "this is the last active admin; make another admin first"
        case .conflict(let why): why
        }
    }
}

/// What admins do to accounts (00-conventions §11, the admin API later): create admins, change roles and status,
/// reset second factors, revoke sessions and manage grants. Every change is audited in its own transaction with the
/// acting admin or the admin socket as the actor.
public struct AccountAdministration: Sendable {
    public struct Actor: Sendable {
        public let userID: Int64?
        public let kind: AuditEntry.ActorKind
        public let origin: RequestOrigin
        public init(userID: Int64?, kind: AuditEntry.ActorKind, origin: RequestOrigin) {
            self.userID = userID
            self.kind = kind
            self.origin = origin
        }
        /// The admin socket: the OS user is recorded by the command's own audit row.
        public static let socket = Actor(userID: nil, kind: .adminSocket, origin: RequestOrigin(ip: nil, userAgent: "psc-admin"))
    }

    public let store: Store
    let accounts: AccountStore
    /// A role or status change moves the person's scholarship matches in the same write (20-services §7.6).
    let matches: ScholarshipMatchStore?
    let clock: @Sendable () -> Date
    /// The `security_alert` a second-factor reset sends its owner.
    let alert: SecurityAlertHook

    public init(
        store: Store, accounts: AccountStore, matches: ScholarshipMatchStore? = nil, clock: @escaping @Sendable () -> Date = Date.init
    ) {
        self.store = store
        self.accounts = accounts
        self.matches = matches
        self.clock = clock
        alert = AccountNotices.alertHook(store: store)
    }

    /// Finds a user by id or email.
    public func find(_ reference: String, in db: GRDB.Database) throws -> UserRecord {
        let user: UserRecord?
        if let id = Int64(reference) {
            user = try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [id])
        } else {
            user = try UserRecord.fetchOne(
                db, sql: "SELECT * FROM users WHERE email_norm = ?", arguments: [UserRecord.normalise(email: reference)])
        }
        guard let user else { throw AdministrationError.noSuchUser(reference) }
        return user
    }

    public func find(_ reference: String) throws -> UserRecord { try store.read { db in try find(reference, in: db) } }

    /// Users whose name or email contains the term (all when empty), newest first.
    public func list(search: String?, limit: Int = 100) throws -> [UserRecord] {
        let pattern = LikePattern.containing((search ?? "").lowercased())
        return try store.read { db in
            try UserRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM users
                    WHERE email_norm LIKE ?1 ESCAPE '\\' OR lower(first_name || ' ' || last_name) LIKE ?1 ESCAPE '\\'
                    ORDER BY id DESC LIMIT ?2
                    """,
                arguments: [pattern, limit])
        }
    }

    /// An active admin with no password and a single-use setup link token (24 h) that AUTH-15 accepts.
    public func createAdmin(email: String, firstName: String, lastName: String, by actor: Actor) throws -> (userID: Int64, token: String) {
        let norm = UserRecord.normalise(email: email)
        guard norm.contains("@"), (3...254).contains(norm.count) else {
            throw AdministrationError.invalid("'\(email)' is not an email address")
        }
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email_norm = ?", arguments: [norm]) == true {
                throw AdministrationError.invalid("an account with \(email) already exists; use user set-role")
            }
            try db.execute(
                sql: """
                    INSERT INTO users (email, email_norm, role, status, first_name, last_name, email_verified, created_at, updated_at)
                    VALUES (?, ?, 'admin', 'active', ?, ?, 1, ?, ?)
                    """,
                arguments: [email.trimmingCharacters(in: .whitespaces), norm, firstName, lastName, stamp, stamp])
            let id = db.lastInsertedRowID
            let token = try accounts.issueToken(purpose: "setup", userID: id, validFor: 24 * 3600, in: db)
            try audit("user.role_change", target: id, actor: actor, details: ["role": "admin", "created": true], in: db)
            return (id, token)
        }
    }

    public func setRole(_ reference: String, role: Role, reason: String? = nil, by actor: Actor) throws -> UserRecord {
        try store.write { db in
            let user = try find(reference, in: db)
            guard user.role != role else { return user }
            if user.role == .admin { try keepOneAdmin(besides: user.id, in: db) }
            try db.execute(
                sql: "UPDATE users SET role = ?, updated_at = ? WHERE id = ?",
                arguments: [role.rawValue, Timestamp.string(from: clock()), user.id])
            // A privilege change ends the sessions that carried the old rights (00-conventions §3.1).
            try revokeSessions(userID: user.id, reason: "role_changed", in: db)
            try revokeTokens(userID: user.id, in: db)
            try audit(
                "user.role_change", target: user.id, actor: actor,
                details: [
                    "role": .array([.string(user.role.rawValue), .string(role.rawValue)]), "reason": reason.map(JSONValue.string) ?? .null,
                ],
                in: db)
            try matches?.recompute(userID: user.id, in: db)
            return try find(String(user.id), in: db)
        }
    }

    /// Suspends (every session revoked at once) or reactivates an account.
    public func setStatus(
        _ reference: String, suspended: Bool, until: String? = nil, reason: String? = nil, by actor: Actor
    ) throws -> UserRecord {
        try store.write { db in
            let user = try find(reference, in: db)
            let status: AccountStatus = suspended ? .suspended : .active
            guard user.status != .deleted else { throw AdministrationError.invalid("a deleted account cannot change status") }
            if !suspended, user.status != .suspended { throw AdministrationError.invalid("only a suspended account can be reactivated") }
            guard user.status != status || (suspended && user.suspendedUntil != until) else { return user }
            if suspended, user.role == .admin { try keepOneAdmin(besides: user.id, in: db) }
            if let until, Timestamp.date(from: until) == nil || until <= Timestamp.string(from: clock()) {
                throw AdministrationError.invalid("suspended_until must be a future RFC 3339 time")
            }
            try db.execute(
                sql: "UPDATE users SET status = ?, suspended_until = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, suspended ? until : nil, Timestamp.string(from: clock()), user.id])
            if suspended {
                try revokeSessions(userID: user.id, reason: "suspended", in: db)
                try revokeTokens(userID: user.id, in: db)
            }
            try audit(
                "user.status_change", target: user.id, actor: actor,
                details: [
                    "status": .array([.string(user.status.rawValue), .string(status.rawValue)]),
                    "suspended_until": until.map(JSONValue.string) ?? .null, "reason": reason.map(JSONValue.string) ?? .null,
                ], in: db)
            try matches?.recompute(userID: user.id, in: db)
            return try find(String(user.id), in: db)
        }
    }

    /// Approves an alumni or employer account waiting for approval (after its email was verified).
    public func approve(_ reference: String, by actor: Actor) throws -> UserRecord {
        try store.write { db in
            let user = try find(reference, in: db)
            guard user.status == .pendingApproval else {
                throw AdministrationError.conflict("only an account pending approval can be approved")
            }
            try db.execute(
                sql: "UPDATE users SET status = 'active', updated_at = ? WHERE id = ?",
                arguments: [Timestamp.string(from: clock()), user.id])
            try audit(
                "user.status_change", target: user.id, actor: actor,
                details: ["status": .array([.string(user.status.rawValue), .string(AccountStatus.active.rawValue)])], in: db)
            return try find(String(user.id), in: db)
        }
    }

    /// Removes TOTP, recovery codes and passkeys, so the owner can enrol again after proving who they are.
    public func resetSecondFactors(_ reference: String, reason: String? = nil, by actor: Actor) throws -> UserRecord {
        try store.write { db in
            let user = try find(reference, in: db)
            for table in ["totp_credentials", "recovery_codes", "webauthn_credentials"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [user.id])
            }
            try revokeSessions(userID: user.id, reason: "two_factor_reset", in: db)
            try audit(
                "admin.2fa_reset", target: user.id, actor: actor, details: ["reason": reason.map(JSONValue.string) ?? .null],
                severity: .critical, in: db)
            try alert(db, user.id, "two_factor_reset")
            return user
        }
    }

    public func revokeSessions(_ reference: String, by actor: Actor) throws -> Int {
        try store.write { db in
            let user = try find(reference, in: db)
            let count = try revokeSessions(userID: user.id, reason: "revoked_by_admin", in: db)
            try audit("auth.session_revoked", target: user.id, actor: actor, details: ["count": .int(Int64(count))], in: db)
            return count
        }
    }

    // MARK: - Grants

    public struct GrantRow: Sendable {
        public let id: Int64
        public let userID: Int64
        public let email: String
        public let capability: String
        public let departmentID: Int64?
        public let expiresAt: String?
        public let grantedAt: String
    }

    /// Grants a capability, optionally for one department and until a time. The grantee's sessions end so the new
    /// rights come with a new session id.
    public func addGrant(
        _ reference: String, capability: Capability, departmentID: Int64?, expiresAt: String?, grantedBy: Int64?, by actor: Actor
    ) throws -> Int64 {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let user = try find(reference, in: db)
            if let departmentID, try Bool.fetchOne(db, sql: "SELECT 1 FROM departments WHERE id = ?", arguments: [departmentID]) != true {
                throw AdministrationError.invalid("no department \(departmentID)")
            }
            if let expiresAt, Timestamp.date(from: expiresAt) == nil || expiresAt <= stamp {
                throw AdministrationError.invalid("expires_at must be a future RFC 3339 time like 2027-06-01T00:00:00.000Z")
            }
            // granted_by names a user; the socket acts through the first admin when no user is acting.
            let granter =
                try grantedBy ?? Int64.fetchOne(db, sql: "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1") ?? user.id
            do {
                try db.execute(
                    sql: """
                        INSERT INTO capability_grants (user_id, capability, department_id, granted_by, granted_at, expires_at, active, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                        """,
                    arguments: [user.id, capability.rawValue, departmentID, granter, stamp, expiresAt, stamp])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw AdministrationError.invalid("\(user.email) already holds \(capability.rawValue) there")
            }
            let id = db.lastInsertedRowID
            try revokeSessions(userID: user.id, reason: "grant_changed", in: db)
            try audit(
                "grant.added", target: user.id, actor: actor,
                details: [
                    "grant_id": .int(id), "capability": .string(capability.rawValue),
                    "department_id": departmentID.map(JSONValue.int) ?? .null,
                    "expires_at": expiresAt.map(JSONValue.string) ?? .null,
                ], in: db)
            return id
        }
    }

    public func removeGrant(id: Int64, by actor: Actor) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db, sql: "SELECT user_id, capability FROM capability_grants WHERE id = ? AND active = 1", arguments: [id])
            else { throw AdministrationError.invalid("no active grant \(id)") }
            try db.execute(sql: "UPDATE capability_grants SET active = 0, revoked_at = ? WHERE id = ?", arguments: [stamp, id])
            let userID: Int64 = try row.decode(forColumn: "user_id")
            try revokeSessions(userID: userID, reason: "grant_changed", in: db)
            try audit(
                "grant.removed", target: userID, actor: actor,
                details: ["grant_id": .int(id), "capability": .string(try row.decode(forColumn: "capability"))], in: db)
        }
    }

    public func grants(of reference: String?) throws -> [GrantRow] {
        try store.read { db in
            let userID = try reference.map { try find($0, in: db).id }
            return try Row.fetchAll(
                db,
                sql: """
                    SELECT g.id, g.user_id, u.email, g.capability, g.department_id, g.expires_at, g.granted_at
                    FROM capability_grants g JOIN users u ON u.id = g.user_id
                    WHERE g.active = 1 AND (?1 IS NULL OR g.user_id = ?1) ORDER BY g.id
                    """,
                arguments: [userID]
            ).map {
                GrantRow(
                    id: try $0.decode(forColumn: "id"), userID: try $0.decode(forColumn: "user_id"),
                    email: try $0.decode(forColumn: "email"), capability: try $0.decode(forColumn: "capability"),
                    departmentID: try $0.decode(forColumn: "department_id"),
                    expiresAt: try $0.decode(forColumn: "expires_at"), grantedAt: try $0.decode(forColumn: "granted_at"))
            }
        }
    }

    // MARK: - Helpers

    @discardableResult
    func revokeSessions(userID: Int64, reason: String, in db: GRDB.Database) throws -> Int {
        try db.execute(
            sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = ? WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [Timestamp.string(from: clock()), reason, userID])
        return db.changesCount
    }

    /// Role changes and suspensions also end the user's tokens (10-api ADM-3).
    private func revokeTokens(userID: Int64, in db: GRDB.Database) throws {
        try db.execute(
            sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [Timestamp.string(from: clock()), userID])
    }

    /// The last active admin can be neither demoted nor suspended (10-api ADM-3).
    private func keepOneAdmin(besides userID: Int64, in db: GRDB.Database) throws {
        let others =
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM users WHERE role = 'admin' AND status = 'active' AND id <> ?", arguments: [userID]) ?? 0
        if others == 0 { throw AdministrationError.lastAdmin }
    }

    private func audit(
        _ action: String, target: Int64, actor: Actor, details: [String: JSONValue] = [:], severity: AuditEntry.Severity = .warning,
        in db: GRDB.Database
    ) throws {
        try AuditLog.append(
            AuditEntry(
                occurredAt: clock(), actorUserID: actor.userID, actorKind: actor.kind, action: action, targetType: "user",
                targetID: String(target), ipAddress: actor.origin.ip, userAgent: actor.origin.userAgent, details: details,
                severity: severity),
            in: db)
    }
}
