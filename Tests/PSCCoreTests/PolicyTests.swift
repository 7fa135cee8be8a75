import Foundation
import PSCCore
import Testing

@Suite("Event and job posting rules")
struct PolicyTests {
    @Test(
        "who organises events: faculty, staff and admins anywhere; a department grant only in its department",
        arguments: [
            (Role.student, nil as Int64?, false), (.alumni, nil, false), (.employer, nil, false), (.faculty, nil, true),
            (.staff, 3, true), (.admin, nil, true),
        ])
    func organise(role: Role, department: Int64?, allowed: Bool) {
        #expect(EventPolicy.mayOrganise(Actor(userID: 1, role: role), departmentID: department) == allowed)
    }

    @Test("a grant holder organises and manages only in the grant's department")
    func departmentGrant() {
        let capability = Capability.departmentHead
        let holder = Actor(userID: 5, role: .student, grants: [Grant(capability: capability, departmentID: 7, expiresAt: nil)])
        #expect(EventPolicy.mayOrganise(holder, departmentID: 7))
        #expect(!EventPolicy.mayOrganise(holder, departmentID: 8))
        #expect(EventPolicy.mayManage(holder, organizerID: 9, departmentID: 7))
        #expect(!EventPolicy.mayManage(holder, organizerID: 9, departmentID: 8))
        let everywhere = Actor(userID: 5, role: .student, grants: [Grant(capability: capability, departmentID: nil, expiresAt: nil)])
        #expect(EventPolicy.mayOrganise(everywhere, departmentID: 8))
    }

    @Test("the organiser and admins manage an event; another faculty member does not")
    func manage() {
        #expect(EventPolicy.mayManage(Actor(userID: 9, role: .student), organizerID: 9, departmentID: nil))
        #expect(EventPolicy.mayManage(Actor(userID: 1, role: .admin), organizerID: 9, departmentID: nil))
        #expect(!EventPolicy.mayManage(Actor(userID: 2, role: .faculty), organizerID: 9, departmentID: nil))
    }

    @Test(
        "an RSVP is going while a seat is free, then waitlisted, then full",
        arguments: [
            (nil as Int?, 500, false, EventPolicy.RSVPDecision.going), (10, 9, false, .going), (10, 10, true, .waitlisted),
            (10, 10, false, .full), (0, 0, true, .waitlisted),
        ])
    func rsvp(capacity: Int?, going: Int, waitlist: Bool, decision: EventPolicy.RSVPDecision) {
        #expect(EventPolicy.rsvp(capacity: capacity, going: going, waitlistEnabled: waitlist) == decision)
    }

    @Test("check-in opens an hour before the start and closes two hours after the end")
    func checkInWindow() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let end = start.addingTimeInterval(3600)
        #expect(!EventPolicy.isCheckInOpen(at: start.addingTimeInterval(-3601), start: start, end: end))
        #expect(EventPolicy.isCheckInOpen(at: start.addingTimeInterval(-3600), start: start, end: end))
        #expect(EventPolicy.isCheckInOpen(at: end.addingTimeInterval(7200), start: start, end: end))
        #expect(!EventPolicy.isCheckInOpen(at: end.addingTimeInterval(7201), start: start, end: end))
    }

    @Test("who posts and manages job postings, and whose postings wait for approval")
    func jobPostings() {
        let employer = Actor(userID: 3, role: .employer, companyID: 40)
        #expect(JobPostingPolicy.mayPost(employer) && JobPostingPolicy.needsApproval(employer))
        #expect(!JobPostingPolicy.mayPost(Actor(userID: 4, role: .student)))
        let staff = Actor(userID: 6, role: .staff)
        #expect(JobPostingPolicy.mayPost(staff) && !JobPostingPolicy.needsApproval(staff))
        #expect(JobPostingPolicy.mayManage(employer, postedBy: 99, companyID: 40), "a colleague's posting for the same company")
        #expect(!JobPostingPolicy.mayManage(employer, postedBy: 99, companyID: 41))
        #expect(JobPostingPolicy.mayManage(staff, postedBy: 6, companyID: 41), "the person who posted it")
        #expect(!JobPostingPolicy.mayManage(staff, postedBy: nil, companyID: 41))
        #expect(JobPostingPolicy.mayManage(Actor(userID: 1, role: .admin), postedBy: nil, companyID: 41))
    }
}
