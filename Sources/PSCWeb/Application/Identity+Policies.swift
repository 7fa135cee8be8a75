import PSCCore
import PSCStore

/// The rules of PSCCore asked about the caller, in the words routes and pages use.
extension Identity {
    func mayOrganiseEvent(departmentID: Int64?) -> Bool { EventPolicy.mayOrganise(actor, departmentID: departmentID) }

    func mayManage(_ event: EventRecord) -> Bool {
        EventPolicy.mayManage(actor, organizerID: event.organizerID, departmentID: event.departmentID)
    }

    var mayPostJobs: Bool { JobPostingPolicy.mayPost(actor) }

    /// The caller as the flag rules see them (20-services §1).
    var flagCaller: FeatureFlagRules.Caller { FeatureFlagRules.Caller(userID: user.id, role: user.role) }

    func mayManage(_ posting: JobPostingRecord) -> Bool {
        JobPostingPolicy.mayManage(actor, postedBy: posting.postedBy, companyID: posting.companyID)
    }
}
