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
    /// Financial need on file (USR-2); nil when not said.
    public let financialNeed: Bool?
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
    /// The owner's GPA and phone number as stored: encrypted envelopes (40-data §3) that only the owner's own
    /// profile opens.
    public let gpaEnvelope: String?
    public let phoneEnvelope: String?
    public let privacyOverrides: [String: FieldVisibility]
    public let createdAt: String
    public let lastActiveAt: String?
    public let avatarUploadID: Int64?

    public init(row: Row) throws {
        func strings(_ column: String) -> [String] {
            (row[column] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        }
        id = try row.decode(forColumn: "id")
        email = try row.decode(forColumn: "email")
        role = Role(rawValue: try row.decode(forColumn: "role")) ?? .student
        status = AccountStatus(rawValue: try row.decode(forColumn: "status")) ?? .suspended
        firstName = try row.decode(forColumn: "first_name")
        lastName = try row.decode(forColumn: "last_name")
        headline = try row.decode(forColumn: "headline")
        bio = try row.decode(forColumn: "bio")
        major = try row.decode(forColumn: "major")
        degree = try row.decode(forColumn: "degree")
        graduationYear = try row.decode(forColumn: "graduation_year")
        classStanding = try row.decode(forColumn: "class_standing")
        enrollmentStatus = try row.decode(forColumn: "enrollment_status")
        creditHours = try row.decode(forColumn: "credit_hours")
        stateOfResidence = try row.decode(forColumn: "state_of_residence")
        firstGeneration = try row.decode(forColumn: "first_generation")
        financialNeed = try row.decode(forColumn: "financial_need")
        departmentID = try row.decode(forColumn: "department_id")
        departmentName = try row.decode(forColumn: "department_name")
        skills = strings("skills")
        interests = strings("interests")
        links =
            (try row.decode(forColumn: "links") as String?).flatMap {
                try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            } ?? [:]
        company = try row.decode(forColumn: "company")
        position = try row.decode(forColumn: "position")
        industry = try row.decode(forColumn: "industry")
        location = try row.decode(forColumn: "location")
        timeZone = try row.decode(forColumn: "time_zone")
        theme = try row.decode(forColumn: "theme")
        weeklyReport = try row.decode(forColumn: "weekly_report")
        employerVisible = try row.decode(forColumn: "employer_visible")
        directoryListed = try row.decode(forColumn: "directory_listed")
        isMentor = try row.decode(forColumn: "is_mentor") ?? false
        gpaEnvelope = try row.decode(forColumn: "gpa_enc")
        phoneEnvelope = try row.decode(forColumn: "phone_enc")
        let privacy =
            (try row.decode(forColumn: "privacy") as String?).flatMap {
                try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            } ?? [:]
        privacyOverrides = privacy.compactMapValues(FieldVisibility.init(rawValue:))
        createdAt = try row.decode(forColumn: "created_at")
        lastActiveAt = try row.decode(forColumn: "last_active_at")
        avatarUploadID = try row.decode(forColumn: "avatar_upload_id")
    }

    /// The level in force for a field: the owner's choice, else the default.
    public func visibility(_ field: String) -> FieldVisibility {
        privacyOverrides[field] ?? Self.privacyDefaults[field] ?? .members
    }

    public func shows(_ field: String, to viewer: Viewer) -> Bool { visibility(field).admits(viewer) }

    /// The SELECT every profile read uses, with the department's name and whether the member has a mentor profile.
    public static let selectSQL = """
        SELECT u.*, d.name AS department_name, EXISTS (SELECT 1 FROM mentor_profiles m WHERE m.user_id = u.id) AS is_mentor
        FROM users u LEFT JOIN departments d ON d.id = u.department_id
        """
}
