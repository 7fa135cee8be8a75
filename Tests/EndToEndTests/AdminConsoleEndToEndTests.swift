import Foundation
import Testing

extension EndToEnd {
    /// The admin console's API as an operator uses it over HTTP, with `psc-admin` changing flags on the same server.
    @Suite("Admin console")
    struct AdminConsoleEndToEndTests {
        let password = "correct horse battery staple"

        @Test("flags from psc-admin take effect on the next request; health, metrics, schedules, backups, audit and alert rules")
        func operations() throws {
            var environment = CareersEndToEndTests.environment
            environment["PSC_METRICS_ALLOW_FROM"] = "10.0.0.0/8"
            let server = try ServerProcess(environment: environment)
            let admin = try AccountClient.member(server, "ops.console@pittstate.edu", password: password, role: "admin")
            let sam = try AccountClient.member(server, "sam.console@gus.pittstate.edu", password: password)
            let visitor = AccountClient(server: server)

            // psc-admin writes through the same store: the API answers the change at once.
            let listed = try server.admin(["--json", "flags", "list"])
            #expect(listed.status == 0 && listed.stdout.contains("calendar_sync"), "\(listed.stderr)")
            #expect(try server.admin(["flags", "disable", "webinars"]).status == 0)
            #expect(try sam.call("GET", "/api/v1/webinars").json["error"] as? String == "feature_disabled")
            #expect(try sam.call("GET", "/webinars").status == 404)
            #expect(try server.admin(["flags", "enable", "webinars"]).status == 0)
            #expect(try sam.call("GET", "/api/v1/webinars").status == 200)
            #expect(
                try server.admin(["flags", "set", "campus_map", "--description", "The new map", "--enabled", "true", "--rollout", "50"])
                    .status == 0)
            #expect(try server.admin(["flags", "rollout", "campus_map", "100"]).status == 0)
            #expect(try visitor.call("GET", "/api/v1/feature-flags/check/campus_map").json["enabled"] as? Bool == true)
            #expect(try server.admin(["flags", "rollout", "campus_map", "100.123"]).status != 0, "two decimals at most")
            #expect(try server.admin(["flags", "enable", "no_such_flag"]).status != 0)
            let flags = try admin.call("GET", "/api/v1/admin/feature-flags?q=map")
            #expect((flags.json["items"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == ["campus_map"])
            #expect(try sam.call("GET", "/api/v1/admin/feature-flags").status == 403)
            #expect(try visitor.call("GET", "/api/v1/admin/feature-flags").status == 401)
            #expect(try admin.call("POST", "/api/v1/feature-flags", ["name": "campus_map", "description": "again"]).status == 409)

            // Health: the status for everyone, the checks for admins; metrics outside the allow-list need an admin.
            let minimal = try visitor.call("GET", "/health")
            #expect(minimal.status == 200 && minimal.json["checks"] == nil && minimal.json["status"] != nil)
            let detailed = try admin.call("GET", "/api/v1/health").json
            let checks = try #require(detailed["checks"] as? [String: Any])
            #expect(Set(checks.keys).isSuperset(of: ["database", "disk", "memory", "cache", "job_queue"]))
            #expect(try visitor.call("GET", "/metrics").status == 403)
            #expect(try sam.call("GET", "/metrics").status == 403)
            let metrics = try admin.call("GET", "/metrics")
            #expect(metrics.status == 200 && metrics.body.contains("pittstate_requests_total"))

            let status = try admin.call("GET", "/api/v1/status")
            #expect(status.status == 200 && (status.json["performance"] as? [String: Any])?["db"] != nil)
            #expect(try sam.call("GET", "/api/v1/status").status == 403)

            // Schedules: run now queues one job; a second press while it waits is refused.
            let schedules = try admin.call("GET", "/api/v1/admin/schedules")
            let names = (schedules.json["items"] as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }
            #expect(names.contains("backup") && names.contains("wal_checkpoint"))
            #expect(try admin.call("PATCH", "/api/v1/admin/schedules/retention", ["paused": true]).json["paused"] as? Bool == true)
            #expect(try admin.call("PATCH", "/api/v1/admin/schedules/nope", ["paused": true]).status == 404)
            let backup = try admin.call("POST", "/api/v1/admin/backups")
            #expect(backup.status == 202, "\(backup.body)")
            let jobID = try #require(backup.json["job_id"] as? Int)
            var made = false
            for _ in 0..<50 where !made {
                made = !((try admin.call("GET", "/api/v1/admin/backups").json["items"] as? [[String: Any]]) ?? []).isEmpty
                if !made { Thread.sleep(forTimeInterval: 0.2) }
            }
            #expect(made, "the backup job ran and recorded its file")
            let job = try admin.call("GET", "/api/v1/admin/queue/jobs/\(jobID)")
            #expect(job.json["kind"] as? String == "backup")
            #expect(try admin.call("POST", "/api/v1/admin/queue/jobs/\(jobID)/retry").status == 409, "a succeeded job does not run again")
            #expect(try sam.call("POST", "/api/v1/admin/backups").status == 403)

