import Foundation
import Testing

@testable import PSCWeb

@Suite("Request keys")
struct RequestKeysTests {
    struct Body: Decodable {
        let loginChallenge: String
        let ceremonyID: String?
        let applicationURL: String?
        let expiresInDays: Int?
        let rawId: String?
    }

    @Test("snake_case fields map to the Swift names and back, initialisms included")
    func names() {
        for (field, swift) in [
            ("user_id", "userID"), ("application_url", "applicationURL"), ("expires_in_days", "expiresInDays"), ("note", "note"),
            ("login_challenge", "loginChallenge"), ("clientDataJSON", "clientDataJSON"),
        ] {
            #expect(RequestKeys.swiftName(field) == swift)
            if field.contains("_") { #expect(RequestKeys.fieldName(swift) == field) }
        }
    }

    @Test("bodies decode without key enums; a missing or mistyped field is named as the client sent it")
    func decoding() throws {
        let body = try RequestKeys.decoder().decode(
            Body.self,
            from: Data(
                #"{"login_challenge": "abc", "ceremony_id": "c", "application_url": "https://x", "expires_in_days": 3, "rawId": "r"}"#.utf8)
        )
        #expect(body.loginChallenge == "abc" && body.ceremonyID == "c" && body.applicationURL == "https://x")
        #expect(body.expiresInDays == 3 && body.rawId == "r")
        #expect(throws: DecodingError.self) { try RequestKeys.decoder().decode(Body.self, from: Data(#"{"ceremony_id": "c"}"#.utf8)) }
        do {
            _ = try RequestKeys.decoder().decode(Body.self, from: Data(#"{"login_challenge": "a", "expires_in_days": "three"}"#.utf8))
            Issue.record("a string for a number must not decode")
        } catch DecodingError.typeMismatch(_, let context) {
            #expect(context.codingPath.map { RequestKeys.fieldName($0.stringValue) } == ["expires_in_days"])
        }
    }
}
