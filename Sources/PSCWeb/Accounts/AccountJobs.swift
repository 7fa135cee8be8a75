import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// Background work of the accounts feature: the verification, password-reset and security-alert emails. A job
/// carries only the user id, the site's origin and the event; a link's token is made when the mail is written,
/// so no usable secret ever sits in the queue.
enum AccountJobs {
    static let verificationEmail = "email.verify"
    static let passwordResetEmail = "email.password_reset"
    static let securityAlertEmail = "email.security_alert"

    struct Payload: Codable, Sendable {
        let userID: Int64
        let origin: String
        var event: String?
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case origin, event
        }
    }

    static func verificationRequest(userID: Int64, origin: String) throws -> JobRequest {
        try JobRequest(kind: verificationEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin), maxAttempts: 5)
    }

    static func passwordResetRequest(userID: Int64, origin: String) throws -> JobRequest {
        try JobRequest(kind: passwordResetEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin), maxAttempts: 5)
    }

    /// The `security_alert` of 20-services §3.1 as an email; the notification hub will take it over.
    static func securityAlertRequest(userID: Int64, event: String, origin: String) throws -> JobRequest {
        try JobRequest(
            kind: securityAlertEmail, queue: "deliveries", payload: Payload(userID: userID, origin: origin, event: event), maxAttempts: 5)
    }

    /// The hook the security stores call inside their transactions.
    static func alertHook(jobs: JobQueue, origin: String) -> SecurityAlertHook {
        { db, userID, event in try jobs.enqueue(securityAlertRequest(userID: userID, event: event, origin: origin), in: db) }
    }

    static func handlers(platform: Platform) -> [JobHandler] {
        let accounts = platform.accounts
        let (store, mail) = (platform.store, platform.mail)
        let from = platform.configuration.string("mail.from") ?? "PittState Connect <no-reply@localhost>"
        @Sendable func user(_ payload: Payload) throws -> UserRecord {
            guard let user = try accounts.user(id: payload.userID) else {
                throw PermanentJobError("user \(payload.userID) no longer exists")
            }
            return user
        }
        /// A 5xx from the relay will not change on retry (20-services §8.5).
        @Sendable func deliver(_ message: MailMessage) async throws {
            do {
                try await mail.send(message)
            } catch let failure as SMTPMailTransport.Failure where failure.permanent {
                throw PermanentJobError(failure.description)
            }
        }
        return [
            JobHandler(kind: verificationEmail, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(Payload.self)
                let message = try await Offload.run { () -> MailMessage? in
                    let user = try user(payload)
                    if user.emailVerified { return nil }
                    let token = try store.write { db in
                        try accounts.issueToken(purpose: "email_verify", userID: user.id, validFor: 24 * 3600, in: db)
                    }
                    return AccountEmails.verification(
                        to: user.email, firstName: user.firstName, link: "\(payload.origin)/verify-email/\(token)", from: from)
                }
                if let message { try await deliver(message) }
            },
            JobHandler(kind: passwordResetEmail, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(Payload.self)
                let message = try await Offload.run { () -> MailMessage? in
                    let user = try user(payload)
                    guard user.status.canSignIn || user.status == .pendingVerification else { return nil }
                    let token = try store.write { db in
                        try accounts.issueToken(purpose: "password_reset", userID: user.id, validFor: 20 * 60, in: db)
                    }
                    return AccountEmails.passwordReset(
                        to: user.email, firstName: user.firstName, link: "\(payload.origin)/reset-password/\(token)", from: from)
                }
                if let message { try await deliver(message) }
            },
            JobHandler(kind: securityAlertEmail, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(Payload.self)
                let user = try await Offload.run { try user(payload) }
                try await deliver(
                    AccountEmails.securityAlert(
                        to: user.email, firstName: user.firstName, event: payload.event ?? "account_changed",
                        link: "\(payload.origin)/settings/security", at: job.createdAt, from: from))
            },
            // USR-14: runs 30 days after the request unless a sign-in cancelled it.
            JobHandler(kind: AccountPurge.jobKind, lease: .seconds(300), timeout: .seconds(240)) { job in
                let payload = try job.decodePayload(Payload.self)
                let purge = AccountPurge(store: store)
                _ = try await Offload.run { try purge.purge(userID: payload.userID) }
            },
        ]
    }

    /// USR-14's purge, on the maintenance queue, due after the grace period.
    static func purgeRequest(userID: Int64, now: Date = Date()) throws -> JobRequest {
        try JobRequest(
            kind: AccountPurge.jobKind, queue: "maintenance", payload: Payload(userID: userID, origin: ""),
            runAt: now.addingTimeInterval(AccountPurge.grace), maxAttempts: 3, uniqueKey: AccountPurge.uniqueKey(userID: userID))
    }
}
