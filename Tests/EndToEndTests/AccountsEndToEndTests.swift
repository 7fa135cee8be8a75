import Foundation
import Testing

extension EndToEnd {
    /// Registration to sign-out against the real server, as a new user would: the verification mail is read from
    /// the development mail folder, exactly as written.
    @Suite("Accounts")
    struct AccountsEndToEndTests {
        func post(_ server: ServerProcess, _ path: String, _ body: [String: Any], headers: [String: String] = [:]) throws -> HTTPExchange {
            var all = headers
            all["Content-Type"] = "application/json"
            return try HTTPExchange.send(
                port: server.port, method: "POST", path: path, headers: all, body: try JSONSerialization.data(withJSONObject: body))
        }

        func verificationTokens(_ server: ServerProcess) throws -> Set<String> {
            try AccountClient.mailedTokens(server, path: "/verify-email/")
        }

        @Test("register, verify by the emailed link, sign in, use the session with its CSRF token, sign out")
        func signUpToSignOut() throws {
            let server = try ServerProcess()
            let email = "jordan.lee@gus.pittstate.edu"
            var registration: [String: Any] = [
                "email": email, "password": "correct horse battery staple", "first_name": "Jordan", "last_name": "Lee",
                "accept_terms": true,
            ]

            let weak = try post(server, "/api/v1/auth/register", registration.merging(["password": "password1"]) { $1 })
            #expect(weak.status == 422)
            #expect((weak.json["fields"] as? [String: [String]])?["password"]?.first?.contains("common") == true)
            let outsider = try post(server, "/api/v1/auth/register", registration.merging(["email": "jordan@example.com"]) { $1 })
            #expect(outsider.status == 422, "students register with a campus address")

            let created = try post(server, "/api/v1/auth/register", registration)
            #expect(created.status == 201, "\(created.body)")
            #expect(created.json["status"] as? String == "pending_verification")
            #expect(created.json["verification_sent"] as? Bool == true)
            registration["first_name"] = "Other"
            #expect(try post(server, "/api/v1/auth/register", registration).status == 409)

            var token: String?
            for _ in 0..<200 where token == nil {
                token = try verificationTokens(server).first
                if token == nil { usleep(50_000) }
            }
            var link = try #require(token, "the verification mail was written to DATA_DIR/mail")
            // A pending account may ask for the mail again (AUTH-3); the newer link replaces the older one.
            let early = try post(server, "/api/v1/auth/login", ["email": email, "password": "correct horse battery staple"])
            #expect(early.status == 200)
            let earlyCookie = String((early.headers["set-cookie"] ?? "").prefix { $0 != ";" })
            let earlyCSRF = early.json["csrf_token"] as? String ?? ""
            let resent = try post(
                server, "/api/v1/auth/verify-email/resend", [:], headers: ["Cookie": earlyCookie, "X-CSRF-Token": earlyCSRF])
            #expect(resent.status == 202)
            var newer: String?
            for _ in 0..<200 where newer == nil {
                newer = try verificationTokens(server).subtracting([link]).first
                if newer == nil { usleep(50_000) }
            }
            #expect(try post(server, "/api/v1/auth/verify-email", ["token": link]).status == 404, "the older link stopped working")
            link = try #require(newer)
            #expect(try post(server, "/api/v1/auth/verify-email", ["token": "not-a-token"]).status == 404)
            let verified = try post(server, "/api/v1/auth/verify-email", ["token": link])
            #expect(verified.status == 200)
            #expect(verified.json["status"] as? String == "active")
            #expect(try post(server, "/api/v1/auth/verify-email", ["token": link]).status == 404, "a link works once")
            let again = try post(
                server, "/api/v1/auth/verify-email/resend", [:], headers: ["Cookie": earlyCookie, "X-CSRF-Token": earlyCSRF])
            #expect(again.status == 409, "already verified")

            let wrong = try post(server, "/api/v1/auth/login", ["email": email, "password": "not the password"])
            #expect(wrong.status == 401)
            let unknown = try post(server, "/api/v1/auth/login", ["email": "nobody@gus.pittstate.edu", "password": "whatever it is"])
            #expect(unknown.status == 401)
            #expect(unknown.json["error"] as? String == wrong.json["error"] as? String, "an unknown email looks the same")

            let signedIn = try post(
                server, "/api/v1/auth/login", ["email": email.uppercased(), "password": "correct horse battery staple"])
            #expect(signedIn.status == 200, "\(signedIn.body)")
            let cookie = try #require(signedIn.headers["set-cookie"])
            #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.hasPrefix("psc_session="))
            let session = String(cookie.prefix { $0 != ";" })
            let csrf = try #require(signedIn.json["csrf_token"] as? String)
            #expect((signedIn.json["user"] as? [String: Any])?["email"] as? String == email)

            let current = try HTTPExchange.send(port: server.port, path: "/api/v1/auth/session", headers: ["Cookie": session])
            #expect(current.status == 200)
            #expect(current.json["csrf_token"] as? String == csrf)
            #expect(try HTTPExchange.send(port: server.port, path: "/api/v1/auth/session").status == 401)

            let list = try HTTPExchange.send(port: server.port, path: "/api/v1/auth/sessions", headers: ["Cookie": session])
            #expect((list.json["items"] as? [[String: Any]])?.count == 2, "the early session and this one")
            let others = try post(
                server, "/api/v1/auth/sessions/revoke-others", [:], headers: ["Cookie": session, "X-CSRF-Token": csrf])
            #expect(others.json["revoked"] as? Int == 1)
            #expect(try HTTPExchange.send(port: server.port, path: "/api/v1/auth/session", headers: ["Cookie": earlyCookie]).status == 401)

            // Unsafe requests with the cookie need the CSRF token, and never come from another site.
            #expect(try post(server, "/api/v1/auth/logout", [:], headers: ["Cookie": session]).status == 403)
            let foreign = try post(
                server, "/api/v1/auth/logout", [:], headers: ["Cookie": session, "X-CSRF-Token": csrf, "Origin": "https://evil.example"])
            #expect(foreign.status == 403)
            let out = try post(server, "/api/v1/auth/logout", [:], headers: ["Cookie": session, "X-CSRF-Token": csrf])
            #expect(out.status == 204)
            let after = try HTTPExchange.send(port: server.port, path: "/api/v1/auth/session", headers: ["Cookie": session])
            #expect(after.status == 401, "a revoked session id gets 401")
            #expect(after.headers["www-authenticate"] == "Bearer realm=\"psc\"")

            let audit = try server.admin(["audit", "verify"])
            #expect(audit.status == 0, "the chain holds every account record: \(audit.stderr)")
            server.stop()
        }

