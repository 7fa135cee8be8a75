import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// JOB-7..12 (10-api §9): applying with a résumé upload, and the status flow both sides see. The employer's note
/// is never shown to the applicant.
struct JobApplicationRoutes: FeatureRoutes {
    let jobPostings: JobPostingStore
    let jobApplications: JobApplicationStore
    let views: JobApplicationViews

    /// The application and whether the caller manages its posting; 404 for anyone else.
    func visibleApplication(_ context: AppRequestContext, _ identity: Identity) async throws -> (JobApplicationRecord, manager: Bool) {
        let (applications, board) = (jobApplications, jobPostings)
        let id = try context.positiveID(notFound: "There is no such application.")
        guard let application = try await Offload.run({ try applications.application(id: id) }),
            let posting = try await Offload.run({ try board.posting(id: application.jobID) })
        else { throw APIError.notFound("There is no such application.") }
        let manager = identity.mayManage(posting)
        guard manager || application.userID == identity.user.id else { throw APIError.notFound("There is no such application.") }
        return (application, manager)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (applications, board) = (jobApplications, jobPostings)
        catalog.add(
            RouteSpec(
                id: "JOB-7", .post, "/api/v1/jobs/{id}/applications", summary: "Apply", tag: "Jobs",
                access: .member(scope: "applications:write"), limit: .own("20/day"),
                body: .object([
                    "resume_upload_id": FieldRule.id.required, "cover_letter": .text(max: 5000), "answers": .object,
                ]),
                responses: [
                    422: ("Invalid fields", "Error"), 403: ("Not allowed for this account", "Error"),
                    201: ("JobApplication", "JobApplication"), 404: ("No such posting", "Error"),
                    409: ("Already applied, or not accepting", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            guard [.student, .alumni].contains(identity.user.role) else {
                throw APIError.forbidden("Students and alumni apply to postings.")
            }
            let jobID = try JobPostingViews.postingID(context)
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let resume = reader.integer("resume_upload_id", 1...Int64.max, nil)
            if resume == nil { reader.problem("resume_upload_id", "is required") }
            let cover = reader.text("cover_letter", 0...5000, nil)
            var answers: String?
            if let value = object["answers"], !(value is NSNull) {
                if let dictionary = value as? [String: Any], dictionary.count <= 50,
                    let data = try? JSONSerialization.data(withJSONObject: dictionary, options: [.sortedKeys]), data.count <= 20_000
                {
                    answers = String(decoding: data, as: UTF8.self)
                } else {
                    reader.problem("answers", "must be an object of at most 50 answers")
                }
            }
            try reader.validate()
            guard let resume else { throw APIError.validation(["resume_upload_id": ["is required"]]) }
            guard let posting = try await Offload.run({ try board.posting(id: jobID) }), posting.status == "active" else {
                throw APIError.notFound("There is no such job posting.")
            }
            let (user, chosenAnswers) = (identity.user.id, answers)
            let audit = context.auditEntry("jobs.applied", target: ("job_application", nil), details: ["job_id": .int(jobID)])
            let id = try await Offload.run {
                try applications.apply(
                    jobID: jobID, userID: user, resumeUploadID: resume, coverLetter: cover, answers: chosenAnswers, audit: audit)
            }
            guard let application = try await Offload.run({ try applications.application(id: id) }) else { throw APIError.internalError }
            var response = JSONResponse.make(try await views.bodies([application], viewer: user, forManager: false)[0], status: .created)
            response.headers[.location] = "/api/v1/job-applications/\(id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "JOB-8", .get, "/api/v1/jobs/{id}/applications", summary: "A posting's applications", tag: "Jobs",
                access: .member(scope: "applications:read"),
                query: .page() + [
                    .choice("status", ["submitted", "reviewed", "interview", "offer", "rejected", "withdrawn"], "One status")
                ],
                responses: [
                    200: ("A page of JobApplication", "JobApplicationPage"), 404: ("Not yours", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:read")
            let id = try JobPostingViews.postingID(context)
            guard let posting = try await Offload.run({ try board.posting(id: id) }), identity.mayManage(posting) else {
                throw APIError.notFound("There is no such job posting.")
            }
            let status = request.uri.formQuery.get("status").map { String($0) }
            if let status, !["submitted", "reviewed", "interview", "offer", "rejected", "withdrawn"].contains(status) {
                throw APIError.validation(["status": ["is not an application status"]])
            }
            let pagination = try Pagination(request)
            let found = try await Offload.run {
                try applications.applications(jobID: id, status: status, afterID: pagination.lastID, limit: pagination.limit)
            }
            return JSONResponse.make([
                "items": .array(try await views.bodies(found, viewer: identity.user.id, forManager: true)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count), "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-9", .get, "/api/v1/users/me/job-applications", summary: "My job applications", tag: "Jobs",
                access: .member(scope: "applications:read"),
                query: .page(),
                responses: [200: ("A page of JobApplication, newest first", "JobApplicationPage")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:read")
            let pagination = try Pagination(request)
            let user = identity.user.id
            let found = try await Offload.run {
                try applications.applications(userID: user, beforeID: pagination.lastID, limit: pagination.limit)
            }
            return JSONResponse.make([
                "items": .array(try await views.bodies(found, viewer: user, forManager: false)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count), "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-10", .get, "/api/v1/job-applications/{id}", summary: "A job application", tag: "Jobs",
                access: .member(scope: "applications:read"),
                responses: [200: ("JobApplication", "JobApplication"), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:read")
            var (application, manager) = try await visibleApplication(context, identity)
            if manager, application.userID != identity.user.id, application.viewedAt == nil {
                let id = application.id
                try await Offload.run { try applications.markViewed(id: id) }
                application = try await Offload.run { try applications.application(id: id) } ?? application
            }
            return JSONResponse.make(try await views.bodies([application], viewer: identity.user.id, forManager: manager)[0])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-11", .patch, "/api/v1/job-applications/{id}", summary: "Move an application", tag: "Jobs",
                access: .member(scope: "applications:write"), limit: .own("60/h"),
                body: .object([
                    "status": FieldRule.choice(["reviewed", "interview", "offer", "rejected"]).required,
                    "note": FieldRule.text(max: 1000).nullable,
                ]),
                responses: [
                    200: ("JobApplication", "JobApplication"), 404: ("Not yours", "Error"),
                    409: ("Invalid transition", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "applications:write")
            let (application, manager) = try await visibleApplication(context, identity)
            guard manager else { throw APIError.forbidden("Only the posting's company and job managers move applications.") }
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let status = reader.choice("status", ["reviewed", "interview", "offer", "rejected"], nil, required: true)
            let note = reader.text("note", 0...1000, nil)
            try reader.validate()
            guard let status else { throw APIError.validation(["status": ["is required"]]) }
            let noteChange: String?? = object["note"] == nil ? .none : .some(note)
            let id = application.id
            let audit = context.auditEntry(
                "jobs.application_status", target: ("job_application", id),
                details: ["from": .string(application.status), "to": .string(status)])
            try await Offload.run { try applications.setStatus(id: id, to: status, note: noteChange, audit: audit) }
            guard let updated = try await Offload.run({ try applications.application(id: id) }) else { throw APIError.notFound() }
            return JSONResponse.make(try await views.bodies([updated], viewer: identity.user.id, forManager: true)[0])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-12", .post, "/api/v1/job-applications/{id}/withdraw", summary: "Withdraw my application", tag: "Jobs",
                access: .member(scope: "applications:write"),
                responses: [
                    200: ("status withdrawn", "Withdrawn"), 409: ("Already decided or withdrawn", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "applications:write")
            let (application, _) = try await visibleApplication(context, identity)
            guard application.userID == identity.user.id else { throw APIError.notFound("There is no such application.") }
            let (id, user) = (application.id, identity.user.id)
            try await Offload.run { try applications.withdraw(id: id, userID: user) }
            return JSONResponse.make(["id": .int(id), "status": "withdrawn"])
        }
    }
}
