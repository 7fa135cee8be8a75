import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The hub's `deliver` jobs (20-services §3.4): one job per delivery record, sending through the channel's adapter
/// and writing what happened back to the record: sent with the provider's id, retried through the queue, or failed
/// with the last error. Account emails (verification, password reset) are deliveries too; their single-use link is
/// made as the mail is written, so no token sits in the queue.
enum NotificationDelivery {
    static let kind = "notification.deliver"

    struct Payload: Codable, Sendable {
        let deliveryID: Int64
        enum CodingKeys: String, CodingKey { case deliveryID = "delivery_id" }
    }

    /// A broadcast's chunk: its recipients told through the hub in one transaction (``BroadcastStore``).
    static func broadcastHandler(platform: Platform) -> JobHandler {
        let broadcasts = platform.communication.broadcasts
        return JobHandler(kind: BroadcastJobs.kind, lease: .seconds(300), timeout: .seconds(240)) { job in
            let chunk = try job.decodePayload(BroadcastStore.Chunk.self)
            _ = try await Offload.background { try broadcasts.deliver(chunk) }
        }
    }

    /// Job 10 at 18:00 Chicago, caught up until 22:00: the day's digests (20-services §3.3).
    static func digestSchedule(platform: Platform, calendar: SlotCalendar) throws -> ScheduledJob {
        let deliveries = platform.communication.deliveries
        return try ScheduledJob(
            name: "notification_digests", cron: "0 18 * * *", catchUp: 4 * 3600, timeout: .seconds(1200), maxAttempts: 3
        ) { slot in
            let weekday = calendar.dayAndWeekday(of: Scheduler.parseSlot(slot) ?? Date()).weekday
            let made = try await Offload.background { try deliveries.prepareDigests(isoWeekday: weekday == 0 ? 7 : weekday) }
            return ["digests": .int(Int64(made))]
        }
    }

    /// Attempts per channel: email 6, SMS 4, push 4.
    static func request(_ job: DeliveryJob) throws -> JobRequest {
        try JobRequest(
            kind: kind, queue: "deliveries", payload: Payload(deliveryID: job.deliveryID), priority: job.priority.queuePriority,
            runAt: job.runAt, maxAttempts: job.channel == .email ? 6 : 4, uniqueKey: "delivery:\(job.deliveryID)")
    }

    /// The outbound channels this configuration can send on (in-app always).
    static func configuredChannels(_ configuration: Configuration) throws -> Set<NotificationChannel> {
        var channels: Set<NotificationChannel> = [.inApp]
        if MailTransports.isConfigured(configuration) { channels.insert(.email) }
        if try TwilioSMS(configuration) != nil { channels.insert(.sms) }
        if try FirebasePush(configuration) != nil { channels.insert(.push) }
        return channels
    }

    /// The adapters a running server sends through.
    struct Adapters: Sendable {
        let mail: any MailTransport
        /// Where account emails go when email is not configured, so an admin can pass their links on.
        let outbox: any MailTransport
        let sms: TwilioSMS?
        let push: FirebasePush?

        init(configuration: Configuration, mail: any MailTransport) throws {
            self.mail = mail
            outbox = FileMailTransport(directory: (configuration.dataDirectory as NSString).appendingPathComponent("mail"))
            sms = try TwilioSMS(configuration)
            push = try FirebasePush(configuration)
        }
    }

