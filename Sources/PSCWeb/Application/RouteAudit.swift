import Foundation
import PSCCore
import PSCStore

extension Platform {
    /// An audit record of a change the signed-in caller made through a route (ARCHITECTURE: every privileged or
    /// business-relevant change is audited), with the caller's address and how they were authenticated.
    func audit(
        _ context: AppRequestContext, _ action: String, target: (type: String, id: Int64), details: [String: JSONValue] = [:],
        severity: AuditEntry.Severity = .info
    ) async throws {
        let identity = context.identity
        let entry = AuditEntry(
            occurredAt: Date(), actorUserID: identity?.user.id, actorKind: identity?.token != nil ? .apiToken : .user, action: action,
            targetType: target.type, targetID: String(target.id), ipAddress: context.remoteAddress, details: details, severity: severity)
        let store = store
        try await Offload.run { try store.write { db in try AuditLog.append(entry, in: db) } }
    }
}
