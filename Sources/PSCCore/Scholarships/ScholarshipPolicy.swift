/// Who may manage, review and apply for scholarships (10-api §10, 00-conventions §1.4).
public enum ScholarshipPolicy {
    /// `dept:manage_scholarships`: an admin, or a grant of `manage_scholarships` for the scholarship's department (a
    /// grant without a department covers every scholarship).
    public static func mayManage(_ actor: Actor, departmentID: Int64?) -> Bool {
        actor.role == .admin || actor.has(.manageScholarships, inDepartment: departmentID)
    }

    /// Whether the actor manages any scholarships at all (the Manage menu, SCH-3 before a department is chosen).
    public static func managesAny(_ actor: Actor) -> Bool { actor.has(.manageScholarships) }

    /// Students and alumni apply (SCH-9, SCH-29).
    public static func mayApply(_ actor: Actor) -> Bool { actor.role == .student || actor.role == .alumni }

    /// Reading an application (SCH-11): its applicant, an assigned reviewer, a manager of the scholarship, an admin.
    public static func mayRead(
        _ actor: Actor, applicantID: Int64, assignedReviewer: Bool, departmentID: Int64?
    ) -> Bool {
        actor.userID == applicantID || assignedReviewer || mayManage(actor, departmentID: departmentID)
    }

    /// Deciding awards (SCH-26): a manager of the scholarship or its committee's chair.
    public static func mayDecide(_ actor: Actor, isChair: Bool, departmentID: Int64?) -> Bool {
        isChair || mayManage(actor, departmentID: departmentID)
    }
}
