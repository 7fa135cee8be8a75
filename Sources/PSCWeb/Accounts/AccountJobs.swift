import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// The jobs of the accounts feature as the routes queue them: the verification, password-reset and security-alert
/// emails and the purge of a deleted account (their handlers live with the composition root). A job carries only the user id, the site's origin and the event; a link's token is made when the mail is written,
/// so no usable secret ever sits in the queue.
public enum AccountJobs {
    public static let verificationEmail = "email.verify"
    public static let passwordResetEmail = "email.password_reset"
    public static let securityAlertEmail = "email.security_alert"

    public struct Payload: Codable, Sendable {
        public let userID: Int64
        public let origin: String
        public var event: String?
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case origin, event
        }
    }

    public static func verificationRequest(userID: Int64, origin: String) throws -> JobRequest {
        try JobRequest(kind: verificationEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin), maxAttempts: 5)
    }

    public static func passwordResetRequest(userID: Int64, origin: String) throws -> JobRequest {
        try JobRequest(kind: passwordResetEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin), maxAttempts: 5)
    }

    /// The `security_alert` of 20-services §3.1 as an email; the notification hub will take it over.
    public static func securityAlertRequest(userID: Int64, event: String, origin: String) throws -> JobRequest {
        try JobRequest(
            kind: securityAlertEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin, event: event), maxAttempts: 5)
    }

    /// The hook the security stores call inside their transactions.
    public static func alertHook(jobs: JobQueue, origin: String) -> SecurityAlertHook {
        { db, userID, event in try jobs.enqueue(securityAlertRequest(userID: userID, event: event, origin: origin), in: db) }
    }

    /// USR-14's purge, on the maintenance queue, due after the grace period.
    public static func purgeRequest(userID: Int64, runAt: Date) throws -> JobRequest {
        try JobRequest(
            kind: AccountPurge.jobKind, queue: "maintenance", payload: Payload(userID: userID, origin: ""),
            runAt: runAt, maxAttempts: 3, uniqueKey: AccountPurge.uniqueKey(userID: userID))
    }
}
