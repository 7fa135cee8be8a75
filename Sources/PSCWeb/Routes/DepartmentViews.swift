import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Departments as the API and the pages show them (DEP-1, DEP-2, the home page and `/departments`).
enum DepartmentViews {
    /// Department responses are anonymous and public, so one entry per route and id serves everyone; any
    /// department write drops the namespace, and the TTL bounds staleness should a write path forget to.
    static let cacheNamespace = "departments"

    static let cacheTTL: Double = 300

    /// The DEP-1 item shape; absent values are present as null.
    static func item(_ department: Department) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(department.id), "name": .string(department.name), "college": text(department.college),
            "description": text(department.description), "chair_name": text(department.chairName),
            "email": text(department.email),
            "member_count": .int(Int64(department.memberCount)),
        ]
    }

    static func pageData(_ department: Department) -> [String: Any] {
        var data: [String: Any] = ["id": department.id, "name": department.name]
        if let college = department.college { data["college"] = college }
        if let description = department.description { data["description"] = description }
        if let chair = department.chairName { data["chair_name"] = chair }
        if let email = department.email { data["email"] = email }
        return data
    }
}