        @Test("five wrong passwords throttle the account to one try a minute, from any address")
        func throttle() throws {
            let server = try ServerProcess()
            let email = "casey.kim@pittstate.edu"
            let created = try post(
                server, "/api/v1/auth/register",
                [
                    "email": email, "password": "a long and private passphrase", "first_name": "Casey", "last_name": "Kim",
                    "accept_terms": true,
                ])
            #expect(created.status == 201)
            for _ in 0..<5 {
                #expect(try post(server, "/api/v1/auth/login", ["email": email, "password": "wrong guess here"]).status == 401)
            }
            let blocked = try post(server, "/api/v1/auth/login", ["email": email, "password": "a long and private passphrase"])
            #expect(blocked.status == 429)
            #expect(Int(blocked.headers["retry-after"] ?? "") ?? 0 > 0)
            server.stop()
        }

        @Test("malformed, wrongly typed, oversized and wrong-owner requests get clear errors and change nothing")
        func badInput() throws {
            // Registration allows 5 an hour per IP; this test registers more than that on purpose.
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            func raw(_ path: String, _ body: String, type: String = "application/json") throws -> HTTPExchange {
                try HTTPExchange.send(
                    port: server.port, method: "POST", path: path, headers: ["Content-Type": type], body: Data(body.utf8))
            }
            #expect(try raw("/api/v1/auth/register", "{not json").status == 400)
            #expect(try raw("/api/v1/auth/register", "[]").status == 400)
            #expect(try raw("/api/v1/auth/register", #"{"email": 5}"#).status == 422)
            #expect(try raw("/api/v1/auth/login", #"{"email": "a@b.c"}"#).status == 422, "a missing password is named")
            #expect(try raw("/api/v1/auth/login", "email=a", type: "application/x-www-form-urlencoded").status == 415)
            let huge = "{\"email\": \"" + String(repeating: "a", count: 2 << 20) + "\"}"
            #expect(try raw("/api/v1/auth/login", huge).status == 413)
            let roleless = try post(
                server, "/api/v1/auth/register",
                [
                    "email": "x@gus.pittstate.edu", "password": "correct horse battery staple", "first_name": "X", "last_name": "Y",
                    "accept_terms": true, "requested_role": "admin",
                ])
            #expect(roleless.status == 422)
            #expect((roleless.json["fields"] as? [String: [String]])?["requested_role"] != nil, "no one registers as an admin")

            // Two people; one cannot revoke the other's session.
            var cookies: [String] = []
            var csrfTokens: [String] = []
            var sessionIDs: [Int] = []
            for name in ["ana", "ben"] {
                let email = "\(name)@gus.pittstate.edu"
                #expect(
                    try post(
                        server, "/api/v1/auth/register",
                        [
                            "email": email, "password": "correct horse battery staple", "first_name": name, "last_name": "Test",
                            "accept_terms": true,
                        ]
                    ).status == 201)
                let signedIn = try post(server, "/api/v1/auth/login", ["email": email, "password": "correct horse battery staple"])
                #expect(signedIn.status == 200, "a pending account may sign in (user~)")
                let cookie = String((signedIn.headers["set-cookie"] ?? "").prefix { $0 != ";" })
                cookies.append(cookie)
                csrfTokens.append(signedIn.json["csrf_token"] as? String ?? "")
                let list = try HTTPExchange.send(port: server.port, path: "/api/v1/auth/sessions", headers: ["Cookie": cookie])
                sessionIDs.append(((list.json["items"] as? [[String: Any]])?.first?["id"] as? Int) ?? 0)
            }
            let stolen = try HTTPExchange.send(
                port: server.port, method: "DELETE", path: "/api/v1/auth/sessions/\(sessionIDs[0])",
                headers: ["Cookie": cookies[1], "X-CSRF-Token": csrfTokens[1]])
            #expect(stolen.status == 404)
            let stillThere = try HTTPExchange.send(port: server.port, path: "/api/v1/auth/session", headers: ["Cookie": cookies[0]])
            #expect(stillThere.status == 200, "the other person's session is untouched")
            let nonsense = try HTTPExchange.send(
                port: server.port, method: "DELETE", path: "/api/v1/auth/sessions/abc",
                headers: ["Cookie": cookies[1], "X-CSRF-Token": csrfTokens[1]])
            #expect(nonsense.status == 404)
            server.stop()
        }
    }
}
