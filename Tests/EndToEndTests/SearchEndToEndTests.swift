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

        @Test("cached search, directory and feed answers are reused, and dropped by any commit that could change them")
        func cachedAnswersNeverStale() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let password = "correct horse battery staple"
            try AccountClient.registerVerified(server, email: "zoe.quill@gus.pittstate.edu", password: password, first: "Zoe")
            var zoe = AccountClient(server: server)
            _ = try zoe.signIn(email: "zoe.quill@gus.pittstate.edu", password: password)
            var yan = try AccountClient.member(server, "yan.moss@gus.pittstate.edu", password: password)
            func postCount(_ client: inout AccountClient) throws -> Int? {
                (try client.call("GET", "/api/v1/search?q=gardening&types=posts").json["counts"] as? [String: Int])?["posts"]
            }
            func feedIDs(_ client: inout AccountClient) throws -> [Int] {
                (try client.call("GET", "/api/v1/feed").json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
            }
            #expect(try postCount(&yan) == 0)
            #expect(try postCount(&yan) == 0)
            #expect(try feedIDs(&yan).isEmpty)
            let metrics = try HTTPExchange.send(port: server.port, path: "/metrics").body
            #expect(
                metrics.contains(#"pittstate_cache_requests_total{namespace="search",result="hit"} 1"#),
                "the repeat was served from the cache")

            // Someone else's new post reaches the next search and feed at once, and so does its deletion.
            let created = try zoe.call("POST", "/api/v1/posts", ["content": "Gardening club meets Friday", "visibility": "public"])
            let postID = created.json["id"] as? Int ?? 0
            #expect(try postCount(&yan) == 1)
            #expect(try feedIDs(&yan) == [postID])
            #expect(try zoe.call("DELETE", "/api/v1/posts/\(postID)").status == 204)
            #expect(try postCount(&yan) == 0)
            #expect(try feedIDs(&yan).isEmpty)

            // A member who joins the directory is listed on the next request; one who hides a field loses it at once.
            #expect((try yan.call("GET", "/api/v1/directory?q=zoe").json["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try zoe.call("POST", "/api/v1/security/consent", ["consent_type": "ferpa_directory", "granted": true]).status == 201)
            #expect(try zoe.call("PATCH", "/api/v1/users/me", ["major": "Horticulture"]).status == 200)
            let listed = try yan.call("GET", "/api/v1/directory?q=zoe").json["items"] as? [[String: Any]] ?? []
            #expect(listed.count == 1 && listed.first?["major"] as? String == "Horticulture", "\(listed)")
            #expect(try zoe.call("PUT", "/api/v1/users/me/privacy", ["fields": ["major": "private"]]).status == 200)
            let hidden = try yan.call("GET", "/api/v1/directory?q=zoe").json["items"] as? [[String: Any]] ?? []
            #expect(hidden.count == 1 && hidden.first?["major"] is NSNull, "\(hidden)")
            server.stop()
        }
    }
}
