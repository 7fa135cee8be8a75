import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/jobs`, `/jobs/<id>` and `/companies/<id>` (50-ui §3): the board with its filters, a posting with the apply
/// form (résumé upload and cover letter) or its outside link, and the company's page.
struct JobPostingPageRoutes: FeatureRoutes {
    let companies: CompanyStore
    let jobPostings: JobPostingStore
    let jobApplications: JobApplicationStore
    let postingViews: JobPostingViews
    let applicationViews: JobApplicationViews
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (board, applications) = (jobPostings, jobApplications)
        MemberPage.register(router, catalog, "PAGE-JOBS", "/jobs", "Jobs board") { request, context in
            let identity = try MemberPage.identity(request, context)
            let parameters = request.uri.formQuery
            var listing = JobPostingStore.Listing()
            listing.text = parameters.get("q").map { String($0.prefix(100)) }.flatMap { $0.isEmpty ? nil : $0 }
            listing.location = parameters.get("location").map { String($0.prefix(120)) }.flatMap { $0.isEmpty ? nil : $0 }
            listing.jobType = parameters.get("job_type").map { String($0) }.flatMap { JobPostingViews.jobTypes.contains($0) ? $0 : nil }
            listing.remote = parameters.get("remote") == "true" ? true : nil
            listing.sort = listing.text == nil ? "newest" : "relevance"
            listing.limit = 50
            let chosen = listing
            let found = try await Offload.run { try board.list(chosen) }
            // Faculty, staff and job managers post for a company they choose; an employer's company is their own.
            var companyChoices: [[String: Any]] = []
            if identity.mayPostJobs, identity.user.role != .employer {
                let all = try await Offload.run { try companies.list(text: nil, industry: nil, afterID: nil, limit: 500) }
                companyChoices = all.sorted { $0.name < $1.name }.map { ["id": Int($0.id), "name": $0.name] }
            }
            var own: [JobPostingRecord] = []
            if let company = identity.user.companyID { own = try await Offload.run { try board.postings(companyID: company) } }
            return HTMLResponse.make(
                pages.render(
                    "jobs",
                    [
                        "jobs": found.map { JobPostingViews.body($0) }.compactMap(\.templateValue), "hasJobs": !found.isEmpty,
                        "q": listing.text ?? "", "location": listing.location ?? "", "remote": listing.remote == true,
                        "types": JobPostingViews.jobTypes.map {
                            ["value": $0, "label": PageWord.words($0), "selected": $0 == chosen.jobType]
                        },
                        "canPost": identity.mayPostJobs, "isEmployer": identity.user.role == .employer,
                        "companies": companyChoices, "choosesCompany": !companyChoices.isEmpty,
                        "ownPostings": own.map { JobPostingViews.body($0, forManager: true) }.compactMap(\.templateValue),
                        "hasOwn": !own.isEmpty,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-JOB", "/jobs/{id}", "A job posting") { request, context in
            let identity = try MemberPage.identity(request, context)
            let (posting, manager, _) = try await postingViews.openPosting(request, context, identity)
            let (id, user) = (posting.id, identity.user.id)
            let mine = try await Offload.run { try applications.application(jobID: id, userID: user) }
            var data: [String: Any] = [
                "job": JobPostingViews.body(posting, forManager: manager).templateValue as Any,
                "salary": Self.salary(posting) as Any,
                "canApply": posting.status == "active" && posting.applyOnPlatform && mine == nil
                    && [.student, .alumni].contains(identity.user.role),
                "applied": mine.map { ["status": $0.status, "id": Int($0.id)] } as Any,
            ]
            if manager {
                let found = try await Offload.run { try applications.applications(jobID: id, status: nil, afterID: nil, limit: 100) }
                data["applications"] = try await applicationViews.bodies(found, viewer: user, forManager: true)
                    .compactMap(\.templateValue)
                data["manager"] = true
            }
            return HTMLResponse.make(pages.render("job", data, request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-COMPANY", "/companies/{id}", "A company") { request, context in
            let identity = try MemberPage.identity(request, context)
            let id = try CompanyViews.companyID(context)
            let companies = companies
            guard let company = try await Offload.run({ try companies.company(id: id) }) else { throw CompanyStore.Failure.notFound }
            var listing = JobPostingStore.Listing()
            listing.companyID = id
            listing.limit = 100
            let chosen = listing
            let postings = try await Offload.run { try board.list(chosen) }
            let member = identity.user.role == .employer && identity.user.companyID == id
            return HTMLResponse.make(
                pages.render(
                    "company",
                    [
                        "canEdit": member || identity.has(.approveEmployers),
                        "sizes": CompanyStore.sizes.map { ["value": $0, "selected": $0 == company.size] },
                        "company": CompanyViews.body(company).templateValue as Any,
                        "jobs": postings.map { JobPostingViews.body($0) }.compactMap(\.templateValue), "hasJobs": !postings.isEmpty,
                    ], request: request, identity: identity))
        }
    }

    /// "$18.00 – $24.00 USD" from cents, or nil when the posting names no pay.
    static func salary(_ posting: JobPostingRecord) -> String? {
        func money(_ cents: Int64) -> String {
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.minimumFractionDigits = cents % 100 == 0 ? 0 : 2
            formatter.maximumFractionDigits = 2
            let amount = formatter.string(from: NSNumber(value: Double(cents) / 100)) ?? String(cents / 100)
            return (posting.currency ?? "USD") == "USD" ? "$" + amount : amount
        }
        let currency = " " + (posting.currency ?? "USD")
        switch (posting.salaryMinCents, posting.salaryMaxCents) {
        case (let low?, let high?): return "\(money(low)) – \(money(high))\(currency)"
        case (let low?, nil): return "from \(money(low))\(currency)"
        case (nil, let high?): return "up to \(money(high))\(currency)"
        default: return nil
        }
    }
}
