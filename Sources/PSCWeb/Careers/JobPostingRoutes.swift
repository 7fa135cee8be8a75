import Foundation
import Hummingbird
import PSCCore
import PSCStore

extension JobPostingError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound: APIError.notFound("There is no such job posting.")
        case .closed: APIError(.conflict, "invalid_state", "This posting is closed.")
        case .notPending: APIError(.conflict, "invalid_state", "This posting is not waiting for review.")
        case .quotaReached(let tier, let limit):
            APIError(.forbidden, "feature_disabled", "The \(tier) tier allows \(limit) active or pending postings; close one or upgrade.")
        case .alreadyApplied: APIError(.conflict, "already_exists", "You have already applied to this posting.")
        case .notAccepting: APIError(.conflict, "invalid_state", "This posting is not taking applications here.")
        case .badResume: APIError.validation(["resume_upload_id": ["must be your own résumé upload, not used elsewhere"]])
        case .invalidTransition: APIError(.conflict, "invalid_state", "The application cannot move to that status.")
        }
    }
}

/// JOB-1..6 (10-api §9): the jobs board. Employers post for their company within their tier's quota and wait
/// for approval; faculty, staff and job managers post for any company and are live at once.
struct JobPostingRoutes: FeatureRoutes {
    let companies: CompanyStore
    let jobPostings: JobPostingStore
    let views: JobPostingViews

    static let levels = ["entry", "mid", "senior"]

