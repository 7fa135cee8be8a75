import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The scholarship pages (50-ui §3): browse with filters, a scholarship with its rules in words and the visitor's
/// explanation, my matches, my applications (tracking and the apply page with its checklist), the general
/// application, the essay library, the recommender's upload page and the deadline's calendar file. Every change goes
/// through the API the pages call (`form[data-api]`), so the rules live in one place.
struct ScholarshipPageRoutes: FeatureRoutes {
    let scholarships: ScholarshipHub
    let departments: DepartmentStore
    let jobApplications: JobApplicationStore
    let configuration: Configuration
    let pages: PageRenderer
    let clock: @Sendable () -> Date

    /// The signed-in, active visitor, or nil for a visitor (who sees the public catalogue).
    static func reader(_ context: AppRequestContext) -> Identity? {
        guard let identity = context.identity, identity.session != nil, identity.user.status == .active else { return nil }
        return identity
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (catalogue, matches, applications) = (scholarships.catalogue, scholarships.matches, scholarships.applications)
        MemberPage.register(router, catalog, "PAGE-SCHOLARSHIPS", "/scholarships", "Scholarships") { request, context in
            let identity = Self.reader(context)
            let parameters = request.uri.formQuery
            var listing = (try? ScholarshipRoutes.listing(request)) ?? ScholarshipStore.Listing()
            // The page's amount fields are in dollars.
            func dollars(_ name: String) -> Int64? { parameters.get(name).flatMap { Double($0) }.map { Int64($0 * 100) } }
            listing.minAmountCents = dollars("min_amount")
            listing.maxAmountCents = dollars("max_amount")
            listing.text = listing.text.flatMap { $0.isEmpty ? nil : $0 }
            if identity != nil && listing.sort == "match" {
                listing.matchFor = identity?.user.id
            } else if listing.sort == "match" {
                listing.sort = "deadline"
            }
            listing.limit = 30
            let chosen = listing
            let found = try await Offload.run { try catalogue.list(chosen) }
            var badges: [Int64: (status: String, score: Int)] = [:]
            if let viewer = identity?.user.id {
                badges = try await Offload.run { try matches.statuses(userID: viewer, scholarshipIDs: found.map(\.id)) }
            }
            let now = clock()
            let names = try await departments.names()
            var more: String?
            if found.count == chosen.limit {
                var components = URLComponents()
                components.queryItems =
                    (request.uri.queryParameters.map { URLQueryItem(name: String($0.key), value: String($0.value)) })
                    .filter { $0.name != "cursor" } + [
                        URLQueryItem(name: "cursor", value: OffsetCursor.next(chosen.offset + found.count).stringValue)
                    ]
                more = "/scholarships?" + (components.percentEncodedQuery ?? "")
            }
            let sorts =
                [("deadline", "Deadline, soonest first"), ("amount", "Amount, largest first"), ("newest", "Newest")]
                + (identity == nil ? [] : [("match", "Best match for me")])
            return HTMLResponse.make(
                pages.render(
                    "scholarships",
                    [
                        "scholarships": found.map { ScholarshipPageViews.card($0, match: badges[$0.id], now: now) },
                        "hasScholarships": !found.isEmpty, "more": more as Any, "member": identity != nil,
                        "q": chosen.text ?? "", "minAmount": parameters.get("min_amount") ?? "",
                        "maxAmount": parameters.get("max_amount") ?? "",
                        "deadlineAfter": chosen.deadlineAfter ?? "", "deadlineBefore": chosen.deadlineBefore ?? "",
                        "openOnly": chosen.openOnly, "renewable": chosen.renewable == true, "essayRequired": chosen.essayRequired == true,
                        "departments": names.map { ["id": Int($0.id), "name": $0.name, "selected": $0.id == chosen.departmentID] },
                        "categories": ScholarshipViews.categories.map {
                            ["value": $0, "label": PageWord.words($0), "selected": $0 == chosen.category]
                        },
                        "sorts": sorts.map { ["value": $0.0, "label": $0.1, "selected": $0.0 == chosen.sort] },
                        "canManage": identity.map { ScholarshipPolicy.managesAny($0.actor) } ?? false,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-MATCHES", "/scholarships/matches", "My scholarship matches") { request, context in
            let identity = try MemberPage.identity(request, context)
            let viewer = identity.user.id
            if ScholarshipPolicy.mayApply(identity.actor) { try await Offload.run { try matches.ensureComputed(userID: viewer) } }
            let found = try await Offload.run {
                try matches.matches(userID: viewer, statuses: ["eligible", "needs_info", "ineligible"], limit: 500, offset: 0)
            }
            func group(_ status: MatchResult.Status) -> [[String: Any]] {
                found.filter { $0.result.status == status }.map { match in
                    ScholarshipPageViews.explanation(match.result).merging([
                        "id": Int(match.scholarshipID), "title": match.title, "amount": Money.words(match.amountCents),
                        "deadline": ScholarshipPageViews.dateWords(match.deadline),
                        "daysLeft": ScholarshipPageViews.daysLeft(match.deadline, now: clock()),
                    ]) { first, _ in first }
                }
            }
            let (eligible, needsInfo, ineligible) = (group(.eligible), group(.needsInfo), group(.ineligible))
            return HTMLResponse.make(
                pages.render(
                    "scholarship-matches",
                    [
                        "eligible": eligible, "needsInfo": needsInfo, "ineligible": ineligible, "eligibleCount": eligible.count,
                        "needsInfoCount": needsInfo.count, "ineligibleCount": ineligible.count,
                        "applies": ScholarshipPolicy.mayApply(identity.actor), "none": found.isEmpty,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-SCHOLARSHIP", "/scholarships/{id}", "A scholarship") { request, context in
            let identity = Self.reader(context)
            let record = try await ScholarshipRoutes.visible(try ScholarshipRoutes.scholarshipID(context), identity, catalogue: catalogue)
            let now = clock()
            var data: [String: Any] = [
                "scholarship": ScholarshipPageViews.card(record, match: nil, now: now).merging([
                    "description": record.description, "provider": record.provider as Any, "url": record.url as Any,
                    "awardCount": record.awardCount, "letters": (record.numRecommendations > 0 ? record.numRecommendations : nil) as Any,
                    "transcript": record.transcriptRequired,
                    "blind": record.blindReview, "cycle": record.cycle, "tags": record.tags,
                    "prompts": record.prompts.enumerated().map {
                        ["index": $0.offset + 1, "prompt": $0.element.prompt, "min": $0.element.minWords, "max": $0.element.maxWords]
                    },
                    "questions": record.questions.map { ["label": $0.label, "required": $0.required] },
                    "deadlineTime": ScholarshipCalendar.deadlineInstant(record.deadline).map { Timestamp.string(from: $0) } as Any,
                ]) { first, _ in first },
                "groups": ScholarshipPageViews.eligibility(record.eligibility), "openToAll": record.eligibility.groups.isEmpty,
                "member": identity != nil,
            ]
            if let identity {
                let viewer = identity.user.id
                // Matches are for the people who may apply; their explanations link to the student's own forms.
                if ScholarshipPolicy.mayApply(identity.actor),
                    let result = try await Offload.run({ try matches.match(userID: viewer, scholarshipID: record.id) })
                {
                    data["match"] = ScholarshipPageViews.explanation(result)
                }
                let mine = try await Offload.run { try applications.application(scholarship: record, userID: viewer) }
                data["myApplication"] = mine.map { ["id": Int($0.id), "status": $0.status, "progress": $0.progressPercentage] } as Any
                data["canApply"] =
                    mine == nil && ScholarshipPolicy.mayApply(identity.actor) && record.isActive(at: now)
                    && record.applicationMethod == "internal"
                data["manages"] = ScholarshipPolicy.mayManage(identity.actor, departmentID: record.departmentID)
            }
            return HTMLResponse.make(pages.render("scholarship", data, request: request, identity: identity))
        }
        catalog.add(
            RouteSpec(
                id: "PAGE-SCHOLARSHIP-ICS", .get, "/scholarships/{id}/deadline.ics", summary: "A scholarship's deadline as a calendar file",
                tag: "Pages", limit: .page, responses: [200: ("The deadline (iCalendar)", nil)]),
            to: router
        ) { _, context in
            let record = try await ScholarshipRoutes.visible(
                try ScholarshipRoutes.scholarshipID(context), Self.reader(context), catalogue: catalogue)
            guard let end = ScholarshipCalendar.deadlineInstant(record.deadline) else { throw APIError.notFound() }
            let origin = configuration.siteOrigin
            let item = ICalendar.Item(
                uid: "scholarship-\(record.id)-deadline@pittstate-connect", stamp: clock(), start: end.addingTimeInterval(-3599),
                end: end.addingTimeInterval(1),
                timeZone: "America/Chicago", summary: "Deadline: \(record.title)", location: nil,
                description: "Applications close at the end of this day (Central time).", url: "\(origin)/scholarships/\(record.id)",
                sequence: 0, cancelled: false)
            var headers = HTTPFields()
            headers[.contentType] = "text/calendar; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"scholarship-\(record.id)-deadline.ics\""
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: ICalendar.calendar(name: record.title, items: [item], publish: false))))
        }
        registerApplicationPages(router, catalog)
    }

    func applicationPage(_ record: ScholarshipApplicationRecord, identity: Identity, essays: [ScholarshipApplicationStore.LibraryEssay])
        -> [String: Any]
    {
        let now = clock()
        let checklist = record.checklist
        let editable = record.status == "in_progress" && record.scholarship.status != "archived"
        let past = ScholarshipCalendar.isPast(deadline: record.scholarship.deadline, at: now)
        let written = Dictionary(uniqueKeysWithValues: record.essays.map { ($0.index, $0) })
        var reason: String?
        if past {
            reason = "The deadline has passed."
        } else if !checklist.isComplete {
            reason = "Finish the checklist first: " + checklist.items.filter { !$0.done }.map(\.label).joined(separator: ", ") + "."
        }
        return [
            "application": [
                "id": Int(record.id), "status": record.status, "progress": checklist.progressPercentage,
                "done": checklist.doneCount, "total": checklist.items.count,
                "submittedAt": record.submittedAt as Any, "decisionMessage": record.decisionMessage as Any,
                "awarded": record.status == "awarded", "amount": record.awardedAmountCents.map(Money.words) as Any,
            ],
            "scholarship": [
                "id": Int(record.scholarship.id), "title": record.scholarship.title,
                "deadline": ScholarshipPageViews.dateWords(record.scholarship.deadline),
                "daysLeft": ScholarshipPageViews.daysLeft(record.scholarship.deadline, now: now),
                "transcript": record.scholarship.transcriptRequired, "letters": record.scholarship.numRecommendations,
            ],
            // Each item links to its part of the page; every letter to the one letters section.
            "checklist": checklist.items.map {
                [
                    "label": $0.label, "done": $0.done,
                    "anchor": $0.item.hasPrefix("letter:") ? "letters" : $0.item.replacingOccurrences(of: ":", with: "-"),
                ]
            },
            "questions": record.scholarship.questions.map {
                ["key": $0.key, "label": $0.label, "required": $0.required, "answer": record.answers[$0.key] ?? ""]
            },
            "hasQuestions": !record.scholarship.questions.isEmpty,
            "essays": record.scholarship.prompts.enumerated().map { offset, prompt -> [String: Any] in
                let essay = written[offset + 1]
                return [
                    "index": offset + 1, "prompt": prompt.prompt, "min": prompt.minWords, "max": prompt.maxWords,
                    "text": essay?.text ?? "", "words": essay?.wordCount ?? 0,
                    "done": essay.map { prompt.accepts(words: $0.wordCount) } ?? false,
                ]
            },
            "library": essays.map { ["id": Int($0.id), "title": $0.title, "words": $0.wordCount] }, "hasLibrary": !essays.isEmpty,
            "recommendations": record.recommendations.map {
                ["id": Int($0.id), "name": $0.recommenderName, "status": $0.status, "received": $0.status == "received"]
            },
            "canAskLetter": editable && record.recommendations.count < record.scholarship.numRecommendations,
            "transcriptSubmitted": record.transcriptUploadID != nil, "hasLetters": record.scholarship.numRecommendations > 0,
            "editable": editable, "canSubmit": editable && reason == nil, "blocked": reason as Any,
            "canWithdraw": !record.decided && record.status != "withdrawn" && !past,
        ]
    }

    func registerApplicationPages(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (applications, catalogue, jobs) = (scholarships.applications, scholarships.catalogue, jobApplications)
        MemberPage.register(router, catalog, "PAGE-APPLICATIONS", "/applications", "My applications") { request, context in
            let identity = try MemberPage.identity(request, context)
            let viewer = identity.user.id
            let mine = try await Offload.run { try applications.applications(userID: viewer, status: nil, limit: 200, offset: 0) }
            let jobApplications = try await Offload.run { try jobs.applications(userID: viewer, beforeID: nil, limit: 100) }
            let reviews = scholarships.reviews
            let donor = try await Offload.run { try reviews.isDonor(userID: viewer) }
            let now = clock()
            return HTMLResponse.make(
                pages.render(
                    "applications",
                    [
                        "scholarships": mine.map { record -> [String: Any] in
                            [
                                "id": Int(record.id), "title": record.scholarship.title, "status": record.status,
                                "progress": record.progressPercentage,
                                "deadline": ScholarshipPageViews.dateWords(record.scholarship.deadline),
                                "daysLeft": ScholarshipPageViews.daysLeft(record.scholarship.deadline, now: now),
                                "submittedAt": record.submittedAt as Any, "decidedAt": record.decidedAt as Any,
                                "awarded": record.status == "awarded", "amount": record.awardedAmountCents.map(Money.words) as Any,
                                "message": record.decisionMessage as Any, "accepted": record.awardAccepted == true,
                                "answered": record.awardAccepted != nil, "shares": record.shareWithDonor,
                                "thankYou": record.thankYouUploadID != nil,
                            ]
                        },
                        "hasScholarships": !mine.isEmpty,
                        "jobs": jobApplications.map {
                            [
                                "id": Int($0.jobID), "title": $0.jobTitle, "company": $0.companyName, "status": $0.status,
                                "updatedAt": $0.updatedAt,
                            ]
                        },
                        "hasJobs": !jobApplications.isEmpty, "applies": ScholarshipPolicy.mayApply(identity.actor), "donor": donor,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-GENERAL-APPLICATION", "/applications/general", "My general application") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            guard ScholarshipPolicy.mayApply(identity.actor) else {
                throw APIError.forbidden("The general application is for students and alumni.")
            }
            let viewer = identity.user.id
            let general = try await Offload.run { try applications.generalApplication(userID: viewer) }
            // The questions the open catalogue asks, each once, so a student answers them all in one place.
            var listing = ScholarshipStore.Listing()
            listing.limit = 500
            let chosen = listing
            let open = try await Offload.run { try catalogue.list(chosen) }
            var seen = Set<String>()
            var questions: [[String: Any]] = []
            for question in open.flatMap(\.questions) where seen.insert(question.key).inserted {
                questions.append(["key": question.key, "label": question.label, "answer": general.answers[question.key] ?? ""])
            }
            for (key, answer) in general.answers.sorted(by: { $0.key < $1.key }) where seen.insert(key).inserted {
                questions.append(["key": key, "label": PageWord.words(key), "answer": answer])
            }
            return HTMLResponse.make(
                pages.render(
                    "general-application",
                    ["questions": questions, "hasQuestions": !questions.isEmpty, "updatedAt": general.updatedAt as Any],
                    request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-APPLICATION", "/applications/{id}", "A scholarship application") { request, context in
            let identity = try MemberPage.identity(request, context)
            let id = try context.positiveID(notFound: "There is no such application.")
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try applications.application(id: id) }), record.userID == viewer else {
                throw APIError.notFound("There is no such application.")
            }
            let essays = try await Offload.run { try applications.essays(userID: viewer) }
            return HTMLResponse.make(
                pages.render(
                    "scholarship-application", applicationPage(record, identity: identity, essays: essays), request: request,
                    identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-ESSAYS", "/essays", "My essay library") { request, context in
            let identity = try MemberPage.identity(request, context)
            let viewer = identity.user.id
            let essays = try await Offload.run { try applications.essays(userID: viewer) }
            return HTMLResponse.make(
                pages.render(
                    "essays",
                    [
                        "essays": essays.map {
                            [
                                "id": Int($0.id), "title": $0.title, "prompt": $0.prompt ?? "", "content": $0.content,
                                "words": $0.wordCount,
                                "updatedAt": $0.updatedAt,
                            ]
                        }, "hasEssays": !essays.isEmpty,
                    ], request: request, identity: identity))
        }
        // The recommender's page: no account, the link is the key.
        catalog.add(
            RouteSpec(
                id: "PAGE-RECOMMENDATION", .get, "/recommendations/{token}", summary: "Upload a recommendation letter", tag: "Pages",
                limit: .own("30/h"), responses: [200: ("HTML page", nil), 404: ("Unknown link", nil)]),
            to: router
        ) { request, context in
            let token = context.parameters.get("token") ?? ""
            guard (20...100).contains(token.count), let found = try await Offload.run({ try applications.letterRequest(token: token) })
            else {
                throw APIError.notFound("This link is not valid.")
            }
            return HTMLResponse.make(
                pages.render(
                    "recommendation",
                    [
                        "token": token, "student": found.studentName, "scholarship": found.scholarshipTitle,
                        "deadline": ScholarshipPageViews.dateWords(found.deadline), "recommender": found.recommenderName,
                        "received": found.status == "received",
                        "closed": ScholarshipCalendar.isPast(deadline: found.deadline, at: clock()),
                    ], request: request, identity: Self.reader(context)))
        }
    }
}
