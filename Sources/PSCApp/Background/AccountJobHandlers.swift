import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The handlers of the accounts feature's jobs (``AccountJobs``): the emails, written when the job runs so a link's
/// token never sits in the queue, and USR-14's purge.
enum AccountJobHandlers {
    static func all(platform: Platform, mail: any MailTransport) -> [JobHandler] {
        let accounts = platform.accounts
        let store = platform.store
        let from = platform.configuration.string("mail.from") ?? "PittState Connect <no-reply@localhost>"
        @Sendable func user(_ payload: AccountJobs.Payload) throws -> UserRecord {
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
        /// A mail carrying a single-use link, for a user still in a state that needs it; the token is made here, as the
        /// mail is written, so none sits in the queue.
        func linkMail(
            kind: String, purpose: String, validFor seconds: TimeInterval, path: String, wanted: @escaping @Sendable (UserRecord) -> Bool,
            compose: @escaping @Sendable (UserRecord, _ link: String) -> MailMessage
        ) -> JobHandler {
            JobHandler(kind: kind, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(AccountJobs.Payload.self)
                let message = try await Offload.run { () -> MailMessage? in
                    let user = try user(payload)
                    guard wanted(user) else { return nil }
                    let token = try store.write { db in
                        try accounts.issueToken(purpose: purpose, userID: user.id, validFor: seconds, in: db)
                    }
                    return compose(user, "\(payload.origin)\(path)\(token)")
                }
                if let message { try await deliver(message) }
            }
        }
        return [
            linkMail(
                kind: AccountJobs.verificationEmail, purpose: "email_verify", validFor: 24 * 3600, path: "/verify-email/",
                wanted: { !$0.emailVerified }
            ) { user, link in AccountEmails.verification(to: user.email, firstName: user.firstName, link: link, from: from) },
            linkMail(
                kind: AccountJobs.passwordResetEmail, purpose: "password_reset", validFor: 20 * 60, path: "/reset-password/",
                wanted: { $0.status.canSignIn || $0.status == .pendingVerification }
            ) { user, link in AccountEmails.passwordReset(to: user.email, firstName: user.firstName, link: link, from: from) },
            JobHandler(kind: AccountJobs.securityAlertEmail, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(AccountJobs.Payload.self)
                let user = try await Offload.run { try user(payload) }
                try await deliver(
                    AccountEmails.securityAlert(
                        to: user.email, firstName: user.firstName, event: payload.event ?? "account_changed",
                        link: "\(payload.origin)/settings/security", at: job.createdAt, from: from))
            },
            // USR-14: runs 30 days after the request unless a sign-in cancelled it.
            JobHandler(kind: AccountPurge.jobKind, lease: .seconds(300), timeout: .seconds(240)) { job in
                let payload = try job.decodePayload(AccountJobs.Payload.self)
                let purge = platform.accountPurge
                _ = try await Offload.run { try purge.purge(userID: payload.userID) }
            },
        ]
    }
}
