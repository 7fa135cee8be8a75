import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The handler of the accounts feature's purge job (USR-14); the account emails are the hub's deliveries
/// (``NotificationDelivery``).
enum AccountJobHandlers {
    static func all(platform: Platform) -> [JobHandler] {
        [
            // USR-14: runs 30 days after the request unless a sign-in cancelled it.
            JobHandler(kind: AccountPurge.jobKind, lease: .seconds(300), timeout: .seconds(240)) { job in
                let payload = try job.decodePayload(AccountJobs.Payload.self)
                let purge = platform.accountPurge
                _ = try await Offload.run { try purge.purge(userID: payload.userID) }
            }
        ]
    }
}
