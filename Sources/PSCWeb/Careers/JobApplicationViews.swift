import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Applications as the caller may see them (JOB-9..11 and the posting page); the employer's note only for the
/// posting's managers.
struct JobApplicationViews {
    let profiles: ProfileStore

    /// Applications as the caller may see them, with the applicants' cards read once per page.
    func bodies(_ applications: [JobApplicationRecord], viewer: Int64, forManager: Bool) async throws -> [JSONValue] {
        let profiles = profiles
        let cards = try await Offload.run { try profiles.cards(ids: Array(Set(applications.map(\.userID))), viewer: viewer) }
        return applications.map { application in
            func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
            var object: [String: JSONValue] = [
                "id": .int(application.id),
                "job": [
                    "id": .int(application.jobID), "title": .string(application.jobTitle),
                    "company": ["id": .int(application.companyID), "name": .string(application.companyName)],
                ],
                "applicant": cards[application.userID].map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null,
                "status": .string(application.status), "resume_upload_id": .int(application.resumeUploadID),
                "resume_url": .string(UploadViews.url(application.resumeUploadID)), "cover_letter": text(application.coverLetter),
                "answers": application.answers.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) } ?? [:],
                "viewed_at": text(application.viewedAt), "created_at": .string(application.createdAt),
                "updated_at": .string(application.updatedAt),
            ]
            if forManager { object["note"] = text(application.employerNote) }
            return .object(object)
        }
    }
}
