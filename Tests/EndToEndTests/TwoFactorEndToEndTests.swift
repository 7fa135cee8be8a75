import Foundation
import PSCCore
import Testing

extension EndToEnd {
    /// TOTP enrolment and the two-step sign-in against the real server, as a new user would with an authenticator app.
    @Suite("Two-factor")
    struct TwoFactorEndToEndTests {
        @Test("enrol with a QR code, confirm, sign in with a code, replay refused, recovery codes work once, turn it off")
        func totpLifecycle() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_5": "none"])
            let (email, password) = ("riley.ng@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var riley = AccountClient(server: server)
            #expect(try riley.signIn(email: email, password: password).status == 200)

            let status = try riley.call("GET", "/api/v1/security/2fa/status")
            #expect(status.json["enabled"] as? Bool == false)
            #expect(try riley.call("POST", "/api/v1/security/2fa/confirm", ["code": "123456"]).status == 409, "nothing pending")

            let enable = try riley.call("POST", "/api/v1/security/2fa/enable")
            #expect(enable.status == 200, "\(enable.body)")
            let secret = try #require(enable.json["secret"] as? String)
            #expect(secret.count == 32)
            #expect(
                (enable.json["otpauth_uri"] as? String)?.hasPrefix(
                    "otpauth://totp/PittState%20Connect:riley.ng@gus.pittstate.edu?secret=\(secret)") == true)
            let png = try #require((enable.json["qr_code"] as? String).flatMap { Data(base64Encoded: $0) })
            #expect(png.prefix(4) == Data([0x89, 0x50, 0x4E, 0x47]))
            #expect(try riley.call("GET", "/api/v1/security/2fa/status").json["pending_enrolment"] as? Bool == true)
            #expect(try riley.call("POST", "/api/v1/security/2fa/status").status == 405)

            // Until confirmed, a sign-in needs only the password.
            var other = AccountClient(server: server)
            #expect(try other.signIn(email: email, password: password).json["two_factor_required"] == nil)

            let wrong = try riley.call("POST", "/api/v1/security/2fa/confirm", ["code": "000000"])
            #expect(wrong.status == 401 && wrong.json["error"] as? String == "invalid_code")
            #expect(try riley.call("POST", "/api/v1/security/2fa/confirm", ["code": "12ab56"]).status == 422)
            let now = Date()
            let confirmed = try riley.call("POST", "/api/v1/security/2fa/confirm", ["code": AccountClient.totp(secret, at: now)])
            #expect(confirmed.status == 200, "\(confirmed.body)")
            let codes = try #require(confirmed.json["recovery_codes"] as? [String])
            #expect(codes.count == 10 && Set(codes).count == 10)
            #expect(confirmed.json["backup_codes"] as? [String] == codes)
            #expect(try riley.call("POST", "/api/v1/security/2fa/enable").status == 409)

            // Password first, then the second step.
            var phone = AccountClient(server: server)
            let first = try phone.signIn(email: email, password: password)
            #expect(first.status == 200 && first.json["two_factor_required"] as? Bool == true)
            #expect(first.headers["set-cookie"] == nil, "no session before the second step")
            #expect(first.json["methods"] as? [String] == ["totp", "recovery_code"])
            let challenge = try #require(first.json["login_challenge"] as? String)
            let bad = try phone.call("POST", "/api/v1/auth/login/2fa", ["login_challenge": challenge, "code": "999999"])
            #expect(bad.status == 401 && bad.json["error"] as? String == "invalid_code")
            // The step confirmation used is spent; the next step's code (inside the ±1 window) is accepted once.
            let replayed = try phone.call(
                "POST", "/api/v1/auth/login/2fa", ["login_challenge": challenge, "code": AccountClient.totp(secret, at: now)])
            #expect(replayed.status == 401, "the code that confirmed enrolment cannot sign in")
            let next = AccountClient.totp(secret, at: now.addingTimeInterval(30))
            let second = try phone.call("POST", "/api/v1/auth/login/2fa", ["login_challenge": challenge, "code": next])
            #expect(second.status == 200, "\(second.body)")
            phone.adopt(second)
            #expect(try phone.call("GET", "/api/v1/auth/session").json["two_factor_enabled"] as? Bool == true)
            #expect(
                try phone.call("POST", "/api/v1/auth/login/2fa", ["login_challenge": challenge, "code": next]).json["error"] as? String
                    == "challenge_expired", "a challenge completes one sign-in")
            let again = try AccountClient(server: server).call("POST", "/api/v1/auth/login", ["email": email, "password": password])
            let replay = try phone.call(
                "POST", "/api/v1/auth/login/2fa", ["login_challenge": again.json["login_challenge"] as? String ?? "", "code": next])
            #expect(replay.status == 401, "TOTP replay is refused")

            // A recovery code works once, in any spelling.
            let laptop = AccountClient(server: server)
            let withCode = try laptop.call("POST", "/api/v1/auth/login", ["email": email, "password": password])
            let used = try laptop.call(
                "POST", "/api/v1/auth/login/2fa",
                ["login_challenge": withCode.json["login_challenge"] as? String ?? "", "recovery_code": codes[0].lowercased()])
            #expect(used.status == 200, "\(used.body)")
            let reuse = try laptop.call("POST", "/api/v1/auth/login", ["email": email, "password": password])
            let reused = try laptop.call(
                "POST", "/api/v1/auth/login/2fa",
                ["login_challenge": reuse.json["login_challenge"] as? String ?? "", "recovery_code": codes[0]])
            #expect(reused.status == 401)
            #expect(try riley.call("GET", "/api/v1/security/2fa/status").json["recovery_codes_remaining"] as? Int == 9)