            // The audit log: filtered, exported as CSV (and the export audited), the chain verified.
            let audit = try admin.call("GET", "/api/v1/admin/audit-logs?action=flag.")
            let actions = (audit.json["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(actions.contains("flag.created") && actions.contains("flag.updated"))
            let csv = try admin.call("GET", "/api/v1/admin/audit-logs?format=csv&action=flag.")
            #expect(csv.status == 200 && csv.body.hasPrefix("id,occurred_at") && csv.body.contains("flag.updated"))
            #expect(try admin.call("GET", "/api/v1/admin/audit-logs?action=export.").body.contains("export.run"))
            let verified = try admin.call("POST", "/api/v1/admin/audit-logs/verify", ["from_id": 2])
            #expect(verified.json["valid"] as? Bool == true && verified.json["anchor_id"] as? Int == 1)

            let rules = try admin.call("GET", "/api/v1/monitoring/alert-rules")
            #expect(rules.status == 200 && rules.body.contains("alert: PscBackupStale"))
            #expect(try sam.call("GET", "/api/v1/monitoring/alert-rules").status == 403)
        }

        @Test("approvals, invitations, grants, sessions and the A/B lifecycle over HTTP")
        func people() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try AccountClient.member(server, "ops.people@pittstate.edu", password: password, role: "admin")
            var alex = AccountClient(server: server)
            // An alumnus registers as a new one would: verified by email, then waiting for approval.
            let before = try AccountClient.mailedTokens(server, path: "/verify-email/")
            let created = try alex.call(
                "POST", "/api/v1/auth/register",
                [
                    "email": "alex.waiting@pittstate.edu", "password": password, "first_name": "Alex", "last_name": "Waiting",
                    "accept_terms": true, "requested_role": "alumni", "graduation_year": 2015, "degree": "BS Biology",
                ])
            #expect(created.status == 201, "\(created.body)")
            let token = try #require(try AccountClient.waitForMail(server, path: "/verify-email/", excluding: before))
            #expect(try alex.call("POST", "/api/v1/auth/verify-email", ["token": token]).status == 200)
            let pending = try admin.call("GET", "/api/v1/admin/users?status=pending_approval")
            let waiting = try #require((pending.json["items"] as? [[String: Any]])?.first)
            let alexID = try #require((waiting["user"] as? [String: Any])?["id"] as? Int)
            #expect(try admin.call("POST", "/api/v1/admin/users/\(alexID)/reject", [:]).status == 422, "refusing needs a reason")
            #expect(try admin.call("POST", "/api/v1/admin/users/\(alexID)/approve", [:]).json["status"] as? String == "active")
            #expect(try admin.call("POST", "/api/v1/admin/users/\(alexID)/approve", [:]).status == 409, "not pending any more")
            #expect(try alex.signIn(email: "alex.waiting@pittstate.edu", password: password).status == 200)

            let invited = try admin.call(
                "POST", "/api/v1/admin/users/invitations",
                [
                    "email": "new.staff@pittstate.edu", "first_name": "Nia", "last_name": "Staff", "role": "staff",
                    "grants": [["capability": "registrar"]],
                ])
            #expect(invited.status == 201 && invited.json["invitation_expires_at"] != nil, "\(invited.body)")
            #expect(
                try admin.call(
                    "POST", "/api/v1/admin/users/invitations",
                    ["email": "new.staff@pittstate.edu", "first_name": "N", "last_name": "S", "role": "staff"]
                ).status == 409)
            let newID = try #require(invited.json["user_id"] as? Int)
            let grants = try admin.call("GET", "/api/v1/admin/users/\(newID)/grants")
            let grant = try #require((grants.json["items"] as? [[String: Any]])?.first)
            #expect(grant["capability"] as? String == "registrar")
            #expect(try admin.call("DELETE", "/api/v1/admin/grants/\(grant["id"] as? Int ?? 0)").status == 204)
            #expect(try admin.call("DELETE", "/api/v1/admin/grants/\(grant["id"] as? Int ?? 0)").status == 404)

