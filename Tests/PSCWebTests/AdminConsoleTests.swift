import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PSCCore
import PSCStore
import Testing

@testable import PSCWeb

/// The admin console's access rules on the shipped router: each people route as admin, as a `verify_users` grant
/// holder, as a plain member and anonymously; recent authentication; the last-admin rule; flags gating pages and API.
@Suite("Admin console access")
struct AdminConsoleTests {
    struct Caller {
        let id: Int64
        let headers: HTTPFields
    }

    static func caller(_ test: TestPlatform, _ email: String, role: Role, grant: Capability? = nil, staleAuth: Bool = false) throws
        -> Caller
    {
        let origin = RequestOrigin(ip: "127.0.0.1", userAgent: "test")
        let id = try test.platform.accounts.register(
            NewAccount(email: email, passwordHash: nil, role: role, status: .active, firstName: "T", lastName: email), origin: origin)
        if let grant {
            _ = try AccountAdministration(store: test.platform.store, accounts: test.platform.accounts).addGrant(
                String(id), capability: grant, departmentID: nil, expiresAt: nil, grantedBy: nil, by: .socket)
        }
        let (token, session) = try test.platform.sessions.create(
            userID: id, remember: false, lifetime: .standard, methods: ["password"], origin: origin)
        if staleAuth {
            try test.platform.store.write { db in
                try db.execute(
                    sql: "UPDATE sessions SET recent_auth_at = ? WHERE id = ?",
                    arguments: [Timestamp.string(from: Date().addingTimeInterval(-3600)), session.id])
            }
        }
        var headers: HTTPFields = [.cookie: "psc_session=\(token)", .contentType: "application/json"]
        headers[HTTPField.Name("X-CSRF-Token")!] = session.csrfToken
        return Caller(id: id, headers: headers)
    }

