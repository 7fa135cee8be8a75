import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PSCCore
import Testing

@testable import PSCWeb

/// One input validation for every JSON body (00-conventions §4, §5), on a probe route through the shipped middleware.
@Suite("Input validation")
struct InputValidationTests {
    struct Probe: Decodable {
        let count: Int
        let note: String
        let startTime: String?
    }

    func probe(_ router: Router<AppRequestContext>, _: RouteCatalog) {
        router.post("/api/v1/probe/body") { request, context -> String in
            let body = try await request.decodeJSON(as: Probe.self, context: context)
            var reader = FieldReader(["start_time": body.startTime as Any? ?? NSNull()])
            _ = reader.time("start_time", nil)
            try reader.validate()
            return "ok \(body.count)"
        }
    }

    func post(_ client: some TestClientProtocol, _ json: String) async throws -> (Int, [String: Any]) {
        try await client.execute(
            uri: "/api/v1/probe/body", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: json)
        ) { response in (Int(response.status.code), response.json) }
    }

    @Test("control characters, numbers out of range, wrong types and impossible times are 422 with the field named")
    func refusals() async throws {
        let test = try TestPlatform()
        try await test.application(extraRoutes: probe).test(.router) { client in
            let (ok, _) = try await post(
                client, #"{"count": 3, "note": "two\nlines\tand a tab", "start_time": "2027-03-10T10:00:00-06:00"}"#)
            #expect(ok == 200)
            for (json, field) in [
                (#"{"count": 3, "note": "bell \u0007"}"#, "note"),
                (#"{"count": 3, "note": "nul \u0000 cut"}"#, "note"),
                (#"{"count": 3, "note": "ok", "extra": {"deep": ["fine", "c1 \u0085"]}}"#, "extra.deep.1"),
                (#"{"count": 1e40, "note": "ok"}"#, "count"),
                (#"{"count": "three", "note": "ok"}"#, "count"),
                (#"{"note": "ok"}"#, "count"),
                (#"{"count": 3, "note": "ok", "start_time": "2027-02-30T10:00:00Z"}"#, "start_time"),
                (#"{"count": 3, "note": "ok", "start_time": "2027-03-10T10:00:00+25:00"}"#, "start_time"),
            ] {
                let (status, body) = try await post(client, json)
                #expect(status == 422, "\(json)")
                #expect((body["fields"] as? [String: Any])?.keys.contains(field) == true, "\(json) names \(field): \(body)")
            }
            let (unreadable, body) = try await post(client, "{not json")
            #expect(unreadable == 400 && body["error"] as? String == "bad_request")
        }
    }
}