            #expect(try alex.call("GET", "/api/v1/users/me").status == 200)
            #expect(try admin.call("POST", "/api/v1/admin/users/\(alexID)/revoke-sessions").json["revoked"] as? Int == 1)
            #expect(try alex.call("GET", "/api/v1/users/me").status == 401, "revoked sessions end at once")
            #expect(try admin.call("POST", "/api/v1/admin/users/\(alexID)/reset-2fa", ["reason": "lost phone, ID checked"]).status == 200)
            let detail = try admin.call("GET", "/api/v1/admin/users/\(alexID)")
            let trail = (detail.json["recent_audit"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String }
            #expect(trail.contains("admin.2fa_reset") && trail.contains("auth.session_revoked"), "\(trail)")
            #expect(try admin.call("GET", "/api/v1/admin/users/999999").status == 404)

            // A/B: create, start, a member's variant is sticky, convert once, results; no restart after stopping.
            let draft = try admin.call(
                "POST", "/api/v1/ab-tests",
                ["name": "apply_label", "description": "Apply label", "variant_a": ["label": "Apply"], "variant_b": ["label": "Apply now"]])
            let testID = try #require(draft.json["id"] as? Int)
            #expect(try alex.signIn(email: "alex.waiting@pittstate.edu", password: password).status == 200)
            #expect(try alex.call("GET", "/api/v1/ab-tests/\(testID)/variant").status == 404, "a draft has no variants")
            #expect(try admin.call("POST", "/api/v1/ab-tests/\(testID)/start").json["status"] as? String == "running")
            let first = try alex.call("GET", "/api/v1/ab-tests/\(testID)/variant").json["variant"] as? String
            let again = try alex.call("GET", "/api/v1/ab-tests/\(testID)/variant").json["variant"] as? String
            #expect(first != nil && again == first, "the variant is sticky")
            #expect(try alex.call("POST", "/api/v1/ab-tests/\(testID)/convert", [:]).json["recorded"] as? Bool == true)
            #expect(try alex.call("POST", "/api/v1/ab-tests/\(testID)/convert", [:]).json["recorded"] as? Bool == false)
            #expect(try alex.call("GET", "/api/v1/ab-tests/\(testID)/results").status == 403)
            let results = try admin.call("GET", "/api/v1/ab-tests/\(testID)/results")
            #expect(results.json["total_participants"] as? Int == 1 && results.json["warning"] is String)
            #expect(try admin.call("PATCH", "/api/v1/ab-tests/\(testID)", ["description": "late"]).status == 409)
            #expect(try admin.call("POST", "/api/v1/ab-tests/\(testID)/stop", ["winner": "C"]).status == 422)
            #expect(try admin.call("POST", "/api/v1/ab-tests/\(testID)/stop", ["winner": "B"]).json["winner"] as? String == "B")
            #expect(try admin.call("POST", "/api/v1/ab-tests/\(testID)/start").status == 409)
            #expect(try alex.call("GET", "/api/v1/ab-tests/\(testID)/variant").json["variant"] as? String == "B")
            #expect(try admin.call("GET", "/api/v1/ab-tests?status=completed").json["tests"] as? [Any] != nil)
            #expect(try admin.call("GET", "/api/v1/ab-tests?status=paused").status == 400)
        }

