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
        #expect(catalog.all.filter { $0.body != nil }.count >= 40)
        let post = document["paths"]?["/api/v1/posts"]?["post"]?["requestBody"]?["content"]?["application/json"]?["schema"]
        #expect(post?["properties"]?["content"] == ["type": "string", "minLength": 1, "maxLength": 5000])
        // A rule may only limit a field the declared type decodes: a misspelt name would document a field nobody reads.
        for route in catalog.all {
            guard let body = route.body, !body.decodedFields.isEmpty else { continue }
            let unknown = Set(body.fields.keys).subtracting(body.decodedFields)
            #expect(unknown.isEmpty, "\(route.id) limits fields its body type does not decode: \(unknown.sorted())")
        }
    }

    @Test("a declared limit refuses what breaks it, naming the field, and lets absent and null values through")
    func limits() {
        let rules: [String: FieldRule] = [
            "title": FieldRule.text(3...10).required, "kind": .choice(["a", "b"]), "rating": .integer(1...5), "at": .instant,
            "tags": .texts(max: 2, each: 1...5), "site": .https(max: 40), "open": .boolean, "gpa": .number(0...4),
        ]
        #expect(FieldRule.problems(rules, in: ["title": "  Spring  ", "kind": NSNull()]).isEmpty)
        let problems = FieldRule.problems(
            rules,
            in: [
                "kind": "c", "rating": 6, "at": "2027-02-30T10:00:00Z", "tags": ["a", "b", "c"], "site": "http://x.example",
                "open": 1, "gpa": 4.5,
            ])
        #expect(Set(problems.keys) == ["title", "kind", "rating", "at", "tags", "site", "open", "gpa"])
        #expect(problems["title"] == ["is required"])
        #expect(FieldRule.problems(rules, in: ["title": "ab"])["title"] == ["must be 3 to 10 characters"])
        #expect(FieldRule.problems(rules, in: ["title": "abc", "tags": ["toolong"]])["tags"] == ["each item must be 1 to 5 characters"])
        #expect(FieldRule.problems(rules, in: ["title": "abc", "rating": 2.5])["rating"] != nil)
    }
}
