import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The member's own profile (USR-1 and `/settings/profile`): every field, with the GPA and phone opened from their
/// encrypted columns for the owner alone.
struct OwnProfileView {
    let profiles: ProfileStore
    let keyRing: KeyRing

    func callAsFunction(_ userID: Int64) async throws -> JSONValue {
        let profiles = profiles
        guard let record = try await Offload.run({ try profiles.store.read { db in try profiles.profile(id: userID, in: db) } }) else {
            throw APIError.notFound("There is no such member.")
        }
        guard case .object(var fields) = ProfileViews.profile(record, relation: .self) else { return .null }
        // The owner alone sees their GPA and phone, opened from their encrypted columns.
        let keyRing = keyRing
        if let envelope = record.gpaEnvelope, let text = try? keyRing.decrypt(envelope, column: "users.gpa_enc"), let gpa = Double(text) {
            fields["gpa"] = .decimal(gpa, places: 2)
        }
        if let envelope = record.phoneEnvelope, let phone = try? keyRing.decrypt(envelope, column: "users.phone_enc") {
            fields["phone"] = .string(phone)
        }
        return .object(fields)
    }
}
