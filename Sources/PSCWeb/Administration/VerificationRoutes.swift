import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// USR-12 and ADM-9 (10-api §3, §22): a member asks for their role to be verified with documents; `verify_users`
/// holders decide (employer verifications: `approve_employers`).
struct VerificationRoutes: FeatureRoutes {
    let verifications: VerificationStore
    let profiles: ProfileStore
    let semesterEnds: [String]

    static let types = ["student", "alumni", "faculty", "staff", "employer"]

    /// The verification types the caller may decide.
    static func reviewable(_ identity: Identity) -> [String] {
        (identity.has(.verifyUsers) ? ["student", "alumni", "faculty", "staff"] : [])
            + (identity.has(.approveEmployers) ? ["employer"] : [])
    }

    static func body(_ record: VerificationRecord, user: JSONValue?) -> JSONValue {
        [
            "id": .int(record.id), "user": user ?? .null, "type": .string(record.type),
            "document_upload_ids": .array(record.documentIDs.map(JSONValue.int)), "note": CommunityViews.text(record.note),
            "status": .string(record.status), "reason": CommunityViews.text(record.reason),
            "decided_at": CommunityViews.text(record.decidedAt),
            "expires_at": CommunityViews.text(record.expiresAt), "created_at": .string(record.createdAt),
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (verifications, profiles, semesterEnds) = (verifications, profiles, semesterEnds)
        catalog.add(
            RouteSpec(
                id: "USR-12", .post, "/api/v1/users/me/verification", summary: "Ask for my role to be verified", tag: "Users",
                access: .member(scope: "profile:write"), limit: .own("3/day"),
                body: .object([
                    "type": FieldRule.choice(Self.types).required, "document_upload_ids": FieldRule.ids(max: 3).required,
                    "note": .text(max: 500),
                ]),
                responses: [
                    201: ("Waiting for review", "VerificationCreated"), 409: ("One is already waiting", "Error"),
                    422: ("Invalid fields, or documents that are not your verification uploads", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:write")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let type = reader.choice("type", Self.types, nil, required: true).flatMap(Role.init(rawValue:)) ?? .student
            let documents = reader.ids("document_upload_ids", maxCount: 3, [])
            if documents.isEmpty { reader.problem("document_upload_ids", "name one to three of your verification uploads") }
            let note = reader.text("note", 0...500, nil)
            try reader.validate()
            let record = try await Offload.run {
                try verifications.submit(userID: identity.user.id, type: type, documents: documents, note: note)
            }
            return JSONResponse.make(["id": .int(record.id), "status": .string(record.status)], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "ADM-9", .get, "/api/v1/admin/verifications", summary: "Verifications waiting for a decision", tag: "Administration",
                access: .member(scope: "admin"),
                responses: [200: ("Waiting requests, oldest first", "VerificationList"), 403: ("Not a reviewer", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "admin")
            let types = Self.reviewable(identity)
            guard !types.isEmpty else { throw APIError.forbidden("Verifications are decided by holders of the verify users permission.") }
            let waiting = try await Offload.run { try verifications.pending(types: types) }
            let cards = try await CommunityViews.cards(waiting.map(\.userID), viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make(["items": .array(waiting.map { Self.body($0, user: cards[$0.userID]) })])
        }
        catalog.add(
            RouteSpec(
                id: "ADM-9", .post, "/api/v1/admin/verifications/{id}/decision", summary: "Approve or refuse a verification",
                tag: "Administration", access: .member(scope: "admin"), limit: .own("120/h"),
                body: .object(["decision": FieldRule.choice(["approved", "rejected"]).required, "reason": .text(max: 500)]),
                responses: [
                    200: ("Decided", "Verification"), 403: ("Not a reviewer of this type", "Error"), 409: ("Already decided", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such verification.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let decision = reader.choice("decision", ["approved", "rejected"], nil, required: true)
            let reason = reader.text("reason", 0...500, nil)
            try reader.validate()
            guard let record = try await Offload.run({ try verifications.request(id: id) }) else {
                throw APIError.notFound("There is no such verification.")
            }
            guard Self.reviewable(identity).contains(record.type) else {
                throw APIError.forbidden("You do not decide \(record.type) verifications.")
            }
            let audit = context.auditEntry("verification.decided", target: ("verification_request", id), severity: .warning)
            let expiry = VerificationStore.nextSemesterEnd(after: Date(), ends: semesterEnds)
            let decided = try await Offload.run {
                try verifications.decide(
                    id: id, approve: decision == "approved", reason: reason, reviewerID: identity.user.id, studentExpiry: expiry,
                    audit: audit)
            }
            let cards = try await CommunityViews.cards([decided.userID], viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make(Self.body(decided, user: cards[decided.userID]))
        }
    }
}
