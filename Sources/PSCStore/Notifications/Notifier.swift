import Foundation
import GRDB
import PSCCore

/// The 26 notification types and their priorities (20-services §3.1).
public enum NotificationType: String, Sendable, CaseIterable {
    case securityAlert = "security_alert", accountVerification = "account_verification", passwordReset = "password_reset"
    case systemMaintenance = "system_maintenance", scholarshipDeadline = "scholarship_deadline"
    case scholarshipMatched = "scholarship_matched", applicationSubmitted = "application_submitted"
    case applicationStatus = "application_status", eventCancelled = "event_cancelled", eventReminder = "event_reminder"
    case newEvent = "new_event", newJob = "new_job", jobDeadline = "job_deadline", jobApplicationViewed = "job_application_viewed"
    case newConnection = "new_connection", connectionAccepted = "connection_accepted", newMessage = "new_message"
    case newComment = "new_comment", newPost = "new_post", mentorshipRequest = "mentorship_request"
    case mentorshipAccepted = "mentorship_accepted", sessionScheduled = "session_scheduled", sessionReminder = "session_reminder"
    case announcement, forumReply = "forum_reply", webinarReminder = "webinar_reminder"

    public var priority: String {
        switch self {
        case .securityAlert, .accountVerification, .passwordReset, .systemMaintenance, .scholarshipDeadline, .eventCancelled: "critical"
        case .newEvent, .newComment, .sessionReminder, .announcement: "medium"
        case .jobApplicationViewed, .newPost, .forumReply: "low"
        default: "high"
        }
    }
}

/// The one entry point features call to tell people something. It writes the in-app notification in the caller's
/// transaction, so a notice exists exactly when the change it reports committed. The notification hub will route
/// the other channels (email, SMS, push) and apply preferences from here; until then the in-app channel is all.
public enum Notifier {
    public struct Notice: Sendable {
        public let type: NotificationType
        public let title: String
        public let message: String
        public let link: String?

        public init(_ type: NotificationType, title: String, message: String, link: String? = nil) {
            (self.type, self.title, self.message, self.link) = (type, String(title.prefix(200)), String(message.prefix(1000)), link)
        }
    }

    /// "First Last" for a message, or "A member" when the account is gone.
    public static func name(of userID: Int64, in db: GRDB.Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT first_name || ' ' || last_name FROM users WHERE id = ?", arguments: [userID]) ?? "A member"
    }

    /// Tells each listed person, skipping accounts that are not active.
    public static func notify(_ userIDs: [Int64], _ notice: Notice, in db: GRDB.Database) throws {
        guard !userIDs.isEmpty else { return }
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO notifications (user_id, type, priority, title, message, link, created_at)
                SELECT id, ?, ?, ?, ?, ?, ? FROM users WHERE id = ? AND status = 'active'
                """)
        let stamp = Timestamp.string(from: Date())
        for user in Set(userIDs) {
            try statement.execute(arguments: [
                notice.type.rawValue, notice.type.priority, notice.title, notice.message, notice.link, stamp, user,
            ])
        }
    }

    /// Tells everyone a query selects (one `id` column), in one statement: for audiences that may be large. The
    /// query takes plain `?` parameters (numbered ones would name this statement's own).
    public static func notify(selecting sql: String, arguments: StatementArguments, _ notice: Notice, in db: GRDB.Database) throws {
        try db.execute(
            sql: """
                INSERT INTO notifications (user_id, type, priority, title, message, link, created_at)
                SELECT audience.id, ?, ?, ?, ?, ?, ? FROM (\(sql)) AS audience JOIN users u ON u.id = audience.id AND u.status = 'active'
                """,
            arguments: [
                notice.type.rawValue, notice.type.priority, notice.title, notice.message, notice.link, Timestamp.string(from: Date()),
            ]
                + arguments)
    }
}
