import Foundation
import Hummingbird
import PSCCore

/// `GET /api/openapi.json`: an OpenAPI 3.1 document built from the route catalog, so a route cannot be served
/// without being described; `GET /api/docs`: the same document as a page people can read, drawn on the server
/// (no script, nothing from another origin).
struct OpenAPIRoutes {
    let catalog: RouteCatalog
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>) {
        catalog.add(
            RouteSpec(
                id: "API-DOC", .get, "/api/openapi.json", summary: "This OpenAPI document", tag: "Meta",
                responses: [200: ("OpenAPI 3.1 document", "OpenAPI")]),
            to: router
        ) { _, _ in
            JSONResponse.make(OpenAPIDocument.build(from: catalog.all), cache: "public, max-age=60")
        }
        catalog.add(
            RouteSpec(
                id: "API-DOCS", .get, "/api/docs", summary: "The API reference as a page", tag: "Meta", limit: .page,
                responses: [200: ("HTML page", "text/html")]),
            to: router
        ) { request, context in
            HTMLResponse.make(
                pages.render(
                    "api-docs", Self.pageData(OpenAPIDocument.build(from: catalog.all)), request: request, identity: context.identity))
        }
    }

    /// The document's operations grouped by tag, in words.
    static func pageData(_ document: JSONValue) -> [String: Any] {
        guard case .object(let paths)? = document["paths"] else { return [:] }
        var byTag: [String: [[String: Any]]] = [:]
        for (path, item) in paths.sorted(by: { $0.key < $1.key }) {
            guard case .object(let operations) = item else { continue }
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = operations[method] else { continue }
                let tag = operation["tags"]?[0]?.stringValue ?? "Other"
                let identifier = operation["operationId"]?.stringValue ?? "\(method) \(path)"
                let parameters: [[String: Any]] = (operation["parameters"]?.arrayValue ?? []).map { parameter in
                    [
                        "name": parameter["name"]?.stringValue ?? "", "place": parameter["in"]?.stringValue ?? "",
                        "required": parameter["required"]?.boolValue == true ? "Yes" : "No",
                        "about": parameter["description"]?.stringValue ?? "An id",
                    ]
                }
                let answers: [[String: Any]] = (operation["responses"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
                    code, response in
                    ["code": code, "meaning": response["description"]?.stringValue ?? ""]
                }
                var entry: [String: Any] = [
                    "method": method.uppercased(), "path": path, "summary": operation["summary"]?.stringValue ?? "",
                    "operationId": identifier,
                    "anchor": identifier.lowercased().map { $0.isLetter || $0.isNumber ? String($0) : "-" }.joined(),
                    "parameters": parameters, "hasParameters": !parameters.isEmpty, "answers": answers,
                ]
                entry["access"] = Self.access(operation["security"]?.arrayValue ?? [])
                if let (mediaType, schema) = operation["requestBody"]?["content"]?.objectValue?.first {
                    entry["body"] = mediaType == "multipart/form-data" ? "a file as multipart/form-data" : "a JSON object"
                    let required = Set((schema["schema"]?["required"]?.arrayValue ?? []).compactMap(\.stringValue))
                    let fields: [[String: Any]] = (schema["schema"]?["properties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.map {
                        name, property in
                        ["name": name, "required": required.contains(name) ? "Yes" : "No", "rule": Self.rule(property)]
                    }
                    entry["fields"] = fields
                    entry["hasFields"] = !fields.isEmpty
                }
                byTag[tag, default: []].append(entry)
            }
        }
        let tags: [[String: Any]] = byTag.keys.sorted().map { name in
            [
                "name": name, "slug": name.lowercased().map { $0.isLetter ? String($0) : "-" }.joined(),
                "count": byTag[name]?.count ?? 0, "operations": byTag[name] ?? [],
            ]
        }
        return [
            "tags": tags, "operationCount": byTag.values.reduce(0) { $0 + $1.count },
            "version": document["info"]?["version"]?.stringValue ?? "",
        ]
    }

    /// Who may call an operation, in words, from its security requirements.
    static func access(_ requirements: [JSONValue]) -> String {
        if requirements.contains([:]) { return "anyone; signed-in callers may see more" }
        let scopes = requirements.compactMap { requirement in requirement["bearer"]?.arrayValue }.joined().compactMap(\.stringValue)
        guard let scope = scopes.first else { return "a signed-in member with a browser session (tokens are refused)" }
        return "a signed-in member (session cookie, with the CSRF header on writes) or a token with the \(scope) scope"
    }

    /// A body field's type and limits in words.
    static func rule(_ property: JSONValue) -> String {
        let types = property["type"]?.stringValue.map { [$0] } ?? (property["type"]?.arrayValue ?? []).compactMap(\.stringValue)
        let names = ["integer": "a whole number", "string": "text", "boolean": "true or false", "number": "a number", "array": "a list"]
        var words = types.first { $0 != "null" }.map { [names[$0] ?? "an \($0)"] } ?? ["any value"]
        if property["format"]?.stringValue == "int64", property["minimum"]?.intValue == 1 { words = ["an id"] }
        if property["format"]?.stringValue == "date-time" { words = ["a time (RFC 3339)"] }
        if property["format"]?.stringValue == "uri" { words = ["an https URL"] }
        if let values = property["enum"]?.arrayValue?.compactMap(\.stringValue) { words = ["one of " + values.joined(separator: ", ")] }
        if let values = property["items"]?["enum"]?.arrayValue?.compactMap(\.stringValue) {
            words = ["a list of " + values.joined(separator: ", ")]
        }
        switch (property["minLength"]?.intValue, property["maxLength"]?.intValue) {
        case (let low?, let high?): words.append(low == high ? "\(low) characters" : "\(low) to \(high) characters")
        case (nil, let high?): words.append("at most \(high) characters")
        default: break
        }
        if let low = property["minimum"]?.intValue, let high = property["maximum"]?.intValue { words.append("from \(low) to \(high)") }
        if let most = property["maxItems"]?.intValue { words.append("at most \(most) items") }
        if types.contains("null") { words.append("or null") }
        return words.joined(separator: ", ")
    }
}

