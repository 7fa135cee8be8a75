/// The primary role of an account (00-conventions §1.1): exactly one, never null.
public enum Role: String, Sendable, CaseIterable, Codable {
    case student, alumni, faculty, staff, employer, admin

    /// Roles a person may ask for when registering themselves (§1.3).
    public static let selfRegistrable: [Role] = [.student, .alumni, .employer]
}

/// Account status (00-conventions §1.2).
public enum AccountStatus: String, Sendable, CaseIterable, Codable {
    case pendingVerification = "pending_verification"
    case pendingApproval = "pending_approval"
    case active, suspended, deleted

    /// Whether the account may sign in at all.
    public var canSignIn: Bool { self != .suspended && self != .deleted }
}

/// A department-scoped admin power (00-conventions §1.4).
public enum Capability: String, Sendable, CaseIterable, Codable {
    case careerServices = "career_services"
    case registrar
    case departmentHead = "department_head"
    case scholarshipCommittee = "scholarship_committee"
    case moderator, analyst

    public var permissions: Set<Permission> {
        switch self {
        case .careerServices:
            [.manageJobs, .approveEmployers, .managePartnerships, .manageEvents, .manageWebinars, .sendAnnouncements, .viewAnalytics]
        case .registrar: [.verifyUsers, .importRecords, .accessReports, .exportData]
        case .departmentHead: [.viewAnalytics, .sendAnnouncements, .manageEvents, .manageScholarships, .reviewScholarships]
        case .scholarshipCommittee: [.reviewScholarships]
        case .moderator: [.moderateContent]
        case .analyst: [.viewAnalytics, .accessReports]
        }
    }
}

/// A permission carried by capabilities; the `admin` role holds every one, `manage_users` only through the role.
public enum Permission: String, Sendable, CaseIterable, Codable {
    case verifyUsers = "verify_users"
    case approveEmployers = "approve_employers"
    case manageJobs = "manage_jobs"
    case managePartnerships = "manage_partnerships"
    case manageEvents = "manage_events"
    case manageWebinars = "manage_webinars"
    case manageScholarships = "manage_scholarships"
    case reviewScholarships = "review_scholarships"
    case sendAnnouncements = "send_announcements"
    case viewAnalytics = "view_analytics"
    case accessReports = "access_reports"
    case exportData = "export_data"
    case importRecords = "import_records"
    case moderateContent = "moderate_content"
    case manageUsers = "manage_users"
}

/// An active grant as authorisation sees it: the capability and its department (nil: every department).
public struct Grant: Sendable, Equatable {
    public let capability: Capability
    public let departmentID: Int64?
    public let expiresAt: String?

    public init(capability: Capability, departmentID: Int64?, expiresAt: String?) {
        self.capability = capability
        self.departmentID = departmentID
        self.expiresAt = expiresAt
    }
}
