import Foundation
import Testing

extension EndToEnd {
    @Suite("Search")
    struct SearchEndToEndTests {
        @Test("search finds only what the caller may see, marks matches in escaped snippets, and handles prefixes and phrases")
        func visibilityAware() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let password = "correct horse battery staple"
            try AccountClient.registerVerified(server, email: "zoe.quill@gus.pittstate.edu", password: password, first: "Zoe")
            try AccountClient.registerVerified(server, email: "yan.moss@gus.pittstate.edu", password: password, first: "Yan")
            var zoe = AccountClient(server: server)
            _ = try zoe.signIn(email: "zoe.quill@gus.pittstate.edu", password: password)
            var yan = AccountClient(server: server)
            _ = try yan.signIn(email: "yan.moss@gus.pittstate.edu", password: password)
            #expect(
                try zoe.call("POST", "/api/v1/posts", ["content": "Psychology <b>study</b> group tonight", "visibility": "public"]).status
                    == 201)
            #expect(
                try zoe.call("POST", "/api/v1/posts", ["content": "Secret psychology notes", "visibility": "connections"]).status == 201)

            let found = try yan.call("GET", "/api/v1/search?q=psych*&types=posts")
            #expect(found.status == 200, "\(found.body)")
            let posts = (found.json["results"] as? [String: Any])?["posts"] as? [[String: Any]] ?? []
            #expect(posts.count == 1, "the connections-only post stays hidden")
            let snippet = posts.first?["snippet"] as? String ?? ""
            #expect(snippet.contains("<mark>Psychology</mark>") && snippet.contains("&lt;b&gt;study&lt;/b&gt;"), "\(snippet)")
            #expect((try zoe.call("GET", "/api/v1/search?q=psychology&types=posts").json["counts"] as? [String: Int])?["posts"] == 2)

            // Departments are public; members appear only with directory consent.
            let anonymous = AccountClient(server: server)
            let departments = try anonymous.call("GET", "/api/v1/search?q=%22computer%20information%22")
            #expect(
                ((departments.json["results"] as? [String: Any])?["departments"] as? [[String: Any]])?.isEmpty == false,
                "\(departments.body)")
            #expect(((departments.json["results"] as? [String: Any])?["users"] as? [[String: Any]])?.isEmpty == true)
            #expect((try yan.call("GET", "/api/v1/search?q=zoe&types=users").json["counts"] as? [String: Int])?["users"] == 0)
            #expect(try zoe.call("POST", "/api/v1/security/consent", ["consent_type": "ferpa_directory", "granted": true]).status == 201)
            #expect((try yan.call("GET", "/api/v1/search?q=zoe&types=users").json["counts"] as? [String: Int])?["users"] == 1)

            #expect(try yan.call("GET", "/api/v1/search?q=a").status == 422)
            #expect(try yan.call("GET", "/api/v1/search?q=zoe&types=spaceships").status == 422)
            #expect(try yan.call("GET", "/api/v1/search?q=NOT%20OR%20AND").status == 200, "operators are text, not syntax errors")
            server.stop()
        }
    }
}
