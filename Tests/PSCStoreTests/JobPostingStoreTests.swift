import Foundation
import PSCCore
import Testing

@testable import PSCStore

@Suite("Job posting and company stores")
struct JobPostingStoreTests {
    struct World {
        let directory: TemporaryDirectory
        let store: Store
        let postings: JobPostingStore
        let companies: CompanyStore
        let applications: JobApplicationStore
        let employer: Int64
        let staff: Int64
        let student: Int64
        let company: Int64
    }

    func world() throws -> World {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let accounts = AccountStore(store: store)
        func person(_ email: String, _ role: Role, company: String? = nil) throws -> Int64 {
            try accounts.register(
                NewAccount(
                    email: email, passwordHash: "x", role: role, status: .active, firstName: "Pat", lastName: "Test", company: company),
                origin: RequestOrigin(ip: nil, userAgent: nil))
        }
        let employer = try person("hire@weir.example", .employer, company: "Weir Plastics Group")
        let staff = try person("career@pittstate.edu", .staff)
        let student = try person("sky@gus.pittstate.edu", .student)
        let companies = CompanyStore(store: store)
        let company = try #require(try companies.membership(userID: employer))
        return World(
            directory: directory, store: store, postings: JobPostingStore(store: store), companies: companies,
            applications: JobApplicationStore(store: store), employer: employer, staff: staff, student: student, company: company)
    }

    func fields(_ title: String) -> JobPostingFields {
        JobPostingFields(
            title: title, description: "Measure parts and help improve the moulding line.", location: "Weir, KS", remote: false,
            jobType: "internship", experienceLevel: "entry", salaryMinCents: nil, salaryMaxCents: nil, currency: nil,
            skillsRequired: ["Excel"], applicationURL: nil, applyOnPlatform: true, expiresAt: nil)
    }

    @Test("an employer's postings wait for review within the free tier's quota; staff postings are active at once")
    func approvalAndQuota() throws {
        let world = try world()
        let first = try world.postings.create(fields("Quality intern"), companyID: world.company, postedBy: world.employer, employer: true)
        _ = try world.postings.create(fields("Tooling intern"), companyID: world.company, postedBy: world.employer, employer: true)
        #expect(try world.postings.posting(id: first)?.status == "pending_approval")
        #expect(throws: JobPostingError.quotaReached(tier: "free", limit: 2)) {
            try world.postings.create(fields("Third"), companyID: world.company, postedBy: world.employer, employer: true)
        }
        let staffPosting = try world.postings.create(fields("Line lead"), companyID: world.company, postedBy: world.staff, employer: false)
        #expect(try world.postings.posting(id: staffPosting)?.status == "active")
        #expect(try world.postings.list(JobPostingStore.Listing()).map(\.id) == [staffPosting], "only active postings are listed")

        try world.postings.review(id: first, approve: true, reason: nil)
        #expect(try world.postings.posting(id: first)?.status == "active")
        #expect(throws: JobPostingError.notPending) { try world.postings.review(id: first, approve: false, reason: "twice") }
        // A changed description sends an active employer posting back for review.
        var changed = fields("Quality intern")
        changed.description = "Measure parts, log results and run the weekly quality meeting."
        try world.postings.update(id: first, fields: changed, employer: true)
        #expect(try world.postings.posting(id: first)?.status == "pending_approval")
    }

    @Test("one application per posting; statuses move forward only; a closed posting takes no more")
    func applications() throws {
        let world = try world()
        let posting = try world.postings.create(fields("Line lead"), companyID: world.company, postedBy: world.staff, employer: false)
        let uploads = UploadStore(
            store: world.store, keyRing: try KeyRing(active: "k", keys: ["k": Data(0..<32)], hashKey: Data(count: 32)))
        let resume = try uploads.create(
            ownerID: world.student, kind: "resume", contentType: "application/pdf", data: Data("%PDF-1.4".utf8), originalName: "cv.pdf")
        let id = try world.applications.apply(
            jobID: posting, userID: world.student, resumeUploadID: resume.id, coverLetter: nil, answers: nil)
        #expect(throws: JobPostingError.alreadyApplied) {
            try world.applications.apply(jobID: posting, userID: world.student, resumeUploadID: resume.id, coverLetter: nil, answers: nil)
        }
        try world.applications.setStatus(id: id, to: "interview", note: .some("Strong CAD work"))
        #expect(try world.applications.application(id: id)?.status == "interview")
        let notices = try NotificationStore(store: world.store).list(
            userID: world.student, unreadOnly: true, type: nil, beforeID: nil, limit: 5)
        #expect(notices.first?.message == "Your application to Line lead at Weir Plastics Group moved to the interview stage.")
        try world.applications.setStatus(id: id, to: "offer", note: nil)
        #expect(throws: JobPostingError.invalidTransition) { try world.applications.setStatus(id: id, to: "reviewed", note: nil) }
        #expect(throws: JobPostingError.invalidTransition) { try world.applications.withdraw(id: id, userID: world.student) }

        try world.postings.close(id: posting)
        #expect(throws: JobPostingError.closed) { try world.postings.close(id: posting) }
        #expect(throws: JobPostingError.notAccepting) {
            try world.applications.apply(jobID: posting, userID: world.staff, resumeUploadID: resume.id, coverLetter: nil, answers: nil)
        }
    }

    @Test("a company is found by its name whatever the spelling; changes and verification are kept")
    func companies() throws {
        let world = try world()
        #expect(try world.companies.companyID(named: "  weir plastics GROUP ") == world.company)
        var changes = CompanyStore.Changes()
        changes.industry = .some("Manufacturing")
        try world.companies.update(id: world.company, changes: changes, by: world.employer)
        #expect(try world.companies.company(id: world.company)?.industry == "Manufacturing")
        try world.companies.setVerified(id: world.company, verified: true)
        #expect(try world.companies.company(id: world.company)?.verified == true)
        #expect(try world.companies.list(text: "weir", industry: nil, afterID: nil, limit: 10).map(\.id) == [world.company])
    }
}
