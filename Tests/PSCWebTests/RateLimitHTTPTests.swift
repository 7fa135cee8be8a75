import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PSCApp
import PSCCore
import Testing

@testable import PSCWeb

@Suite("Rate limits over HTTP")
struct RateLimitHTTPTests {
    @Test("health allows 60 a minute per IP, then 429 with Retry-After, RateLimit headers and the envelope")
    func healthLimit() async throws {
        let test = try TestPlatform()
        try await test.application().test(.live) { client in
            for index in 0..<60 {
                let response = try await client.execute(uri: "/api/v1/health", method: .get)
                #expect(response.status == .ok, "request \(index)")
                #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == "60")
            }
            try await client.execute(uri: "/api/v1/health", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.json["error"] as? String == "rate_limited")
                #expect(Int(response.headers[.retryAfter] ?? "") ?? 0 >= 1)
                #expect(response.headers[HTTPField.Name("RateLimit-Remaining")!] == "0")
            }
            // Another bucket is untouched.
            let other = try await client.execute(uri: "/api/v1/departments", method: .get)
            #expect(other.status == .ok)
        }
        #expect(
            String(decoding: test.platform.metrics.exposition(), as: UTF8.self).contains(#"pittstate_rate_limited_total{limit="MON-1"} 1"#))
    }

    @Test("a configured override replaces a route's limits, and pages get the branded 429 page")
    func override() async throws {
        let test = try TestPlatform(environment: ["PSC_RATE_LIMITS_PAGE_HOME": "2/min"])
        try await test.application().test(.live) { client in
            for _ in 0..<2 {
                let response = try await client.execute(uri: "/", method: .get)
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/", method: .get) { response in
                #expect(response.status == .tooManyRequests)
                #expect(response.headers[.contentType]?.hasPrefix("text/html") == true)
                #expect(response.text.contains("Too many requests"))
            }
        }
    }

    @Test("rate_limits.enabled=false switches every limit off, and 'none' switches one off")
    func switchedOff() async throws {
        for environment in [["PSC_RATE_LIMITS_ENABLED": "false"], ["PSC_RATE_LIMITS_MON_1": "none"]] {
            let test = try TestPlatform(environment: environment)
            try await test.application().test(.live) { client in
                for _ in 0..<70 {
                    let response = try await client.execute(uri: "/api/v1/health", method: .get)
                    #expect(response.status == .ok)
                    #expect(response.headers[HTTPField.Name("RateLimit-Limit")!] == nil)
                }
            }
        }
    }

    @Test("exempt networks bypass the anonymous limits")
    func exempt() async throws {
        let test = try TestPlatform(environment: ["PSC_RATE_LIMITS_EXEMPT_NETWORKS": "127.0.0.0/8"])
        try await test.application().test(.live) { client in
            for _ in 0..<65 {
                let response = try await client.execute(uri: "/api/v1/health", method: .get)
                #expect(response.status == .ok)
            }
        }
    }

    @Test("a bad limit in the configuration stops start-up naming the key")
    func badOverride() {
        let error = #expect(throws: ConfigurationError.self) {
            try Configuration.load(environment: ["PSC_RATE_LIMITS_MON_1": "lots"])
        }
        #expect(error?.description.contains("rate_limits.mon_1") == true)
    }

    @Test(
        "the client IP comes from X-Forwarded-For only through trusted proxies",
        arguments: [
            ("10.0.0.5", "203.0.113.9", ["10.0.0.0/8"], "203.0.113.9"),
            ("10.0.0.5", "203.0.113.9, 10.0.0.7", ["10.0.0.0/8"], "203.0.113.9"),
            ("198.51.100.1", "203.0.113.9", ["10.0.0.0/8"], "198.51.100.1"),
            ("10.0.0.5", "not-an-ip", ["10.0.0.0/8"], "10.0.0.5"),
            ("10.0.0.5", "203.0.113.9", [], "10.0.0.5"),
        ])
    func clientAddress(peer: String, forwarded: String, trusted: [String], expected: String) {
        let resolved = ClientAddress.resolve(peer: peer, forwardedFor: forwarded, trustedProxies: trusted.compactMap(IPNetwork.init))
        #expect(resolved == expected)
    }
}

@Suite("Concurrency")
struct ConcurrencyTests {
    @Test("many concurrent health requests with the job queue check registered all answer")
    func concurrentHealth() async throws {
        let test = try TestPlatform(environment: ["PSC_RATE_LIMITS_ENABLED": "false"])
        _ = try BackgroundWork(platform: test.platform, logger: .init(label: "test"))
        try await test.application().test(.live) { client in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for _ in 0..<64 {
                    group.addTask { try await client.execute(uri: "/api/v1/health", method: .get).status }
                }
                return try await group.reduce(into: [HTTPResponse.Status]()) { $0.append($1) }
            }
            #expect(statuses.count == 64)
            #expect(statuses.allSatisfy { $0 == .ok })
        }
    }
}
