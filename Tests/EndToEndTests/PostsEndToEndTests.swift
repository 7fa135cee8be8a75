import Foundation
import Testing

extension EndToEnd {
    /// Posts, the feed, likes, comments and reports against the real server, as members (and a passer-by) would.
    @Suite("Posts and feed")
    struct PostsEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String) throws -> (AccountClient, Int) {
            try AccountClient.registerVerified(server, email: email, password: password)
            var client = AccountClient(server: server)
            #expect(try client.signIn(email: email, password: password).status == 200)
            return (client, try client.call("GET", "/api/v1/users/me").json["id"] as? Int ?? 0)
        }

        func feedIDs(_ client: AccountClient) throws -> [Int] {
            let reply = try client.call("GET", "/api/v1/feed")
            #expect(reply.status == 200, "\(reply.body)")
            return (reply.json["items"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? Int }
        }

        @Test("visibility per relationship in the feed and single posts; likes, comments, edits, deletes, reports, blocks")
        func visibilityAndInteractions() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let (ana, anaID) = try member(server, "ana.post@gus.pittstate.edu")
            let (bo, boID) = try member(server, "bo.post@gus.pittstate.edu")
            let (cal, _) = try member(server, "cal.post@gus.pittstate.edu")
            let (dot, _) = try member(server, "dot.post@gus.pittstate.edu")
            #expect(try ana.call("PATCH", "/api/v1/users/me", ["department_id": 1]).status == 200)
            #expect(try cal.call("PATCH", "/api/v1/users/me", ["department_id": 1]).status == 200)
            let request = try bo.call("POST", "/api/v1/connections", ["user_id": anaID]).json["id"] as? Int ?? 0
            #expect(try ana.call("POST", "/api/v1/connections/\(request)/accept").status == 200)

            // The department set a moment ago is the one the next request sees.
            var ids: [String: Int] = [:]
            for visibility in ["public", "members", "connections", "department"] {
                let created = try ana.call("POST", "/api/v1/posts", ["content": "A \(visibility) **note** <b>", "visibility": visibility])
                #expect(created.status == 201, "\(created.body)")
                #expect((created.json["content_html"] as? String)?.contains("<strong>note</strong> &lt;b&gt;") == true)
                ids[visibility] = created.json["id"] as? Int
            }
            #expect(try ana.call("POST", "/api/v1/posts", ["content": "", "visibility": "public"]).status == 422)
            #expect(try ana.call("POST", "/api/v1/posts", ["content": "x", "visibility": "friends"]).status == 422)
            #expect(
                try bo.call("POST", "/api/v1/posts", ["content": "x", "visibility": "department"]).status == 422, "Bo has no department")

            #expect(Set(try feedIDs(bo)) == Set([ids["public"]!, ids["members"]!, ids["connections"]!]), "a connection's posts")
            #expect(Set(try feedIDs(cal)) == Set([ids["public"]!, ids["department"]!]), "the department's and public posts")
            #expect(try feedIDs(dot) == [ids["public"]!], "a stranger's feed holds public posts only")
            #expect(try dot.call("GET", "/api/v1/posts/\(ids["members"]!)").status == 200)
            #expect(try dot.call("GET", "/api/v1/posts/\(ids["connections"]!)").status == 404)
            #expect(try dot.call("GET", "/api/v1/posts/\(ids["department"]!)").status == 404)
            let passerBy = AccountClient(server: server)
            let open = try passerBy.call("GET", "/api/v1/posts/\(ids["public"]!)")
            #expect(open.status == 200)
            #expect((open.json["author"] as? [String: Any])?["department"] is NSNull, "members-level fields stay hidden from passers-by")
            #expect(try passerBy.call("GET", "/api/v1/posts/\(ids["members"]!)").status == 404)
            #expect(try passerBy.call("GET", "/api/v1/feed").status == 401)

            // Likes are idempotent and counted once.
            for _ in 0..<2 { #expect(try bo.call("PUT", "/api/v1/posts/\(ids["public"]!)/like").json["like_count"] as? Int == 1) }
            #expect(try dot.call("PUT", "/api/v1/posts/\(ids["connections"]!)/like").status == 404)
            #expect(try bo.call("GET", "/api/v1/posts/\(ids["public"]!)").json["liked_by_me"] as? Bool == true)
            #expect(try bo.call("DELETE", "/api/v1/posts/\(ids["public"]!)/like").json["like_count"] as? Int == 0)

            // Comments: only where the post is visible, replies within the same post.
            let comment = try bo.call("POST", "/api/v1/posts/\(ids["connections"]!)/comments", ["content": "Nice"])
            #expect(comment.status == 201, "\(comment.body)")
            let commentID = comment.json["id"] as? Int ?? 0
            #expect(
                try ana.call("POST", "/api/v1/posts/\(ids["connections"]!)/comments", ["content": "Thanks", "parent_id": commentID]).status
                    == 201)
            #expect(
                try ana.call("POST", "/api/v1/posts/\(ids["public"]!)/comments", ["content": "x", "parent_id": commentID]).status == 404)
            #expect(try dot.call("POST", "/api/v1/posts/\(ids["connections"]!)/comments", ["content": "Hi"]).status == 404)
            #expect((try ana.call("GET", "/api/v1/posts/\(ids["connections"]!)/comments").json["items"] as? [[String: Any]])?.count == 2)
            #expect(try ana.call("GET", "/api/v1/posts/\(ids["connections"]!)").json["comment_count"] as? Int == 2)
            #expect(try dot.call("DELETE", "/api/v1/comments/\(commentID)").status == 404)
            #expect(try ana.call("DELETE", "/api/v1/comments/\(commentID)").status == 204, "the post's author may remove comments")

            // Edits and deletes by the author only.
            #expect(try bo.call("PATCH", "/api/v1/posts/\(ids["public"]!)", ["content": "hijacked"]).status == 403)
            let edited = try ana.call("PATCH", "/api/v1/posts/\(ids["public"]!)", ["content": "Edited"])
            #expect(edited.status == 200 && edited.json["content"] as? String == "Edited")
            #expect(try bo.call("DELETE", "/api/v1/posts/\(ids["members"]!)").status == 404)
            #expect(try ana.call("DELETE", "/api/v1/posts/\(ids["members"]!)").status == 204)
            #expect(try bo.call("GET", "/api/v1/posts/\(ids["members"]!)").status == 404)

            // Reports: one open report per person and target.
            let report = ["target_type": "post", "target_id": ids["public"]!, "reason": "spam"] as [String: Any]
            #expect(try dot.call("POST", "/api/v1/reports", report).status == 201)
            #expect(try dot.call("POST", "/api/v1/reports", report).status == 409)
            #expect(try dot.call("POST", "/api/v1/reports", ["target_type": "post", "target_id": 99_999, "reason": "spam"]).status == 404)
            #expect(
                try dot.call("POST", "/api/v1/reports", ["target_type": "post", "target_id": ids["public"]!, "reason": "meh"]).status == 422
            )

            // A block hides posts both ways.
            #expect(try dot.call("POST", "/api/v1/blocks", ["user_id": anaID]).status == 201)
            #expect(try feedIDs(dot).isEmpty)
            #expect(try ana.call("GET", "/api/v1/users/\(boID)/posts").status == 200)

            // A moderator may remove anyone's post, and it is audited.
            #expect(try server.admin(["grant", "add", "cal.post@gus.pittstate.edu", "moderator"]).status == 0)
            var moderator = AccountClient(server: server)
            _ = try moderator.signIn(email: "cal.post@gus.pittstate.edu", password: password)
            // A grant holder must enrol a second factor first.
            let secret = try #require(try moderator.call("POST", "/api/v1/security/2fa/enable").json["secret"] as? String)
            #expect(try moderator.call("POST", "/api/v1/security/2fa/confirm", ["code": AccountClient.totp(secret)]).status == 200)
            #expect(try moderator.call("DELETE", "/api/v1/posts/\(ids["public"]!)").status == 204)
            let tail = try server.admin(["audit", "tail", "50"]).stdout
            #expect(tail.contains("content.moderated"))
            server.stop()
        }
    }
}