    static func handler(platform: Platform, adapters: Adapters) -> JobHandler {
        let (deliveries, keyRing, accounts, store) = (
            platform.communication.deliveries, platform.keyRing, platform.accounts, platform.store
        )
        let phones = platform.communication.phones
        let from = platform.configuration.string("mail.from") ?? "PittState Connect <no-reply@localhost>"
        let siteOrigin = platform.configuration.siteOrigin
        /// The verification or reset email with a fresh single-use link, or nil when the account no longer needs it.
        @Sendable func accountEmail(_ kind: String, work: DeliveryWork, origin: String, from: String) throws -> MailMessage? {
            guard let userID = work.delivery.userID, let user = try accounts.user(id: userID) else { return nil }
            switch kind {
            case "verify":
                guard !user.emailVerified else { return nil }
                let token = try store.write { db in
                    try accounts.issueToken(purpose: "email_verify", userID: user.id, validFor: 24 * 3600, in: db)
                }
                return AccountEmails.verification(
                    to: user.email, firstName: user.firstName, link: "\(origin)/verify-email/\(token)", from: from)
            case "reset":
                guard user.status.canSignIn || user.status == .pendingVerification else { return nil }
                let token = try store.write { db in
                    try accounts.issueToken(purpose: "password_reset", userID: user.id, validFor: 20 * 60, in: db)
                }
                return AccountEmails.passwordReset(
                    to: user.email, firstName: user.firstName, link: "\(origin)/reset-password/\(token)", from: from)
            case "invite":
                guard user.passwordHash == nil, user.status == .pendingVerification else { return nil }
                let token = try store.write { db in
                    try accounts.issueToken(purpose: "invitation", userID: user.id, validFor: 24 * 3600, in: db)
                }
                return AccountEmails.invitation(
                    to: user.email, firstName: user.firstName, link: "\(origin)/invitation/\(token)", from: from)
            default:
                return nil
            }
        }
        return JobHandler(kind: kind, lease: .seconds(120), timeout: .seconds(90)) { job in
            let id = try job.decodePayload(Payload.self).deliveryID
            guard let work = try await Offload.background({ try deliveries.begin(id) }) else { return }
            let origin = work.data[AccountNotices.originKey] ?? siteOrigin
            do {
                if work.delivery.purpose == "digest" {
                    let items = try await Offload.background { try deliveries.digestItems(deliveryID: id) }
                    let message = NotificationEmails.digest(
                        to: work.email, firstName: work.firstName, items: items, origin: origin, from: from)
                    try await adapters.mail.send(message)
                    let sealed = try keyRing.encrypt(work.email, column: "deliveries.to_enc")
                    try await Offload.background { try deliveries.sent(id, providerMessageID: message.id, toSealed: sealed) }
                    return
                }
                if let batch = work.delivery.batchID, batch.hasPrefix(ScholarshipApplicationStore.letterBatch + ":"),
                    let requestID = Int64(batch.dropFirst(ScholarshipApplicationStore.letterBatch.count + 1))
                {
                    guard
                        let message = try await Offload.background({
                            try ScholarshipJobs.letterEmail(requestID: requestID, platform: platform, origin: origin, from: from)
                        })
                    else {
                        try await Offload.background {
                            try deliveries.attemptFailed(id, error: "not sent: the request was cancelled, answered or expired", final: true)
                        }
                        return
                    }
                    try await adapters.mail.send(message)
                    let sealed = try keyRing.encrypt(message.to, column: "deliveries.to_enc")
                    try await Offload.background { try deliveries.sent(id, providerMessageID: message.id, toSealed: sealed) }
                    return
                }
                if let batch = work.delivery.batchID, batch.hasPrefix(AnalyticsStore.weeklyBatchPrefix), let user = work.delivery.userID {
                    let analytics = platform.analytics
                    guard let report = try await Offload.background({ try analytics.weeklyReport(userID: user) }) else {
                        try await Offload.background {
                            try deliveries.attemptFailed(id, error: "not sent: no longer a weekly report recipient", final: true)
                        }
                        return
                    }
                    let message = AnalyticsSchedules.email(report, origin: origin, from: from)
                    try await adapters.mail.send(message)
                    let sealed = try keyRing.encrypt(message.to, column: "deliveries.to_enc")
                    try await Offload.background { try deliveries.sent(id, providerMessageID: message.id, toSealed: sealed) }
                    return
                }
                if work.delivery.batchID == PhoneVerificationStore.batch {
                    guard let sms = adapters.sms else { throw OutboundFailure(description: "SMS is not configured", permanent: true) }
                    guard let sealedPhone = work.phoneSealed, let user = work.delivery.userID else {
                        throw OutboundFailure(description: "the account has no phone number", permanent: true)
                    }
                    let phone = try keyRing.decrypt(sealedPhone, column: "users.phone_enc")
                    let code = try await Offload.background { try phones.issueCode(userID: user) }
                    let sent = try await sms.send(to: phone, body: "PittState Connect: your code is \(code). It expires in 10 minutes.")
                    let sealed = try keyRing.encrypt(phone, column: "deliveries.to_enc")
                    try await Offload.background { try deliveries.sent(id, providerMessageID: sent.sid, toSealed: sealed) }
                    return
                }
                guard let type = work.type else { throw OutboundFailure(description: "the notification is gone", permanent: true) }
                switch work.delivery.channel {
                case "email":
                    let message: MailMessage
                    if let linkKind = work.data[AccountNotices.linkKey] {
                        guard
                            let composed = try await Offload.background({
                                try accountEmail(linkKind, work: work, origin: origin, from: from)
                            })
                        else {
                            try await Offload.background {
                                try deliveries.attemptFailed(id, error: "not sent: the account no longer needs this email", final: true)
                            }
                            return
                        }
                        message = composed
                    } else {
                        let token =
                            type.isCritical
                            ? nil : UnsubscribeToken.make(userID: work.delivery.userID ?? 0, type: type, key: keyRing.hashKey)
                        message = NotificationEmails.message(work, type: type, origin: origin, from: from, unsubscribe: token)
                    }
                    if work.isAccountCopy {
                        try await adapters.outbox.send(message)
                        try await Offload.background { try deliveries.accountCopyWritten(id) }
                        return
                    }
                    try await adapters.mail.send(message)
                    let sealed = try keyRing.encrypt(work.email, column: "deliveries.to_enc")
                    try await Offload.background { try deliveries.sent(id, providerMessageID: message.id, toSealed: sealed) }
                case "sms":
                    guard let sms = adapters.sms else { throw OutboundFailure(description: "SMS is not configured", permanent: true) }
                    guard let sealedPhone = work.phoneSealed else {
                        throw OutboundFailure(description: "the account has no phone number", permanent: true)
                    }
                    let phone = try keyRing.decrypt(sealedPhone, column: "users.phone_enc")
                    let link = work.link.map { " " + ($0.hasPrefix("/") ? origin + $0 : $0) } ?? ""
                    do {
                        let sent = try await sms.send(to: phone, body: "PittState Connect: \(work.title). \(work.message)\(link)")
                        let sealed = try keyRing.encrypt(phone, column: "deliveries.to_enc")
                        try await Offload.background { try deliveries.sent(id, providerMessageID: sent.sid, toSealed: sealed) }
                    } catch let failure as OutboundFailure where failure.code == 21610 {
                        // The person replied STOP: their SMS consent is revoked at the provider's word.
                        let user = work.delivery.userID ?? 0
                        try await Offload.background {
                            try store.write { db in
                                _ = try Consent.append(
                                    userID: user, type: "sms", granted: false, version: "provider", source: "provider", origin: nil,
                                    at: Timestamp.string(from: Date()), in: db)
                            }
                        }
                        throw failure
                    }
                case "push":
                    guard let push = adapters.push else { throw OutboundFailure(description: "push is not configured", permanent: true) }
                    guard !work.pushTokens.isEmpty else { throw OutboundFailure(description: "no active device", permanent: true) }
                    let message = FirebasePush.Message(
                        title: work.title, body: work.message,
                        data: [
                            "type": type.rawValue, "link": work.link ?? "",
                            "notification_id": work.delivery.notificationID.map(String.init) ?? "",
                        ],
                        urgent: [.critical, .high].contains(type.priority))
                    var names: [String] = []
                    var lastFailure: OutboundFailure?
                    for device in work.pushTokens {
                        do {
                            names.append(try await push.send(message, to: device))
                            try await Offload.background { try deliveries.deviceUsed(token: device) }
                        } catch let failure as OutboundFailure {
                            if failure.code == FirebasePush.unregistered {
                                try await Offload.background { try deliveries.deactivateDevice(token: device) }
                            }
                            lastFailure = failure
                        }
                    }
                    if names.isEmpty, let lastFailure { throw lastFailure }
                    let first = names.first
                    try await Offload.background { try deliveries.sent(id, providerMessageID: first, toSealed: nil) }
                default:
                    throw OutboundFailure(description: "no adapter sends on \(work.delivery.channel)", permanent: true)
                }
            } catch {
                let permanent =
                    (error as? OutboundFailure)?.permanent ?? (error as? SMTPMailTransport.Failure)?.permanent ?? false
                let final = permanent || job.attempts >= job.maxAttempts
                try await Offload.background { try deliveries.attemptFailed(id, error: "\(error)", final: final) }
                if permanent { throw PermanentJobError("\(error)") }
                throw error
            }
        }
    }
}
