import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The committee's and managers' pages (50-ui §3): `/reviews` (my assigned applications), `/reviews/<application>`
/// (the rubric form; the chair and managers also decide), `/reviews/scholarships/<id>` (the ranking),
/// `/manage/scholarships` (the catalogue in my scope, a new scholarship, the yearly rollover),
/// `/manage/scholarships/<id>` (the editor: fields, rules as portable JSON, rubric, committee, donors) and `/donor`.
struct ScholarshipManagePageRoutes: FeatureRoutes {
    let scholarships: ScholarshipHub
    let profiles: ProfileStore
    let departments: DepartmentStore
    let pages: PageRenderer
    let clock: @Sendable () -> Date

    static func prettyJSON(_ value: JSONValue) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: value.canonicalText.data(using: .utf8).flatMap {
                    try? JSONSerialization.jsonObject(with: $0)
                } ?? [:], options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return value.canonicalText }
        return String(decoding: data, as: UTF8.self)
    }

    /// What a reviewer sees of an application: the applicant's name unless the review is blind.
    func applicantName(_ record: ScholarshipApplicationRecord, viewer: Int64) async throws -> String? {
        guard !record.scholarship.blindReview else { return nil }
        let cards = try await Offload.run { [profiles] in try profiles.cards(ids: [record.userID], viewer: viewer) }
        return cards[record.userID].map { "\($0.record.firstName) \($0.record.lastName)" }
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (catalogue, applications, reviews) = (scholarships.catalogue, scholarships.applications, scholarships.reviews)
        MemberPage.register(router, catalog, "PAGE-REVIEWS", "/reviews", "My scholarship reviews") { request, context in
            let identity = try MemberPage.identity(request, context)
            guard identity.has(.reviewScholarships) else {
                throw APIError.forbidden("Reviewing scholarships is for committee members (the review_scholarships permission).")
            }
            let viewer = identity.user.id
            let assigned = try await Offload.run { try reviews.assigned(reviewerID: viewer, limit: 500, offset: 0) }
            var groups: [(id: Int64, title: String, items: [[String: Any]])] = []
            for item in assigned {
                let row: [String: Any] = [
                    "id": Int(item.applicationID), "submittedAt": item.submittedAt, "status": item.myReviewStatus,
                    "pending": item.myReviewStatus == "pending",
                ]
                if let index = groups.firstIndex(where: { $0.id == item.scholarshipID }) {
                    groups[index].items.append(row)
                } else {
                    groups.append((item.scholarshipID, item.scholarshipTitle, [row]))
                }
            }
            return HTMLResponse.make(
                pages.render(
                    "reviews",
                    [
                        "groups": groups.map {
                            [
                                "id": Int($0.id), "title": $0.title, "items": $0.items,
                                "pending": $0.items.filter { item in item["pending"] as? Bool == true }.count,
                            ]
                        },
                        "hasGroups": !groups.isEmpty,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-REVIEW", "/reviews/{id}", "Review an application") { request, context in
            let identity = try MemberPage.identity(request, context)
            let id = try context.positiveID(notFound: "There is no such application.")
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try applications.application(id: id) }), record.submittedAt != nil,
                record.userID != viewer
            else { throw APIError.notFound("There is no such application.") }
            let seat = try await Offload.run { try reviews.seat(scholarshipID: record.scholarship.id, userID: viewer) }
            let manages = ScholarshipPolicy.mayManage(identity.actor, departmentID: record.scholarship.departmentID)
            guard seat != nil || manages else { throw APIError.notFound("There is no such application.") }
            let all = try await Offload.run { try reviews.reviews(applicationID: id) }
            let mine = all.first { $0.reviewerID == viewer }
            let criteria = record.scholarship.rubric ?? []
            // Reviewers see each other's scores only after saving their own (20-services §7.7).
            let others = mine == nil ? [] : all.filter { $0.reviewerID != viewer && !$0.conflictOfInterest }
            let name = try await applicantName(record, viewer: viewer)
            let canDecide = ScholarshipPolicy.mayDecide(
                identity.actor, isChair: seat?.isChair == true, departmentID: record.scholarship.departmentID)
            return HTMLResponse.make(
                pages.render(
                    "review",
                    [
                        "application": [
                            "id": Int(record.id), "status": record.status, "submittedAt": record.submittedAt as Any,
                            "applicant": name ?? "Applicant #\(record.id) (reviewed blind)", "blind": name == nil,
                            "profile": name == nil ? nil : Int(record.userID) as Any,
                            "transcript": record.transcriptUploadID.map { UploadViews.url($0) } as Any,
                            "decided": record.decided, "amount": record.awardedAmountCents.map(Money.words) as Any,
                        ],
                        "scholarship": [
                            "id": Int(record.scholarship.id), "title": record.scholarship.title,
                            "amount": Money.words(record.scholarship.amountCents),
                        ],
                        "answers": record.scholarship.questions.map { ["label": $0.label, "answer": record.answers[$0.key] ?? "—"] },
                        "essays": record.scholarship.prompts.enumerated().map { offset, prompt in
                            [
                                "index": offset + 1, "prompt": prompt.prompt,
                                "text": record.essays.first { $0.index == offset + 1 }?.text ?? "(not written)",
                            ]
                        },
                        "letters": record.recommendations.filter { $0.uploadID != nil }.map {
                            ["name": $0.recommenderName, "url": UploadViews.url($0.uploadID ?? 0)]
                        },
                        "criteria": criteria.map {
                            [
                                "key": $0.key, "label": $0.label, "max": $0.maxPoints, "weight": $0.weight,
                                "score": mine?.scores[$0.key] as Any,
                            ]
                        },
                        "hasRubric": !criteria.isEmpty, "myComment": mine?.comment ?? "", "myConflict": mine?.conflictOfInterest == true,
                        "myTotal": mine?.total.map { String(format: "%.1f", $0) } as Any, "reviewed": mine != nil,
                        "others": others.map {
                            ["total": $0.total.map { String(format: "%.1f", $0) } ?? "—", "comment": $0.comment ?? ""]
                        },
                        "canReview": seat != nil, "canDecide": canDecide, "isChair": seat?.isChair == true,
                        "maxDollars": String(format: "%.2f", Double(record.scholarship.amountCents) / 100),
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-REVIEW-RANKING", "/reviews/scholarships/{id}", "A scholarship's ranking") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            let id = try ScholarshipRoutes.scholarshipID(context)
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try catalogue.scholarship(id: id) }) else { throw APIError.notFound() }
            let seat = try await Offload.run { try reviews.seat(scholarshipID: id, userID: viewer) }
            guard seat != nil || ScholarshipPolicy.mayManage(identity.actor, departmentID: record.departmentID) else {
                throw APIError.notFound("There is no such scholarship.")
            }
            let ranked = try await Offload.run { try reviews.ranking(scholarshipID: id, status: nil, sort: "score", limit: 500, offset: 0) }
            var rows: [[String: Any]] = []
            for (place, entry) in ranked.enumerated() {
                let name = try await applicantName(entry.application, viewer: viewer)
                rows.append([
                    "place": place + 1, "id": Int(entry.application.id), "name": name ?? "Applicant #\(entry.application.id)",
                    "reviews": entry.reviewsDone, "mean": entry.meanScore.map { String(format: "%.1f", $0) } ?? "not scored yet",
                    "status": entry.application.status, "amount": entry.application.awardedAmountCents.map(Money.words) as Any,
                ])
            }
            let awarded = ranked.compactMap { $0.application.status == "awarded" ? $0.application.awardedAmountCents : nil }.reduce(0, +)
            return HTMLResponse.make(
                pages.render(
                    "review-ranking",
                    [
                        "scholarship": ["id": Int(id), "title": record.title, "blind": record.blindReview],
                        "rows": rows, "hasRows": !rows.isEmpty,
                        "budget": Money.words(record.amountCents * Int64(record.awardCount)), "awarded": Money.words(awarded),
                    ], request: request, identity: identity))
        }
        registerManagement(router, catalog)
    }

    func registerManagement(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (catalogue, reviews, departments, profiles) = (scholarships.catalogue, scholarships.reviews, departments, profiles)
        MemberPage.register(router, catalog, "PAGE-MANAGE-SCHOLARSHIPS", "/manage/scholarships", "Manage scholarships") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            guard ScholarshipPolicy.managesAny(identity.actor) else {
                throw APIError.forbidden("Managing scholarships needs the manage_scholarships permission.")
            }
            var listing = ScholarshipStore.Listing()
            listing.openOnly = false
            listing.includeUnpublished = true
            listing.sort = "newest"
            listing.limit = 1000
            let chosen = listing
            let mine = try await Offload.run { try catalogue.list(chosen) }.filter {
                ScholarshipPolicy.mayManage(identity.actor, departmentID: $0.departmentID) && $0.status != "archived"
            }
            let names = try await departments.names().filter { ScholarshipPolicy.mayManage(identity.actor, departmentID: $0.id) }
            let now = clock()
            let cycle = ScholarshipCalendar.cycle(forDeadline: ScholarshipCalendar.today(now)) ?? "2026-27"
            return HTMLResponse.make(
                pages.render(
                    "manage-scholarships",
                    [
                        "scholarships": mine.map { ScholarshipPageViews.card($0, match: nil, now: now) }, "hasScholarships": !mine.isEmpty,
                        "departments": names.map { ["id": Int($0.id), "name": $0.name] },
                        "unscoped": identity.user.role == .admin || ScholarshipPolicy.mayManage(identity.actor, departmentID: nil),
                        "categories": ScholarshipViews.categories.map { ["value": $0, "label": PageWord.words($0)] },
                        "rulesExample": Self.prettyJSON(
                            ScholarshipViews.eligibility(
                                Eligibility(groups: [
                                    .init(name: "Merit", rules: [.init(field: "gpa", op: .gte, value: .number(3.0))])
                                ]))),
                        "fromCycle": cycle, "toCycle": ScholarshipCalendar.next(cycle: cycle) ?? "",
                        "isAdmin": identity.user.role == .admin,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-MANAGE-SCHOLARSHIP", "/manage/scholarships/{id}", "Edit a scholarship") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            let record = try await ScholarshipRoutes.managed(context, identity, catalogue: catalogue)
            let seats = try await Offload.run { try catalogue.reviewers(scholarshipID: record.id) }
            let donors = try await Offload.run { try catalogue.donors(scholarshipID: record.id) }
            let cards = try await Offload.run {
                try profiles.cards(ids: seats.map(\.userID) + donors.map(\.userID), viewer: identity.user.id)
            }
            func name(_ id: Int64) -> String { cards[id].map { "\($0.record.firstName) \($0.record.lastName)" } ?? "#\(id)" }
            let names = try await departments.names()
            let body = ScholarshipViews.body(record, now: clock())
            return HTMLResponse.make(
                pages.render(
                    "manage-scholarship",
                    [
                        "s": [
                            "id": Int(record.id), "title": record.title, "description": record.description,
                            "amount": String(format: "%.2f", Double(record.amountCents) / 100), "deadline": record.deadline,
                            "awardCount": record.awardCount, "letters": record.numRecommendations, "transcript": record.transcriptRequired,
                            "renewable": record.renewable, "blind": record.blindReview, "cycle": record.cycle, "status": record.status,
                            "tags": record.tags.joined(separator: ", "), "provider": record.provider ?? "", "url": record.url ?? "",
                        ],
                        "departments": names.map { ["id": Int($0.id), "name": $0.name, "selected": $0.id == record.departmentID] },
                        "categories": ScholarshipViews.categories.map {
                            ["value": $0, "label": PageWord.words($0), "selected": $0 == record.category]
                        },
                        "statuses": ["draft", "open", "closed"].map {
                            ["value": $0, "label": PageWord.words($0), "selected": $0 == record.status]
                        },
                        "rules": Self.prettyJSON(ScholarshipViews.eligibility(record.eligibility)),
                        "prompts": Self.prettyJSON(body["essay_prompts"] ?? .array([])),
                        "questions": Self.prettyJSON(body["questions"] ?? .array([])),
                        "rubric": Self.prettyJSON(ScholarshipReviewRoutes.rubricBody(record.rubric ?? [])["criteria"] ?? .array([])),
                        "reviewers": seats.map { ["id": Int($0.userID), "name": name($0.userID), "chair": $0.isChair] },
                        "reviewerIDs": seats.map { String($0.userID) }.joined(separator: ", "),
                        "chairID": seats.first(where: \.isChair).map { Int($0.userID) } as Any,
                        "donors": Self.prettyJSON(
                            .array(donors.map { ["user_id": .int($0.userID), "fund_name": $0.fundName.map(JSONValue.string) ?? .null] })),
                        "donorNames": donors.map { name($0.userID) + ($0.fundName.map { " (\($0))" } ?? "") },
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-DONOR", "/donor", "My donor report") { request, context in
            let identity = try MemberPage.identity(request, context)
            let viewer = identity.user.id
            let items = try await Offload.run { try reviews.donorReport(donorID: viewer, cycle: nil) }
            let recipients = Array(Set(items.flatMap { $0.awards.compactMap(\.recipientID) }))
            let cards = try await Offload.run { try profiles.cards(ids: recipients, viewer: viewer) }
            return HTMLResponse.make(
                pages.render(
                    "donor",
                    [
                        "items": items.map { item -> [String: Any] in
                            [
                                "title": item.title, "cycle": item.cycle, "fund": item.fundName as Any,
                                "submitted": item.applicationsSubmitted,
                                "awards": item.awards.map { award -> [String: Any] in
                                    [
                                        "recipient": award.recipientID.flatMap { cards[$0] }.map {
                                            "\($0.record.firstName) \($0.record.lastName)"
                                        }
                                            ?? "Anonymous recipient",
                                        "amount": Money.words(award.amountCents), "decidedAt": award.decidedAt as Any,
                                        "accepted": award.accepted == true, "answered": award.accepted != nil,
                                        "thankYou": award.thankYouUploadID.map { UploadViews.url($0) } as Any,
                                    ]
                                },
                                "hasAwards": !item.awards.isEmpty,
                            ]
                        }, "hasItems": !items.isEmpty,
                    ], request: request, identity: identity))
        }
    }
}
