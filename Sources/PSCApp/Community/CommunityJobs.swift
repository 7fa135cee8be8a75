import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The community spaces' background work (30-jobs): `reminder` for webinars and mentorship sessions, and
/// `mentorship_request_expiry`; the stores queue both in their own writes through the store's timed work.
enum CommunityJobs {
    /// A store's timed job as the queue's request, its payload kept as written.
    static func request(_ timed: TimedJob) throws -> JobRequest {
        var request = try JobRequest(
            kind: timed.kind, queue: "default", priority: timed.priority, runAt: timed.runAt, maxAttempts: timed.maxAttempts,
            uniqueKey: timed.uniqueKey)
        request.payload = timed.payload
        return request
    }

    static func reminderHandler(platform: Platform) -> JobHandler {
        let store = platform.store
        return JobHandler(kind: Reminders.jobKind, lease: .seconds(60), timeout: .seconds(50)) { job in
            let payload = try job.decodePayload(Reminders.Payload.self)
            _ = try await Offload.run { try Reminders.send(payload, store: store) }
        }
    }

    static func expiryHandler(platform: Platform) -> JobHandler {
        let mentorship = platform.community.mentorship
        return JobHandler(kind: MentorshipStore.expiryJobKind, lease: .seconds(60), timeout: .seconds(50)) { job in
            let payload = try job.decodePayload(MentorshipStore.ExpiryPayload.self)
            _ = try await Offload.run { try mentorship.expire(requestID: payload.requestID) }
        }
    }

    static func handlers(platform: Platform) -> [JobHandler] {
        [reminderHandler(platform: platform), expiryHandler(platform: platform)]
    }
}
