import Foundation
import GRDB
import PSCCore

/// The people pages of the admin console (10-api ADM-1, ADM-2, ADM-4, ADM-5): the filtered list, one person with
/// their standing, invitations and the approval queue's refusal.
extension AccountAdministration {
    public struct PeopleFilter: Sendable {
        public var query: String?
        public var role: Role?
        public var status: AccountStatus?
        public var departmentID: Int64?
        public var hasTwoFactor: Bool?
        public init(
            query: String? = nil, role: Role? = nil, status: AccountStatus? = nil, departmentID: Int64? = nil, hasTwoFactor: Bool? = nil
        ) {
            (self.query, self.role, self.status, self.departmentID, self.hasTwoFactor) = (query, role, status, departmentID, hasTwoFactor)
        }
    }

    public struct Person: Sendable {
        public let user: UserRecord
        public let twoFactorEnabled: Bool
        public let grants: [GrantRow]
    }

    /// Newest first. A term finds people by the start of any word of their name (the search index, so 50,000
    /// people cost one index lookup) or by the start of their email; a term with `@` or `.` in it is looked for
    /// anywhere in the email (a scan, for domains), as is one with no letters or digits. The role, status and department filters use their indexes.
    public func people(_ filter: PeopleFilter, limit: Int, offset: Int) throws -> [Person] {
        let term = filter.query?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
        let twoFactor = """
            (EXISTS (SELECT 1 FROM totp_credentials t WHERE t.user_id = u.id AND t.confirmed_at IS NOT NULL)
             OR EXISTS (SELECT 1 FROM webauthn_credentials w WHERE w.user_id = u.id))
            """
        let filters = """
            (?3 IS NULL OR u.role = ?3) AND (?4 IS NULL OR u.status = ?4) AND (?5 IS NULL OR u.department_id = ?5)
            AND (?6 IS NULL OR \(twoFactor) = ?6)
            """
        let found: String
        let match = SearchStore.suggestExpression(term)
        if term.isEmpty {
            found = ""
        } else if term.contains("@") || term.contains(".") || match == nil {
            found = "JOIN (SELECT id FROM users WHERE email_norm LIKE ?2 ESCAPE '\\') f ON f.id = u.id"
        } else {
            found = """
                JOIN (SELECT rowid - \(Self.userRowBase) AS id FROM search_index
                      WHERE search_index MATCH ?1 AND rowid BETWEEN \(Self.userRowBase) AND \(2 * Self.userRowBase - 1)
                      UNION SELECT id FROM users WHERE email_norm >= ?7 AND email_norm < ?7 || char(1114111)) f ON f.id = u.id
                """
        }
        return try store.read { db in
            let users = try UserRecord.fetchAll(
                db,
                sql: "SELECT u.* FROM users u \(found) WHERE \(filters) ORDER BY u.id DESC LIMIT ?8 OFFSET ?9",
                arguments: [
                    match ?? "", LikePattern.containing(term), filter.role?.rawValue, filter.status?.rawValue, filter.departmentID,
                    filter.hasTwoFactor, term, limit, offset,
                ])
            // The page's second factors and grants in two queries, not two per person.
            let ids = users.map(\.id)
            let list = "[" + ids.map(String.init).joined(separator: ",") + "]"
            let enrolled = Set(
                try Int64.fetchAll(
                    db,
                    sql: """
                        SELECT user_id FROM totp_credentials WHERE confirmed_at IS NOT NULL AND user_id IN (SELECT value FROM json_each(?1))
                        UNION SELECT user_id FROM webauthn_credentials WHERE user_id IN (SELECT value FROM json_each(?1))
                        """, arguments: [list]))
            let grants = Dictionary(grouping: try grants(userIDs: list, db), by: \.userID)
            return users.map { user in Person(user: user, twoFactorEnabled: enrolled.contains(user.id), grants: grants[user.id] ?? []) }
        }
    }

    /// The search index keys members at 1 × 2^40 + their id (schema 0018).
    static let userRowBase: Int64 = 1 << 40

    func grants(userID: Int64, _ db: GRDB.Database) throws -> [GrantRow] { try grants(userIDs: "[\(userID)]", db) }

    /// The live grants of the people in `userIDs` (a JSON list of ids).
    func grants(userIDs: String, _ db: GRDB.Database) throws -> [GrantRow] {
        try Row.fetchAll(
            db,
            sql: """
                SELECT g.id, g.user_id, u.email, g.capability, g.department_id, g.expires_at, g.granted_at
                FROM capability_grants g JOIN users u ON u.id = g.user_id
                WHERE g.active = 1 AND g.user_id IN (SELECT value FROM json_each(?1)) AND (g.expires_at IS NULL OR g.expires_at > ?2)
                ORDER BY g.id
                """, arguments: [userIDs, Timestamp.string(from: clock())]
        ).map { row in
            GrantRow(
                id: try row.decode(forColumn: "id"), userID: try row.decode(forColumn: "user_id"),
                email: try row.decode(forColumn: "email"),
                capability: try row.decode(forColumn: "capability"), departmentID: try row.decode(forColumn: "department_id"),
                expiresAt: try row.decode(forColumn: "expires_at"), grantedAt: try row.decode(forColumn: "granted_at"))
        }
    }

