import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PSCCore
import PSCStore
import Testing

@testable import PSCWeb

/// The one access check every route uses (00-conventions §2), on a probe route: anonymous 401, wrong role 403,
/// a pending account 403 `account_pending`, and the admin 200 once a second factor is set.
@Suite("Access levels")
struct AccessTests {
    func session(_ test: TestPlatform, role: Role, status: AccountStatus, email: String) throws -> String {
        let origin = RequestOrigin(ip: "127.0.0.1", userAgent: "test")
        let id = try test.platform.accounts.register(
            NewAccount(email: email, passwordHash: nil, role: role, status: status, firstName: "T", lastName: "U"), origin: origin)
        return try test.platform.sessions.create(userID: id, remember: false, lifetime: .standard, methods: ["password"], origin: origin)
            .token
    }

    @Test("anonymous 401 with WWW-Authenticate, student 403, pending 403 account_pending, admin without 2FA 403, admin 200")
    func adminProbe() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "true"])
        let student = try session(test, role: .student, status: .active, email: "s@gus.pittstate.edu")
        let pending = try session(test, role: .alumni, status: .pendingApproval, email: "p@pittstate.edu")
        let admin = try session(test, role: .admin, status: .active, email: "a@pittstate.edu")
        let relaxed = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let relaxedAdmin = try session(relaxed, role: .admin, status: .active, email: "a@pittstate.edu")
        let probe: (Router<AppRequestContext>, RouteCatalog) -> Void = { router, _ in
            router.get("/api/v1/probe/admin") { _, context -> String in
                _ = try context.require(.admin); return "ok"
            }
            router.get("/api/v1/probe/active") { _, context -> String in
                _ = try context.require(.active); return "ok"
            }
        }
        try await test.application(extraRoutes: probe).test(.router) { client in
            try await client.execute(uri: "/api/v1/probe/admin", method: .get) { response in
                #expect(response.status == .unauthorized)
                #expect(response.headers[.wwwAuthenticate] == "Bearer realm=\"psc\"")
            }
            try await client.execute(uri: "/api/v1/probe/admin", method: .get, headers: [.cookie: "psc_session=\(student)"]) { response in
                #expect(response.status == .forbidden && response.json["error"] as? String == "forbidden")
            }
            try await client.execute(uri: "/api/v1/probe/active", method: .get, headers: [.cookie: "psc_session=\(pending)"]) { response in
                #expect(response.status == .forbidden && response.json["error"] as? String == "account_pending")
            }
            try await client.execute(uri: "/api/v1/probe/admin", method: .get, headers: [.cookie: "psc_session=\(admin)"]) { response in
                #expect(response.status == .forbidden, "an admin without a second factor reaches only enrolment")
            }
        }
        try await relaxed.application(extraRoutes: probe).test(.router) { client in
            try await client.execute(uri: "/api/v1/probe/admin", method: .get, headers: [.cookie: "psc_session=\(relaxedAdmin)"]) {
                response in
                #expect(response.status == .ok)
            }
        }
    }
}
