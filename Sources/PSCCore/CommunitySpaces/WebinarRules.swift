import Foundation

/// Who hosts webinars and who sees their meeting link (10-api §15).
public enum WebinarPolicy {
    /// Faculty, staff and admins host; so do holders of `manage_webinars`.
    public static func mayHost(_ actor: Actor) -> Bool {
        [.faculty, .staff, .admin].contains(actor.role) || actor.has(.manageWebinars)
    }

    /// The host, an admin, or a holder of `manage_webinars` for the webinar's department.
    public static func mayManage(_ actor: Actor, hostID: Int64, departmentID: Int64?) -> Bool {
        actor.userID == hostID || actor.role == .admin || actor.has(.manageWebinars, inDepartment: departmentID)
    }

    /// With registration required only registrants and those who manage it see the link; without, everyone signed
    /// in does (the earlier version had this the wrong way round).
    public static func seesMeetingURL(registrationRequired: Bool, isRegistrant: Bool, manages: Bool, signedIn: Bool) -> Bool {
        guard signedIn else { return false }
        return !registrationRequired || isRegistrant || manages
    }

    /// The reminder thresholds before the start, in seconds: 24 hours and 15 minutes.
    public static let reminderOffsets: [Int] = [86_400, 900]
}