            // New recovery codes need a current code; the old set stops working.
            let regenerated = try riley.call("POST", "/api/v1/security/2fa/recovery-codes", ["code": codes[1]])
            #expect(regenerated.status == 200, "\(regenerated.body)")
            #expect((regenerated.json["recovery_codes"] as? [String])?.contains(codes[2]) == false)
            #expect(try riley.call("POST", "/api/v1/security/2fa/verify", ["token": codes[2]]).json["valid"] as? Bool == false)

            // Turning it off needs the password and a code, and signs out the other sessions.
            let newCodes = regenerated.json["recovery_codes"] as? [String] ?? []
            #expect(
                try riley.call("POST", "/api/v1/security/2fa/disable", ["password": "nope nope nope", "code": newCodes[0]]).status == 401)
            let off = try riley.call("POST", "/api/v1/security/2fa/disable", ["password": password, "code": newCodes[0]])
            #expect(off.status == 200 && off.json["enabled"] as? Bool == false, "\(off.body)")
            #expect(try phone.call("GET", "/api/v1/auth/session").status == 401, "other sessions were revoked")
            var fresh = AccountClient(server: server)
            #expect(try fresh.signIn(email: email, password: password).json["two_factor_required"] == nil)

            // Each change was audited and the owner was alerted by email.
            var texts: [String] = []
            for _ in 0..<100 where !texts.contains(where: { $0.contains("turned off") }) {
                texts = try AccountClient.mailedTexts(server)
                usleep(50_000)
            }
            #expect(texts.contains { $0.contains("Two-factor authentication was turned on") })
            #expect(texts.contains { $0.contains("recovery codes was used") })
            #expect(texts.contains { $0.contains("Two-factor authentication was turned off") })
            let audit = try server.admin(["audit", "verify"])
            #expect(audit.status == 0, "\(audit.stderr)")
            server.stop()
        }

        @Test("five wrong codes end a challenge; ten in an hour block code entry for the account and alert its owner")
        func wrongCodeLimits() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_5": "none"])
            let (email, password) = ("avery.diaz@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var avery = AccountClient(server: server)
            _ = try avery.signIn(email: email, password: password)
            let secret = try #require(try avery.call("POST", "/api/v1/security/2fa/enable").json["secret"] as? String)
            #expect(try avery.call("POST", "/api/v1/security/2fa/confirm", ["code": AccountClient.totp(secret)]).status == 200)

            var errors: [String] = []
            for _ in 0..<2 {
                let challenge = try avery.call("POST", "/api/v1/auth/login", ["email": email, "password": password]).json["login_challenge"]
                for _ in 0..<6 {
                    let reply = try avery.call("POST", "/api/v1/auth/login/2fa", ["login_challenge": challenge ?? "", "code": "111111"])
                    errors.append(reply.json["error"] as? String ?? "")
                }
            }
            let spent = ["invalid_code", "invalid_code", "invalid_code", "invalid_code", "challenge_expired", "challenge_expired"]
            let blocked = ["invalid_code", "invalid_code", "invalid_code", "invalid_code", "rate_limited", "rate_limited"]
            #expect(errors == spent + blocked)
            // Blocked means blocked: even the right code waits, on a fresh challenge.
            let challenge = try avery.call("POST", "/api/v1/auth/login", ["email": email, "password": password]).json["login_challenge"]
            let right = try avery.call(
                "POST", "/api/v1/auth/login/2fa",
                ["login_challenge": challenge ?? "", "code": AccountClient.totp(secret, at: Date().addingTimeInterval(30))])
            #expect(right.status == 429 && Int(right.headers["retry-after"] ?? "") ?? 0 > 800)
            var alerted = false
            for _ in 0..<100 where !alerted {
                alerted = try AccountClient.mailedTexts(server).contains { $0.contains("code entry is paused") }
                if !alerted { usleep(50_000) }
            }
            #expect(alerted, "the owner was told by email")
            server.stop()
        }

        @Test("changing second factors needs a recent password check; tokens and other users cannot reach them")
        func recentAuthenticationAndOwnership() throws {
            let server = try ServerProcess()
            let (email, password) = ("quinn.ortiz@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var quinn = AccountClient(server: server)
            _ = try quinn.signIn(email: email, password: password)
            #expect(try quinn.call("POST", "/api/v1/auth/reauthenticate", ["password": "wrong wrong wrong"]).status == 401)
            let recent = try quinn.call("POST", "/api/v1/auth/reauthenticate", ["password": password])
            #expect(recent.status == 200 && recent.json["recent_auth_until"] is String)
            #expect(try quinn.call("POST", "/api/v1/auth/reauthenticate", [:]).status == 422)
            #expect(try AccountClient(server: server).call("GET", "/api/v1/security/2fa/status").status == 401)
            var noCSRF = quinn
            noCSRF.csrf = nil
            #expect(try noCSRF.call("POST", "/api/v1/security/2fa/enable").status == 403)
            server.stop()
        }
    }
}
