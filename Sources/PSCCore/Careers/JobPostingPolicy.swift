/// Who may post job postings and manage them (10-api §9, JOB-3..11).
public enum JobPostingPolicy {
    /// Employers, faculty, staff, admins and holders of `manage_jobs`.
    public static func mayPost(_ actor: Actor) -> Bool {
        [.employer, .faculty, .staff, .admin].contains(actor.role) || actor.has(.manageJobs)
    }

    /// Job managers, the person who posted it, and the employers of the posting's company.
    public static func mayManage(_ actor: Actor, postedBy: Int64?, companyID: Int64) -> Bool {
        actor.has(.manageJobs) || postedBy == actor.userID || (actor.role == .employer && actor.companyID == companyID)
    }

    /// An employer's posting waits for approval; one by faculty, staff or a job manager is active at once.
    public static func needsApproval(_ actor: Actor) -> Bool {
        actor.role == .employer && !actor.has(.manageJobs)
    }
}
