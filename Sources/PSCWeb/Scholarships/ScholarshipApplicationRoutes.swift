import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SCH-9..20, 27..29 (10-api §10): a student's applications with their checklists, essays, letters and
/// transcript; the recommender's token pages; the essay library and the general application.
struct ScholarshipApplicationRoutes: FeatureRoutes {
    let scholarships: ScholarshipHub
    let profiles: ProfileStore

    static func applicationID(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID(notFound: "There is no such application.")
    }

    /// Students and alumni apply; others get 403.
    static func applicant(_ context: AppRequestContext, scope: String) throws -> Identity {
        let identity = try context.require(.active, scope: scope)
        guard ScholarshipPolicy.mayApply(identity.actor) else { throw APIError.forbidden("Students and alumni apply for scholarships.") }
        return identity
    }

    /// The caller's own application as the applicant sees it.
    func ownBody(_ id: Int64, _ identity: Identity) async throws -> JSONValue {
        let (applications, profiles, viewer) = (scholarships.applications, profiles, identity.user.id)
        guard let record = try await Offload.run({ try applications.application(id: id) }), record.userID == viewer else {
            throw APIError.notFound("There is no such application.")
        }
        let card = try await Offload.run { try profiles.cards(ids: [viewer], viewer: viewer) }[viewer]
        return ScholarshipViews.application(
            record, applicant: card.map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null, forReviewer: false)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (applications, reviews, profiles) = (scholarships.applications, scholarships.reviews, profiles)
        catalog.add(
            RouteSpec(
                id: "SCH-9", .post, "/api/v1/scholarships/{id}/applications", summary: "Start an application", tag: "Scholarships",
                access: .member(scope: "applications:write"), limit: .own("20/day"),
                responses: [
                    201: ("ScholarshipApplication, in progress, its checklist built", "ScholarshipApplication"),
                    200: ("The application already started this cycle", "ScholarshipApplication"),
                    403: ("Not a student or alumnus", "Error"), 404: ("No such scholarship", "Error"),
                    409: ("deadline_passed, not applied for here, or not open", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try Self.applicant(context, scope: "applications:write")
            let id = try ScholarshipRoutes.scholarshipID(context)
            let user = identity.user.id
            let started = try await Offload.run { try applications.start(scholarshipID: id, userID: user) }
            var response = JSONResponse.make(try await ownBody(started.id, identity), status: started.created ? .created : .ok)
            response.headers[.location] = "/api/v1/scholarship-applications/\(started.id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "SCH-10", .get, "/api/v1/users/me/scholarship-applications", summary: "My scholarship applications",
                tag: "Scholarships", access: .member(scope: "applications:read"),
                query: .page() + [.choice("status", ScholarshipViews.applicationStatuses, "One status")],
                responses: [200: ("A page of ScholarshipApplication", "ScholarshipApplicationPage"), 400: ("Bad status", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:read")
            let query = QueryReader(request)
            let status = try query.choice("status", ScholarshipViews.applicationStatuses)
            let limit = try Pagination.limit(request)
            let offset = try query.offset
            let viewer = identity.user.id
            let found = try await Offload.run {
                try applications.applications(userID: viewer, status: status, limit: limit, offset: offset)
            }
            let card = try await Offload.run { try profiles.cards(ids: [viewer], viewer: viewer) }[viewer]
            let applicant: JSONValue = card.map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null
            return JSONResponse.make([
                "items": .array(found.map { ScholarshipViews.application($0, applicant: applicant, forReviewer: false) }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-11", .get, "/api/v1/scholarship-applications/{id}", summary: "A scholarship application", tag: "Scholarships",
                access: .member(scope: "applications:read"),
                responses: [
                    200: ("ScholarshipApplication (reviewers also get essays, letters and the transcript)", "ScholarshipApplication"),
                    404: ("No such application, or not yours to see", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:read")
            let id = try Self.applicationID(context)
            let viewer = identity.user.id
            guard let record = try await Offload.run({ try applications.application(id: id) }) else {
                throw APIError.notFound("There is no such application.")
            }
            if record.userID == viewer { return JSONResponse.make(try await ownBody(id, identity)) }
            let seat = try await Offload.run { try reviews.seat(scholarshipID: record.scholarship.id, userID: viewer) }
            let manages = ScholarshipPolicy.mayManage(identity.actor, departmentID: record.scholarship.departmentID)
            // Drafts stay the student's own; reviewers and managers see what was submitted.
            guard seat != nil || manages, record.submittedAt != nil else { throw APIError.notFound("There is no such application.") }
            return JSONResponse.make(try await ScholarshipReviewRoutes.reviewerBody(record, viewer: viewer, profiles: profiles))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-12", .patch, "/api/v1/scholarship-applications/{id}", summary: "Answer an application's questions",
                tag: "Scholarships", access: .member(scope: "applications:write"), limit: .own("120/h"),
                body: .object(["answers": FieldRule.object.required]),
                responses: [
                    200: ("ScholarshipApplication", "ScholarshipApplication"), 404: ("Not your application", "Error"),
                    409: ("Submitted already", "Error"), 422: ("A key that is not one of the questions, or too long", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let object = try await request.jsonObjectBody(context: context).object
            var answers: [String: String] = [:]
            var problems: [String] = []
            for (key, value) in object["answers"] as? [String: Any] ?? [:] {
                guard let text = value as? String, text.count <= 5000 else {
                    problems.append("\(key) must be text of at most 5000 characters")
                    continue
                }
                answers[key] = text
            }
            if !problems.isEmpty { throw APIError.validation(["answers": problems]) }
            let (owner, chosen) = (identity.user.id, answers)
            try await Offload.run { try applications.setAnswers(id, owner: owner, answers: chosen) }
            return JSONResponse.make(try await ownBody(id, identity))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-13", .put, "/api/v1/scholarship-applications/{id}/essays/{index}", summary: "Write an essay of an application",
                tag: "Scholarships", access: .member(scope: "applications:write"), limit: .own("120/h"),
                body: .object(["text": .text(1...30_000), "essay_id": .id]),
                responses: [
                    200: ("word_count, within_limits, done", "EssaySaved"), 404: ("No such application or prompt", "Error"),
                    409: ("Submitted already", "Error"), 422: ("No text", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            guard let index = context.parameters.get("index").flatMap(Int.init), index >= 1 else {
                throw APIError.notFound("There is no such essay prompt.")
            }
            let object = try await request.jsonObjectBody(context: context).object
            let text = object["text"] as? String
            let library = object["essay_id"].flatMap(FieldRule.wholeNumber)
            if text == nil && library == nil {
                throw APIError.validation(["text": ["is required unless essay_id names one of your essays"]])
            }
            let owner = identity.user.id
            let saved = try await Offload.run {
                try applications.putEssay(id, owner: owner, index: index, text: text, libraryEssayID: library)
            }
            return JSONResponse.make([
                "word_count": .int(Int64(saved.wordCount)), "within_limits": .bool(saved.withinLimits), "done": .bool(saved.withinLimits),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-14", .post, "/api/v1/scholarship-applications/{id}/recommendations", summary: "Ask for a recommendation letter",
                tag: "Scholarships", access: .member(scope: "applications:write"), limit: .own("10/day"),
                body: .object([
                    "recommender_name": FieldRule.text(2...120).required, "recommender_email": FieldRule.text(3...254).required,
                    "relationship": .text(max: 120), "message": .text(max: 1000),
                ]),
                responses: [
                    201: ("id, status requested (the recommender is emailed a single-use link)", "RecommendationRequested"),
                    404: ("Not your application", "Error"),
                    409: ("Enough letters requested, submitted, or past the deadline", "Error"),
                    422: ("Invalid fields, or your own address", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let name = reader.text("recommender_name", 2...120, nil, required: true)
            let email = reader.text("recommender_email", 3...254, nil, required: true)
            let relationship = reader.text("relationship", 0...120, nil)
            let message = reader.text("message", 0...1000, nil)
            if let email, !EmailAddress.isValid(email) { reader.problem("recommender_email", "must be an email address") }
            try reader.validate()
            let (owner, ownEmail) = (identity.user.id, identity.user.email)
            let requestID = try await Offload.run {
                try applications.requestRecommendation(
                    id, owner: owner, ownEmail: ownEmail, name: name ?? "", email: email ?? "", relationship: relationship, message: message
                )
            }
            return JSONResponse.make(["id": .int(requestID), "status": "requested"], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-15", .delete, "/api/v1/scholarship-applications/{id}/recommendations/{rid}",
                summary: "Cancel a recommendation request", tag: "Scholarships", access: .member(scope: "applications:write"),
                responses: [
                    204: ("Cancelled; the link no longer works", nil), 404: ("No such request on your application", "Error"),
                    409: ("The letter was already received, or the application is submitted", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let requestID = try context.positiveID("rid", notFound: "There is no such recommendation request.")
            let owner = identity.user.id
            try await Offload.run { try applications.cancelRecommendation(id, owner: owner, requestID: requestID) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-16", .get, "/api/v1/recommendations/{token}", summary: "A recommendation request, for its recommender",
                tag: "Scholarships", limit: .own("30/h"),
                responses: [
                    200: ("student_name, scholarship_title, deadline, status", "RecommendationRequest"), 404: ("Unknown link", "Error"),
                ]),
            to: router
        ) { _, context in
            let token = context.parameters.get("token") ?? ""
            guard (20...100).contains(token.count), let found = try await Offload.run({ try applications.letterRequest(token: token) })
            else {
                throw APIError.notFound("This link is not valid.")
            }
            return JSONResponse.make([
                "student_name": .string(found.studentName), "scholarship_title": .string(found.scholarshipTitle),
                "deadline": .string(found.deadline), "status": .string(found.status),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-17", .post, "/api/v1/recommendations/{token}", summary: "Upload a recommendation letter", tag: "Scholarships",
                limit: .own("10/h"), body: .multipartFile,
                responses: [
                    201: ("Received; the student is told a letter arrived", "LetterReceived"), 404: ("Unknown link", "Error"),
                    409: ("Already uploaded, or past the deadline", "Error"), 413: ("Over 10 MiB", "Error"), 415: ("Not a PDF", "Error"),
                    422: ("No file", "Error"),
                ]),
            to: router
        ) { request, context in
            let token = context.parameters.get("token") ?? ""
            guard (20...100).contains(token.count), try await Offload.run({ try applications.letterRequest(token: token) }) != nil else {
                throw APIError.notFound("This link is not valid.")
            }
            let form = try await MultipartForm.read(request, limit: MultipartForm.bodyLimit(forFile: UploadRoutes.documentLimit))
            guard let part = form.file("file"), !part.data.isEmpty else { throw APIError.validation(["file": ["is required"]]) }
            guard part.data.count <= UploadRoutes.documentLimit else { throw APIError.payloadTooLarge(limit: UploadRoutes.documentLimit) }
            guard SniffedType.sniff(part.data) == .pdf else {
                throw APIError(.unsupportedMediaType, "unsupported_media_type", "Upload the letter as a PDF document.")
            }
            let name = form.field("recommender_name").map { String($0.trimmingCharacters(in: .whitespacesAndNewlines).prefix(120)) }
            let file = part.filename.map { String($0.replacingOccurrences(of: "/", with: "_").prefix(200)) }
            try await Offload.run {
                try applications.receiveLetter(
                    token: token, pdf: part.data, originalName: file, recommenderName: name?.isEmpty == false ? name : nil)
            }
            return JSONResponse.make(["status": "received"], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-18", .put, "/api/v1/scholarship-applications/{id}/transcript", summary: "Attach a transcript",
                tag: "Scholarships", access: .member(scope: "applications:write"), limit: .own("20/h"),
                body: .object(["upload_id": FieldRule.id.required]),
                responses: [
                    200: ("ScholarshipApplication", "ScholarshipApplication"), 404: ("Not your application", "Error"),
                    409: ("Submitted already", "Error"), 422: ("Not your own transcript upload", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let object = try await request.jsonObjectBody(context: context).object
            let upload = object["upload_id"].flatMap(FieldRule.wholeNumber) ?? 0
            let owner = identity.user.id
            try await Offload.run { try applications.setTranscript(id, owner: owner, uploadID: upload) }
            return JSONResponse.make(try await ownBody(id, identity))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-19", .post, "/api/v1/scholarship-applications/{id}/submit", summary: "Submit an application", tag: "Scholarships",
                access: .member(scope: "applications:write"), limit: .own("10/h"),
                responses: [
                    200: ("ScholarshipApplication, submitted", "ScholarshipApplication"), 404: ("Not your application", "Error"),
                    409: ("deadline_passed, or submitted already", "Error"), 422: ("fields.checklist lists unfinished items", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let owner = identity.user.id
            try await Offload.run { try applications.submit(id, owner: owner) }
            return JSONResponse.make(try await ownBody(id, identity))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-20", .post, "/api/v1/scholarship-applications/{id}/withdraw", summary: "Withdraw an application",
                tag: "Scholarships", access: .member(scope: "applications:write"),
                responses: [
                    200: ("ScholarshipApplication, withdrawn", "ScholarshipApplication"), 404: ("Not your application", "Error"),
                    409: ("Decided already, or deadline_passed", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let owner = identity.user.id
            try await Offload.run { try applications.withdraw(id, owner: owner) }
            return JSONResponse.make(try await ownBody(id, identity))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-27", .post, "/api/v1/scholarship-applications/{id}/accept-award", summary: "Accept or decline an award",
                tag: "Scholarships", access: .member(scope: "applications:write"),
                body: .object([
                    "accept": FieldRule.boolean.required, "thank_you_upload_id": FieldRule.id.nullable, "share_with_donor": .boolean,
                ]),
                responses: [
                    200: ("award_accepted, share_with_donor", "AwardAnswer"), 404: ("Not your application", "Error"),
                    409: ("Not awarded", "Error"), 422: ("Invalid fields, or an upload that is not your own document", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try Self.applicationID(context)
            let object = try await request.jsonObjectBody(context: context).object
            let accept = object["accept"] as? Bool ?? false
            let upload = object["thank_you_upload_id"].flatMap(FieldRule.wholeNumber)
            let share = object["share_with_donor"] as? Bool
            let owner = identity.user.id
            let record = try await Offload.run {
                try applications.answerAward(id, owner: owner, accept: accept, thankYouUploadID: upload, shareWithDonor: share)
            }
            return JSONResponse.make([
                "award_accepted": record.awardAccepted.map(JSONValue.bool) ?? .null, "share_with_donor": .bool(record.shareWithDonor),
            ])
        }
        registerLibrary(with: router, catalog: catalog)
    }

    static func essayBody(_ essay: ScholarshipApplicationStore.LibraryEssay, full: Bool) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(essay.id), "title": .string(essay.title), "word_count": .int(Int64(essay.wordCount)),
            "updated_at": .string(essay.updatedAt),
        ]
        if full {
            object["prompt"] = ScholarshipViews.text(essay.prompt)
            object["content"] = .string(essay.content)
            object["is_public"] = .bool(essay.isPublic)
        }
        return .object(object)
    }

    /// SCH-28 and SCH-29.
    func registerLibrary(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let applications = scholarships.applications
        let essayFields: [String: FieldRule] = [
            "title": FieldRule.text(1...200).required, "prompt": FieldRule.text(max: 1000).nullable,
            "content": FieldRule.text(1...30_000).required, "is_public": .boolean,
        ]
        @Sendable func readEssay(_ object: [String: Any], over current: ScholarshipApplicationStore.LibraryEssay?) throws -> (
            String, String?, String, Bool
        ) {
            var reader = FieldReader(object)
            let title = reader.text("title", 1...200, current?.title, required: true)
            let prompt = reader.text("prompt", 0...1000, current?.prompt)
            let content = reader.text("content", 1...30_000, current?.content, required: true)
            let isPublic = reader.flag("is_public", current?.isPublic ?? false)
            try reader.validate()
            return (title ?? "", prompt?.isEmpty == true ? nil : prompt, content ?? "", isPublic)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-28", .get, "/api/v1/essays", summary: "My essay library", tag: "Scholarships",
                access: .member(scope: "applications:read"),
                responses: [200: ("items of {id,title,word_count,updated_at}", "EssayList")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:read")
            let owner = identity.user.id
            let essays = try await Offload.run { try applications.essays(userID: owner) }
            return JSONResponse.make(["items": .array(essays.map { Self.essayBody($0, full: true) })])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-28", .post, "/api/v1/essays", summary: "Add an essay to my library", tag: "Scholarships",
                access: .member(scope: "applications:write"), limit: .own("60/h"), body: .object(essayFields),
                responses: [
                    201: ("{id,title,word_count,updated_at}", "LibraryEssay"), 422: ("Invalid fields, or the library is full", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let object = try await request.jsonObjectBody(context: context).object
            let (title, prompt, content, isPublic) = try readEssay(object, over: nil)
            let owner = identity.user.id
            let saved = try await Offload.run {
                try applications.saveEssay(id: nil, owner: owner, title: title, prompt: prompt, content: content, isPublic: isPublic)
            }
            return JSONResponse.make(Self.essayBody(saved, full: true), status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-28", .patch, "/api/v1/essays/{id}", summary: "Change an essay of my library", tag: "Scholarships",
                access: .member(scope: "applications:write"), limit: .own("60/h"),
                body: .object(essayFields.mapValues { FieldRule(schema: $0.schema, isRequired: false, problem: $0.problem) }),
                responses: [
                    200: ("{id,title,word_count,updated_at}", "LibraryEssay"), 404: ("Not yours", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try context.positiveID(notFound: "There is no such essay.")
            let owner = identity.user.id
            guard let current = try await Offload.run({ try applications.essay(id: id, owner: owner) }) else {
                throw APIError.notFound("There is no such essay.")
            }
            let object = try await request.jsonObjectBody(context: context).object
            let (title, prompt, content, isPublic) = try readEssay(object, over: current)
            let saved = try await Offload.run {
                try applications.saveEssay(id: id, owner: owner, title: title, prompt: prompt, content: content, isPublic: isPublic)
            }
            return JSONResponse.make(Self.essayBody(saved, full: true))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-28", .delete, "/api/v1/essays/{id}", summary: "Delete an essay of my library", tag: "Scholarships",
                access: .member(scope: "applications:write"),
                responses: [204: ("Deleted", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:write")
            let id = try context.positiveID(notFound: "There is no such essay.")
            let owner = identity.user.id
            try await Offload.run { try applications.deleteEssay(id: id, owner: owner) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-29", .get, "/api/v1/users/me/general-application", summary: "My general application", tag: "Scholarships",
                access: .member(scope: "applications:read"),
                responses: [200: ("answers, updated_at", "GeneralApplication"), 403: ("Not a student or alumnus", "Error")]),
            to: router
        ) { _, context in
            let identity = try Self.applicant(context, scope: "applications:read")
            let owner = identity.user.id
            let general = try await Offload.run { try applications.generalApplication(userID: owner) }
            return JSONResponse.make([
                "answers": .object(general.answers.mapValues(JSONValue.string)), "updated_at": ScholarshipViews.text(general.updatedAt),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-29", .put, "/api/v1/users/me/general-application", summary: "Replace my general application",
                tag: "Scholarships", access: .member(scope: "applications:write"), limit: .own("60/h"),
                body: .object(["answers": FieldRule.object.required]),
                responses: [
                    200: ("answers, updated_at (my matches recomputed in the same write)", "GeneralApplication"),
                    403: ("Not a student or alumnus", "Error"),
                    422: ("Keys of a-z, 0-9 and _ (1 to 40), at most 50, texts up to 5000", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.applicant(context, scope: "applications:write")
            let object = try await request.jsonObjectBody(context: context).object
            let given = object["answers"] as? [String: Any] ?? [:]
            var answers: [String: String] = [:]
            var problems: [String] = []
            if given.count > 50 { problems.append("at most 50 answers") }
            for (key, value) in given {
                guard AnswerKey.isValid(key) else {
                    problems.append("\(key.prefix(40)) is not a key of a-z, 0-9 and _ (1 to 40)")
                    continue
                }
                guard let text = value as? String, text.count <= 5000 else {
                    problems.append("\(key) must be text of at most 5000 characters")
                    continue
                }
                let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
                if !trimmed.isEmpty { answers[key] = trimmed }
            }
            if !problems.isEmpty { throw APIError.validation(["answers": problems]) }
            let (owner, chosen) = (identity.user.id, answers)
            let stamp = try await Offload.run { try applications.setGeneralApplication(userID: owner, answers: chosen) }
            return JSONResponse.make(["answers": .object(chosen.mapValues(JSONValue.string)), "updated_at": .string(stamp)])
        }
    }
}
