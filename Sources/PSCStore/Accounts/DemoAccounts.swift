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

    public static let studentEmail = "demo.student@gus.pittstate.edu"

    static let people: [(Role, String, String, String)] = [
        (.student, studentEmail, "Sam", "Student"),
        (.alumni, "demo.alumni@pittstate.edu", "Alex", "Alumni"),
        (.faculty, "demo.faculty@pittstate.edu", "Fran", "Faculty"),
        (.staff, "demo.staff@pittstate.edu", "Stacy", "Staff"),
        (.employer, "demo.employer@example.com", "Emery", "Employer"),
        (.admin, "demo.admin@pittstate.edu", "Addison", "Admin"),
    ]

    /// What a real member of each role would have filled in, so the demo accounts meet the pages as members do:
    /// department (by fixture name), major, headline and graduation year, listed in the directory with consent.
    static let profiles: [Role: (department: String?, major: String?, headline: String, year: Int?)] = [
        .student: (
            "Accounting and Computer Information Systems", "Computer Information Systems", "CIS junior, looking for a summer internship",
            2028
        ),
        .alumni: ("School of Construction", "Construction Management", "Project engineer in Joplin", 2019),
        .faculty: ("Engineering Technology", nil, "Associate professor of engineering technology", nil),
        .staff: (nil, nil, "Career services coordinator", nil),
        .employer: (nil, nil, "Campus recruiter", nil),
        .admin: (nil, nil, "PittState Connect administrator", nil),
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
                if let profile = profiles[person.0] {
                    let listed = person.0 != .employer && person.0 != .admin
                    try db.execute(
                        sql: """
                            UPDATE users SET department_id = (SELECT id FROM departments WHERE name = ?), major = ?, headline = ?,
                                graduation_year = ?, directory_listed = ? WHERE id = ?
                            """,
                        arguments: [profile.department, profile.major, profile.headline, profile.year, listed, id])
                    if listed {
                        try Consent.append(
                            userID: id, type: "ferpa_directory", granted: true, version: "1", source: "user", origin: nil, at: stamp, in: db
                        )
                    }
                }
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
