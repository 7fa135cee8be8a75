import Foundation
import GRDB
import PSCCore

/// Who is looking at a profile, which decides what a field's privacy level lets through.
public enum Viewer: Sendable, Equatable {
    case owner
    case connection
    case member
    /// Not signed in: a public post's author card.
    case anonymous
}

/// The per-field privacy levels of USR-5 (50-ui `/settings/privacy`).
public enum FieldVisibility: String, Sendable, CaseIterable {
    case `public`, members, connections, `private`

    public func admits(_ viewer: Viewer) -> Bool {
        switch (self, viewer) {
        case (_, .owner): true
        case (.public, _): true
        case (.members, .connection), (.members, .member): true
        case (.connections, .connection): true
        default: false
        }
    }
}

/// A user's profile columns with their privacy settings (40-data `users`).
public struct ProfileRecord: Sendable, FetchableRecord {
    /// Fields whose visibility the owner chooses, with the level used until they do: contact details and activity
    /// are for connections, a phone number for no one, the rest for signed-in members.
    public static let privacyDefaults: [String: FieldVisibility] = [
        "email": .connections, "phone": .private, "last_active_at": .connections, "bio": .members, "headline": .members,
        "major": .members, "degree": .members, "graduation_year": .members, "department": .members, "skills": .members,
        "interests": .members, "links": .members, "company": .members, "position": .members, "industry": .members,
        "location": .members,
    ]

    public let id: Int64
    public let email: String
    public let role: Role
    public let status: AccountStatus
    public let firstName: String
    public let lastName: String
    public let headline: String?
    public let bio: String?
    public let major: String?
    public let degree: String?
    public let graduationYear: Int?
    public let classStanding: String?
    public let enrollmentStatus: String?
    public let creditHours: Int?
    public let stateOfResidence: String?
    public let firstGeneration: Bool?
    public let departmentID: Int64?
    public let departmentName: String?
    public let skills: [String]
    public let interests: [String]
    public let links: [String: String]
    public let company: String?
    public let position: String?
    public let industry: String?
    public let location: String?
    public let timeZone: String
    public let theme: String
    public let weeklyReport: Bool
    public let employerVisible: Bool
    public let directoryListed: Bool
    public let isMentor: Bool
    public let privacyOverrides: [String: FieldVisibility]
    public let createdAt: String
    public let lastActiveAt: String?
    public let avatarUploadID: Int64?

    public init(row: Row) throws {
        func strings(_ column: String) -> [String] {
            (row[column] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        }
        id = row["id"]
        email = row["email"]
        role = Role(rawValue: row["role"]) ?? .student
        status = AccountStatus(rawValue: row["status"]) ?? .suspended
        firstName = row["first_name"]
        lastName = row["last_name"]
        headline = row["headline"]
        bio = row["bio"]
        major = row["major"]
        degree = row["degree"]
        graduationYear = row["graduation_year"]
        classStanding = row["class_standing"]
        enrollmentStatus = row["enrollment_status"]
        creditHours = row["credit_hours"]
        stateOfResidence = row["state_of_residence"]
        firstGeneration = row["first_generation"]
        departmentID = row["department_id"]
        departmentName = row["department_name"]
        skills = strings("skills")
        interests = strings("interests")
        links = (row["links"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        company = row["company"]
        position = row["position"]
        industry = row["industry"]
        location = row["location"]
        timeZone = row["time_zone"]
        theme = row["theme"]
        weeklyReport = row["weekly_report"]
        employerVisible = row["employer_visible"]
        directoryListed = row["directory_listed"]
        isMentor = row["is_mentor"] ?? false
        let privacy = (row["privacy"] as String?).flatMap { try? JSONDecoder().decode([String: String].self, from: Data($0.utf8)) } ?? [:]
        privacyOverrides = privacy.compactMapValues(FieldVisibility.init(rawValue:))
        createdAt = row["created_at"]
        lastActiveAt = row["last_active_at"]
        avatarUploadID = row["avatar_upload_id"]
    }

    /// The level in force for a field: the owner's choice, else the default.
    public func visibility(_ field: String) -> FieldVisibility {
        privacyOverrides[field] ?? Self.privacyDefaults[field] ?? .members
    }

    public func shows(_ field: String, to viewer: Viewer) -> Bool { visibility(field).admits(viewer) }

    /// The SELECT every profile read uses, with the department's name; `is_mentor` arrives with mentorship.
    public static let selectSQL = """
        SELECT u.*, d.name AS department_name, 0 AS is_mentor FROM users u LEFT JOIN departments d ON d.id = u.department_id
        """
}
