import Foundation

/// Who may organise and manage events, what an RSVP becomes, and when check-in is open (10-api §8, EVT-3..9).
public enum EventPolicy {
    /// Faculty, staff and admins organise events; so does a holder of `manage_events` for the department.
    public static func mayOrganise(_ actor: Actor, departmentID: Int64?) -> Bool {
        [.faculty, .staff, .admin].contains(actor.role) || actor.has(.manageEvents, inDepartment: departmentID)
    }

    /// The organiser, an admin, or a holder of `manage_events` for the event's department.
    public static func mayManage(_ actor: Actor, organizerID: Int64, departmentID: Int64?) -> Bool {
        organizerID == actor.userID || actor.role == .admin || actor.has(.manageEvents, inDepartment: departmentID)
    }

    public enum RSVPDecision: String, Sendable, Equatable {
        case going, waitlisted, full
    }

    /// EVT-6: going while a seat is free (no capacity means no limit), else waitlisted when the waitlist is on,
    /// else full.
    public static func rsvp(capacity: Int?, going: Int, waitlistEnabled: Bool) -> RSVPDecision {
        if capacity.map({ going < $0 }) ?? true { return .going }
        return waitlistEnabled ? .waitlisted : .full
    }

    /// Check-in opens an hour before the start and closes two hours after the end.
    public static let checkInOpensBefore: TimeInterval = 3600
    public static let checkInClosesAfter: TimeInterval = 2 * 3600

    public static func isCheckInOpen(at now: Date, start: Date, end: Date) -> Bool {
        now >= start.addingTimeInterval(-checkInOpensBefore) && now <= end.addingTimeInterval(checkInClosesAfter)
    }
}
