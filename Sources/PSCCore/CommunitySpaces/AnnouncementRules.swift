import Foundation

/// An announcement's priority; lists sort by rank, urgent first (the earlier version sorted the names alphabetically).
public enum AnnouncementPriority: String, Sendable, CaseIterable, Codable {
    case urgent, high, normal, low

    public var rank: Int {
        switch self {
        case .urgent: 0
        case .high: 1
        case .normal: 2
        case .low: 3
        }
    }
}

/// Who sees an announcement and when (10-api §13).
public struct AnnouncementAudience: Sendable, Equatable {
    public let roles: [Role]
    public let departmentID: Int64?
    public let publishedAt: Date
    public let expiresAt: Date?

    public init(roles: [Role], departmentID: Int64?, publishedAt: Date, expiresAt: Date?) {
        (self.roles, self.departmentID, self.publishedAt, self.expiresAt) = (roles, departmentID, publishedAt, expiresAt)
    }

    /// Whether it is live now: published, and not yet expired.
    public func isLive(at now: Date) -> Bool { publishedAt <= now && expiresAt.map { now < $0 } ?? true }

    /// Live, for the caller's role, and global or for a department the caller belongs to or holds a grant in (a grant
    /// without a department counts for every one). Anonymous callers see only global announcements for everyone.
    public func isVisible(to actor: Actor?, at now: Date) -> Bool {
        guard isLive(at: now) else { return false }
        guard let actor else { return roles.isEmpty && departmentID == nil }
        guard roles.isEmpty || roles.contains(actor.role) else { return false }
        guard let departmentID else { return true }
        return actor.departmentID == departmentID || actor.grants.contains { $0.departmentID == nil || $0.departmentID == departmentID }
    }
}

/// Who writes and manages announcements (ANN-3, ANN-4).
public enum AnnouncementPolicy {
    /// An admin, or a holder of `send_announcements` for that department; only a grant without a department (or an
    /// admin) sends to everyone.
    public static func mayPost(_ actor: Actor, departmentID: Int64?) -> Bool {
        actor.role == .admin || actor.has(.sendAnnouncements, inDepartment: departmentID)
    }

    /// Whether the actor writes announcements at all (the Manage menu, ANN-1 `manage`).
    public static func sendsAny(_ actor: Actor) -> Bool { actor.has(.sendAnnouncements) }

    /// Its author or an admin edits and deletes it.
    public static func mayEdit(_ actor: Actor, authorID: Int64) -> Bool { actor.role == .admin || actor.userID == authorID }
}
