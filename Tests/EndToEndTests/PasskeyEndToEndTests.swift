import Foundation
import Testing

extension EndToEnd {
    /// Passkeys against the real server, with the software authenticator: registration, passwordless sign-in, the
    /// second step after a password, and every refusal the relying-party checks owe.
    @Suite("Passkeys")
    struct PasskeyEndToEndTests {
        struct Site {
            let origin: String
            let rpID = "127.0.0.1"
            init(_ server: ServerProcess) { origin = "http://127.0.0.1:\(server.port)" }
        }

        /// Registers the authenticator for the signed-in client and returns the passkey id.
        func register(_ client: AccountClient, _ authenticator: inout SoftwareAuthenticator, site: Site, format: String = "none") throws
            -> Int
        {
            let options = try client.call("POST", "/api/v1/security/webauthn/register/options", ["device_name": "Laptop"])
            #expect(options.status == 200, "\(options.body)")
            let publicKey = options.json["publicKey"] as? [String: Any] ?? [:]
            let challenge = try #require(publicKey["challenge"] as? String)
            authenticator.userHandle = SoftwareAuthenticator.decode((publicKey["user"] as? [String: Any])?["id"] as? String ?? "")
            let reply = try client.call(
                "POST", "/api/v1/security/webauthn/register",
                [
                    "ceremony_id": options.json["ceremony_id"] as? String ?? "",
                    "credential": authenticator.registration(challenge: challenge, origin: site.origin, rpID: site.rpID, format: format),
                ])
            #expect(reply.status == 201, "\(reply.body)")
            return reply.json["id"] as? Int ?? 0
        }

        func loginOptions(_ client: AccountClient, _ body: [String: Any]) throws -> (ceremony: String, challenge: String) {
            let options = try client.call("POST", "/api/v1/auth/webauthn/login/options", body)
            #expect(options.status == 200, "\(options.body)")
            return (
                options.json["ceremony_id"] as? String ?? "", (options.json["publicKey"] as? [String: Any])?["challenge"] as? String ?? ""
            )
        }

