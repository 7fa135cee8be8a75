import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SCH-21..26 and SCH-32 (10-api §10): the committee's queue, rubric and scores, the ranking, decisions, and the
/// donor report. Under `blind_review` a reviewer never learns who applied: no card, name, email or photo.
struct ScholarshipReviewRoutes: FeatureRoutes {
    let scholarships: ScholarshipHub
    let profiles: ProfileStore

    /// An application as a reviewer or manager sees it: essays, letters and transcript links; the applicant's card
    /// unless the scholarship is reviewed blind.
    static func reviewerBody(_ record: ScholarshipApplicationRecord, viewer: Int64, profiles: ProfileStore) async throws -> JSONValue {
        var applicant: JSONValue = .null
        if !record.scholarship.blindReview {
            let card = try await Offload.run { try profiles.cards(ids: [record.userID], viewer: viewer) }[record.userID]
            applicant = card.map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null
        }
        return ScholarshipViews.application(record, applicant: applicant, forReviewer: true)
    }

    static func rubricBody(_ criteria: [RubricCriterion]) -> JSONValue {
        [
            "criteria": .array(
                criteria.map {
                    [
                        "key": .string($0.key), "label": .string($0.label), "max_points": .int(Int64($0.maxPoints)),
                        "weight": .int(Int64($0.weight)),
                    ]
                })
        ]
    }

