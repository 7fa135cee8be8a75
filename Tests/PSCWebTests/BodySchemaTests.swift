import Foundation
import PSCCore
import Testing

@testable import PSCWeb

@Suite("Body schemas")
struct BodySchemaTests {
    enum Visibility: String, Decodable { case members, connections }
    struct Inner: Decodable {
        let rawId: String
        let clientDataJSON: String?
    }
    struct Body: Decodable {
        let loginChallenge: String
        let departmentID: Int64?
        let remember: Bool?
        let tags: [String]
        let visibility: Visibility?
        let credential: Inner
    }

    @Test("a body type's fields, under the names clients send, with their types and which are required")
    func schema() {
        let schema = BodySchema.of(Body.self)
        #expect(schema["required"] == ["credential", "login_challenge", "tags"])
        #expect(schema["properties"]?["login_challenge"] == ["type": "string"])
        #expect(schema["properties"]?["department_id"] == ["type": "integer", "format": "int64"])
        #expect(schema["properties"]?["remember"] == ["type": "boolean"])
        #expect(schema["properties"]?["tags"] == ["type": "array", "items": ["type": "string"]])
        #expect(schema["properties"]?["visibility"] == ["type": "string"])
        #expect(schema["properties"]?["credential"]?["required"] == ["rawId"])
        #expect(schema["properties"]?["credential"]?["properties"]?["clientDataJSON"] == ["type": "string"])
    }

    @Test("every route that decodes a JSON body declares its type, and the document lists its fields")
    func documented() throws {
        let test = try TestPlatform()
        let catalog = RouteCatalog()
        _ = try buildRouter(platform: test.platform, accessLog: AccessLogSink(enabled: false), catalog: catalog)
        let document = OpenAPIDocument.build(from: catalog.all)
        let login = document["paths"]?["/api/v1/auth/login"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
        #expect(login?["required"] == ["email", "password"])
        #expect(catalog.all.filter { $0.body != nil }.count >= 26)
    }
}
