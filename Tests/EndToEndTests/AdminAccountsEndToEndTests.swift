import Foundation
import GRDB
import PSCCore
import Testing

extension EndToEnd {
    /// `psc-admin user|grant|keys|audit` against the real server, as an operator would.
    @Suite("Admin accounts")
    struct AdminAccountsEndToEndTests {
        func json(_ result: CommandResult) -> [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])?["result"] as? [String: Any] ?? [:]
        }

        @Test("create an admin with a setup link; two-factor enrolment comes first; roles, suspension, grants")
        func usersAndGrants() throws {
            let server = try ServerProcess()
            let created = try server.admin(["--json", "user", "create-admin", "--email", "ops@pittstate.edu", "--name", "Pat Ops"])
            #expect(created.status == 0, "\(created.stderr)")
            let link = try #require(json(created)["setup_link"] as? String)
            let token = try #require(link.components(separatedBy: "/setup/").last)
            #expect(try server.admin(["user", "create-admin", "--email", "ops@pittstate.edu", "--name", "Again"]).status != 0)
            #expect(try server.admin(["user", "create-admin", "--email", "x@pittstate.edu"]).status != 0, "the name is required")

            var pat = AccountClient(server: server)
            #expect(try pat.call("POST", "/api/v1/auth/invitations/accept", ["token": token, "password": "password1"]).status == 422)
            let accepted = try pat.call("POST", "/api/v1/auth/invitations/accept", ["token": token, "password": "an operator passphrase"])
            #expect(accepted.status == 200, "\(accepted.body)")
            #expect(accepted.json["enrol_two_factor"] as? Bool == true)
            pat.adopt(accepted)
            #expect(
                try AccountClient(server: server).call(
                    "POST", "/api/v1/auth/invitations/accept", ["token": token, "password": "another passphrase"]
                )
                .status == 404, "a setup link works once")
            // Until a second factor is set up, only enrolment is open to an admin.
            let blocked = try pat.call("GET", "/api/v1/auth/tokens")
            #expect(blocked.status == 403 && blocked.json["error"] as? String == "forbidden")
            #expect(try pat.call("GET", "/api/v1/auth/session").status == 200)
            let secret = try #require(try pat.call("POST", "/api/v1/security/2fa/enable").json["secret"] as? String)
            #expect(try pat.call("POST", "/api/v1/security/2fa/confirm", ["code": AccountClient.totp(secret)]).status == 200)
            #expect(try pat.call("GET", "/api/v1/auth/tokens").status == 200)

            try AccountClient.registerVerified(server, email: "jo.student@gus.pittstate.edu", password: "correct horse battery staple")
            var jo = AccountClient(server: server)
            _ = try jo.signIn(email: "jo.student@gus.pittstate.edu", password: "correct horse battery staple")
            let listed = json(try server.admin(["--json", "user", "list", "student"]))["users"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed[0]["email"] as? String == "jo.student@gus.pittstate.edu")
            #expect((json(try server.admin(["--json", "user", "list"]))["users"] as? [[String: Any]])?.count == 2)
            let shown = json(try server.admin(["--json", "user", "show", "jo.student@gus.pittstate.edu"]))
            #expect(shown["role"] as? String == "student" && shown["live_sessions"] as? Int == 1)
            #expect(try server.admin(["user", "show", "nobody@x.edu"]).status != 0)
            #expect(try server.admin(["user", "set-role", "jo.student@gus.pittstate.edu", "wizard"]).status != 0)

            // A grant ends the grantee's sessions so the new rights come with a new session.
            let granted = try server.admin([
                "--json", "grant", "add", "jo.student@gus.pittstate.edu", "analyst", "--expires", "2099-01-01T00:00:00.000Z",
            ])
            #expect(granted.status == 0, "\(granted.stderr)")
            #expect(try jo.call("GET", "/api/v1/auth/session").status == 401)
            #expect(try server.admin(["grant", "add", "jo.student@gus.pittstate.edu", "analyst"]).status != 0, "already held")
            #expect(try server.admin(["grant", "add", "jo.student@gus.pittstate.edu", "analyst", "--department", "99999"]).status != 0)
            #expect(try server.admin(["grant", "add", "jo.student@gus.pittstate.edu", "janitor"]).status != 0)
            let grants =
                json(try server.admin(["--json", "grant", "list", "jo.student@gus.pittstate.edu"]))["grants"] as? [[String: Any]] ?? []
            #expect(grants.count == 1 && grants[0]["capability"] as? String == "analyst")
            _ = try jo.signIn(email: "jo.student@gus.pittstate.edu", password: "correct horse battery staple")
            let joSession = try jo.call("GET", "/api/v1/auth/session")
            #expect((joSession.json["permissions"] as? [String])?.contains("view_analytics") == true)
            #expect(joSession.json["enrol_two_factor"] as? Bool == true, "a grant holder must enrol too")
            #expect(try server.admin(["grant", "remove", String(grants[0]["id"] as? Int ?? 0)]).status == 0)
            #expect(try server.admin(["grant", "remove", "abc"]).status != 0)

            _ = try jo.signIn(email: "jo.student@gus.pittstate.edu", password: "correct horse battery staple")
            #expect(try server.admin(["user", "suspend", "jo.student@gus.pittstate.edu"]).status == 0)
            #expect(try jo.call("GET", "/api/v1/auth/session").status == 401, "suspension ends sessions at once")
            let suspended = try AccountClient(server: server).call(
                "POST", "/api/v1/auth/login", ["email": "jo.student@gus.pittstate.edu", "password": "correct horse battery staple"])
            #expect(suspended.json["error"] as? String == "account_suspended")
            #expect(try server.admin(["user", "reactivate", "jo.student@gus.pittstate.edu"]).status == 0)
            #expect(try jo.signIn(email: "jo.student@gus.pittstate.edu", password: "correct horse battery staple").status == 200)
            #expect(json(try server.admin(["--json", "user", "revoke-sessions", "jo.student@gus.pittstate.edu"]))["revoked"] as? Int == 1)
            #expect(try server.admin(["user", "set-role", "jo.student@gus.pittstate.edu", "staff"]).status == 0)

            #expect(try server.admin(["user", "suspend", "ops@pittstate.edu"]).status != 0, "the last active admin stays")
            #expect(try server.admin(["user", "set-role", "ops@pittstate.edu", "staff"]).status != 0)
            #expect(try server.admin(["user", "reset-2fa", "ops@pittstate.edu"]).status == 0)
            #expect(try pat.call("GET", "/api/v1/auth/session").status == 401)
            var again = AccountClient(server: server)
            #expect(
                try again.signIn(email: "ops@pittstate.edu", password: "an operator passphrase").json["enrol_two_factor"] as? Bool == true)

            let tail = json(try server.admin(["--json", "audit", "tail", "200"]))["entries"] as? [[String: Any]] ?? []
            let actions = Set(tail.compactMap { $0["action"] as? String })
            for action in [
                "user.role_change", "user.status_change", "grant.added", "grant.removed", "admin.2fa_reset", "admin_socket.command",
            ] {
                #expect(actions.contains(action), "\(action) is audited")
            }
            #expect(try server.admin(["audit", "tail", "0"]).status != 0)
            server.stop()
        }

        @Test("keys rotate re-encrypts the TOTP secrets while the server runs; the old key can then go; a tampered audit row is found")
        func keyRotationAndTamperedAudit() throws {
            let server = try ServerProcess()
            let (email, password) = ("kim.lee@gus.pittstate.edu", "correct horse battery staple")
            try AccountClient.registerVerified(server, email: email, password: password)
            var kim = AccountClient(server: server)
            _ = try kim.signIn(email: email, password: password)
            let secret = try #require(try kim.call("POST", "/api/v1/security/2fa/enable").json["secret"] as? String)
            #expect(try kim.call("POST", "/api/v1/security/2fa/confirm", ["code": AccountClient.totp(secret)]).status == 200)

            let before = json(try server.admin(["--json", "keys", "list"]))
            #expect(before["active"] as? String == "k1")
            #expect(try server.admin(["keys", "remove", "k1"]).status != 0, "the active key stays")
            let rotated = json(try server.admin(["--json", "keys", "rotate"]))
            #expect(rotated["active"] as? String == "k2" && (rotated["reencrypted"] as? Int ?? 0) >= 1)
            let ring = try String(contentsOfFile: server.dataDirectory + "/keyring.json", encoding: .utf8)
            #expect(ring.contains("\"active\":\"k2\""), "the file holds the new active key")
            let keys = json(try server.admin(["--json", "keys", "list"]))["keys"] as? [[String: Any]] ?? []
            #expect(keys.first { $0["id"] as? String == "k1" }?["values"] as? Int == 0)
            #expect(try server.admin(["keys", "remove", "k1"]).status == 0)
            #expect(try server.admin(["keys", "activate", "k9"]).status != 0)

            // The secret still works after rotation, now decrypted with k2.
            let phone = AccountClient(server: server)
            let challenge = try phone.call("POST", "/api/v1/auth/login", ["email": email, "password": password]).json["login_challenge"]
            let second = try phone.call(
                "POST", "/api/v1/auth/login/2fa",
                ["login_challenge": challenge as? String ?? "", "code": AccountClient.totp(secret, at: Date().addingTimeInterval(30))])
            #expect(second.status == 200, "\(second.body)")
            server.stop()

            // Someone edits an audit row behind the server's back: verification names that row.
            let queue = try DatabaseQueue(path: server.databasePath)
            let target = try queue.write { db -> Int64 in
                try db.execute(sql: "DROP TRIGGER audit_log_no_update")
                let id = try Int64.fetchOne(db, sql: "SELECT id FROM audit_log WHERE action = 'security.2fa_enabled'") ?? 0
                try db.execute(sql: "UPDATE audit_log SET severity = 'info' WHERE id = ?", arguments: [id])
                return id
            }
            try queue.close()
            let restarted = try ServerProcess(dataDirectory: server.dataDirectory)
            let verify = try restarted.admin(["audit", "verify"])
            #expect(verify.status != 0)
            #expect((verify.stdout + verify.stderr).contains("id \(target)"), "\(verify.stdout)\(verify.stderr)")
            restarted.stop()
        }
    }
}

