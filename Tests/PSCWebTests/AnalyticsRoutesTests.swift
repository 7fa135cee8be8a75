import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PSCCore
import PSCStore
import Testing

@testable import PSCWeb

/// Who may read which analytics on the shipped router: the dashboard for admins and all-department analysts only, a
/// scorecard for its department, exports redacted without `export_data`, employer figures only with the right, the
/// screen tracker's validation.
@Suite("Analytics access")
struct AnalyticsRoutesTests {
    static func caller(
        _ test: TestPlatform, _ email: String, role: Role, grant: Capability? = nil, department: Int64? = nil, member: Int64? = nil
    ) throws -> AdminConsoleTests.Caller {
        let origin = RequestOrigin(ip: "127.0.0.1", userAgent: "test")
        let id = try test.platform.accounts.register(
            NewAccount(email: email, passwordHash: nil, role: role, status: .active, firstName: "Jordan", lastName: "Lee"), origin: origin)
        if let member {
            try test.platform.store.write { db in
                try db.execute(sql: "UPDATE users SET department_id = ? WHERE id = ?", arguments: [member, id])
            }
        }
        if let grant {
            _ = try AccountAdministration(store: test.platform.store, accounts: test.platform.accounts).addGrant(
                String(id), capability: grant, departmentID: department, expiresAt: nil, grantedBy: nil, by: .socket)
        }
        let (token, session) = try test.platform.sessions.create(
            userID: id, remember: false, lifetime: .standard, methods: ["password"], origin: origin)
        _ = try test.platform.sessions.markRecentAuth(sessionID: session.id)
        var headers: HTTPFields = [.cookie: "psc_session=\(token)", .contentType: "application/json"]
        headers[HTTPField.Name("X-CSRF-Token")!] = session.csrfToken
        return AdminConsoleTests.Caller(id: id, headers: headers)
    }