    /// JOB-3's fields (JOB-4 takes the same but `company_id`, none required).
    static func postingFields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "title": .text(3...150), "description": .text(20...20_000), "location": FieldRule.text(max: 120).nullable,
            "remote": .boolean, "job_type": .choice(JobPostingViews.jobTypes), "experience_level": FieldRule.choice(levels).nullable,
            "salary_min_cents": FieldRule.integer(0...100_000_000_00).nullable,
            "salary_max_cents": FieldRule.integer(0...100_000_000_00).nullable,
            "currency": FieldRule.text(3...3).nullable, "skills_required": FieldRule.texts(max: 30, each: 1...60).nullable,
            "application_url": FieldRule.https(max: 500).nullable, "apply_on_platform": .boolean, "expires_at": .instant,
        ]
        if creating {
            fields["company_id"] = .id
            for name in ["title", "description", "job_type"] { fields[name] = fields[name]?.required }
        }
        return fields
    }

    /// JOB-3's fields over the current posting (JOB-4 passes it).
    func fields(_ object: [String: Any], _ problems: [String: [String]], over current: JobPostingRecord?, employer: Bool) throws
        -> JobPostingFields
    {
        var reader = FieldReader(object, problems: problems)
        let title = reader.text("title", 3...150, current?.title, required: true)
        let description = reader.text("description", 20...20_000, current?.description, required: true)
        let location = reader.text("location", 0...120, current?.location)
        let remote = reader.flag("remote", current?.remote ?? false)
        let jobType = reader.choice("job_type", JobPostingViews.jobTypes, current?.jobType, required: true)
        let level = reader.choice("experience_level", Self.levels, current?.experienceLevel)
        let minimum = reader.integer("salary_min_cents", 0...100_000_000_00, current?.salaryMinCents)
        let maximum = reader.integer("salary_max_cents", 0...100_000_000_00, current?.salaryMaxCents)
        if let minimum, let maximum, minimum > maximum { reader.problem("salary_min_cents", "must not exceed salary_max_cents") }
        var currency = current?.currency
        if let value = object["currency"] {
            if let code = value as? String, code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                currency = code
            } else if value is NSNull {
                currency = nil
            } else {
                reader.problem("currency", "must be a three-letter ISO 4217 code")
            }
        }
        if (minimum != nil || maximum != nil) && currency == nil { currency = "USD" }
        let skills = reader.strings("skills_required", maxCount: 30, eachLength: 1...60, current?.skillsRequired ?? [])
        let url = reader.httpsURL("application_url", current?.applicationURL)
        let onPlatform = reader.flag("apply_on_platform", current?.applyOnPlatform ?? false)
        if url == nil && !onPlatform { reader.problem("application_url", "is required unless apply_on_platform is true") }
        let expires = reader.time("expires_at", current.flatMap { Timestamp.date(from: $0.expiresAt) })
        let latest = jobPostings.latestExpiry(employer: employer)
        if let expires, object["expires_at"] != nil {
            if expires <= Date() { reader.problem("expires_at", "must be in the future") }
            if expires > latest.addingTimeInterval(60) {
                reader.problem(
                    "expires_at", "must be within \(employer ? JobPostingStore.employerTier.days : JobPostingStore.staffPostingDays) days")
            }
        }
        try reader.validate()
        return JobPostingFields(
            title: title ?? "", description: description ?? "", location: location, remote: remote, jobType: jobType ?? "full_time",
            experienceLevel: level, salaryMinCents: minimum, salaryMaxCents: maximum, currency: currency, skillsRequired: skills,
            applicationURL: url, applyOnPlatform: onPlatform, expiresAt: expires)
    }

    /// A posting the caller manages, or 404 (it is not revealed to others unless active).
    func managedPosting(_ context: AppRequestContext, _ identity: Identity) async throws -> JobPostingRecord {
        let (board, id) = (jobPostings, try JobPostingViews.postingID(context))
        guard let posting = try await Offload.run({ try board.posting(id: id) }), identity.mayManage(posting) else {
            throw APIError.notFound("There is no such job posting.")
        }
        return posting
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let board = jobPostings
        catalog.add(
            RouteSpec(
                id: "JOB-1", .get, "/api/v1/jobs", summary: "Job postings", tag: "Jobs", access: .member(scope: "content:read"),
                query: .page() + [
                    .text("q", max: 100, "Words in the title, description or skills"), .text("location", max: 120, "Where"),
                    .boolean("remote", "Remote postings only, or none"),
                    .choice("job_type", ["full_time", "part_time", "internship", "co_op", "contract"], "Kind of job"),
                    .choice("experience_level", ["entry", "mid", "senior"], "Experience asked for"), .id("company_id", "One company"),
                    .date("posted_since", "Posted on or after this day"), .integer("salary_min_cents", "Paying at least this much"),
                    .choice("sort", ["newest", "relevance", "salary"], "Order"),
                ],
                responses: [200: ("A page of active JobPosting, featured first", "JobPostingPage")]),
            to: router
        ) { request, context in
            _ = try context.require(.active, scope: "content:read")
            let parameters = request.uri.formQuery
            var listing = JobPostingStore.Listing()
            var problems: [String: [String]] = [:]
            listing.text = parameters.get("q").map { String($0.prefix(100)) }
            listing.location = parameters.get("location").map { String($0.prefix(120)) }
            if let remote = parameters.get("remote") {
                guard remote == "true" || remote == "false" else { throw APIError.validation(["remote": ["must be true or false"]]) }
                listing.remote = remote == "true"
            }
            listing.jobType = parameters.get("job_type").map { String($0) }
            if let type = listing.jobType, !JobPostingViews.jobTypes.contains(type) {
                problems["job_type"] = ["must be one of \(JobPostingViews.jobTypes.joined(separator: ", "))"]
            }
            listing.experienceLevel = parameters.get("experience_level").map { String($0) }
            if let level = listing.experienceLevel, !Self.levels.contains(level) {
                problems["experience_level"] = ["must be entry, mid or senior"]
            }
            if let company = parameters.get("company_id") {
                guard let id = Int64(company) else { throw APIError.validation(["company_id": ["must be a company id"]]) }
                listing.companyID = id
            }
            if let since = parameters.get("posted_since") {
                guard since.count == 10, Timestamp.parse("\(since)T00:00:00Z") != nil else {
                    throw APIError.validation(["posted_since": ["must be a date (YYYY-MM-DD)"]])
                }
                listing.postedSince = "\(since)T00:00:00"
            }
            if let salary = parameters.get("salary_min_cents") {
                guard let cents = Int64(salary), cents >= 0 else {
                    throw APIError.validation(["salary_min_cents": ["must be whole cents"]])
                }
                listing.salaryMinCents = cents
            }
            listing.sort = parameters.get("sort").map { String($0) } ?? "newest"
            if !["newest", "relevance", "salary"].contains(listing.sort) { problems["sort"] = ["must be newest, relevance or salary"] }
            if !problems.isEmpty { throw APIError.validation(problems) }
            listing.limit = try Pagination.limit(request)
            listing.offset = try OffsetCursor.offset(parameters.get("cursor").map { String($0) })
            let chosen = listing
            let found = try await Offload.run { try board.list(chosen) }
            return JSONResponse.make([
                "items": .array(found.map { JobPostingViews.body($0) }),
                "next_cursor": found.count == chosen.limit ? OffsetCursor.next(chosen.offset + found.count) : .null,
                "limit": .int(Int64(chosen.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-2", .get, "/api/v1/jobs/{id}", summary: "A job posting", tag: "Jobs", access: .member(scope: "content:read"),
                responses: [
                    200: ("JobPosting", "JobPosting"), 404: ("No such posting, or not active", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let opened = try await views.openPosting(request, context, identity)
            return JSONResponse.make(JobPostingViews.body(opened.posting, forManager: opened.manages || opened.reviews))
        }
        catalog.add(
            RouteSpec(
                id: "JOB-3", .post, "/api/v1/jobs", summary: "Post a job", tag: "Jobs", access: .member(scope: "manage"),
                limit: .own("20/h"),
                body: .object(Self.postingFields(creating: true)),
                responses: [
                    201: ("JobPosting", "JobPosting"), 403: ("Not a poster, or quota reached", "Error"),
                    422: ("Invalid", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard identity.mayPostJobs else { throw APIError.forbidden("Employers, faculty, staff and job managers post jobs.") }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let employer = JobPostingPolicy.needsApproval(identity.actor)
            let companyID: Int64
            if employer {
                guard let own = identity.user.companyID else { throw APIError.forbidden("Your account is not linked to a company.") }
                if let given = object["company_id"] as? Int, Int64(given) != own {
                    throw APIError.forbidden("Employers post for their own company.")
                }
                companyID = own
            } else {
                guard let given = object["company_id"] as? Int, !FieldReader.isBool(given),
                    try await Offload.run({ try companies.company(id: Int64(given)) }) != nil
                else { throw APIError.validation(["company_id": ["must be an existing company"]]) }
                companyID = Int64(given)
            }
            let fields = try fields(object, problems, over: nil, employer: employer)
            let poster = identity.user.id
            let audit = context.auditEntry(
                "jobs.posted", target: ("job_posting", nil), details: ["status": .string(employer ? "pending_approval" : "active")]
            )
            let id = try await Offload.run {
                try board.create(fields, companyID: companyID, postedBy: poster, employer: employer, audit: audit)
            }
            guard let posting = try await Offload.run({ try board.posting(id: id) }) else { throw APIError.internalError }
            var response = JSONResponse.make(JobPostingViews.body(posting, forManager: true), status: .created)
            response.headers[.location] = "/api/v1/jobs/\(id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "JOB-4", .patch, "/api/v1/jobs/{id}", summary: "Change a posting", tag: "Jobs", access: .member(scope: "manage"),
                limit: .own("60/h"),
                body: .object(Self.postingFields(creating: false)),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("JobPosting", "JobPosting"), 404: ("Not yours", "Error"),
                    409: ("Closed", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await managedPosting(context, identity)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let employer = JobPostingPolicy.needsApproval(identity.actor)
            let changed = try fields(object, problems, over: current, employer: employer)
            try await Offload.run { try board.update(id: current.id, fields: changed, employer: employer) }
            guard let posting = try await Offload.run({ try board.posting(id: current.id) }) else { throw APIError.notFound() }
            return JSONResponse.make(JobPostingViews.body(posting, forManager: true))
        }
        catalog.add(
            RouteSpec(
                id: "JOB-5", .delete, "/api/v1/jobs/{id}", summary: "Close a posting", tag: "Jobs", access: .member(scope: "manage"),
                limit: .own("30/h"),
                responses: [
                    409: ("Conflicts with the current state", "Error"), 204: ("Closed", nil),
                    404: ("Not yours", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await managedPosting(context, identity).id
            let audit = context.auditEntry("jobs.closed", target: ("job_posting", id))
            try await Offload.run { try board.close(id: id, audit: audit) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "JOB-6", .post, "/api/v1/jobs/{id}/review", summary: "Approve or reject a posting", tag: "Jobs",
                access: .member(scope: "manage"),
                body: .object(["decision": FieldRule.choice(["approve", "reject"]).required, "reason": .text(max: 500)]),
                responses: [
                    422: ("Invalid fields", "Error"), 403: ("Not allowed for this account", "Error"), 200: ("JobPosting", "JobPosting"),
                    409: ("Not pending", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard identity.has(.approveEmployers) else { throw APIError.forbidden("Reviewing postings needs approve_employers.") }
            let id = try JobPostingViews.postingID(context)
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let decision = reader.choice("decision", ["approve", "reject"], nil, required: true)
            let reason = reader.text("reason", 1...500, nil)
            if decision == "reject" && reason == nil { reader.problem("reason", "is required to reject") }
            try reader.validate()
            guard try await Offload.run({ try board.posting(id: id) }) != nil else {
                throw APIError.notFound("There is no such job posting.")
            }
            let audit = context.auditEntry("jobs.reviewed", target: ("job_posting", id), details: ["decision": .string(decision ?? "")])
            try await Offload.run { try board.review(id: id, approve: decision == "approve", reason: reason, audit: audit) }
            guard let posting = try await Offload.run({ try board.posting(id: id) }) else { throw APIError.notFound() }
            return JSONResponse.make(JobPostingViews.body(posting, forManager: true))
        }
    }
}
