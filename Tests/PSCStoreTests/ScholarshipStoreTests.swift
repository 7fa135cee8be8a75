import Foundation
import GRDB
import PSCCore
import Synchronization
import Testing

@testable import PSCStore

@Suite("Scholarship hub: matching inside writes, applications, deadlines, reviews, awards, reminders, rollover")
struct ScholarshipStoreTests {
    struct World {
        let members: TestMembers
        let clock: TestClock
        let hub: ScholarshipHub
        let profiles: ProfileStore
        let keyRing: KeyRing
        let scheduled: Scheduled
        var store: Store { members.store }
        var admin: AuditEntry { AuditEntry(actorUserID: nil, actorKind: .system, action: "test") }
    }

    final class Scheduled: Sendable {
        let ids = Mutex<[Int64]>([])
    }

    /// Four students; the clock at noon Chicago on 2026-10-14.
    func world() throws -> World {
        let members = try TestMembers(4, prefix: "s")
        let clock = TestClock()
        clock.set(ISO8601DateFormatter().date(from: "2026-10-14T17:00:00Z")!)
        let keyRing = try KeyRing(active: "k", keys: ["k": Data(0..<32)], hashKey: Data(count: 32))
        let scheduled = Scheduled()
        let hub = ScholarshipHub(
            store: members.store, keyRing: keyRing, uploads: UploadStore(store: members.store, keyRing: keyRing, clock: clock.read),
            matching: MatchScheduling { id, _ in scheduled.ids.withLock { $0.append(id) } }, clock: clock.read)
        members.store.outbox.install(.init(enqueue: { _, _ in }, configuredChannels: [.inApp], published: { _ in }))
        return World(
            members: members, clock: clock, hub: hub,
            profiles: ProfileStore(store: members.store, matches: hub.matches, clock: clock.read), keyRing: keyRing, scheduled: scheduled)
    }

    func rules(_ json: String) -> Eligibility {
        Eligibility.parse(try! JSONSerialization.jsonObject(with: Data(json.utf8))).eligibility!
    }

    func create(_ world: World, _ fields: ScholarshipFields) throws -> Int64 {
        try world.hub.catalogue.create(fields, createdBy: world.members.ids[0], audit: world.admin)
    }

