import Foundation
import PSCCore
import PSCStore

extension AppRequestContext {
    /// The audit record of a change the signed-in caller makes through a route (ARCHITECTURE: every privileged or
    /// business-relevant change is audited), with the caller's address and how they were authenticated. The store
    /// appends it in the change's own transaction, so there is never a change without its record or the reverse; a
    /// nil id is filled in by the store with the id of the row it creates.
    func auditEntry(
        _ action: String, target: (type: String, id: Int64?), details: [String: JSONValue] = [:],
        severity: AuditEntry.Severity = .info
    ) -> AuditEntry {
        let identity = self.identity
        return AuditEntry(
            occurredAt: Date(), actorUserID: identity?.user.id, actorKind: identity?.token != nil ? .apiToken : .user, action: action,
            targetType: target.type, targetID: target.id.map(String.init), ipAddress: remoteAddress, details: details,
            severity: severity)
    }
}
