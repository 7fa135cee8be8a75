import Foundation
import PSCCore
import PSCJobs
import PSCStore

/// The accounts feature's queued purge of a deleted account (its handler lives with the composition root); the
/// account emails go through the notification hub.
public enum AccountJobs {
    public struct Payload: Codable, Sendable {
        public let userID: Int64
        public let origin: String
        public var event: String?
        enum CodingKeys: String, CodingKey {
            case userID = "user_id"
            case origin, event
        }
    }

    /// USR-14's purge, on the maintenance queue, due after the grace period.
    public static func purgeRequest(userID: Int64, runAt: Date) throws -> JobRequest {
        try JobRequest(
            kind: AccountPurge.jobKind, queue: "maintenance", payload: Payload(userID: userID, origin: ""),
            runAt: runAt, maxAttempts: 3, uniqueKey: AccountPurge.uniqueKey(userID: userID))
    }
}