    @Test("a student's own profile write recomputes their matches in the same write; a rule change queues the scholarship")
    func matchingInsideWrites() throws {
        let world = try world()
        let id = try create(
            world,
            ScholarshipFields(
                title: "Gorilla Engineering Technology Award", description: "For ET majors.", amountCents: 250_000, deadline: "2027-03-01",
                tags: ["robotics"],
                eligibility: rules(
                    #"{"groups":[{"rules":[{"field":"major","op":"in","value":["Engineering Technology"]},{"field":"gpa","op":"gte","value":3.0}]}]}"#
                ),
                status: "open"))
        #expect(world.scheduled.ids.withLock { $0 } == [id])
        let student = world.members.ids[1]
        #expect(try world.hub.matches.matches(userID: student, statuses: ["eligible", "needs_info"], limit: 10, offset: 0).isEmpty)
        try world.profiles.update(
            userID: student, columns: ["major": .text("Engineering Technology")],
            gpaEnvelope: try world.keyRing.encrypt("3.40", column: "users.gpa_enc"))
        let after = try world.hub.matches.matches(userID: student, statuses: ["eligible"], limit: 10, offset: 0)
        #expect(after.map(\.scholarshipID) == [id])
        #expect(after.first?.result.score == 75)
        // The job recomputes everyone and tells the newly eligible once.
        let second = world.members.ids[2]
        try world.store.write { db in
            try db.execute(
                sql: "UPDATE users SET major = 'Engineering Technology', gpa_enc = ? WHERE id = ?",
                arguments: [try world.keyRing.encrypt("3.9", column: "users.gpa_enc"), second])
        }
        #expect(try world.hub.matches.recompute(scholarshipID: id) == 4)
        #expect(try world.hub.matches.recompute(scholarshipID: id) == 4)
        let told = try world.store.read { db in
            try Int64.fetchAll(db, sql: "SELECT user_id FROM notifications WHERE type = 'scholarship_matched' ORDER BY user_id")
        }
        #expect(told == [second])
        try world.hub.catalogue.setRules(id: id, eligibility: Eligibility(), audit: world.admin)
        #expect(world.scheduled.ids.withLock { $0 } == [id, id])
        // A role change by an admin moves the matches in the same write: faculty have none kept.
        let administration = AccountAdministration(
            store: world.store, accounts: AccountStore(store: world.store), matches: world.hub.matches)
        _ = try administration.setRole(
            String(student), role: .faculty, by: .init(userID: nil, kind: .system, origin: RequestOrigin(ip: nil, userAgent: nil)))
        #expect(
            try world.hub.matches.matches(userID: student, statuses: ["eligible", "needs_info", "ineligible"], limit: 10, offset: 0).isEmpty
        )
        _ = try administration.setRole(
            String(student), role: .alumni, by: .init(userID: nil, kind: .system, origin: RequestOrigin(ip: nil, userAgent: nil)))
        #expect(try world.hub.matches.matches(userID: student, statuses: ["eligible"], limit: 10, offset: 0).count == 1)
    }

    @Test("the checklist drives progress; submission needs every item and the deadline; after it, nothing changes")
    func applying() throws {
        let world = try world()
        let id = try create(
            world,
            ScholarshipFields(
                title: "Crawford County Builders Award", description: "For builders.", amountCents: 100_000, deadline: "2026-10-20",
                prompts: [EssayPrompt(prompt: "Why construction?", minWords: 3, maxWords: 60)],
                questions: [FormQuestion(key: "home_county", label: "County", required: true)], numRecommendations: 1, status: "open"))
        let student = world.members.ids[1]
        try world.store.write { db in
            try db.execute(
                sql:
                    "INSERT INTO general_applications (user_id, answers, created_at, updated_at) VALUES (?, '{\"home_county\":\"Crawford\",\"other\":\"x\"}', 'x', 'x')",
                arguments: [student])
        }
        let started = try world.hub.applications.start(scholarshipID: id, userID: student)
        #expect(started.created)
        #expect(try world.hub.applications.start(scholarshipID: id, userID: student) == (started.id, false))
        var record = try #require(try world.hub.applications.application(id: started.id))
        #expect(record.answers == ["home_county": "Crawford"])
        #expect(record.progressPercentage == 33)
        #expect(throws: ScholarshipError.incomplete(["essay:1", "letter:1"])) {
            try world.hub.applications.submit(started.id, owner: student)
        }
        #expect(throws: ScholarshipError.notFound) { try world.hub.applications.submit(started.id, owner: world.members.ids[2]) }
        #expect(throws: ScholarshipError.unknownKeys(["shoe_size"])) {
            try world.hub.applications.setAnswers(started.id, owner: student, answers: ["shoe_size": "9"])
        }
        let essay = try world.hub.applications.putEssay(
            started.id, owner: student, index: 1, text: "Because I build things.", libraryEssayID: nil)
        #expect(essay.withinLimits && essay.wordCount == 4)
        let letter = try world.hub.applications.requestRecommendation(
            started.id, owner: student, ownEmail: "s1@gus.pittstate.edu", name: "Dr. Greer", email: "greer@example.edu", relationship: nil,
            message: nil)
        #expect(throws: ScholarshipError.tooManyLetters) {
            try world.hub.applications.requestRecommendation(
                started.id, owner: student, ownEmail: "s1@gus.pittstate.edu", name: "Dr. Two", email: "two@example.edu", relationship: nil,
                message: nil)
        }
        let invitation = try #require(try world.hub.applications.issueLetterToken(requestID: letter))
        #expect(invitation.recommenderEmail == "greer@example.edu")
        try world.hub.applications.receiveLetter(
            token: invitation.token, pdf: Data("%PDF-1.4 letter".utf8), originalName: nil, recommenderName: nil)
        #expect(throws: ScholarshipError.letterReceived) {
            try world.hub.applications.receiveLetter(
                token: invitation.token, pdf: Data("%PDF-1.4 again".utf8), originalName: nil, recommenderName: nil)
        }
        record = try #require(try world.hub.applications.application(id: started.id))
        #expect(record.progressPercentage == 100)
        // The student never sees the letter, though it is filed under them.
        let letterUpload = try #require(record.recommendations.first?.uploadID)
        let uploads = UploadStore(store: world.store, keyRing: world.keyRing)
        let letterRecord = try #require(try uploads.record(id: letterUpload))
        #expect(try !uploads.mayRead(letterRecord, viewer: student, managesJobs: false))
        // Past the deadline (the end of 20 October in Chicago) submission is refused.
        world.clock.set(ISO8601DateFormatter().date(from: "2026-10-21T05:00:01Z")!)
        #expect(throws: ScholarshipError.deadlinePassed) { try world.hub.applications.submit(started.id, owner: student) }
        world.clock.set(ISO8601DateFormatter().date(from: "2026-10-21T04:59:00Z")!)
        try world.hub.applications.submit(started.id, owner: student)
        #expect(throws: ScholarshipError.submitted) {
            try world.hub.applications.putEssay(started.id, owner: student, index: 1, text: "Changed.", libraryEssayID: nil)
        }
        #expect(try world.hub.applications.application(id: started.id)?.status == "submitted")
    }

    /// A submitted application of `student` for a new scholarship of `amount` × `awards`.
    func submitted(_ world: World, student: Int64, scholarship: Int64? = nil, amount: Int64 = 100_000, awards: Int = 2) throws -> (
        scholarship: Int64, application: Int64
    ) {
        let id =
            try scholarship
            ?? create(
                world,
                ScholarshipFields(
                    title: "Prairie Rose Award \(student)", description: "Merit.", amountCents: amount, deadline: "2026-12-01",
                    awardCount: awards,
                    status: "open"))
        let application = try world.hub.applications.start(scholarshipID: id, userID: student).id
        try world.hub.applications.submit(application, owner: student)
        return (id, application)
    }

    @Test("reviews: rubric totals, the mean without conflicts, under_review on the first review; award splits stay within the budget")
    func reviewsAndAwards() throws {
        let world = try world()
        let (a, b, c) = (world.members.ids[1], world.members.ids[2], world.members.ids[3])
        let first = try submitted(world, student: a)
        let second = try submitted(world, student: b, scholarship: first.scholarship)
        let third = try submitted(world, student: c, scholarship: first.scholarship)
        try world.hub.catalogue.setRubric(
            id: first.scholarship,
            criteria: [
                RubricCriterion(key: "academics", label: "Academics", maxPoints: 10, weight: 40),
                RubricCriterion(key: "essay", label: "Essay", maxPoints: 10, weight: 40),
                RubricCriterion(key: "need", label: "Need", maxPoints: 5, weight: 20),
            ], audit: world.admin)
        let reviewers = world.members.ids[0]
        #expect(
            try world.hub.reviews.saveReview(
                applicationID: first.application, reviewerID: reviewers, scores: ["academics": 8, "essay": 7, "need": 5], comment: nil,
                conflict: false) == 80.0)
        #expect(try world.hub.applications.application(id: first.application)?.status == "under_review")
        #expect(throws: ScholarshipError.rubricLocked) {
            try world.hub.catalogue.setRubric(id: first.scholarship, criteria: [], audit: world.admin)
        }
        #expect(
            try world.hub.reviews.saveReview(applicationID: first.application, reviewerID: b, scores: [:], comment: nil, conflict: true)
                == nil)
        #expect(throws: ScholarshipError.self) {
            try world.hub.reviews.saveReview(
                applicationID: second.application, reviewerID: reviewers, scores: ["academics": 11], comment: nil, conflict: false)
        }
        let ranked = try world.hub.reviews.ranking(scholarshipID: first.scholarship, status: nil, sort: "score", limit: 10, offset: 0)
        #expect(ranked.first?.application.id == first.application && ranked.first?.meanScore == 80.0 && ranked.first?.reviewsDone == 2)
        // $1,000 × 2 awards = $2,000: $1,500 + $500 fits; one cent more does not.
        try world.hub.reviews.decide(
            applicationID: first.application, deciderID: reviewers, decision: "awarded", amountCents: 150_000, message: nil,
            audit: world.admin)
        try world.hub.reviews.decide(
            applicationID: second.application, deciderID: reviewers, decision: "awarded", amountCents: 50_000, message: nil,
            audit: world.admin)
        #expect(throws: ScholarshipError.budgetExceeded(remainingCents: 0)) {
            try world.hub.reviews.decide(
                applicationID: third.application, deciderID: reviewers, decision: "awarded", amountCents: 1, message: nil,
                audit: world.admin)
        }
        // Re-deciding an award replaces its amount rather than adding to it.
        try world.hub.reviews.decide(
            applicationID: second.application, deciderID: reviewers, decision: "awarded", amountCents: 40_000, message: nil,
            audit: world.admin)
        try world.hub.reviews.decide(
            applicationID: third.application, deciderID: reviewers, decision: "awarded", amountCents: 10_000, message: nil,
            audit: world.admin)
        let total = try world.store.read { db in
            try Int64.fetchOne(db, sql: "SELECT sum(awarded_amount_cents) FROM scholarship_applications WHERE status = 'awarded'")
        }
        #expect(total == 200_000)
        #expect(throws: ScholarshipError.alreadyDecided) { try world.hub.applications.withdraw(third.application, owner: c) }
        let told = try world.store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM notifications WHERE type = 'application_status' AND user_id = ?", arguments: [a])
        }
        #expect(told == 1)
        let accepted = try world.hub.applications.answerAward(
            first.application, owner: a, accept: true, thankYouUploadID: nil, shareWithDonor: true)
        #expect(accepted.awardAccepted == true && accepted.shareWithDonor)
    }

    @Test("deadline reminders: 7, 3 and 1 days before, once per scholarship, student and threshold, however often the job runs")
    func reminders() throws {
        let world = try world()
        let id = try create(
            world,
            ScholarshipFields(
                title: "Hartley Family Scholarship", description: "For everyone.", amountCents: 50_000, deadline: "2026-10-21",
                status: "open"))
        #expect(try world.hub.matches.recompute(scholarshipID: id, notify: false) == 4)
        let (started, done) = (world.members.ids[1], world.members.ids[2])
        let draft = try world.hub.applications.start(scholarshipID: id, userID: started).id
        #expect(throws: ScholarshipError.notFound, "no prompts: essay 1 does not exist (and 1...0 must not trap)") {
            try world.hub.applications.putEssay(draft, owner: started, index: 1, text: "An essay.", libraryEssayID: nil)
        }
        _ = try submitted(world, student: done, scholarship: id)
        let reminders = DeadlineReminders(store: world.store, clock: world.clock.read)
        func count() throws -> [Int64: Int] {
            try world.store.read { db in
                Dictionary(
                    uniqueKeysWithValues: try Row.fetchAll(
                        db, sql: "SELECT user_id, count(*) AS n FROM notifications WHERE type = 'scholarship_deadline' GROUP BY user_id"
                    ).map { ($0["user_id"] as Int64, $0["n"] as Int) })
            }
        }
        _ = try reminders.run()  // 14 October: 7 days before
        _ = try reminders.run()  // run again by hand
        var told = try count()
        #expect(told[done] == nil)
        #expect(told[started] == 1 && told.count == 3)
        let message = try world.store.read { db in
            try String.fetchOne(
                db, sql: "SELECT message FROM notifications WHERE user_id = ? AND type = 'scholarship_deadline'", arguments: [started])
        }
        #expect(message?.hasPrefix("Finish your application: 1 of 1 items done") == true)
        world.clock.advance(days: 1)  // 6 days before: nothing new
        _ = try reminders.run()
        #expect(try count() == told)
        world.clock.advance(days: 3)  // 3 days before
        _ = try reminders.run()
        _ = try reminders.run()
        told = try count()
        #expect(told[started] == 2 && told[done] == nil)
        world.clock.advance(days: 2)  // 1 day before
        _ = try reminders.run()
        #expect(try count()[started] == 3)
    }

    @Test(
        "rollover copies each scholarship of the cycle as a draft a year later, skips titles already there, archives the old; dry runs change nothing"
    )
    func rollover() throws {
        let world = try world()
        let leap = try create(
            world,
            ScholarshipFields(
                title: "Leap Day Award", description: "x", amountCents: 1000, deadline: "2028-02-29", cycle: "2027-28", status: "open"))
        _ = try create(
            world,
            ScholarshipFields(
                title: "Kept Award", description: "x", amountCents: 1000, deadline: "2028-03-01", cycle: "2027-28", status: "open"))
        _ = try create(
            world,
            ScholarshipFields(
                title: "kept award", description: "x", amountCents: 1000, deadline: "2029-03-01", cycle: "2028-29", status: "draft"))
        let dry = try world.hub.catalogue.rollover(from: "2027-28", to: "2028-29", departmentID: nil, dryRun: true, audit: world.admin)
        #expect(dry.copied.count == 1 && dry.archived.count == 2 && dry.skipped.count == 1)
        #expect(try world.hub.catalogue.scholarship(id: leap)?.status == "open")
        let done = try world.hub.catalogue.rollover(from: "2027-28", to: "2028-29", departmentID: nil, dryRun: false, audit: world.admin)
        #expect(done.copied.count == 1 && done.archived.count == 2)
        let copyID = try #require(done.copied.first)
        let copy = try #require(try world.hub.catalogue.scholarship(id: copyID))
        #expect(copy.deadline == "2029-02-28" && copy.status == "draft" && copy.cycle == "2028-29" && copy.title == "Leap Day Award")
        #expect(try world.hub.catalogue.scholarship(id: leap)?.status == "archived")
    }
}