    /// The scholarship if the caller is on its committee or manages it; 404 otherwise.
    func reviewable(_ context: AppRequestContext, _ identity: Identity) async throws -> (ScholarshipRecord, ScholarshipStore.Reviewer?) {
        let (catalogue, reviews) = (scholarships.catalogue, scholarships.reviews)
        let id = try ScholarshipRoutes.scholarshipID(context)
        guard let record = try await Offload.run({ try catalogue.scholarship(id: id) }) else {
            throw APIError.notFound("There is no such scholarship.")
        }
        let viewer = identity.user.id
        let seat = try await Offload.run { try reviews.seat(scholarshipID: id, userID: viewer) }
        guard seat != nil || ScholarshipPolicy.mayManage(identity.actor, departmentID: record.departmentID) else {
            throw APIError.notFound("There is no such scholarship.")
        }
        return (record, seat)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (catalogue, applications, reviews, profiles) = (
            scholarships.catalogue, scholarships.applications, scholarships.reviews, profiles
        )
        catalog.add(
            RouteSpec(
                id: "SCH-21", .get, "/api/v1/scholarships/{id}/applications", summary: "A scholarship's submitted applications, ranked",
                tag: "Scholarships", access: .member(scope: "manage"),
                query: .page() + [
                    .choice("status", ScholarshipViews.applicationStatuses, "One status"),
                    .choice("sort", ["score", "submitted_at"], "By mean score (default) or submission time"),
                ],
                responses: [
                    200: ("A page of {application, reviews_done, mean_score}", "RankedApplicationPage"),
                    400: ("A parameter that does not parse", "Error"), 404: ("Not a scholarship you review or manage", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let (record, _) = try await reviewable(context, identity)
            let query = QueryReader(request)
            let status = try query.choice("status", ScholarshipViews.applicationStatuses)
            let sort = try query.choice("sort", ["score", "submitted_at"]) ?? "score"
            let limit = try Pagination.limit(request)
            let offset = try query.offset
            let ranked = try await Offload.run {
                try reviews.ranking(scholarshipID: record.id, status: status, sort: sort, limit: limit, offset: offset)
            }
            var items: [JSONValue] = []
            for entry in ranked {
                items.append([
                    "application": try await Self.reviewerBody(entry.application, viewer: identity.user.id, profiles: profiles),
                    "reviews_done": .int(Int64(entry.reviewsDone)),
                    "mean_score": entry.meanScore.map { .decimal($0, places: 1) } ?? .null,
                ])
            }
            return JSONResponse.make([
                "items": .array(items), "next_cursor": ranked.count == limit ? OffsetCursor.next(offset + ranked.count) : .null,
                "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-22", .get, "/api/v1/scholarships/{id}/rubric", summary: "A scholarship's rubric", tag: "Scholarships",
                access: .member(scope: "manage"),
                responses: [200: ("criteria", "Rubric"), 404: ("Not a scholarship you review or manage", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let (record, _) = try await reviewable(context, identity)
            return JSONResponse.make(Self.rubricBody(record.rubric ?? []))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-22", .put, "/api/v1/scholarships/{id}/rubric", summary: "Replace a scholarship's rubric", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("30/h"), body: .object(["criteria": FieldRule.objects(1...10).required]),
                responses: [
                    200: ("criteria", "Rubric"), 404: ("Not one you manage", "Error"), 409: ("Reviews have started", "Error"),
                    422: ("Invalid criteria", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let record = try await ScholarshipRoutes.managed(context, identity, catalogue: catalogue)
            let object = try await request.jsonObjectBody(context: context).object
            var criteria: [RubricCriterion] = []
            var problems: [String] = []
            for (index, item) in (object["criteria"] as? [[String: Any]] ?? []).enumerated() {
                let key = item["key"] as? String ?? ""
                let label = (item["label"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
                let points = item["max_points"].flatMap(FieldRule.wholeNumber)
                let weight = item["weight"].flatMap(FieldRule.wholeNumber)
                guard AnswerKey.isValid(key), (1...100).contains(label.count), let points, (1...100).contains(points), let weight,
                    (1...100).contains(weight)
                else {
                    problems.append("criterion \(index + 1) needs a key of a-z, 0-9 and _, a label, max_points 1..100 and weight 1..100")
                    continue
                }
                if criteria.contains(where: { $0.key == key }) { problems.append("the key \(key) is used twice") }
                criteria.append(RubricCriterion(key: key, label: label, maxPoints: Int(points), weight: Int(weight)))
            }
            if !problems.isEmpty { throw APIError.validation(["criteria": problems]) }
            let audit = context.auditEntry("scholarship.rubric_changed", target: ("scholarship", record.id))
            let chosen = criteria
            try await Offload.run { try catalogue.setRubric(id: record.id, criteria: chosen, audit: audit) }
            return JSONResponse.make(Self.rubricBody(chosen))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-23", .put, "/api/v1/scholarships/{id}/reviewers", summary: "Assign a scholarship's committee",
                tag: "Scholarships", access: .member(scope: "manage"), limit: .own("30/h"),
                body: .object(["user_ids": FieldRule.ids(max: 30).required, "chair_id": FieldRule.id.nullable]),
                responses: [
                    200: ("reviewers[], chair_id", "Reviewers"), 404: ("Not one you manage", "Error"),
                    422: ("Someone without review_scholarships in scope, or a chair outside the list", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let record = try await ScholarshipRoutes.managed(context, identity, catalogue: catalogue)
            let object = try await request.jsonObjectBody(context: context).object
            let ids = (object["user_ids"] as? [Any] ?? []).compactMap(FieldRule.wholeNumber)
            let chair = object["chair_id"].flatMap(FieldRule.wholeNumber)
            if let chair, !ids.contains(chair) { throw APIError.validation(["chair_id": ["must be one of user_ids"]]) }
            let audit = context.auditEntry(
                "scholarship.reviewers_changed", target: ("scholarship", record.id),
                details: ["user_ids": .array(ids.map(JSONValue.int)), "chair_id": chair.map(JSONValue.int) ?? .null])
            try await Offload.run { try catalogue.setReviewers(scholarshipID: record.id, userIDs: ids, chairID: chair, audit: audit) }
            let seats = try await Offload.run { try catalogue.reviewers(scholarshipID: record.id) }
            let cards = try await Offload.run { try profiles.cards(ids: seats.map(\.userID), viewer: identity.user.id) }
            return JSONResponse.make([
                "reviewers": .array(
                    seats.compactMap { seat in
                        cards[seat.userID].map {
                            ["user": .object(ProfileViews.card($0.record, relation: $0.relation)), "is_chair": .bool(seat.isChair)]
                        }
                    }),
                "chair_id": seats.first(where: \.isChair).map { .int($0.userID) } ?? .null,
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-24", .get, "/api/v1/reviews/assigned", summary: "Applications assigned to me for review", tag: "Scholarships",
                access: .member(scope: "manage"), query: .page(),
                responses: [
                    200: ("A page of {application_id, scholarship, submitted_at, my_review_status}", "AssignmentPage"),
                    403: ("No review_scholarships", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard identity.has(.reviewScholarships) else { throw APIError.forbidden("Reviewing scholarships needs review_scholarships.") }
            let limit = try Pagination.limit(request)
            let offset = try QueryReader(request).offset
            let viewer = identity.user.id
            let found = try await Offload.run { try reviews.assigned(reviewerID: viewer, limit: limit, offset: offset) }
            return JSONResponse.make([
                "items": .array(
                    found.map {
                        [
                            "application_id": .int($0.applicationID),
                            "scholarship": ["id": .int($0.scholarshipID), "title": .string($0.scholarshipTitle)],
                            "submitted_at": .string($0.submittedAt), "my_review_status": .string($0.myReviewStatus),
                        ]
                    }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-25", .put, "/api/v1/scholarship-applications/{id}/review", summary: "Score an application", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("120/h"),
                body: .object(["scores": .object, "comment": .text(max: 4000), "conflict_of_interest": .boolean]),
                responses: [
                    200: ("total (0..100; null with a conflict)", "ReviewSaved"), 404: ("Not an application you review", "Error"),
                    409: ("Not submitted", "Error"), 422: ("Scores missing or out of range", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try ScholarshipApplicationRoutes.applicationID(context)
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try applications.application(id: id) }),
                try await Offload.run({ try reviews.seat(scholarshipID: record.scholarship.id, userID: viewer) }) != nil,
                record.userID != viewer
            else { throw APIError.notFound("There is no such application to review.") }
            let object = try await request.jsonObjectBody(context: context).object
            let conflict = object["conflict_of_interest"] as? Bool ?? false
            var scores: [String: Int] = [:]
            for (key, value) in object["scores"] as? [String: Any] ?? [:] {
                guard let number = FieldRule.wholeNumber(value), (0...100).contains(number) else {
                    throw APIError.validation(["scores": ["\(key.prefix(40)) must be a whole number of points"]])
                }
                scores[key] = Int(number)
            }
            let comment = (object["comment"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
            let chosen = scores
            let total = try await Offload.run {
                try reviews.saveReview(
                    applicationID: id, reviewerID: viewer, scores: chosen, comment: comment?.isEmpty == false ? comment : nil,
                    conflict: conflict)
            }
            return JSONResponse.make(["total": total.map { .decimal($0, places: 1) } ?? .null, "conflict_of_interest": .bool(conflict)])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-26", .post, "/api/v1/scholarship-applications/{id}/decision", summary: "Decide an application",
                tag: "Scholarships", access: .member(scope: "manage"), limit: .own("60/h"),
                body: .object([
                    "decision": FieldRule.choice(["awarded", "declined", "waitlisted"]).required,
                    "awarded_amount_cents": .integer(1...100_000_000), "message": .text(max: 2000),
                ]),
                responses: [
                    200: ("ScholarshipApplication with its decision; the applicant is told", "ScholarshipApplication"),
                    404: ("Not an application you may decide", "Error"),
                    409: ("Not submitted, or the cycle's awards would exceed the budget", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try ScholarshipApplicationRoutes.applicationID(context)
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try applications.application(id: id) }) else {
                throw APIError.notFound("There is no such application.")
            }
            let seat = try await Offload.run { try reviews.seat(scholarshipID: record.scholarship.id, userID: viewer) }
            guard
                ScholarshipPolicy.mayDecide(identity.actor, isChair: seat?.isChair == true, departmentID: record.scholarship.departmentID),
                record.userID != viewer
            else { throw APIError.notFound("There is no such application.") }
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let decision = reader.choice("decision", ["awarded", "declined", "waitlisted"], nil, required: true)
            let amount = reader.integer("awarded_amount_cents", 1...record.scholarship.amountCents, nil)
            let message = reader.text("message", 0...2000, nil)
            if decision == "awarded" && amount == nil && object["awarded_amount_cents"] == nil {
                reader.problem("awarded_amount_cents", "is required to award")
            }
            try reader.validate()
            let audit = context.auditEntry(
                "scholarship.decided", target: ("scholarship_application", id),
                details: ["decision": .string(decision ?? ""), "awarded_amount_cents": amount.map(JSONValue.int) ?? .null])
            try await Offload.run {
                try reviews.decide(
                    applicationID: id, deciderID: viewer, decision: decision ?? "declined", amountCents: amount, message: message,
                    audit: audit)
            }
            guard let decided = try await Offload.run({ try applications.application(id: id) }) else { throw APIError.notFound() }
            return JSONResponse.make(try await Self.reviewerBody(decided, viewer: viewer, profiles: profiles))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-32", .get, "/api/v1/users/me/donor-report", summary: "What my funds' scholarships did", tag: "Scholarships",
                access: .member(scope: "content:read"), query: [.text("cycle", max: 7, "One cycle (2026-27)")],
                responses: [200: ("items (empty for a non-donor)", "DonorReport"), 400: ("Not a cycle", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let cycle = try QueryReader(request).cycle("cycle")
            let viewer = identity.user.id
            let items = try await Offload.run { try reviews.donorReport(donorID: viewer, cycle: cycle) }
            let recipients = Array(Set(items.flatMap { $0.awards.compactMap(\.recipientID) }))
            let cards = try await Offload.run { try profiles.cards(ids: recipients, viewer: viewer) }
            return JSONResponse.make([
                "items": .array(
                    items.map { item in
                        [
                            "scholarship": ["id": .int(item.scholarshipID), "title": .string(item.title), "cycle": .string(item.cycle)],
                            "fund_name": ScholarshipViews.text(item.fundName),
                            "applications_submitted": .int(Int64(item.applicationsSubmitted)),
                            "awards": .array(
                                item.awards.map { award in
                                    [
                                        "recipient": award.recipientID.flatMap { cards[$0] }.map {
                                            .object(ProfileViews.card($0.record, relation: $0.relation))
                                        } ?? .null,
                                        "awarded_amount_cents": .int(award.amountCents),
                                        "decided_at": ScholarshipViews.text(award.decidedAt),
                                        "award_accepted": award.accepted.map(JSONValue.bool) ?? .null,
                                        "thank_you_url": award.thankYouUploadID.map { .string(UploadViews.url($0)) } ?? .null,
                                    ]
                                }),
                        ]
                    })
            ])
        }
    }
}
