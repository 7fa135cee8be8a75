import Foundation
import Testing

extension EndToEnd {
    /// Passwords, tokens, consent and the caller's own audit trail against the real server, as a new user would.
    @Suite("Account security")
    struct AccountSecurityEndToEndTests {
        @Test("change the password, forget it, reset it from the emailed link; every session ends")
        func passwords() throws {
            let server = try ServerProcess()
            let (email, password) = ("morgan.lee@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var morgan = AccountClient(server: server)
            _ = try morgan.signIn(email: email, password: password)
            var tablet = AccountClient(server: server)
            _ = try tablet.signIn(email: email, password: password)

            let wrong = try morgan.call(
                "POST", "/api/v1/auth/password/change", ["current_password": "not it at all", "new_password": "a brand new passphrase"])
            #expect(wrong.status == 401)
            let weak = try morgan.call("POST", "/api/v1/auth/password/change", ["current_password": password, "new_password": "password1"])
            #expect(weak.status == 422 && (weak.json["fields"] as? [String: [String]])?["new_password"] != nil)
            let changed = try morgan.call(
                "POST", "/api/v1/auth/password/change", ["current_password": password, "new_password": "a brand new passphrase"])
            #expect(changed.status == 200 && changed.json["revoked"] as? Int == 1, "\(changed.body)")
            #expect(try tablet.call("GET", "/api/v1/auth/session").status == 401, "the other session ended")
            #expect(try morgan.call("GET", "/api/v1/auth/session").status == 200, "this one stays")
            var check = AccountClient(server: server)
            #expect(try check.signIn(email: email, password: password).status == 401)

            // Forgotten: the reply never tells whether the account exists.
            let anonymous = AccountClient(server: server)
            let unknown = try anonymous.call("POST", "/api/v1/auth/password/forgot", ["email": "nobody@gus.pittstate.edu"])
            let known = try anonymous.call("POST", "/api/v1/auth/password/forgot", ["email": email])
            #expect(unknown.status == 202 && known.status == 202 && unknown.body == known.body)
            let token = try #require(try AccountClient.waitForMail(server, path: "/reset-password/", excluding: []))
            #expect(try anonymous.call("POST", "/api/v1/auth/password/reset", ["token": "nope", "new_password": "x"]).status == 404)
            let weakReset = try anonymous.call("POST", "/api/v1/auth/password/reset", ["token": token, "new_password": "password1"])
            #expect(weakReset.status == 422, "the link is not spent by a refused password")
            let reset = try anonymous.call("POST", "/api/v1/auth/password/reset", ["token": token, "new_password": "the third passphrase"])
            #expect(reset.status == 200, "\(reset.body)")
            #expect(
                try anonymous.call("POST", "/api/v1/auth/password/reset", ["token": token, "new_password": "a fourth passphrase"]).status
                    == 404)
            #expect(try morgan.call("GET", "/api/v1/auth/session").status == 401, "a reset ends every session")
            #expect(try check.signIn(email: email, password: "the third passphrase").status == 200)

            let actions = (try check.call("GET", "/api/v1/security/audit-logs").json["logs"] as? [[String: Any]] ?? []).compactMap {
                $0["action"] as? String
            }
            #expect(actions.contains("auth.password_changed") && actions.contains("auth.password_reset"))
            server.stop()
        }

        @Test("personal access tokens: shown once, scoped, kept from account routes, revocable by their owner only")
        func tokens() throws {
            let server = try ServerProcess()
            let password = "correct horse battery staple"
            try AccountClient.registerVerified(server, email: "drew@gus.pittstate.edu", password: password)
            try AccountClient.registerVerified(server, email: "eli@gus.pittstate.edu", password: password, first: "Eli")
            var drew = AccountClient(server: server)
            _ = try drew.signIn(email: "drew@gus.pittstate.edu", password: password)
            var eli = AccountClient(server: server)
            _ = try eli.signIn(email: "eli@gus.pittstate.edu", password: password)

            let refused = try drew.call("POST", "/api/v1/auth/tokens", ["name": "script", "scopes": ["admin", "nonsense"]])
            #expect(refused.status == 422)
            #expect((refused.json["fields"] as? [String: [String]])?["scopes"]?.count == 2)
            #expect(
                try drew.call("POST", "/api/v1/auth/tokens", ["name": "", "scopes": ["profile:read"], "expires_in_days": 400]).status == 422
            )
            let created = try drew.call(
                "POST", "/api/v1/auth/tokens", ["name": "script", "scopes": ["profile:read"], "expires_in_days": 7])
            #expect(created.status == 201, "\(created.body)")
            let secret = try #require(created.json["token"] as? String)
            #expect(secret.hasPrefix("psc_pat_") && secret.count == 51)
            let id = try #require(created.json["id"] as? Int)
            let listed = try drew.call("GET", "/api/v1/auth/tokens").json["items"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed[0]["token"] == nil && listed[0]["prefix"] as? String == String(secret.prefix(12)))

