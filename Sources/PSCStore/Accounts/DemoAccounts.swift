import Foundation
import GRDB
import PSCCore

/// One account per role on a brand-new development database, so a new user can look around at once
/// (00-conventions §1.1). Passwords are random and exist only in the caller's output; nothing is in migrations or
/// fixtures, and a production configuration never calls this.
public enum DemoAccounts {
    public struct Account: Sendable {
        public let role: Role
        public let email: String
        public let password: String
    }

    static let people: [(Role, String, String, String)] = [
        (.student, "demo.student@gus.pittstate.edu", "Sam", "Student"),
        (.alumni, "demo.alumni@pittstate.edu", "Alex", "Alumni"),
        (.faculty, "demo.faculty@pittstate.edu", "Fran", "Faculty"),
        (.staff, "demo.staff@pittstate.edu", "Stacy", "Staff"),
        (.employer, "demo.employer@example.com", "Emery", "Employer"),
        (.admin, "demo.admin@pittstate.edu", "Addison", "Admin"),
    ]

    /// Creates the accounts (active, email verified) and returns their passwords; `hash` is the password hasher.
    public static func create(in store: Store, hash: (String) -> String, clock: () -> Date = Date.init) throws -> [Account] {
        let accounts = people.map { person in
            // 16 base64url characters (96 bits): far from any common password and quick to type.
            Account(role: person.0, email: person.1, password: SecureToken.random(bytes: 12))
        }
        let hashes = accounts.map { hash($0.password) }
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            for (index, person) in people.enumerated() {
                try db.execute(
                    sql: """
                        INSERT INTO users (email, email_norm, password_hash, role, status, first_name, last_name, email_verified,
                            company, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 'active', ?, ?, 1, ?, ?, ?)
                        """,
                    arguments: [
                        person.1, person.1, hashes[index], person.0.rawValue, person.2, person.3,
                        person.0 == .employer ? "Demo Employer Inc." : nil, stamp, stamp,
                    ])
                let id = db.lastInsertedRowID
                if person.0 == .employer { try CompanyStore.join(userID: id, companyName: "Demo Employer Inc.", at: stamp, in: db) }
                try AuditLog.append(
                    AuditEntry(
                        occurredAt: clock(), actorKind: .system, action: "account.demo_created", targetType: "user", targetID: String(id),
                        details: ["role": .string(person.0.rawValue)]),
                    in: db)
            }
        }
        return accounts
    }
}
