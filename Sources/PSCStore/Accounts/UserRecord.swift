import Foundation
import GRDB
import PSCCore

/// The columns of `users` the accounts layer reads. Profile fields arrive with the profiles feature.
public struct UserRecord: Sendable, Equatable, FetchableRecord {
    public let id: Int64
    public let email: String
    public let passwordHash: String?
    public let role: Role
    public let status: AccountStatus
    public let firstName: String
    public let lastName: String
    public let emailVerified: Bool
    public let degree: String?
    public let graduationYear: Int?
    public let company: String?
    /// The employer's company (`company_members`), set at registration.
    public let companyID: Int64?
    public let departmentID: Int64?
    public let timeZone: String
    public let theme: String
    public let suspendedUntil: String?
    public let lastLoginAt: String?
    public let lastActiveAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        email = try row.decode(forColumn: "email")
        passwordHash = try row.decode(forColumn: "password_hash")
        // The CHECK constraints admit only these values; a row that fails to parse is treated as locked out.
        role = Role(rawValue: try row.decode(forColumn: "role")) ?? .student
        status = AccountStatus(rawValue: try row.decode(forColumn: "status")) ?? .suspended
        firstName = try row.decode(forColumn: "first_name")
        lastName = try row.decode(forColumn: "last_name")
        emailVerified = try row.decode(forColumn: "email_verified")
        degree = try row.decode(forColumn: "degree")
        graduationYear = try row.decode(forColumn: "graduation_year")
        company = try row.decode(forColumn: "company")
        companyID = try row.decode(forColumn: "company_id")
        departmentID = try row.decode(forColumn: "department_id")
        timeZone = try row.decode(forColumn: "time_zone")
        theme = try row.decode(forColumn: "theme")
        suspendedUntil = try row.decode(forColumn: "suspended_until")
        lastLoginAt = try row.decode(forColumn: "last_login_at")
        lastActiveAt = try row.decode(forColumn: "last_active_at")
        createdAt = try row.decode(forColumn: "created_at")
    }

    /// Email addresses compare case-insensitively and without surrounding space.
    public static func normalise(email: String) -> String {
        email.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    }
}

/// A new self-registered or created account.
public struct NewAccount: Sendable {
    public var email: String
    public var passwordHash: String?
    public var role: Role
    public var status: AccountStatus
    public var firstName: String
    public var lastName: String
    public var graduationYear: Int?
    public var degree: String?
    public var company: String?
    public var emailVerified: Bool

    public init(
        email: String, passwordHash: String?, role: Role, status: AccountStatus, firstName: String, lastName: String,
        graduationYear: Int? = nil, degree: String? = nil, company: String? = nil, emailVerified: Bool = false
    ) {
        self.email = email
        self.passwordHash = passwordHash
        self.role = role
        self.status = status
        self.firstName = firstName
        self.lastName = lastName
        self.graduationYear = graduationYear
        self.degree = degree
        self.company = company
        self.emailVerified = emailVerified
    }
}

/// Where a request came from, for audit rows, sessions and sign-in attempts.
public struct RequestOrigin: Sendable {
    public let ip: String?
    public let userAgent: String?
    public init(ip: String?, userAgent: String?) {
        self.ip = ip
        self.userAgent = userAgent
    }
}

extension AuditEntry {
    /// A user's own security event: the user is actor and target, from the request's address.
    public static func account(
        _ action: String, userID: Int64, origin: RequestOrigin, at date: Date, details: [String: JSONValue] = [:],
        severity: Severity = .warning, outcome: Outcome = .success
    ) -> AuditEntry {
        AuditEntry(
            occurredAt: date, actorUserID: userID, actorKind: .user, action: action, targetType: "user", targetID: String(userID),
            ipAddress: origin.ip, userAgent: origin.userAgent, details: details, severity: severity, outcome: outcome)
    }
}

/// Called inside the transaction of a security-relevant change so the user's `security_alert` commits with it
/// (the web layer queues the email).
public typealias SecurityAlertHook = @Sendable (GRDB.Database, _ userID: Int64, _ event: String) throws -> Void
