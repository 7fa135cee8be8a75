import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Job postings as the API and the pages show them, and the one way a reader opens a posting (JOB-2 and its page).
struct JobPostingViews {
    let jobPostings: JobPostingStore
    let usage: UsageRecorder

    static let jobTypes = ["full_time", "part_time", "internship", "co_op", "contract"]

    static func postingID(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID(notFound: "There is no such job posting.")
    }

    static func body(_ posting: JobPostingRecord, forManager: Bool = false) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        func cents(_ value: Int64?) -> JSONValue { value.map(JSONValue.int) ?? .null }
        var object: [String: JSONValue] = [
            "id": .int(posting.id), "title": .string(posting.title),
            "company": [
                "id": .int(posting.companyID), "name": .string(posting.companyName),
                "logo_url": posting.companyLogoUploadID.map { .string(UploadViews.url($0)) } ?? .null,
                "verified": .bool(posting.companyVerified),
            ],
            "description": .string(posting.description), "location": text(posting.location), "remote": .bool(posting.remote),
            "job_type": .string(posting.jobType), "experience_level": text(posting.experienceLevel),
            "salary_min_cents": cents(posting.salaryMinCents), "salary_max_cents": cents(posting.salaryMaxCents),
            "currency": text(posting.currency), "skills_required": .array(posting.skillsRequired.map(JSONValue.string)),
            "application_url": text(posting.applicationURL), "apply_on_platform": .bool(posting.applyOnPlatform),
            "status": .string(posting.status), "is_active": .bool(posting.status == "active"), "featured": .bool(posting.featured),
            "posted_at": text(posting.postedAt), "expires_at": .string(posting.expiresAt),
        ]
        if forManager { object["review_reason"] = text(posting.reviewReason) }
        return .object(object)
    }

    /// JOB-2 and its page: the posting if the reader may see it (active, or theirs to manage or review), with the
    /// `jobs.view` page view recorded (ANL-8, `job_deadline`). `manages` is the poster's side, `reviews` the approver's.
    func openPosting(_ request: Request, _ context: AppRequestContext, _ identity: Identity) async throws -> (
        posting: JobPostingRecord, manages: Bool, reviews: Bool
    ) {
        let (board, id) = (jobPostings, try Self.postingID(context))
        guard let posting = try await Offload.run({ try board.posting(id: id) }) else {
            throw APIError.notFound("There is no such job posting.")
        }
        let (manages, reviews) = (identity.mayManage(posting), identity.has(.approveEmployers))
        guard posting.status == "active" || manages || reviews else { throw APIError.notFound("There is no such job posting.") }
        // The page itself is recorded by the usage middleware under the same name; the API records its own view.
        if request.uri.path.hasPrefix("/api/") {
            usage.record(
                PageView(
                    pageName: JobPostingStore.viewPageName, objectID: id, userID: identity.user.id, ip: nil,
                    userAgent: request.headers[.userAgent], referrer: request.headers[.referer], occurredAt: Date()))
        }
        return (posting, manages, reviews)
    }
}