        @Test("service API keys: shown once, scoped, counted each month and refused past the allowance, revocable")
        func serviceKeys() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try AccountClient.member(server, "ops.keys@pittstate.edu", password: password, role: "admin")
            let sam = try AccountClient.member(server, "sam.keys@gus.pittstate.edu", password: password)
            let fields: [String: Any] = [
                "name": "Handshake sync", "organization": "Handshake", "service_role": "employer", "scopes": ["content:read"],
                "max_api_calls": 2,
            ]
            #expect(try sam.call("POST", "/api/v1/admin/api-keys", fields).status == 403)
            var bad = fields
            bad["scopes"] = ["admin"]
            #expect(try admin.call("POST", "/api/v1/admin/api-keys", bad).status == 422, "a service key is never an admin")
            let created = try admin.call("POST", "/api/v1/admin/api-keys", fields)
            #expect(created.status == 201, "\(created.body)")
            let key = try #require(created.json["key"] as? String)
            let keyID = try #require(created.json["id"] as? Int)
            #expect(key.hasPrefix("psc_key_") && created.json["api_calls_used"] as? Int == 0)
            var service = AccountClient(server: server)
            service.bearer = key
            #expect(try service.call("GET", "/api/v1/jobs").status == 200)
            #expect(try service.call("POST", "/api/v1/posts", ["content": "hello"]).status == 403, "content:read only")
            let spent = try service.call("GET", "/api/v1/jobs")
            #expect(spent.status == 429 && spent.json["error"] as? String == "quota_exceeded", "\(spent.body)")
            let listed = try admin.call("GET", "/api/v1/admin/api-keys")
            let item = try #require((listed.json["items"] as? [[String: Any]])?.first)
            #expect(item["api_calls_used"] as? Int == 2 && item["organization"] as? String == "Handshake")
            #expect(!listed.body.contains(key), "the key is shown once")
            #expect(try admin.call("DELETE", "/api/v1/admin/api-keys/\(keyID)").status == 204)
            #expect(try service.call("GET", "/api/v1/jobs").status == 401)
            #expect(try admin.call("DELETE", "/api/v1/admin/api-keys/\(keyID)").status == 404)
            let actions = (try admin.call("GET", "/api/v1/admin/audit-logs?action=api_key.").json["items"] as? [[String: Any]] ?? [])
                .compactMap { $0["action"] as? String }
            #expect(Set(actions) == ["api_key.created", "api_key.revoked"])
        }

        @Test("identity verifications: a member sends documents, a registrar reads them and decides once; others are refused")
        func verifications() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try AccountClient.member(server, "ops.verify@pittstate.edu", password: password, role: "admin")
            _ = try AccountClient.member(server, "reg.verify@pittstate.edu", password: password, role: "staff")
            // A grant ends the grantee's sessions; the registrar signs in again with the new rights.
            #expect(try server.admin(["grant", "add", "reg.verify@pittstate.edu", "registrar"]).status == 0)
            var registrarSession = AccountClient(server: server)
            #expect(try registrarSession.signIn(email: "reg.verify@pittstate.edu", password: password).status == 200)
            let sam = try AccountClient.member(server, "sam.verify@gus.pittstate.edu", password: password)
            let kim = try AccountClient.member(server, "kim.verify@gus.pittstate.edu", password: password)
            let careers = CareersEndToEndTests()
            let document = try careers.upload(sam, kind: "verification", file: CareersEndToEndTests.pdf, name: "id-card.pdf")
            #expect(document.status == 201, "\(document.body)")
            let documentID = try #require(document.json["id"] as? Int)
            let resume = try careers.upload(kim, kind: "verification", file: CareersEndToEndTests.pdf, name: "kim.pdf")
            let kimDocument = try #require(resume.json["id"] as? Int)
            #expect(
                try sam.call("POST", "/api/v1/users/me/verification", ["type": "student", "document_upload_ids": [kimDocument]]).status
                    == 422,
                "another member's upload is refused")
            let sent = try sam.call(
                "POST", "/api/v1/users/me/verification", ["type": "student", "document_upload_ids": [documentID], "note": "Fall ID card"])
            #expect(sent.status == 201 && sent.json["status"] as? String == "pending", "\(sent.body)")
            #expect(
                try sam.call("POST", "/api/v1/users/me/verification", ["type": "student", "document_upload_ids": [documentID]]).status
                    == 409)
            #expect(try kim.call("GET", "/api/v1/admin/verifications").status == 403)
            #expect(try kim.call("GET", "/api/v1/uploads/\(documentID)").status == 404, "identity documents stay private")
            let waiting = try registrarSession.call("GET", "/api/v1/admin/verifications")
            let item = try #require((waiting.json["items"] as? [[String: Any]])?.first, "\(waiting.body)")
            let requestID = try #require(item["id"] as? Int)
            #expect(try registrarSession.call("GET", "/api/v1/uploads/\(documentID)").status == 200, "the reviewer reads the document")
            let decided = try registrarSession.call(
                "POST", "/api/v1/admin/verifications/\(requestID)/decision", ["decision": "approved", "reason": "ID matches"])
            #expect(decided.json["status"] as? String == "approved" && decided.json["expires_at"] is String, "\(decided.body)")
            #expect(
                try admin.call("POST", "/api/v1/admin/verifications/\(requestID)/decision", ["decision": "rejected"]).status == 409,
                "decided once")
            let after = try registrarSession.call("GET", "/api/v1/admin/verifications")
            #expect((after.json["items"] as? [Any])?.isEmpty == true, "the queue is empty once decided")
        }
    }
}
