import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Directory pages as the caller may see them (DIR-1 and the `/directory` page).
struct DirectoryViews {
    let profiles: ProfileStore

    /// The cards of one directory page as the caller may see them (DIR-1 and the `/directory` page).
    func results(_ query: ProfileStore.DirectoryQuery, identity: Identity) async throws -> (items: [JSONValue], next: JSONValue, limit: Int)
    {
        let (profiles, viewer) = (profiles, identity.user.id)
        let records = try await Offload.run { try profiles.directory(query, viewer: viewer) }
        let relations = try await Offload.run { try profiles.cards(ids: records.map(\.id), viewer: viewer) }
        let items: [JSONValue] = records.map { record in
            let relation = relations[record.id]?.relation ?? .none
            var card = ProfileViews.card(record, relation: relation)
            let seen = ProfileViews.viewer(for: relation)
            for (field, value) in [("company", record.company), ("position", record.position), ("industry", record.industry)] {
                card[field] = record.shows(field, to: seen) ? value.map(JSONValue.string) ?? .null : .null
            }
            return .object(card)
        }
        return (items, records.count == query.limit ? OffsetCursor.next(query.offset + query.limit) : .null, query.limit)
    }

    static func query(_ request: Request) throws -> ProfileStore.DirectoryQuery {
        let parameters = request.uri.formQuery
        var query = ProfileStore.DirectoryQuery()
        var problems: [String: [String]] = [:]
        func text(_ name: String) -> String? {
            guard let value = parameters.get(name).map({ String($0).trimmingCharacters(in: .whitespaces) }), !value.isEmpty else {
                return nil
            }
            if value.count > 100 { problems[name, default: []].append("must be at most 100 characters") }
            return String(value.prefix(100))
        }
        func number(_ name: String) -> Int? {
            guard let value = parameters.get(name) else { return nil }
            guard let number = Int(value) else {
                problems[name, default: []].append("must be a whole number")
                return nil
            }
            return number
        }
        query.text = text("q")
        if let role = text("role") {
            if let parsed = Role(rawValue: role), [.alumni, .student, .faculty, .staff].contains(parsed) {
                query.role = parsed
            } else {
                problems["role", default: []].append("must be alumni, student, faculty or staff")
            }
        }
        query.graduationYearFrom = number("graduation_year_from")
        query.graduationYearTo = number("graduation_year_to")
        query.major = text("major")
        query.industry = text("industry")
        query.company = text("company")
        query.location = text("location")
        query.departmentID = number("department_id").map(Int64.init)
        if let sort = text("sort") {
            if ["relevance", "name", "graduation_year"].contains(sort) {
                query.sort = sort
            } else {
                problems["sort", default: []].append("must be relevance, name or graduation_year")
            }
        }
        if let limit = number("limit") {
            if limit <= 0 {
                problems["limit", default: []].append("must be a positive whole number")
            } else {
                query.limit = min(limit, 100)
            }
        }
        query.offset = try OffsetCursor.offset(parameters.get("cursor"))
        switch parameters.get("is_mentor") {
        case nil, "false": break
        case "true": query.mentorsOnly = true
        default: problems["is_mentor", default: []].append("must be true or false")
        }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        return query
    }
}
