import Foundation
import Hummingbird
import PSCCore

/// `GET /api/openapi.json`: an OpenAPI 3.1 document built from the route catalog, so a route cannot be served
/// without being described.
struct OpenAPIRoutes {
    let catalog: RouteCatalog

    func register(with router: Router<AppRequestContext>) {
        catalog.add(
            RouteSpec(
                id: "API-DOC", .get, "/api/openapi.json", summary: "This OpenAPI document", tag: "Meta",
                responses: [200: ("OpenAPI 3.1 document", nil)]),
            to: router
        ) { _, _ in
            JSONResponse.make(OpenAPIDocument.build(from: catalog.all), cache: "public, max-age=60")
        }
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
            var parameters: [JSONValue] = route.pathParameters.map { name in
                [
                    "name": .string(name), "in": "path", "required": true,
                    "schema": ["type": "integer", "format": "int64", "minimum": 1],
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
                if let schema {
                    response["content"] = ["application/json": ["schema": ["$ref": .string("#/components/schemas/\(schema)")]]]
                }
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
            "components": ["schemas": schemas],
        ]
    }

    static let nullableString: JSONValue = ["type": ["string", "null"]]

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
        "Health": [
            "type": "object", "required": ["status", "timestamp"],
            "properties": [
                "status": ["type": "string", "enum": ["healthy", "degraded", "unhealthy"]],
                "timestamp": ["type": "string", "format": "date-time"],
            ],
        ],
    ]
}
