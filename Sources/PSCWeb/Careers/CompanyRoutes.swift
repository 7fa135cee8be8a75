import Foundation
import Hummingbird
import PSCCore
import PSCStore

extension CompanyStore.Failure: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound: APIError.notFound("There is no such company.")
        case .badLogo: APIError.validation(["logo_upload_id": ["must be your own image upload, not used elsewhere"]])
        }
    }
}

/// JOB-13..15 (10-api §9): companies, edited by their members, verified by employer approvers.
struct CompanyRoutes: FeatureRoutes {
    let companies: CompanyStore

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let companies = companies
        catalog.add(
            RouteSpec(
                id: "JOB-13", .get, "/api/v1/companies", summary: "Companies", tag: "Jobs", access: .member(scope: "content:read"),
                query: .page() + [.text("q", max: 100, "Words in the name"), .text("industry", max: 100, "One industry")],
                responses: [200: ("A page of companies", "CompanyPage")]),
            to: router
        ) { request, context in
            _ = try context.require(.active, scope: "content:read")
            let pagination = try Pagination(request)
            let parameters = request.uri.formQuery
            let text = parameters.get("q").map { String($0.prefix(100)) }
            let industry = parameters.get("industry").map { String($0.prefix(100)) }
            let found = try await Offload.run {
                try companies.list(text: text, industry: industry, afterID: pagination.lastID, limit: pagination.limit)
            }
            return JSONResponse.make([
                "items": .array(found.map(CompanyViews.body)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count),
                "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "JOB-13", .get, "/api/v1/companies/{id}", summary: "A company", tag: "Jobs", access: .member(scope: "content:read"),
                responses: [200: ("Company", "Company"), 404: ("No such company", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.active, scope: "content:read")
            let id = try CompanyViews.companyID(context)
            guard let company = try await Offload.run({ try companies.company(id: id) }) else { throw CompanyStore.Failure.notFound }
            return JSONResponse.make(CompanyViews.body(company))
        }
        catalog.add(
            RouteSpec(
                id: "JOB-14", .patch, "/api/v1/companies/{id}", summary: "Edit a company", tag: "Jobs", access: .member(scope: "manage"),
                limit: .own("30/h"),
                body: .object([
                    "industry": FieldRule.text(1...100).nullable, "size": FieldRule.choice(CompanyStore.sizes).nullable,
                    "headquarters": FieldRule.text(1...120).nullable, "website": FieldRule.https(max: 300).nullable,
                    "description": FieldRule.text(max: 5000).nullable, "logo_upload_id": FieldRule.id.nullable,
                ]),
                responses: [
                    200: ("Company", "Company"), 404: ("Not yours", "Error"), 422: ("Invalid", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try CompanyViews.companyID(context)
            guard identity.has(.approveEmployers) || (identity.user.role == .employer && identity.user.companyID == id),
                try await Offload.run({ try companies.company(id: id) }) != nil
            else { throw CompanyStore.Failure.notFound }
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            var changes = CompanyStore.Changes()
            func optional<T>(_ key: String, _ read: (inout FieldReader) -> T?) -> T?? { object[key] == nil ? .none : .some(read(&reader)) }
            changes.industry = optional("industry") { $0.text("industry", 1...100, nil) }
            changes.size = optional("size") { $0.choice("size", CompanyStore.sizes, nil) }
            changes.headquarters = optional("headquarters") { $0.text("headquarters", 1...120, nil) }
            changes.website = optional("website") { $0.httpsURL("website", nil, maxLength: 300) }
            changes.description = optional("description") { $0.text("description", 0...5000, nil) }
            changes.logoUploadID = optional("logo_upload_id") { $0.integer("logo_upload_id", 1...Int64.max, nil) }
            try reader.validate()
            let (chosen, user) = (changes, identity.user.id)
            let audit = context.auditEntry(
                "companies.updated", target: ("company", id),
                details: ["fields": .array(object.keys.sorted().map(JSONValue.string))])
            try await Offload.run { try companies.update(id: id, changes: chosen, by: user, audit: audit) }
            guard let company = try await Offload.run({ try companies.company(id: id) }) else { throw CompanyStore.Failure.notFound }
            return JSONResponse.make(CompanyViews.body(company))
        }
        catalog.add(
            RouteSpec(
                id: "JOB-15", .post, "/api/v1/companies/{id}/verify", summary: "Verify a company", tag: "Jobs",
                access: .member(scope: "manage"),
                body: .object(["verified": FieldRule.boolean.required]),
                responses: [
                    422: ("Invalid fields", "Error"), 403: ("Not allowed for this account", "Error"), 200: ("Company", "Company"),
                    404: ("No such company", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard identity.has(.approveEmployers) else { throw APIError.forbidden("Verifying companies needs approve_employers.") }
            let id = try CompanyViews.companyID(context)
            let object = try await request.jsonObjectBody(context: context).object
            guard let verified = object["verified"] as? Bool, FieldReader.isBool(object["verified"]!) else {
                throw APIError.validation(["verified": ["must be true or false"]])
            }
            let audit = context.auditEntry(
                "companies.verified", target: ("company", id), details: ["verified": .bool(verified)], severity: .warning)
            try await Offload.run { try companies.setVerified(id: id, verified: verified, audit: audit) }
            guard let company = try await Offload.run({ try companies.company(id: id) }) else { throw CompanyStore.Failure.notFound }
            return JSONResponse.make(CompanyViews.body(company))
        }
    }
}
