import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// USR-1, USR-2, USR-4 and USR-5 (10-api §4): one's own profile, editing it, other people's profiles filtered by
/// privacy and relationship, and the privacy settings.
struct ProfileRoutes: FeatureRoutes {
    let keyRing: KeyRing
    let profiles: ProfileStore
    let ownProfile: OwnProfileView

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "USR-1", .get, "/api/v1/users/me", summary: "My profile", tag: "Users", access: .member(scope: "profile:read"),
                responses: [200: ("UserProfile with every own field", "OwnProfile")]),
            to: router
        ) { _, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            return JSONResponse.make(try await ownProfile(identity.user.id))
        }
        catalog.add(
            RouteSpec(
                id: "USR-2", .patch, "/api/v1/users/me", summary: "Edit my profile", tag: "Users", access: .member(scope: "profile:write"),
                limit: .own("60/h"),
                body: .object(ProfileValidator.fields),
                responses: [200: ("UserProfile", "OwnProfile"), 422: ("Invalid fields", "Error")]),
            to: router, handler: edit)
        catalog.add(
            RouteSpec(
                id: "USR-4", .get, "/api/v1/users/{id}", summary: "A member's profile", tag: "Users",
                access: .member(scope: "profile:read"),
                responses: [
                    200: ("UserProfile filtered by privacy and connection; the caller's own profile in full", "MemberProfile"),
                    404: ("No such member, or blocked", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "profile:read")
            let id = try context.positiveID(notFound: "There is no such member.")
            let profiles = profiles
            guard let found = try await Offload.run({ try profiles.profile(id: id, viewer: identity.user.id) }) else {
                throw APIError.notFound("There is no such member.")
            }
            return JSONResponse.make(ProfileViews.profile(found.record, relation: found.relation))
        }
        catalog.add(
            RouteSpec(
                id: "USR-5", .get, "/api/v1/users/me/privacy", summary: "My privacy settings", tag: "Users",
                access: .member(scope: "profile:read"),
                responses: [200: ("My privacy settings", "PrivacySettings")]),
            to: router
        ) { _, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            return JSONResponse.make(try await privacyBody(identity.user.id))
        }
        catalog.add(
            RouteSpec(
                id: "USR-5", .put, "/api/v1/users/me/privacy", summary: "Set my privacy settings", tag: "Users",
                access: .member(scope: "profile:write"), limit: .own("30/h"),
                body: .object([
                    "fields": .object, "employer_visible": .boolean, "directory_listed": .boolean,
                ]),
                responses: [200: ("privacy", "PrivacySettings"), 422: ("Unknown field or level", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:write")
            let body = try await request.jsonObjectBody(context: context).object
            var problems: [String: [String]] = [:]
            var levels: [String: FieldVisibility] = [:]
            if let fields = body["fields"] {
                guard let fields = fields as? [String: Any] else { throw APIError.validation(["fields": ["must be an object"]]) }
                for (field, value) in fields {
                    guard ProfileRecord.privacyDefaults[field] != nil else {
                        problems["fields.\(field)", default: []].append("is not a field with a privacy setting")
                        continue
                    }
                    guard let text = value as? String, let level = FieldVisibility(rawValue: text) else {
                        problems["fields.\(field)", default: []].append("must be public, members, connections or private")
                        continue
                    }
                    levels[field] = level
                }
            }
            func flag(_ key: String) -> Bool? {
                guard let value = body[key] else { return nil }
                if ProfileValidator.isBool(value), let flag = value as? Bool { return flag }
                problems[key, default: []].append("must be true or false")
                return nil
            }
            let employer = flag("employer_visible")
            let listed = flag("directory_listed")
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let (profiles, chosen, origin) = (profiles, levels, request.origin(context))
            try await Offload.run {
                try profiles.setPrivacy(
                    userID: identity.user.id, fields: chosen, employerVisible: employer, directoryListed: listed, origin: origin)
            }
            return JSONResponse.make(try await privacyBody(identity.user.id))
        }
    }

    private func privacyBody(_ userID: Int64) async throws -> JSONValue {
        guard case .object(let profile) = try await ownProfile(userID) else { return .null }
        return [
            "privacy": profile["privacy"] ?? .null, "employer_visible": profile["employer_visible"] ?? .null,
            "directory_listed": profile["directory_listed"] ?? .null,
        ]
    }

    /// USR-2: absent keys stay, `null` clears a nullable field, every problem is reported at once.
    @Sendable func edit(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.signedIn, scope: "profile:write")
        let (_, body, problems) = try await request.jsonObjectBody(context: context, collecting: true)
        var validator = ProfileValidator(body: body, privileged: identity.privileged, keyRing: keyRing)
        validator.problems = problems
        let profiles = profiles
        let departmentIDs = try await Offload.run { try profiles.departmentIDs() }
        let columns = validator.columns(knownDepartments: departmentIDs)
        guard validator.problems.isEmpty else { throw APIError.validation(validator.problems) }
        let userID = identity.user.id
        let changes = columns
        let gpa = validator.gpaEnvelope
        try await Offload.run { try profiles.update(userID: userID, columns: changes, gpaEnvelope: gpa) }
        return JSONResponse.make(try await ownProfile(userID))
    }
}

/// The field rules of USR-2, turning a JSON object into column values and per-field problems.
struct ProfileValidator {
    /// USR-2's fields as the document lists them; ``columns(knownDepartments:)`` reads the same names.
    static var fields: [String: FieldRule] {
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        var fields: [String: FieldRule] = [
            "first_name": .text(1...60), "last_name": .text(1...60), "headline": FieldRule.text(max: 120).nullable,
            "bio": FieldRule.text(max: 2000).nullable, "major": FieldRule.text(max: 100).nullable,
            "degree": FieldRule.text(max: 120).nullable,
            "graduation_year": FieldRule.integer(1903...Int64(year + 8)).nullable, "credit_hours": FieldRule.integer(0...300).nullable,
            "enrollment_status": FieldRule.choice(["full_time", "part_time"]).nullable,
            "class_standing": FieldRule.choice(["freshman", "sophomore", "junior", "senior", "graduate"]).nullable,
            "theme": .choice(["system", "light", "dark"]), "first_generation": FieldRule.boolean.nullable,
            "financial_need": FieldRule.boolean.nullable,
            "weekly_report": .boolean,
            "skills": FieldRule.texts(max: 50, each: 1...40).nullable, "interests": FieldRule.texts(max: 30, each: 1...40).nullable,
            "state_of_residence": FieldRule.text(2...2).nullable, "time_zone": .text(1...64), "department_id": FieldRule.id.nullable,
            "links": FieldRule.object.nullable, "gpa": FieldRule.number(0...4).nullable,
        ]
        for name in ["company", "position", "industry", "location"] { fields[name] = FieldRule.text(max: 120).nullable }
        return fields
    }

    let body: [String: Any]
    let privileged: Bool
    let keyRing: KeyRing
    var problems: [String: [String]] = [:]
    /// The encrypted GPA to store; empty to clear; nil to leave.
    var gpaEnvelope: String?

    init(body: [String: Any], privileged: Bool, keyRing: KeyRing) {
        self.body = body
        self.privileged = privileged
        self.keyRing = keyRing
    }

    mutating func fail(_ field: String, _ message: String) {
        if problems[field]?.contains(message) != true { problems[field, default: []].append(message) }
    }

    static func isBool(_ value: Any) -> Bool { JSONKind.isBool(value) }

    mutating func columns(knownDepartments: Set<Int64>) -> [String: ProfileStore.ProfileValue] {
        var columns: [String: ProfileStore.ProfileValue] = [:]
        func string(_ field: String, _ range: ClosedRange<Int>, nullable: Bool = true) {
            guard let value = body[field] else { return }
            if value is NSNull {
                if nullable { columns[field] = .null } else { fail(field, "cannot be empty") }
                return
            }
            guard let text = value as? String else { return fail(field, "must be text") }
            let trimmed = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
            guard range.contains(trimmed.unicodeScalars.count) else {
                return fail(field, "must be \(range.lowerBound) to \(range.upperBound) characters")
            }
            guard !trimmed.unicodeScalars.contains(where: { $0.properties.generalCategory == .control && $0 != "\n" && $0 != "\t" }) else {
                return fail(field, "contains control characters")
            }
            columns[field] = trimmed.isEmpty && nullable ? .null : .text(trimmed)
        }
        func choice(_ field: String, _ allowed: [String], nullable: Bool = true) {
            guard let value = body[field] else { return }
            if value is NSNull, nullable { columns[field] = .null; return }
            guard let text = value as? String, allowed.contains(text) else {
                return fail(field, "must be one of \(allowed.joined(separator: ", "))")
            }
            columns[field] = .text(text)
        }
        func integer(_ field: String, _ range: ClosedRange<Int>) {
            guard let value = body[field] else { return }
            if value is NSNull { columns[field] = .null; return }
            guard !Self.isBool(value), let number = value as? Int, range.contains(number) else {
                return fail(field, "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            columns[field] = .integer(Int64(number))
        }
        func flag(_ field: String, nullable: Bool = false) {
            guard let value = body[field] else { return }
            // first_generation and financial_need are facts that may be not on file (null).
            if nullable && value is NSNull { columns[field] = .null; return }
            guard Self.isBool(value), let flag = value as? Bool else { return fail(field, "must be true or false") }
            columns[field] = .flag(flag)
        }
        func list(_ field: String, max: Int) {
            guard let value = body[field] else { return }
            if value is NSNull { columns[field] = .null; return }
            guard let items = value as? [Any], items.count <= max else { return fail(field, "must be a list of at most \(max) items") }
            var cleaned: [String] = []
            for item in items {
                guard let text = (item as? String)?.trimmingCharacters(in: .whitespaces), (1...40).contains(text.count) else {
                    return fail(field, "each item must be 1 to 40 characters")
                }
                if !cleaned.contains(where: { $0.lowercased() == text.lowercased() }) { cleaned.append(text) }
            }
            columns[field] = .text(JSONValue.array(cleaned.map(JSONValue.string)).canonicalText)
        }
        string("first_name", 1...60, nullable: false)
        string("last_name", 1...60, nullable: false)
        string("headline", 0...120)
        string("bio", 0...2000)
        string("major", 0...100)
        string("degree", 0...120)
        for field in ["company", "position", "industry", "location"] { string(field, 0...120) }
        let year = Calendar(identifier: .gregorian).component(.year, from: Date())
        integer("graduation_year", 1903...(year + 8))
        integer("credit_hours", 0...300)
        choice("enrollment_status", ["full_time", "part_time"])
        choice("class_standing", ["freshman", "sophomore", "junior", "senior", "graduate"])
        choice("theme", ["system", "light", "dark"], nullable: false)
        flag("first_generation", nullable: true)
        flag("financial_need", nullable: true)
        if body["weekly_report"] != nil {
            if privileged { flag("weekly_report") } else { fail("weekly_report", "is for admins and grant holders") }
        }
        list("skills", max: 50)
        list("interests", max: 30)
        if let value = body["state_of_residence"] {
            if value is NSNull {
                columns["state_of_residence"] = .null
            } else if let text = value as? String, text.count == 2, text.allSatisfy({ $0.isASCII && $0.isLetter }) {
                columns["state_of_residence"] = .text(text.uppercased())
            } else {
                fail("state_of_residence", "must be a two-letter state code")
            }
        }
        if let value = body["time_zone"] {
            if let text = value as? String, text.contains("/") || text == "UTC", TimeZone(identifier: text) != nil {
                columns["time_zone"] = .text(text)
            } else {
                fail("time_zone", "must be an IANA time zone such as America/Chicago")
            }
        }
        if let value = body["department_id"] {
            if value is NSNull {
                columns["department_id"] = .null
            } else if !Self.isBool(value), let id = value as? Int, knownDepartments.contains(Int64(id)) {
                columns["department_id"] = .integer(Int64(id))
            } else {
                fail("department_id", "is not a department")
            }
        }
        if let value = body["links"] {
            if value is NSNull {
                columns["links"] = .null
            } else if let links = value as? [String: Any] {
                var cleaned: [String: JSONValue] = [:]
                for (key, item) in links {
                    guard ["linkedin", "github", "portfolio"].contains(key) else {
                        fail("links.\(key)", "is not a link this profile keeps"); continue
                    }
                    guard let url = item as? String, url.count <= 300, let parsed = URL(string: url), parsed.scheme == "https",
                        parsed.host != nil
                    else { fail("links.\(key)", "must be an https URL of at most 300 characters"); continue }
                    cleaned[key] = .string(url)
                }
                columns["links"] = .text(JSONValue.object(cleaned).canonicalText)
            } else {
                fail("links", "must be an object")
            }
        }
        if let value = body["gpa"] {
            if value is NSNull {
                gpaEnvelope = ""
            } else if !Self.isBool(value), let number = value as? Double, (0...4).contains(number),
                (number * 100).rounded() == number * 100 || abs((number * 100).rounded() - number * 100) < 1e-9
            {
                gpaEnvelope = try? keyRing.encrypt(String(format: "%.2f", number), column: "users.gpa_enc")
            } else {
                fail("gpa", "must be a number from 0 to 4.0 with at most 2 decimals")
            }
        }
        return columns
    }
}
