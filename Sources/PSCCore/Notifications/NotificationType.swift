/// The four ways the hub reaches a person (20-services §3).
public enum NotificationChannel: String, Sendable, CaseIterable, Codable {
    case inApp = "in_app", email, sms, push

    /// The outbound channels, each with a delivery record per send.
    public static let outbound: [NotificationChannel] = [.email, .sms, .push]

    public var label: String {
        switch self {
        case .inApp: "In the app"
        case .email: "Email"
        case .sms: "Text message"
        case .push: "Push"
        }
    }
}

public enum NotificationPriority: String, Sendable, CaseIterable, Codable {
    case critical, high, medium, low

    /// The queue's order: critical first (20-services §3.3).
    public var queuePriority: Int {
        switch self {
        case .critical: 0
        case .high: 1
        case .medium: 2
        case .low: 3
        }
    }

    public var label: String { rawValue.prefix(1).uppercased() + rawValue.dropFirst() }
}

/// The 26 notification types (20-services §3.1): no other type exists; other notices use the nearest one.
public enum NotificationType: String, Sendable, CaseIterable, Codable {
    case securityAlert = "security_alert", accountVerification = "account_verification", passwordReset = "password_reset"
    case systemMaintenance = "system_maintenance", scholarshipDeadline = "scholarship_deadline"
    case scholarshipMatched = "scholarship_matched", applicationSubmitted = "application_submitted"
    case applicationStatus = "application_status", eventCancelled = "event_cancelled", eventReminder = "event_reminder"
    case newEvent = "new_event", newJob = "new_job", jobDeadline = "job_deadline", jobApplicationViewed = "job_application_viewed"
    case newConnection = "new_connection", connectionAccepted = "connection_accepted", newMessage = "new_message"
    case newComment = "new_comment", newPost = "new_post", mentorshipRequest = "mentorship_request"
    case mentorshipAccepted = "mentorship_accepted", sessionScheduled = "session_scheduled", sessionReminder = "session_reminder"
    case announcement, forumReply = "forum_reply", webinarReminder = "webinar_reminder"

    /// One row of the table in 20-services §3.1.
    public struct Definition: Sendable {
        public let priority: NotificationPriority
        public let channels: [NotificationChannel]
        public let locked: [NotificationChannel]
        public let group: String
        public let label: String
        public let description: String
    }

    /// Read from a table made once: the hub asks for a type's definition several times per recipient.
    public var definition: Definition { Self.definitions[self] ?? makeDefinition() }

    private static let definitions = Dictionary(uniqueKeysWithValues: allCases.map { ($0, $0.makeDefinition()) })

    private func makeDefinition() -> Definition {
        typealias D = Definition
        let (ia, em, sm, pu) = (NotificationChannel.inApp, NotificationChannel.email, NotificationChannel.sms, NotificationChannel.push)
        return switch self {
        case .securityAlert:
            D(
                priority: .critical, channels: [ia, em, sm], locked: [ia, em], group: "Account", label: "Security alerts",
                description: "A new sign-in, or a change to your password, two-factor, passkeys or tokens.")
        case .accountVerification:
            D(
                priority: .critical, channels: [em], locked: [em], group: "Account", label: "Account verification",
                description: "Confirming your email address and decisions about your account.")
        case .passwordReset:
            D(
                priority: .critical, channels: [em, sm], locked: [em], group: "Account", label: "Password reset",
                description: "The link to choose a new password when you ask for one.")
        case .systemMaintenance:
            D(
                priority: .critical, channels: [ia, em], locked: [ia], group: "Account", label: "System maintenance",
                description: "Planned downtime and service notices from the administrators.")
        case .scholarshipDeadline:
            D(
                priority: .high, channels: [ia, em, sm, pu], locked: [], group: "Scholarships", label: "Scholarship deadlines",
                description: "Reminders before the deadline of a scholarship you started.")
        case .scholarshipMatched:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Scholarships", label: "Scholarship matches",
                description: "A scholarship you have become eligible for.")
        case .applicationSubmitted:
            D(
                priority: .high, channels: [ia, em], locked: [], group: "Scholarships", label: "Application submitted",
                description: "Confirmation that an application of yours was received.")
        case .applicationStatus:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Scholarships", label: "Application status",
                description: "A decision or change on one of your applications.")
        case .eventCancelled:
            D(
                priority: .critical, channels: [ia, em, sm, pu], locked: [ia], group: "Events", label: "Event cancelled",
                description: "An event you are going to, or waitlisted for, was cancelled.")
        case .eventReminder:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Events", label: "Event reminders",
                description: "Reminders a day and an hour before, a moved event, or a place from the waitlist.")
        case .newEvent:
            D(
                priority: .medium, channels: [ia, pu], locked: [], group: "Events", label: "New events",
                description: "An event published in your department.")
        case .newJob:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Careers", label: "New jobs",
                description: "A new posting that matches your skills or major.")
        case .jobDeadline:
            D(
                priority: .high, channels: [ia, em], locked: [], group: "Careers", label: "Job deadlines",
                description: "A posting you viewed closes in three days.")
        case .jobApplicationViewed:
            D(
                priority: .low, channels: [ia], locked: [], group: "Careers", label: "Application viewed",
                description: "An employer opened your job application.")
        case .newConnection:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Network", label: "Connection requests",
                description: "Someone asked to connect with you.")
        case .connectionAccepted:
            D(
                priority: .high, channels: [ia, pu], locked: [], group: "Network", label: "Connection accepted",
                description: "Someone accepted your request to connect.")
        case .newMessage:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Network", label: "New messages",
                description: "A direct message to you.")
        case .newComment:
            D(
                priority: .medium, channels: [ia, em, pu], locked: [], group: "Network", label: "Comments",
                description: "A comment on one of your posts.")
        case .newPost:
            D(
                priority: .low, channels: [ia, pu], locked: [], group: "Network", label: "Posts by connections",
                description: "A connection posted (at most once a day per person).")
        case .mentorshipRequest:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Mentorship", label: "Mentorship requests",
                description: "A request to you as a mentor, or news of one you sent.")
        case .mentorshipAccepted:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Mentorship", label: "Mentorship accepted",
                description: "A mentor accepted your request.")
        case .sessionScheduled:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Mentorship", label: "Sessions scheduled",
                description: "A mentorship session was scheduled, moved or cancelled.")
        case .sessionReminder:
            D(
                priority: .medium, channels: [ia, pu], locked: [], group: "Mentorship", label: "Session reminders",
                description: "Reminders a day and an hour before a mentorship session.")
        case .announcement:
            D(
                priority: .medium, channels: [ia, em], locked: [], group: "Community", label: "Announcements",
                description: "Announcements from the university and your department.")
        case .forumReply:
            D(
                priority: .low, channels: [ia, em], locked: [], group: "Community", label: "Forum replies",
                description: "A reply in a forum thread you follow.")
        case .webinarReminder:
            D(
                priority: .high, channels: [ia, em, pu], locked: [], group: "Community", label: "Webinar reminders",
                description: "Reminders before a webinar you registered for, changes and recordings.")
        }
    }

    public var priority: NotificationPriority { definition.priority }
    public var isCritical: Bool { priority == .critical }

    /// The settings page's sections, in its order (50-ui §4.3).
    public static let groups = ["Account", "Scholarships", "Events", "Careers", "Network", "Mentorship", "Community"]
}
