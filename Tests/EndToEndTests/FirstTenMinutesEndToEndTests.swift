import Foundation
import Testing

extension EndToEnd {
    /// What a new user and an attacker found in their first ten minutes on a fresh instance, each reproduced against
    /// the real server and now refused or answered properly.
    @Suite("First ten minutes")
    struct FirstTenMinutesEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String, first: String, listed: Bool = true) throws -> AccountClient {
            try AccountClient.registerVerified(server, email: email, password: password, first: first)
            var client = AccountClient(server: server)
            #expect(try client.signIn(email: email, password: password).status == 200)
            if listed {
                #expect(
                    try client.call("POST", "/api/v1/security/consent", ["consent_type": "ferpa_directory", "granted": true]).status
                        == 201)
            }
            #expect(try client.call("PUT", "/api/v1/users/me/privacy", ["directory_listed": true]).status == 200)
            return client
        }

        func id(_ client: AccountClient) throws -> Int { try client.call("GET", "/api/v1/users/me").json["id"] as? Int ?? 0 }

        func connect(_ asker: AccountClient, _ answerer: AccountClient) throws {
            let request = try asker.call("POST", "/api/v1/connections", ["user_id": try id(answerer)])
            #expect(request.status == 201, "\(request.body)")
            let pending = try answerer.call("GET", "/api/v1/connections?status=pending_in").json["items"] as? [[String: Any]] ?? []
            let connection = try #require(pending.first?["id"] as? Int)
            #expect(try answerer.call("POST", "/api/v1/connections/\(connection)/accept").status == 200)
        }

        @Test("suggestions for a member with no department or major answer, and list only consenting members; the server stays up")
        func suggestionsWithNullsAndConsent() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            // Ada has no department and no major; her friend Ben knows Cleo, who has both.
            let ada = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            let ben = try member(server, "ben.cho@gus.pittstate.edu", first: "Ben")
            let cleo = try member(server, "cleo.diaz@gus.pittstate.edu", first: "Cleo")
            let departments = try HTTPExchange.send(port: server.port, path: "/api/v1/departments").json["items"] as? [[String: Any]]
            let department = try #require(departments?.first?["id"] as? Int)
            #expect(try cleo.call("PATCH", "/api/v1/users/me", ["department_id": department, "major": "Nursing"]).status == 200)
            try connect(ada, ben)
            try connect(ben, cleo)
            // Dee shares Ada's later major and stays listed, but withdrew the FERPA directory consent.
            let dee = try member(server, "dee.frost@gus.pittstate.edu", first: "Dee", listed: false)
            #expect(try dee.call("PATCH", "/api/v1/users/me", ["major": "Nursing"]).status == 200)
            #expect(
                try dee.call("POST", "/api/v1/security/consent", ["consent_type": "ferpa_directory", "granted": false]).status == 201)
            // Listing oneself on the privacy route is the consent too, and both choices are in the member's audit trail.
            let actions = (try dee.call("GET", "/api/v1/security/audit-logs").json["logs"] as? [[String: Any]] ?? []).compactMap {
                $0["action"] as? String
            }
            #expect(actions.contains("consent.granted") && actions.contains("consent.revoked"), "\(actions)")

            // The NULL department and major used to trap the whole process here.
            let suggestions = try ada.call("GET", "/api/v1/connections/suggestions")
            #expect(suggestions.status == 200, "\(suggestions.body)")
            let names = (suggestions.json["items"] as? [[String: Any]] ?? []).compactMap {
                ($0["user"] as? [String: Any])?["display_name"] as? String
            }
            #expect(names.contains { $0.hasPrefix("Cleo") })
            #expect(try ada.call("GET", "/connections").status == 200)
            #expect(try ada.call("GET", "/feed").status == 200)
            // An error page is drawn for the member who is signed in, not as if they were signed out.
            let missing = try ada.call("GET", "/no-such-page")
            #expect(
                missing.status == 404 && missing.body.contains("Ada<span class=\"visually-hidden\">: account menu")
                    && missing.body.contains("action=\"/logout\"") && !missing.body.contains("href=\"/login\">Sign in"))

            // A major shared with a member who has no department: the same trap through same_major.
            #expect(try ada.call("PATCH", "/api/v1/users/me", ["major": "nursing"]).status == 200)
            let again = try ada.call("GET", "/api/v1/connections/suggestions")
            #expect(again.status == 200)
            #expect(!again.body.contains("Dee"), "a member without the ferpa_directory consent is never suggested")
            #expect(try HTTPExchange.send(port: server.port, path: "/api/v1/health").status == 200)
        }

        @Test("notification routes take notifications scopes, not content scopes")
        func notificationScopes() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            var ada = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            func token(_ scopes: [String]) throws -> AccountClient {
                let created = try ada.call("POST", "/api/v1/auth/tokens", ["name": scopes.joined(), "scopes": scopes])
                #expect(created.status == 201, "\(created.body)")
                var client = AccountClient(server: server)
                client.bearer = created.json["token"] as? String
                return client
            }
            let content = try token(["content:read"])
            let notifications = try token(["notifications:read"])
            #expect(try content.call("GET", "/api/v1/notifications/list").status == 403)
            #expect(try notifications.call("GET", "/api/v1/notifications/list").status == 200)
            #expect(try ada.call("GET", "/api/v1/notifications/list").status == 200)
        }

        @Test("a sign-in's next page must be a plain same-site path: tabs, newlines and backslashes are refused")
        func openRedirect() throws {
            let server = try ServerProcess()
            for next in ["/%09/evil.example", "/%0a/evil.example", "/%5Cevil.example", "//evil.example", "https://evil.example"] {
                let page = try HTTPExchange.send(port: server.port, path: "/login?next=\(next)")
                #expect(page.status == 200)
                #expect(page.body.contains("data-next=\"/feed\""), "\(next) was kept as the next page")
            }
            let fine = try HTTPExchange.send(port: server.port, path: "/login?next=/events%3Fkind%3Dcareer_fair")
            #expect(fine.body.contains("data-next=\"/events?kind=career_fair\""))
        }

        @Test("uploads need a signed-in member; a content token cannot read a résumé; the file keeps its sandbox policy")
        func uploadAccess() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            var ada = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            let careers = CareersEndToEndTests()
            let resume = try careers.upload(ada, kind: "resume", file: CareersEndToEndTests.pdf, name: "cv.pdf")
            #expect(resume.status == 201, "\(resume.body)")
            let resumeID = try #require(resume.json["id"] as? Int)
            let path = "/api/v1/uploads/\(resumeID)"

            #expect(try HTTPExchange.send(port: server.port, path: path).status == 401)
            let own = try ada.call("GET", path)
            #expect(own.status == 200)
            #expect(own.headers["content-security-policy"] == "default-src 'none'; sandbox")
            let created = try ada.call("POST", "/api/v1/auth/tokens", ["name": "reader", "scopes": ["content:read"]])
            var token = AccountClient(server: server)
            token.bearer = created.json["token"] as? String
            #expect(try token.call("GET", path).status == 403)
        }

        @Test("editing or reporting a post one cannot see answers 404, as if it did not exist")
        func invisiblePosts() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let ada = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            let ben = try member(server, "ben.cho@gus.pittstate.edu", first: "Ben")
            let post = try ada.call("POST", "/api/v1/posts", ["content": "For my connections only", "visibility": "connections"])
            #expect(post.status == 201, "\(post.body)")
            let postID = try #require(post.json["id"] as? Int)
            #expect(try ben.call("PATCH", "/api/v1/posts/\(postID)", ["content": "hijacked"]).status == 404)
            #expect(
                try ben.call("POST", "/api/v1/reports", ["target_type": "post", "target_id": postID, "reason": "spam"]).status == 404)
            let visible = try ada.call("POST", "/api/v1/posts", ["content": "Hello campus", "visibility": "members"])
            let visibleID = try #require(visible.json["id"] as? Int)
            #expect(try ben.call("PATCH", "/api/v1/posts/\(visibleID)", ["content": "hijacked"]).status == 403)
            #expect(
                try ben.call("POST", "/api/v1/reports", ["target_type": "post", "target_id": visibleID, "reason": "spam"]).status == 201)
        }

        @Test("the database, its WAL, backups and held mail are readable by the server's user alone, whatever the umask")
        func privateFiles() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            _ = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            #expect(try server.admin(["backup"]).status == 0)
            let manager = FileManager.default
            var checked = 0
            let walker = manager.enumerator(atPath: server.dataDirectory)
            while let name = walker?.nextObject() as? String {
                let path = server.dataDirectory + "/" + name
                let attributes = try manager.attributesOfItem(atPath: path)
                let mode = (attributes[.posixPermissions] as? Int ?? 0o777) & 0o777
                switch attributes[.type] as? FileAttributeType {
                case .typeDirectory?: #expect(mode == 0o700, "\(name) is \(String(mode, radix: 8))")
                case .typeRegular?:
                    #expect(mode == 0o600, "\(name) is \(String(mode, radix: 8))")
                    checked += 1
                default: break
                }
            }
            #expect(checked >= 4, "the database, WAL, a backup and a mail file")
        }
    }
}
