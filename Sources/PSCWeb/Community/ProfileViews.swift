import Foundation
import PSCCore
import PSCStore

/// UserCard and UserProfile (10-api §1) as one viewer may see them: every gated field passes
/// ``ProfileRecord/shows(_:to:)`` here and nowhere else.
enum ProfileViews {
    static func viewer(for relation: ConnectionStatus) -> Viewer {
        switch relation {
        case .self: .owner
        case .connected: .connection
        default: .member
        }
    }

    static func card(_ record: ProfileRecord, relation: ConnectionStatus, anonymous: Bool = false) -> [String: JSONValue] {
        let viewer = anonymous ? .anonymous : viewer(for: relation)
        func gated(_ field: String, _ value: JSONValue) -> JSONValue { record.shows(field, to: viewer) ? value : .null }
        return [
            "id": .int(record.id), "first_name": .string(record.firstName), "last_name": .string(record.lastName),
            "display_name": .string("\(record.firstName) \(record.lastName)"), "role": .string(record.role.rawValue),
            "avatar_url": record.avatarUploadID.map { .string(UploadViews.url($0)) } ?? .null,
            "headline": gated("headline", record.headline.map(JSONValue.string) ?? .null),
            "major": gated("major", record.major.map(JSONValue.string) ?? .null),
            "graduation_year": gated("graduation_year", record.graduationYear.map { .int(Int64($0)) } ?? .null),
            "department": gated(
                "department",
                record.departmentID.map { ["id": .int($0), "name": record.departmentName.map(JSONValue.string) ?? .null] } ?? .null),
            "connection_status": .string(relation.rawValue),
        ]
    }

    static func profile(_ record: ProfileRecord, relation: ConnectionStatus) -> JSONValue {
        let viewer = viewer(for: relation)
        func gated(_ field: String, _ value: JSONValue) -> JSONValue { record.shows(field, to: viewer) ? value : .null }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        var fields = card(record, relation: relation)
        fields["bio"] = gated("bio", text(record.bio))
        fields["email"] = gated("email", .string(record.email))
        fields["phone"] = .null  // phone numbers arrive with USR-7; only the owner will see theirs
        fields["skills"] = gated("skills", .array(record.skills.map(JSONValue.string)))
        fields["interests"] = gated("interests", .array(record.interests.map(JSONValue.string)))
        fields["links"] = gated("links", .object(record.links.mapValues(JSONValue.string)))
        for (field, value) in [
            ("company", record.company), ("position", record.position), ("industry", record.industry), ("location", record.location),
            ("degree", record.degree),
        ] {
            fields[field] = gated(field, text(value))
        }
        fields["gpa"] = .null
        fields["is_mentor"] = .bool(record.isMentor)
        fields["status"] = .string(record.status.rawValue)
        fields["created_at"] = .string(record.createdAt)
        fields["last_active_at"] = gated("last_active_at", text(record.lastActiveAt))
        if viewer == .owner {
            fields["privacy"] = privacy(record)
            fields["state_of_residence"] = text(record.stateOfResidence)
            fields["enrollment_status"] = text(record.enrollmentStatus)
            fields["first_generation"] = record.firstGeneration.map(JSONValue.bool) ?? .null
            fields["financial_need"] = record.financialNeed.map(JSONValue.bool) ?? .null
            fields["class_standing"] = text(record.classStanding)
            fields["credit_hours"] = record.creditHours.map { .int(Int64($0)) } ?? .null
            fields["time_zone"] = .string(record.timeZone)
            fields["theme"] = .string(record.theme)
            fields["weekly_report"] = .bool(record.weeklyReport)
            fields["employer_visible"] = .bool(record.employerVisible)
            fields["directory_listed"] = .bool(record.directoryListed)
        }
        return .object(fields)
    }

    /// Every governed field with the level in force.
    static func privacy(_ record: ProfileRecord) -> JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: ProfileRecord.privacyDefaults.keys.map { ($0, JSONValue.string(record.visibility($0).rawValue)) }))
    }
}