    @Test("the dashboard, scorecards, predictions and figures answer only within the caller's analytics scope")
    func scopes() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let department = try await test.platform.store.read { db in try Int64.fetchOne(db, sql: "SELECT min(id) FROM departments") } ?? 1
        let admin = try Self.caller(test, "boss@pittstate.edu", role: .admin)
        let head = try Self.caller(test, "head@pittstate.edu", role: .faculty, grant: .departmentHead, department: department)
        let faculty = try Self.caller(test, "prof@pittstate.edu", role: .faculty, member: department)
        let student = try Self.caller(test, "kid@gus.pittstate.edu", role: .student)
        try await test.application().test(.router) { client in
            for (caller, status) in [(admin, HTTPResponse.Status.ok), (head, .forbidden), (student, .forbidden)] {
                try await client.execute(uri: "/api/v1/analytics/dashboard?days=7", method: .get, headers: caller.headers) { response in
                    #expect(response.status == status, "\(response.text)")
                }
            }
            try await client.execute(uri: "/api/v1/analytics/dashboard?days=400", method: .get, headers: admin.headers) {
                #expect($0.status == .badRequest, "days is 1..365")
            }
            try await client.execute(uri: "/api/v1/analytics/dashboard", method: .get) { #expect($0.status == .unauthorized) }
            for (caller, status) in [(admin, HTTPResponse.Status.ok), (head, .ok), (faculty, .ok), (student, .forbidden)] {
                try await client.execute(uri: "/api/v1/analytics/department/\(department)", method: .get, headers: caller.headers) {
                    #expect($0.status == status, "\($0.text)")
                }
            }
            try await client.execute(uri: "/api/v1/analytics/department/\(department + 1)", method: .get, headers: head.headers) {
                #expect($0.status == .forbidden, "another department")
            }
            try await client.execute(uri: "/api/v1/analytics/department/99999", method: .get, headers: admin.headers) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/analytics/predict/churn/\(student.id)", method: .get, headers: head.headers) {
                #expect($0.status == .notFound, "a student outside the head's department")
            }
            try await client.execute(uri: "/api/v1/analytics/predict/churn/\(student.id)", method: .get, headers: admin.headers) {
                response in
                #expect(response.status == .ok)
                #expect(response.json["method"] as? String == "heuristic")
            }
            try await client.execute(uri: "/api/v1/analytics/engagement/\(student.id)", method: .get, headers: student.headers) {
                #expect($0.status == .ok, "a member reads their own score")
            }
            try await client.execute(uri: "/api/v1/analytics/engagement/\(admin.id)", method: .get, headers: student.headers) {
                #expect($0.status == .notFound, "not another member's")
            }
            try await client.execute(uri: "/api/v1/analytics/university", method: .get, headers: admin.headers) { response in
                #expect(response.status == .ok)
                let graduation = response.json["graduation_rate"] as? [String: Any]
                #expect(graduation?["reason"] as? String == "not_tracked")
            }
            try await client.execute(uri: "/api/v1/analytics/models", method: .get, headers: head.headers) {
                #expect($0.status == .forbidden, "models are for admins")
            }
        }
    }

    @Test("exports: redacted without export_data, whole with it, refused without access_reports; unknown reports 404, bad formats 422")
    func exports() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let analyst = try Self.caller(test, "analyst@pittstate.edu", role: .staff, grant: .analyst)
        let registrar = try Self.caller(test, "registrar@pittstate.edu", role: .staff, grant: .registrar)
        let student = try Self.caller(test, "jordan.lee@gus.pittstate.edu", role: .student)
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/analytics/export/user_activity", method: .get, headers: analyst.headers) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/csv") == true)
                #expect(response.text.contains("j***@gus.pittstate.edu") && !response.text.contains("jordan.lee@"))
                #expect(response.text.contains("Jordan L."))
            }
            try await client.execute(uri: "/api/v1/analytics/export/user_activity", method: .get, headers: registrar.headers) { response in
                #expect(response.status == .ok)
                #expect(response.text.contains("jordan.lee@gus.pittstate.edu"))
            }
            try await client.execute(uri: "/api/v1/analytics/export/user_activity?format=pdf", method: .get, headers: registrar.headers) {
                response in
                #expect(response.status == .ok && response.headers[.contentType] == "application/pdf")
                #expect(response.text.hasPrefix("%PDF-1.4"))
            }
            try await client.execute(uri: "/api/v1/analytics/export/user_activity", method: .get, headers: student.headers) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/analytics/export/salaries", method: .get, headers: analyst.headers) {
                #expect($0.status == .notFound)
            }
            try await client.execute(uri: "/api/v1/analytics/export/user_activity?format=xls", method: .get, headers: analyst.headers) {
                #expect($0.status == .unprocessableContent)
            }
        }
        let audited = try await test.platform.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action = 'export.run'")
        }
        #expect(audited == 3, "every export writes export.run")
    }

    @Test("employer figures need manage_partnerships until subscriptions bring the analytics benefit; the tracker validates names")
    func employersAndTracking() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let careers = try Self.caller(test, "careers@pittstate.edu", role: .staff, grant: .careerServices)
        let employer = try Self.caller(test, "hr@example.com", role: .employer)
        let company = try await test.platform.store.write { db -> Int64 in
            try db.execute(
                sql: """
                    INSERT INTO companies (name, name_norm, verified, created_at, updated_at)
                    VALUES ('Watco', 'watco', 1, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')
                    """)
            return db.lastInsertedRowID
        }
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/analytics/employers/\(company)", method: .get, headers: careers.headers) { response in
                #expect(response.status == .ok)
                #expect(response.json["application_rate"] is NSNull, "null below 20 views")
            }
            try await client.execute(uri: "/api/v1/analytics/employers/\(company)", method: .get, headers: employer.headers) {
                #expect($0.status == .forbidden)
            }
            try await client.execute(uri: "/api/v1/analytics/employers/99999", method: .get, headers: careers.headers) {
                #expect($0.status == .notFound)
            }
            for (body, status) in [
                (#"{"page_name":"mobile.home"}"#, HTTPResponse.Status.noContent), (#"{"page_name":"Bad/Name"}"#, .unprocessableContent),
                (#"{}"#, .unprocessableContent),
            ] {
                try await client.execute(
                    uri: "/api/v1/analytics/track", method: .post, headers: [.contentType: "application/json"],
                    body: ByteBuffer(string: body)
                ) { #expect($0.status == status, "\(body)") }
            }
        }
        try test.platform.usage.flush()
        let tracked = try await test.platform.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM page_views WHERE page_name = 'mobile.home'")
        }
        #expect(tracked == 1)
    }
}