/// Builds the document: every `/api` route of the catalog with its parameters and responses.
enum OpenAPIDocument {
    static func build(from routes: [RouteSpec]) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        // The spec gives one id to a GET and PUT pair (USR-5); operation ids must be unique, so the others get the method.
        let shared = Dictionary(grouping: routes.filter { $0.path.hasPrefix("/api/") }, by: \.id).filter { $0.value.count > 1 }
        var usedOperationIDs = Set<String>()
        for route in routes where route.path.hasPrefix("/api/") {
            var operations: [String: JSONValue] = [:]
            if case .object(let existing)? = paths[route.path] { operations = existing }
            // Ids are integers; a slug, a token or an action is text.
            var parameters: [JSONValue] = route.pathParameters.map { name in
                [
                    "name": .string(name), "in": "path", "required": true,
                    "schema": name == "id" || name.hasSuffix("_id")
                        ? ["type": "integer", "format": "int64", "minimum": 1] : ["type": "string", "minLength": 1],
                ]
            }
            parameters += route.queryParameters.map { parameter in
                [
                    "name": .string(parameter.name), "in": "query", "required": false, "schema": parameter.schema,
                    "description": .string(parameter.description),
                ]
            }
            var responses: [String: JSONValue] = [:]
            for (status, (description, schema)) in route.responses {
                var response: [String: JSONValue] = ["description": .string(description)]
                // Every refusal is the error envelope (00-conventions §5), whether or not the route named it.
                // A name with a slash is the media type of an answer that is not JSON (a calendar, a file, a page);
                // `Schema|text/csv` names both forms of an answer the caller chooses between.
                if let named = schema, named.contains("/") {
                    var content: [String: JSONValue] = [:]
                    for part in named.split(separator: "|").map(String.init) {
                        content[part.contains("/") ? part : "application/json"] =
                            part.contains("/")
                            ? ["schema": ["type": "string"]] : ["schema": ["$ref": .string("#/components/schemas/\(part)")]]
                    }
                    response["content"] = .object(content)
                } else if let schema = schema ?? (status >= 400 ? "Error" : nil) {
                    response["content"] = ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]
                }
                responses[String(status)] = .object(response)
            }
            for (status, description) in commonRefusals(route) where responses[String(status)] == nil {
                var response: [String: JSONValue] = [
                    "description": .string(description),
                    "content": ["application/json": ["schema": ["$ref": "#/components/schemas/Error"]]],
                ]
                if status == 429 { response["headers"] = ["Retry-After": ["schema": ["type": "integer", "minimum": 1]]] }
                responses[String(status)] = .object(response)
            }
            // One route id may name several operations (USR-5's GET and PUT, JOB-13's list and item); OpenAPI wants
            // each operationId once.
            var operationID =
                shared[route.id] != nil && route.method != .get ? "\(route.id)-\(route.method.rawValue.lowercased())" : route.id
            if usedOperationIDs.contains(operationID) { operationID += "-item" }
            usedOperationIDs.insert(operationID)
            var operation: [String: JSONValue] = [
                "operationId": .string(operationID),
                "summary": .string(route.summary), "tags": [.string(route.tag)],
                "responses": .object(responses),
            ]
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let body = requestBody(route) { operation["requestBody"] = body }
            operation["security"] = security(route)
            operations[route.method.rawValue.lowercased()] = .object(operation)
            paths[route.path] = .object(operations)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "PittState Connect API", "version": .string(BuildInfo.version),
                "description": "The JSON API of PittState Connect. Errors use the envelope in components.schemas.Error.",
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths),
            "components": [
                "schemas": .object(
                    (schemas.objectValue ?? [:]).merging(observedShapes) { written, _ in written }.merging(notificationShapes) {
                        written, _ in written
                    }.merging(scholarshipShapes) { written, _ in written }.merging(communityShapes) { written, _ in written }
                        .merging(experimentShapes) { written, _ in written }.merging(adminShapes) { written, _ in written }.merging(
                            analyticsShapes
                        ) { written, _ in written }
                ),
                "securitySchemes": securitySchemes,
            ],
        ]
    }

    /// Refusals every route of a kind can give, from the mechanisms they share: the error middleware (500), the rate
    /// limits (429), the `{id}` helper (404), and the body reader (400 unreadable, 413 too large, 415 not JSON).
    static func commonRefusals(_ route: RouteSpec) -> [(Int, String)] {
        var refusals: [(Int, String)] = [(500, "Unexpected failure; the body names the request id")]
        if route.access != .anyone {
            refusals += [(401, "Not signed in"), (403, "Not allowed: account standing, role, or a token without the scope")]
        }
        if let flag = FeatureFlagRules.gate(forRoute: route.id) {
            refusals.append((403, "The `\(flag)` feature flag is off for the caller (`feature_disabled`)"))
        }
        if route.limit != .none { refusals.append((429, "Rate limit reached; retry after Retry-After seconds")) }
        if !route.pathParameters.isEmpty { refusals.append((404, "No such item, or not one the caller may see")) }
        if !route.queryParameters.isEmpty {
            refusals.append((422, "A query parameter is not valid; `fields` names it"))
            refusals.append((400, "A query parameter does not parse (`invalid_parameter`)"))
        }
        if route.queryParameters.contains(where: { $0.name == "cursor" }) {
            refusals.append((400, "A cursor the server did not give (`invalid_cursor`)"))
        }
        if let body = route.body {
            refusals += [
                (400, body.contentType == "application/json" ? "The body is not a JSON object" : "The form cannot be read"),
                (413, "The body is too large"), (415, "The body is not \(body.contentType)"),
                (422, "A field is missing or not valid; `fields` names each"),
            ]
        }
        return refusals
    }

    /// The declared body with its fields and their limits.
    static func requestBody(_ route: RouteSpec) -> JSONValue? {
        guard let body = route.body else { return nil }
        return ["required": true, "content": .object([body.contentType: ["schema": body.schema()]])]
    }

    /// The route's access as OpenAPI security: anyone (`{}`, a signed-in caller may see more), a session (with the
    /// CSRF header on writes), or also a bearer token holding the route's scope.
    static func security(_ route: RouteSpec) -> JSONValue {
        let write = ![.get, .head, .options].contains(route.method)
        let session: JSONValue = write ? ["session": [], "csrf": []] : ["session": []]
        switch route.access {
        case .anyone: return [[:], session, ["bearer": []]]
        case .session: return [session]
        case .member(let scope): return [session, ["bearer": [.string(scope)]]]
        }
    }

    static let securitySchemes: JSONValue = [
        "session": [
            "type": "apiKey", "in": "cookie", "name": "psc_session",
            "description": "The session cookie set by sign-in (`__Host-psc_session` when the site is served over HTTPS).",
        ],
        "csrf": [
            "type": "apiKey", "in": "header", "name": "X-CSRF-Token",
            "description": "The session's CSRF token (sign-in and GET /api/v1/auth/session return it), on every unsafe request.",
        ],
        "bearer": [
            "type": "http", "scheme": "bearer", "bearerFormat": "psc_pat_…",
            "description": "A personal access token; its scopes limit what it may call.",
        ],
    ]

    static let nullableString: JSONValue = ["type": ["string", "null"]]
    static let integer: JSONValue = ["type": "integer", "format": "int64"]
    static let count: JSONValue = ["type": "integer", "minimum": 0]
    static let time: JSONValue = ["type": "string", "format": "date-time"]

    /// A cursor page (00-conventions §6): the items, the cursor of the next page or null, the page size.
    static func page(of item: String) -> JSONValue {
        [
            "type": "object", "required": ["items", "next_cursor", "limit"],
            "properties": [
                "items": ["type": "array", "items": ["$ref": .string("#/components/schemas/\(item)")]], "next_cursor": nullableString,
                "limit": ["type": "integer", "minimum": 1],
            ],
        ]
    }

    static let schemas: JSONValue = [
        "Error": [
            "type": "object", "required": ["error", "message", "request_id"],
            "properties": [
                "error": ["type": "string"], "message": ["type": "string"], "request_id": ["type": "string"],
                "fields": ["type": "object", "additionalProperties": ["type": "array", "items": ["type": "string"]]],
            ],
        ],
        "Department": [
            "type": "object", "required": ["id", "name", "member_count"],
            "properties": [
                "id": ["type": "integer", "format": "int64"], "name": ["type": "string"],
                "college": nullableString, "description": nullableString, "chair_name": nullableString,
                "email": nullableString, "member_count": ["type": "integer"],
            ],
        ],
        "DepartmentList": [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": ["$ref": "#/components/schemas/Department"]]],
        ],
        "UserCard": [
            "type": "object",
            "required": [
                "id", "first_name", "last_name", "display_name", "role", "avatar_url", "headline", "major", "graduation_year",
                "department", "connection_status",
            ],
            "properties": [
                "id": integer, "first_name": ["type": "string"], "last_name": ["type": "string"], "display_name": ["type": "string"],
                "role": ["type": "string", "enum": ["student", "alumni", "faculty", "staff", "employer", "admin"]],
                "avatar_url": nullableString, "headline": nullableString, "major": nullableString,
                "graduation_year": ["type": ["integer", "null"]], "department": ["type": ["object", "null"]],
                "connection_status": ["type": "string"],
            ],
        ],
        "Post": [
            "type": "object",
            "required": [
                "id", "author", "content", "content_html", "image_url", "visibility", "department_id", "like_count", "comment_count",
                "liked_by_me", "tags", "created_at", "updated_at",
            ],
            "properties": [
                "id": integer, "author": ["oneOf": [["$ref": "#/components/schemas/UserCard"], ["type": "null"]]],
                "content": ["type": "string"], "content_html": ["type": "string"], "image_url": nullableString,
                "visibility": ["type": "string", "enum": ["public", "members", "connections", "department"]],
                "department_id": ["type": ["integer", "null"]], "like_count": count, "comment_count": count,
                "liked_by_me": ["type": "boolean"], "tags": ["type": "array", "items": ["type": "string"]], "created_at": time,
                "updated_at": time,
            ],
        ],
        "PostPage": page(of: "Post"),
        "Event": [
            "type": "object",
            "required": [
                "id", "title", "description", "location", "format", "kind", "start_time", "end_time", "timezone", "department",
                "organizer", "capacity", "going_count", "waitlist_count", "waitlist_enabled", "rsvp_deadline", "visibility", "status",
                "my_rsvp", "sequence", "ics_url", "sponsors",
            ],
            "properties": [
                "id": integer, "title": ["type": "string"], "description": nullableString, "location": nullableString,
                "format": ["type": "string", "enum": ["in_person", "virtual", "hybrid"]], "kind": ["type": "string"],
                "start_time": time, "end_time": time, "timezone": ["type": "string"], "department": ["type": ["object", "null"]],
                "organizer": ["oneOf": [["$ref": "#/components/schemas/UserCard"], ["type": "null"]]],
                "capacity": ["type": ["integer", "null"]], "going_count": count, "waitlist_count": count,
                "waitlist_enabled": ["type": "boolean"], "rsvp_deadline": ["type": ["string", "null"]],
                "visibility": ["type": "string", "enum": ["public", "members"]],
                "status": ["type": "string", "enum": ["scheduled", "cancelled"]], "my_rsvp": ["type": ["object", "null"]],
                "sequence": count, "ics_url": ["type": "string"], "sponsors": ["type": "array"],
            ],
        ],
        "EventPage": page(of: "Event"),
        "EventList": [
            "type": "object", "required": ["items"],
            "properties": ["items": ["type": "array", "items": ["$ref": "#/components/schemas/Event"]]],
        ],
        "Company": [
            "type": "object",
            "required": [
                "id", "name", "industry", "size", "headquarters", "website", "description", "logo_url", "verified", "active_postings",
            ],
            "properties": [
                "id": integer, "name": ["type": "string"], "industry": nullableString, "size": nullableString,
                "headquarters": nullableString, "website": nullableString, "description": nullableString, "logo_url": nullableString,
                "verified": ["type": "boolean"], "active_postings": count,
            ],
        ],
        "CompanyPage": page(of: "Company"),
        "JobPosting": [
            "type": "object",
            "required": [
                "id", "title", "company", "description", "location", "remote", "job_type", "experience_level", "salary_min_cents",
                "salary_max_cents", "currency", "skills_required", "application_url", "apply_on_platform", "status", "is_active",
                "featured", "posted_at", "expires_at",
            ],
            "properties": [
                "id": integer, "title": ["type": "string"],
                "company": [
                    "type": "object", "required": ["id", "name", "logo_url", "verified"],
                    "properties": [
                        "id": integer, "name": ["type": "string"], "logo_url": nullableString, "verified": ["type": "boolean"],
                    ],
                ],
                "description": ["type": "string"], "location": nullableString, "remote": ["type": "boolean"],
                "job_type": ["type": "string", "enum": ["full_time", "part_time", "internship", "co_op", "contract"]],
                "experience_level": nullableString, "salary_min_cents": ["type": ["integer", "null"], "minimum": 0],
                "salary_max_cents": ["type": ["integer", "null"], "minimum": 0], "currency": nullableString,
                "skills_required": ["type": "array", "items": ["type": "string"]], "application_url": nullableString,
                "apply_on_platform": ["type": "boolean"], "status": ["type": "string"], "is_active": ["type": "boolean"],
                "featured": ["type": "boolean"], "posted_at": ["type": ["string", "null"]], "expires_at": time,
                "review_reason": nullableString,
            ],
        ],
        "JobPostingPage": page(of: "JobPosting"),
        "MemberProfile": ["anyOf": [["$ref": "#/components/schemas/UserProfile"], ["$ref": "#/components/schemas/OwnProfile"]]],
        "CalendarToken": ["type": "object", "required": ["feed_url"], "properties": ["feed_url": ["type": "string", "format": "uri"]]],
        "OpenAPI": ["type": "object", "required": ["openapi", "info", "paths", "components"]],
        "Health": [
            "type": "object", "required": ["status", "timestamp"],
            "properties": [
                "status": ["type": "string", "enum": ["healthy", "degraded", "unhealthy"]],
                "timestamp": ["type": "string", "format": "date-time"],
                // For admins and metrics:read tokens only.
                "uptime_seconds": ["type": "integer"], "version": ["type": "string"],
                "checks": ["type": "object", "additionalProperties": ["$ref": "#/components/schemas/HealthCheck"]],
            ],
        ],
    ]
}
