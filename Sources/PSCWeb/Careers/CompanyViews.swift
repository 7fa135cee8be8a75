import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Companies as the API and the pages show them (JOB-13..15).
enum CompanyViews {
    static func body(_ company: CompanyRecord) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(company.id), "name": .string(company.name), "industry": text(company.industry), "size": text(company.size),
            "headquarters": text(company.headquarters), "website": text(company.website), "description": text(company.description),
            "logo_url": company.logoUploadID.map { .string(UploadViews.url($0)) } ?? .null, "verified": .bool(company.verified),
            "active_postings": .int(Int64(company.activePostings)),
        ]
    }

    static func companyID(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such company.") }
}