    @Test("people routes: admin 200, verify_users reads but cannot change, a student 403, anonymous 401; stale authentication 403")
    func peopleAccess() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let admin = try Self.caller(test, "boss@pittstate.edu", role: .admin)
        let stale = try Self.caller(test, "second@pittstate.edu", role: .admin, staleAuth: true)
        let registrar = try Self.caller(test, "reg@pittstate.edu", role: .staff, grant: .registrar)
        let careers = try Self.caller(test, "careers@pittstate.edu", role: .staff, grant: .careerServices)
        let student = try Self.caller(test, "kid@gus.pittstate.edu", role: .student)
        try await test.application().test(.router) { client in
            for (caller, status) in [(admin, HTTPResponse.Status.ok), (registrar, .ok), (careers, .ok), (student, .forbidden)] {
                try await client.execute(uri: "/api/v1/admin/users?limit=50", method: .get, headers: caller.headers) { response in
                    #expect(response.status == status, "\(response.text)")
                    if caller.id == careers.id {
                        let roles = (response.json["items"] as? [[String: Any]] ?? []).compactMap { $0["role"] as? String }
                        #expect(roles.allSatisfy { $0 == "employer" }, "approve_employers reads employer accounts only")
                    }
                }
            }
            try await client.execute(uri: "/api/v1/admin/users", method: .get) { #expect($0.status == .unauthorized) }
            try await client.execute(uri: "/api/v1/admin/users/\(student.id)", method: .get, headers: careers.headers) {
                #expect($0.status == .notFound, "a student is not an employer account")
            }
            try await client.execute(uri: "/api/v1/admin/users/\(student.id)", method: .get, headers: registrar.headers) { response in
                #expect(response.status == .ok)
                #expect(response.json["email"] as? String == "kid@gus.pittstate.edu")
            }
            let suspend = ByteBuffer(string: #"{"status":"suspended","reason":"spam from this account"}"#)
            try await client.execute(uri: "/api/v1/admin/users/\(student.id)", method: .patch, headers: registrar.headers, body: suspend) {
                #expect($0.status == .forbidden, "grant holders read only")
            }
            try await client.execute(uri: "/api/v1/admin/users/\(student.id)", method: .patch, headers: stale.headers, body: suspend) {
                response in
                #expect(response.status == .forbidden && response.json["error"] as? String == "recent_auth_required")
            }
            try await client.execute(
                uri: "/api/v1/admin/users/\(student.id)/reset-2fa", method: .post, headers: stale.headers,
                body: ByteBuffer(string: #"{"reason":"lost phone"}"#)
            ) { #expect($0.json["error"] as? String == "recent_auth_required") }
            try await client.execute(
                uri: "/api/v1/admin/users/\(student.id)/grants", method: .post, headers: stale.headers,
                body: ByteBuffer(string: #"{"capability":"moderator"}"#)
            ) { #expect($0.json["error"] as? String == "recent_auth_required") }
            try await client.execute(
                uri: "/api/v1/admin/users/\(student.id)", method: .patch, headers: admin.headers,
                body: ByteBuffer(string: #"{"status":"suspended"}"#)
            ) { response in
                #expect(response.status == .unprocessableContent && (response.json["fields"] as? [String: Any])?["reason"] != nil)
            }
            try await client.execute(uri: "/api/v1/admin/users/\(student.id)", method: .patch, headers: admin.headers, body: suspend) {
                response in
                #expect(response.status == .ok && response.json["status"] as? String == "suspended", "\(response.text)")
                #expect(response.json["sessions"] as? Int == 0, "the suspension ended the person's sessions")
            }
            try await client.execute(uri: "/api/v1/users/me", method: .get, headers: student.headers) {
                #expect($0.status == .unauthorized, "the suspended member's open session no longer works")
            }
            // Demoting one admin leaves the other; the last active admin stays.
            try await client.execute(
                uri: "/api/v1/admin/users/\(stale.id)", method: .patch, headers: admin.headers,
                body: ByteBuffer(string: #"{"role":"staff","reason":"moved to the registrar"}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/v1/admin/users/\(admin.id)", method: .patch, headers: admin.headers,
                body: ByteBuffer(string: #"{"role":"staff","reason":"stepping down"}"#)
            ) { response in
                #expect(response.status == .conflict, "\(response.text)")
            }
            try await client.execute(
                uri: "/api/v1/admin/users/\(registrar.id)/grants", method: .post, headers: admin.headers,
                body: ByteBuffer(string: #"{"capability":"registrar"}"#)
            ) { #expect($0.status == .conflict, "the same grant is active") }
        }
        let actions = try await test.platform.store.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE actor_user_id = ? ORDER BY id", arguments: [admin.id])
        }
        #expect(actions.contains("user.status_change") && actions.contains("user.role_change"))
        let reason = try await test.platform.store.read { db in
            try String.fetchOne(db, sql: "SELECT details FROM audit_log WHERE action = 'user.status_change' ORDER BY id DESC LIMIT 1")
        }
        #expect(reason?.contains("spam from this account") == true, "the reason is in the audit record")
    }

    @Test("a flag switched off answers the module's pages 404 and its API 403 feature_disabled, for the next request")
    func flagsGate() async throws {
        let test = try TestPlatform(environment: ["PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false"])
        let admin = try Self.caller(test, "boss@pittstate.edu", role: .admin)
        let student = try Self.caller(test, "kid@gus.pittstate.edu", role: .student)
        try await test.application().test(.router) { client in
            try await client.execute(uri: "/api/v1/forums/categories", method: .get, headers: student.headers) { #expect($0.status == .ok) }
            try await client.execute(
                uri: "/api/v1/feature-flags/forums", method: .put, headers: student.headers, body: ByteBuffer(string: #"{"enabled":false}"#)
            ) { #expect($0.status == .forbidden, "only admins change flags") }
            try await client.execute(
                uri: "/api/v1/feature-flags/forums", method: .put, headers: admin.headers, body: ByteBuffer(string: #"{"enabled":false}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/api/v1/forums/categories", method: .get, headers: student.headers) { response in
                #expect(response.status == .forbidden && response.json["error"] as? String == "feature_disabled")
            }
            try await client.execute(uri: "/forums", method: .get, headers: student.headers) { response in
                #expect(response.status == .notFound)
                #expect(!response.text.contains(#"href="/forums""#), "the navbar drops the switched-off module's link")
            }
            try await client.execute(uri: "/api/v1/feature-flags/check/forums", method: .get, headers: student.headers) { response in
                #expect(response.json["enabled"] as? Bool == false && response.json["reason"] as? String == "disabled")
            }
            // Targeting one person back in: the rule order of 20-services §1 (a named user beats everything but "disabled").
            try await client.execute(
                uri: "/api/v1/feature-flags/forums", method: .put, headers: admin.headers,
                body: ByteBuffer(string: #"{"enabled":true,"rollout_percentage":0,"target_users":[\#(student.id)]}"#)
            ) { #expect($0.status == .ok) }
            try await client.execute(uri: "/forums", method: .get, headers: student.headers) { #expect($0.status == .ok) }
            try await client.execute(uri: "/forums", method: .get) { #expect($0.status == .notFound, "visitors: targeting excludes them") }
            try await client.execute(uri: "/api/v1/webinars", method: .get, headers: student.headers) { #expect($0.status == .ok) }
        }
    }
}