extension EndToEnd.AdminAccountsEndToEndTests {
    @Test("a new development database gets one demo account per role, passwords printed once")
    func demoAccounts() throws {
        let server = try ServerProcess(arguments: ["--demo"])
        let log = try String(contentsOfFile: server.logPath, encoding: .utf8)
        #expect(log.contains("these passwords are shown once"))
        var accounts: [String: (String, String)] = [:]
        for line in log.components(separatedBy: "\n") {
            let fields = line.split(separator: " ").map(String.init)
            if fields.count == 3, fields[1].hasPrefix("demo.") { accounts[fields[0]] = (fields[1], fields[2]) }
        }
        #expect(Set(accounts.keys) == ["student", "alumni", "faculty", "staff", "employer", "admin"])
        var student = AccountClient(server: server)
        let (email, password) = try #require(accounts["student"])
        #expect(try student.signIn(email: email, password: password).status == 200)
        #expect(
            try student.call("GET", "/api/v1/auth/session").json["user"].flatMap { ($0 as? [String: Any])?["status"] as? String }
                == "active")
        var admin = AccountClient(server: server)
        let (adminEmail, adminPassword) = try #require(accounts["admin"])
        #expect(try admin.signIn(email: adminEmail, password: adminPassword).json["enrol_two_factor"] as? Bool == true)
        #expect(!FileManager.default.fileExists(atPath: server.dataDirectory + "/mail"), "no password travels by mail")
        server.stop()
        let again = try ServerProcess(dataDirectory: server.dataDirectory, arguments: ["--demo"])
        let second = try String(contentsOfFile: again.logPath, encoding: .utf8)
        #expect(!second.contains("shown once"), "printed once, on the first start only")
        #expect(try again.admin(["user", "list", "demo"]).stdout.components(separatedBy: "demo.").count - 1 == 6)
        again.stop()
    }
}