    public struct PersonDetail: Sendable {
        public let person: Person
        public let sessions: Int
        public let tokens: Int
        /// The newest audit entries about or by the person.
        public let audit: [JSONValue]
    }

    public func detail(userID: Int64, auditLimit: Int = 20) throws -> PersonDetail? {
        let now = Timestamp.string(from: clock())
        return try store.read { db in
            guard let user = try UserRecord.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [userID]) else { return nil }
            let sessions =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL AND idle_expires_at > ?2 AND absolute_expires_at > ?2",
                    arguments: [userID, now]) ?? 0
            let tokens =
                try Int.fetchOne(
                    db,
                    sql:
                        "SELECT count(*) FROM api_tokens WHERE user_id = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)",
                    arguments: [userID, now]) ?? 0
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT * FROM audit_log WHERE id IN (
                        SELECT id FROM audit_log WHERE target_type = 'user' AND target_id = ?1
                        UNION SELECT id FROM audit_log WHERE actor_user_id = ?2)
                    ORDER BY id DESC LIMIT ?3
                    """, arguments: [String(userID), userID, auditLimit])
            return PersonDetail(
                person: Person(
                    user: user, twoFactorEnabled: try TwoFactorStore.isEnabled(userID: userID, in: db),
                    grants: try grants(userID: userID, db)),
                sessions: sessions, tokens: tokens, audit: try rows.map(AuditLog.entryJSON))
        }
    }

    /// ADM-5: refuses an alumni or employer account waiting for approval; it can no longer sign in.
    public func reject(_ reference: String, reason: String, by actor: Actor) throws -> UserRecord {
        try store.write { db in
            let user = try find(reference, in: db)
            guard user.status == .pendingApproval else {
                throw AdministrationError.conflict("only an account pending approval can be rejected")
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: "UPDATE users SET status = 'deleted', deleted_at = ?1, updated_at = ?1 WHERE id = ?2", arguments: [stamp, user.id])
            try revokeSessions(userID: user.id, reason: "rejected", in: db)
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: actor.userID, actorKind: actor.kind, action: "user.status_change", targetType: "user",
                    targetID: String(user.id), ipAddress: actor.origin.ip, userAgent: actor.origin.userAgent,
                    details: ["status": ["pending_approval", "deleted"], "reason": .string(reason), "rejected": true], severity: .warning),
                in: db)
            return try find(String(user.id), in: db)
        }
    }

    public struct Invitation: Sendable {
        public let userID: Int64
        public let expiresAt: String
    }

    /// ADM-4: an account with the given role that waits for its owner to choose a password from the invitation link
    /// (24 h), which the hub's account email carries; grants are added in the same write.
    public func invite(
        email: String, firstName: String, lastName: String, role: Role, departmentID: Int64?,
        grants: [(capability: Capability, departmentID: Int64?, expiresAt: String?)], origin: String, by actor: Actor
    ) throws -> Invitation {
        let norm = UserRecord.normalise(email: email)
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE email_norm = ?", arguments: [norm]) == true {
                throw AdministrationError.conflict("an account with \(email) already exists")
            }
            if let departmentID, try Bool.fetchOne(db, sql: "SELECT 1 FROM departments WHERE id = ?", arguments: [departmentID]) != true {
                throw AdministrationError.invalid("no department \(departmentID)")
            }
            try db.execute(
                sql: """
                    INSERT INTO users (email, email_norm, role, status, first_name, last_name, department_id, email_verified, created_at, updated_at)
                    VALUES (?, ?, ?, 'pending_verification', ?, ?, ?, 0, ?, ?)
                    """,
                arguments: [
                    email.trimmingCharacters(in: .whitespaces), norm, role.rawValue, firstName, lastName, departmentID, stamp, stamp,
                ])
            let id = db.lastInsertedRowID
            for grant in grants {
                if let department = grant.departmentID,
                    try Bool.fetchOne(db, sql: "SELECT 1 FROM departments WHERE id = ?", arguments: [department]) != true
                {
                    throw AdministrationError.invalid("no department \(department)")
                }
                let granter =
                    try actor.userID ?? Int64.fetchOne(db, sql: "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1") ?? id
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO capability_grants
                            (user_id, capability, department_id, granted_by, granted_at, expires_at, active, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, 1, ?)
                        """,
                    arguments: [id, grant.capability.rawValue, grant.departmentID, granter, stamp, grant.expiresAt, stamp])
            }
            try NotificationHub(store: store).notify(id, AccountNotices.invitation(origin: origin), in: db)
            try AuditLog.append(
                AuditEntry(
                    occurredAt: now, actorUserID: actor.userID, actorKind: actor.kind, action: "user.invited", targetType: "user",
                    targetID: String(id), ipAddress: actor.origin.ip, userAgent: actor.origin.userAgent,
                    details: [
                        "role": .string(role.rawValue), "grants": .array(grants.map { .string($0.capability.rawValue) }),
                    ], severity: .warning),
                in: db)
            return Invitation(userID: id, expiresAt: Timestamp.string(from: now.addingTimeInterval(24 * 3600)))
        }
    }
}