            var script = AccountClient(server: server)
            script.bearer = secret
            let consents = try script.call("GET", "/api/v1/security/consent")
            #expect(consents.status == 200, "profile:read reaches the caller's consents")
            #expect(
                try script.call("POST", "/api/v1/security/consent", ["consent_type": "sms", "granted": true]).status == 403, "scope_missing"
            )
            #expect(try script.call("GET", "/api/v1/auth/session").status == 403, "tokens never reach account routes")
            #expect(try script.call("GET", "/api/v1/auth/tokens").status == 403)
            #expect((try drew.call("GET", "/api/v1/auth/tokens").json["items"] as? [[String: Any]])?.first?["last_used_at"] is String)

            #expect(try eli.call("DELETE", "/api/v1/auth/tokens/\(id)").status == 404, "not Eli's token")
            #expect(try script.call("GET", "/api/v1/security/consent").status == 200)
            let asCookie = try HTTPExchange.send(
                port: server.port, path: "/api/v1/security/consent", headers: ["Cookie": "psc_session=\(secret)"])
            #expect(asCookie.status == 401, "a token's value is no session cookie, cached or not")
            #expect(try drew.call("DELETE", "/api/v1/auth/tokens/\(id)").status == 204)
            let revoked = try script.call("GET", "/api/v1/security/consent")
            #expect(revoked.status == 401 && revoked.json["error"] as? String == "invalid_token")
            script.bearer = "psc_pat_" + String(repeating: "A", count: 43)
            #expect(try script.call("GET", "/api/v1/security/consent").status == 401)
            server.stop()
        }

        @Test("consent: the latest record wins, every change is kept; audit entries are the caller's own")
        func consentAndAudit() throws {
            let server = try ServerProcess()
            let password = "correct horse battery staple"
            try AccountClient.registerVerified(server, email: "fern@gus.pittstate.edu", password: password)
            try AccountClient.registerVerified(server, email: "gale@gus.pittstate.edu", password: password)
            var fern = AccountClient(server: server)
            _ = try fern.signIn(email: "fern@gus.pittstate.edu", password: password)
            var gale = AccountClient(server: server)
            _ = try gale.signIn(email: "gale@gus.pittstate.edu", password: password)

            #expect(try fern.call("POST", "/api/v1/security/consent", ["consent_type": "telepathy", "granted": true]).status == 422)
            #expect(try fern.call("POST", "/api/v1/security/consent", ["consent_type": "sms", "granted": "yes"]).status == 422)
            for (granted, version) in [(true, "1"), (false, "1"), (true, "2")] {
                let reply = try fern.call(
                    "POST", "/api/v1/security/consent", ["consent_type": "marketing_email", "granted": granted, "version": version])
                #expect(reply.status == 201 && reply.json["success"] as? Bool == true)
            }
            let current = try fern.call("GET", "/api/v1/security/consent").json["consents"] as? [String: [String: Any]] ?? [:]
            #expect(current["marketing_email"]?["granted"] as? Bool == true && current["marketing_email"]?["version"] as? String == "2")
            #expect(current["terms"]?["granted"] as? Bool == true, "registration recorded terms")
            let history =
                try fern.call("GET", "/api/v1/security/consent/history?consent_type=marketing_email").json["items"] as? [[String: Any]]
            #expect(history?.count == 3)
            #expect(try fern.call("GET", "/api/v1/security/consent/history?consent_type=x").status == 422)
            #expect((try gale.call("GET", "/api/v1/security/consent").json["consents"] as? [String: Any])?["marketing_email"] == nil)

            let page = try fern.call("GET", "/api/v1/security/audit-logs?limit=2")
            let logs = page.json["logs"] as? [[String: Any]] ?? []
            #expect(logs.count == 2 && page.json["next_cursor"] is String)
            let rest = try fern.call("GET", "/api/v1/security/audit-logs?cursor=\(page.json["next_cursor"] as? String ?? "")")
            let older = rest.json["logs"] as? [[String: Any]] ?? []
            #expect(!older.isEmpty && (older.first?["id"] as? Int ?? 0) < (logs.last?["id"] as? Int ?? 0))
            let all = logs + older
            #expect(
                all.allSatisfy { ($0["actor_user_id"] as? Int) == all.first?["actor_user_id"] as? Int || $0["target_id"] as? String != nil }
            )
            let galeLogs = try gale.call("GET", "/api/v1/security/audit-logs?limit=100").json["logs"] as? [[String: Any]] ?? []
            #expect(!galeLogs.contains { ($0["action"] as? String)?.hasPrefix("consent.") == true }, "Fern's consents are not Gale's")
            // A refusal is recorded once per user, route and minute, however often it is retried.
            for _ in 0..<3 { #expect(try gale.call("POST", "/api/v1/jobs", ["title": "Barista"]).status == 403) }
            let denied = (try gale.call("GET", "/api/v1/security/audit-logs?limit=100").json["logs"] as? [[String: Any]] ?? []).filter {
                $0["action"] as? String == "authz.denied"
            }
            #expect(denied.count == 1 && denied.first?["target_id"] as? String == "POST /api/v1/jobs", "\(denied)")
            #expect(denied.first?["severity"] as? String == "warning")
            #expect(try fern.call("GET", "/api/v1/security/audit-logs?limit=0").status == 422)
            #expect(try fern.call("GET", "/api/v1/security/audit-logs?cursor=garbage").status == 400)
            server.stop()
        }
    }
}
