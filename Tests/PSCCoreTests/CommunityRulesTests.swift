import Foundation
import Testing

@testable import PSCCore

@Suite("Community rules: announcement visibility, forum roles, the webinar link, mentor ranking, CSV")
struct CommunityRulesTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)

    func audience(_ roles: [Role] = [], department: Int64? = nil, published: Double = -3600, expires: Double? = nil) -> AnnouncementAudience
    {
        AnnouncementAudience(
            roles: roles, departmentID: department, publishedAt: now.addingTimeInterval(published),
            expiresAt: expires.map { now.addingTimeInterval($0) })
    }

    static let student = Actor(userID: 1, role: .student, departmentID: 10)
    static let faculty = Actor(userID: 2, role: .faculty, departmentID: 20)
    static let headOf30 = Actor(
        userID: 3, role: .faculty, departmentID: 20, grants: [Grant(capability: .departmentHead, departmentID: 30, expiresAt: nil)])
    static let careerServices = Actor(
        userID: 4, role: .staff, grants: [Grant(capability: .careerServices, departmentID: nil, expiresAt: nil)])

    /// (audience, viewer, expected): role × department × grants × times × anonymous.
    @Test("the visibility table of 10-api §13")
    func visibilityTable() {
        let cases: [(AnnouncementAudience, Actor?, Bool, String)] = [
            (audience(), nil, true, "global, everyone: anonymous sees it"),
            (audience([.student]), nil, false, "a role list hides it from anonymous visitors"),
            (audience(department: 10), nil, false, "a department hides it from anonymous visitors"),
            (audience([.student]), Self.student, true, "listed role"),
            (audience([.faculty, .staff]), Self.student, false, "unlisted role"),
            (audience(department: 10), Self.student, true, "own department"),
            (audience(department: 20), Self.student, false, "another department"),
            (audience(department: 30), Self.headOf30, true, "a grant's department"),
            (audience(department: 40), Self.headOf30, false, "a department the grant does not cover"),
            (audience(department: 40), Self.careerServices, true, "a grant without a department covers every department"),
            (audience([.student], department: 30), Self.headOf30, false, "a grant does not change the role rule"),
            (audience(published: 60), Self.student, false, "scheduled: not published yet"),
            (audience(published: 60), nil, false, "scheduled, anonymous"),
            (audience(expires: -1), Self.student, false, "expired"),
            (audience(expires: 0), Self.student, false, "expires exactly now: gone"),
            (audience(published: 0, expires: 60), Self.student, true, "published exactly now, not yet expired"),
        ]
        for (audience, viewer, expected, label) in cases {
            #expect(audience.isVisible(to: viewer, at: now) == expected, "\(label)")
        }
    }

    @Test("priority order is urgent, high, normal, low, and only admins or a department's senders post")
    func priorityAndSenders() {
        #expect(AnnouncementPriority.allCases.sorted { $0.rank < $1.rank } == [.urgent, .high, .normal, .low])
        let admin = Actor(userID: 9, role: .admin)
        #expect(AnnouncementPolicy.mayPost(admin, departmentID: nil))
        #expect(AnnouncementPolicy.mayPost(Self.headOf30, departmentID: 30))
        #expect(!AnnouncementPolicy.mayPost(Self.headOf30, departmentID: 20), "its own department only")
        #expect(!AnnouncementPolicy.mayPost(Self.headOf30, departmentID: nil), "a department sender cannot write to everyone")
        #expect(AnnouncementPolicy.mayPost(Self.careerServices, departmentID: nil))
        #expect(!AnnouncementPolicy.mayPost(Self.student, departmentID: 10))
        #expect(AnnouncementPolicy.mayEdit(Self.headOf30, authorID: 3) && !AnnouncementPolicy.mayEdit(Self.headOf30, authorID: 4))
    }

    @Test("forum categories per role: empty is everyone, anonymous included; listed roles only otherwise; admins moderate all")
    func forumPermissions() {
        #expect(ForumPolicy.mayRead(allowedRoles: [], nil))
        #expect(!ForumPolicy.mayWrite(allowedRoles: [], nil), "anonymous visitors read, never write")
        #expect(ForumPolicy.mayWrite(allowedRoles: [], Self.student))
        #expect(!ForumPolicy.mayRead(allowedRoles: [.faculty, .staff], Self.student))
        #expect(!ForumPolicy.mayRead(allowedRoles: [.faculty], nil))
        #expect(ForumPolicy.mayRead(allowedRoles: [.faculty], Self.faculty))
        #expect(ForumPolicy.mayRead(allowedRoles: [.faculty], Actor(userID: 9, role: .admin)))
        let moderator = Actor(userID: 5, role: .student, grants: [Grant(capability: .moderator, departmentID: nil, expiresAt: nil)])
        #expect(ForumPolicy.mayModerate(moderator) && !ForumPolicy.mayModerate(Self.student) && !ForumPolicy.mayModerate(nil))
        #expect(ForumPolicy.maySolve(Self.student, threadAuthorID: 1))
        #expect(!ForumPolicy.maySolve(Self.faculty, threadAuthorID: 1), "neither the author nor a moderator")
        #expect(ForumPolicy.maySolve(moderator, threadAuthorID: 1))
        #expect(ForumPolicy.isSlug("career-advice") && !ForumPolicy.isSlug("Career") && !ForumPolicy.isSlug("a"))
        #expect(ForumPolicy.isColor("#A6192E") && !ForumPolicy.isColor("A6192E") && !ForumPolicy.isColor("#GGGGGG"))
    }

    @Test("the join link: registrants and managers when registration is required, every member otherwise, never anonymous")
    func meetingLinkRule() {
        #expect(!WebinarPolicy.seesMeetingURL(registrationRequired: true, isRegistrant: false, manages: false, signedIn: true))
        #expect(WebinarPolicy.seesMeetingURL(registrationRequired: true, isRegistrant: true, manages: false, signedIn: true))
        #expect(WebinarPolicy.seesMeetingURL(registrationRequired: true, isRegistrant: false, manages: true, signedIn: true))
        #expect(WebinarPolicy.seesMeetingURL(registrationRequired: false, isRegistrant: false, manages: false, signedIn: true))
        #expect(!WebinarPolicy.seesMeetingURL(registrationRequired: false, isRegistrant: false, manages: false, signedIn: false))
        #expect(WebinarPolicy.mayHost(Self.faculty) && !WebinarPolicy.mayHost(Self.student) && WebinarPolicy.mayHost(Self.careerServices))
    }

    @Test("mentor ranking: industry 3, expertise 2 each up to 6, major 2, department 1; full mentors left out; ties by rating")
    func mentorRanking() {
        func mentor(
            _ id: Int64, industries: [String] = [], expertise: [String] = [], major: String? = nil, department: Int64? = nil,
            active: Int = 0, max: Int = 3, rating: Double? = nil
        ) -> MentorFacts {
            MentorFacts(
                userID: id, industries: industries, expertise: expertise, major: major, departmentID: department, activeMentees: active,
                maxMentees: max, accepting: true, rating: rating)
        }
        let mentee = MenteeFacts(
            industries: ["Construction"], goals: "I want to improve at project management and estimating", interests: ["Safety", "BIM"],
            major: "Construction Management", departmentID: 7)
        let everything = mentor(
            1, industries: ["construction"], expertise: ["Project management", "Safety", "BIM", "Estimating"],
            major: "Construction Management",
            department: 7)
        let scored = MentorRanking.score(everything, for: mentee)
        #expect(scored.points == 3 + 6 + 2 + 1, "expertise capped at 6 points")
        #expect(scored.reasons.first == "Works in construction")
        let full = mentor(2, industries: ["Construction"], active: 3, max: 3)
        let tieHigh = mentor(3, department: 7, rating: 4.5)
        let tieLow = mentor(4, department: 7, rating: 3.0)
        let ranked = MentorRanking.rank([tieLow, full, tieHigh, everything], for: mentee, limit: 10)
        #expect(ranked.map(\.mentor.userID) == [1, 3, 4], "the full mentor is left out; the tie goes to the better rating")
        #expect(MentorRanking.rank([everything], for: mentee, limit: 0).isEmpty)
    }

    @Test("a pending request reads expired from its expiry instant on")
    func requestExpiry() {
        let expires = now.addingTimeInterval(MentorshipPolicy.requestLifetime)
        #expect(MentorshipPolicy.effectiveStatus("pending", expiresAt: expires, now: now) == "pending")
        #expect(MentorshipPolicy.effectiveStatus("pending", expiresAt: expires, now: expires) == "expired")
        #expect(MentorshipPolicy.effectiveStatus("accepted", expiresAt: expires, now: expires.addingTimeInterval(1)) == "accepted")
    }

    @Test("CSV is RFC 4180 and never a formula")
    func csv() {
        let text = CSV.document(header: ["name", "note"], rows: [["Ann, Lee", "=HYPERLINK(\"x\")"], ["Bo", "-2"], ["Cy", "plain"]])
        #expect(text == "name,note\r\n\"Ann, Lee\",\"'=HYPERLINK(\"\"x\"\")\"\r\nBo,'-2\r\nCy,plain\r\n")
    }
}
