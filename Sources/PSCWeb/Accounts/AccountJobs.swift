import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// Background work of the accounts feature: the verification email. The job carries only the user id and the
/// site's origin; the token is made when the mail is written, so no usable secret ever sits in the queue.
enum AccountJobs {
    static let verificationEmail = "email.verify"

    struct VerificationPayload: Codable, Sendable {
        let userID: Int64
        let origin: String
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case origin
        }
    }

    static func verificationRequest(userID: Int64, origin: String) throws -> JobRequest {
        try JobRequest(
            kind: verificationEmail, queue: "deliveries", payload: VerificationPayload(userID: userID, origin: origin), maxAttempts: 5)
    }

    static func handlers(platform: Platform) -> [JobHandler] {
        [
            JobHandler(kind: verificationEmail, lease: .seconds(120), timeout: .seconds(60)) { job in
                let payload = try job.decodePayload(VerificationPayload.self)
                let accounts = platform.accounts
                let (store, mail) = (platform.store, platform.mail)
                let from = platform.configuration.string("mail.from") ?? "PittState Connect <no-reply@localhost>"
                try await Offload.run {
                    guard let user = try accounts.user(id: payload.userID) else {
                        throw PermanentJobError("user \(payload.userID) no longer exists")
                    }
                    if user.emailVerified { return }
                    let token = try store.write { db in
                        try accounts.issueToken(purpose: "email_verify", userID: user.id, validFor: 24 * 3600, in: db)
                    }
                    let link = "\(payload.origin)/verify-email/\(token)"
                    try mail.send(AccountEmails.verification(to: user.email, firstName: user.firstName, link: link, from: from))
                }
            }
        ]
    }
}