        @Test("register a passkey, sign in without a password; tampered, wrong-origin, wrong-challenge and replayed answers fail")
        func passwordless() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_SEC_10": "none", "PSC_RATE_LIMITS_SEC_9": "none"])
            let site = Site(server)
            let (email, password) = ("blair.fox@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var blair = AccountClient(server: server)
            _ = try blair.signIn(email: email, password: password)

            // Registration refusals: each spends its ceremony.
            var authenticator = SoftwareAuthenticator()
            for (origin, wrongChallenge) in [("https://evil.example", false), (site.origin, true)] {
                let options = try blair.call("POST", "/api/v1/security/webauthn/register/options", [:])
                let challenge = (options.json["publicKey"] as? [String: Any])?["challenge"] as? String ?? ""
                let reply = try blair.call(
                    "POST", "/api/v1/security/webauthn/register",
                    [
                        "ceremony_id": options.json["ceremony_id"] as? String ?? "",
                        "credential": authenticator.registration(
                            challenge: wrongChallenge ? String(challenge.reversed()) : challenge, origin: origin, rpID: site.rpID),
                    ])
                #expect(reply.status == 422, "\(reply.body)")
                #expect((reply.json["message"] as? String)?.contains(wrongChallenge ? "challenge" : "origin") == true, "\(reply.body)")
            }
            #expect(try blair.call("POST", "/api/v1/security/webauthn/register/options", ["device_name": ""]).status == 422)
            let id = try register(blair, &authenticator, site: site)
            #expect(id > 0)
            let listed = try blair.call("GET", "/api/v1/security/webauthn/credentials").json["items"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed[0]["device_name"] as? String == "Laptop" && listed[0]["backed_up"] as? Bool == true)
            #expect(try blair.call("GET", "/api/v1/security/2fa/status").json["passkeys"] as? Int == 1)

            // The same authenticator cannot be registered twice.
            let again = try blair.call("POST", "/api/v1/security/webauthn/register/options", [:])
            #expect(((again.json["publicKey"] as? [String: Any])?["excludeCredentials"] as? [[String: Any]])?.count == 1)
            let duplicate = try blair.call(
                "POST", "/api/v1/security/webauthn/register",
                [
                    "ceremony_id": again.json["ceremony_id"] as? String ?? "",
                    "credential": authenticator.registration(
                        challenge: (again.json["publicKey"] as? [String: Any])?["challenge"] as? String ?? "", origin: site.origin,
                        rpID: site.rpID),
                ])
            #expect(duplicate.status == 409)

            let anonymous = AccountClient(server: server)
            func attempt(_ assertion: [String: Any], ceremony: String) throws -> HTTPExchange {
                try anonymous.call("POST", "/api/v1/auth/webauthn/login", ["ceremony_id": ceremony, "credential": assertion])
            }
            var (ceremony, challenge) = try loginOptions(anonymous, ["email": email])
            #expect(
                try attempt(
                    authenticator.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID, tamper: true), ceremony: ceremony
                ).status == 401)
            (ceremony, challenge) = try loginOptions(anonymous, ["email": email])
            #expect(
                try attempt(
                    authenticator.assertion(challenge: challenge, origin: "https://evil.example", rpID: site.rpID), ceremony: ceremony
                ).status == 401)
            (ceremony, challenge) = try loginOptions(anonymous, ["email": email])
            #expect(
                try attempt(
                    authenticator.assertion(challenge: "AAAA" + challenge.dropFirst(4), origin: site.origin, rpID: site.rpID),
                    ceremony: ceremony
                ).status == 401)
            (ceremony, challenge) = try loginOptions(anonymous, [:])
            #expect(
                try attempt(
                    authenticator.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID, userVerified: false),
                    ceremony: ceremony
                ).status
                    == 401, "a passkey alone must verify the user")

            (ceremony, challenge) = try loginOptions(anonymous, [:])
            let good = authenticator.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID)
            let signedIn = try attempt(good, ceremony: ceremony)
            #expect(signedIn.status == 200, "\(signedIn.body)")
            #expect((signedIn.json["user"] as? [String: Any])?["email"] as? String == email)
            #expect(try attempt(good, ceremony: ceremony).status == 401, "a replayed answer is refused: the challenge was spent")

            // A counter that goes backwards flags the passkey and tells its owner.
            (ceremony, challenge) = try loginOptions(anonymous, [:])
            authenticator.counter -= 1
            let cloned = authenticator.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID, advance: false)
            #expect(try attempt(cloned, ceremony: ceremony).status == 401)
            authenticator.counter += 5
            (ceremony, challenge) = try loginOptions(anonymous, [:])
            #expect(
                try attempt(authenticator.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID), ceremony: ceremony).status
                    == 401, "flagged for good")
            #expect(
                (try blair.call("GET", "/api/v1/security/webauthn/credentials").json["items"] as? [[String: Any]])?.first?["flagged"]
                    as? Bool == true)
            var alerted = false
            for _ in 0..<100 where !alerted {
                alerted = try AccountClient.mailedTexts(server).contains { $0.contains("suggests it was copied") }
                if !alerted { usleep(50_000) }
            }
            #expect(alerted)
            server.stop()
        }

        @Test("a passkey as the second step after a password; Ed25519 and packed self-attestation; rename and remove by the owner only")
        func secondFactorAndManagement() throws {
            let server = try ServerProcess()
            let site = Site(server)
            let password = "correct horse battery staple"
            try AccountClient.registerVerified(server, email: "cam@gus.pittstate.edu", password: password)
            try AccountClient.registerVerified(server, email: "dee@gus.pittstate.edu", password: password)
            var cam = AccountClient(server: server)
            _ = try cam.signIn(email: "cam@gus.pittstate.edu", password: password)
            var dee = AccountClient(server: server)
            _ = try dee.signIn(email: "dee@gus.pittstate.edu", password: password)
            var key = SoftwareAuthenticator(ed25519: true)
            let id = try register(cam, &key, site: site, format: "packed")

            let phone = AccountClient(server: server)
            let first = try phone.call("POST", "/api/v1/auth/login", ["email": "cam@gus.pittstate.edu", "password": password])
            #expect(first.json["methods"] as? [String] == ["webauthn"])
            let loginChallenge = first.json["login_challenge"] as? String ?? ""
            // A ceremony made for the second step cannot sign in on its own.
            var (ceremony, challenge) = try loginOptions(phone, ["login_challenge": loginChallenge])
            let skipped = try phone.call(
                "POST", "/api/v1/auth/webauthn/login",
                ["ceremony_id": ceremony, "credential": key.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID)])
            #expect(skipped.status == 401)
            (ceremony, challenge) = try loginOptions(phone, ["login_challenge": loginChallenge])
            let second = try phone.call(
                "POST", "/api/v1/auth/login/2fa",
                [
                    "login_challenge": loginChallenge,
                    "webauthn": [
                        "ceremony_id": ceremony,
                        "credential": key.assertion(challenge: challenge, origin: site.origin, rpID: site.rpID, userVerified: false),
                    ],
                ])
            #expect(second.status == 200, "\(second.body)")

            // Another user's passkey is not Dee's to rename or remove.
            #expect(try dee.call("PATCH", "/api/v1/security/webauthn/credentials/\(id)", ["device_name": "Mine now"]).status == 404)
            #expect(try dee.call("DELETE", "/api/v1/security/webauthn/credentials/\(id)").status == 404)
            #expect(
                try cam.call("PATCH", "/api/v1/security/webauthn/credentials/\(id)", ["device_name": String(repeating: "x", count: 61)])
                    .status == 422)
            let renamed = try cam.call("PATCH", "/api/v1/security/webauthn/credentials/\(id)", ["device_name": "Phone"])
            #expect(renamed.status == 200 && renamed.json["device_name"] as? String == "Phone")
            #expect(try cam.call("DELETE", "/api/v1/security/webauthn/credentials/\(id)").status == 204)
            #expect(try cam.call("GET", "/api/v1/security/2fa/status").json["enabled"] as? Bool == false)
            let audit = try server.admin(["audit", "verify"])
            #expect(audit.status == 0)
            server.stop()
        }
    }
}
