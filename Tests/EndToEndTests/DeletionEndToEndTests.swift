import Foundation
import GRDB
import PSCStore
import Testing

extension EndToEnd {
    /// Deleting an account (USR-14 and its purge) and deleting a post leave nothing dangling.
    @Suite("Deletion")
    struct DeletionEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String, role: String? = nil) throws -> AccountClient {
            try AccountClient.member(server, email, password: password, role: role)
        }

        func future(_ hours: Double) -> String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(hours * 3600)) }

        @Test("an account's purge removes what it made and left, keeps every counter true, and promotes the waitlist")
        func accountPurge() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let leaving = try member(server, "lee.leaving@gus.pittstate.edu")
            let staying = try member(server, "sky.staying@gus.pittstate.edu")
            let third = try member(server, "ray.third@gus.pittstate.edu")
            let host = try member(server, "prof.host@gus.pittstate.edu", role: "faculty")
            let leavingID = try #require(leaving.call("GET", "/api/v1/users/me").json["id"] as? Int)
            let stayingID = try #require(staying.call("GET", "/api/v1/users/me").json["id"] as? Int)
            let thirdID = try #require(third.call("GET", "/api/v1/users/me").json["id"] as? Int)

            // Everything a member leaves behind: posts, likes and comments both ways, a connection, a block, an
            // event seat with someone waiting, an avatar, an API token.
            let own = try #require(leaving.call("POST", "/api/v1/posts", ["content": "Leaving soon"]).json["id"] as? Int)
            let theirs = try #require(staying.call("POST", "/api/v1/posts", ["content": "Staying put"]).json["id"] as? Int)
            #expect(try staying.call("PUT", "/api/v1/posts/\(own)/like").status == 200)
            #expect(try staying.call("POST", "/api/v1/posts/\(own)/comments", ["content": "Good luck"]).status == 201)
            #expect(try leaving.call("PUT", "/api/v1/posts/\(theirs)/like").status == 200)
            let comment = try leaving.call("POST", "/api/v1/posts/\(theirs)/comments", ["content": "See you"])
            let commentID = try #require(comment.json["id"] as? Int)
            #expect(
                try staying.call("POST", "/api/v1/posts/\(theirs)/comments", ["content": "Reply", "parent_id": commentID]).status == 201)
            #expect(try staying.call("POST", "/api/v1/reports", ["target_type": "post", "target_id": own, "reason": "spam"]).status == 201)
            let request = try leaving.call("POST", "/api/v1/connections", ["user_id": stayingID])
            #expect(try staying.call("POST", "/api/v1/connections/\(request.json["id"] as? Int ?? 0)/accept").status == 200)
            #expect(try leaving.call("POST", "/api/v1/blocks", ["user_id": thirdID]).status == 201)
            let event = try host.call(
                "POST", "/api/v1/events", ["title": "One seat", "start_time": future(30), "end_time": future(31), "capacity": 1])
            let eventID = try #require(event.json["id"] as? Int)
            #expect(try leaving.call("PUT", "/api/v1/events/\(eventID)/rsvp").json["status"] as? String == "going")
            #expect(try staying.call("PUT", "/api/v1/events/\(eventID)/rsvp").json["status"] as? String == "waitlisted")
            let careers = CareersEndToEndTests()
            #expect(
                try careers.upload(
                    leaving, path: "/api/v1/users/me/avatar", method: "PUT", kind: nil, file: CareersEndToEndTests.pngWithMetadata(),
                    name: "me.png"
                )
                .status == 200)
            #expect(try leaving.call("POST", "/api/v1/auth/reauthenticate", ["password": password]).status == 200)
            #expect(try leaving.call("POST", "/api/v1/auth/tokens", ["name": "script", "scopes": ["content:read"]]).status == 201)

            // The request: the password confirms it, and every session ends at once.
            #expect(try leaving.call("DELETE", "/api/v1/users/me", ["password": "wrong password here"]).status == 401)
            let asked = try leaving.call("DELETE", "/api/v1/users/me", ["password": password])
            #expect(asked.status == 202 && asked.json["purge_after"] is String, "\(asked.body)")
            #expect(try leaving.call("GET", "/api/v1/users/me").status == 401)
            #expect(try AccountClient(server: server).call("DELETE", "/api/v1/users/me", ["password": password]).status == 401)
            #expect(server.stop() == 0)

            // Thirty days on, the purge runs (called directly: the queue would wait a month).
            let store = try Store(path: server.databasePath)
            let due = try store.read { db in
                try String.fetchOne(
                    db, sql: "SELECT run_at FROM jobs WHERE kind = 'account_purge' AND state = 'available' AND unique_key = ?",
                    arguments: ["purge:\(leavingID)"])
            }
            let runAt = try #require(due.flatMap { ISO8601DateFormatter.withFractions.date(from: $0) })
            #expect(abs(runAt.timeIntervalSinceNow - 30 * 86400) < 3600, "due in thirty days")
            let outcome = try AccountPurge(store: store).purge(userID: Int64(leavingID))
            #expect(outcome.posts == 1 && outcome.connections == 1 && outcome.uploads == 1 && outcome.rsvps == 1)

            func count(_ sql: String, _ arguments: StatementArguments = []) throws -> Int {
                try store.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) ?? 0 }
            }
            #expect(try store.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
            for (table, column) in [
                ("posts", "author_id"), ("post_likes", "user_id"), ("connections", "requester_id"), ("connections", "addressee_id"),
                ("blocks", "blocker_id"), ("event_rsvps", "user_id"), ("uploads", "owner_id"), ("sessions", "user_id"),
                ("api_tokens", "user_id"),
            ] {
                #expect(try count("SELECT count(*) FROM \(table) WHERE \(column) = ?", [leavingID]) == 0, "\(table).\(column)")
            }
            #expect(
                try count("SELECT count(*) FROM comments WHERE author_id = ? AND (content <> '' OR deleted_at IS NULL)", [leavingID]) == 0)
            #expect(try count("SELECT count(*) FROM comments WHERE post_id = ?", [theirs]) == 2, "the reply keeps its (emptied) parent")
            #expect(
                try count("SELECT count(*) FROM posts WHERE like_count <> (SELECT count(*) FROM post_likes l WHERE l.post_id = posts.id)")
                    == 0)
            #expect(
                try count(
                    "SELECT count(*) FROM posts WHERE comment_count <> (SELECT count(*) FROM comments c WHERE c.post_id = posts.id AND c.deleted_at IS NULL)"
                ) == 0)
            #expect(
                try count("SELECT count(*) FROM content_reports WHERE status = 'open'") == 0, "the report on the removed post is closed")
            #expect(
                try count("SELECT count(*) FROM event_rsvps WHERE event_id = ? AND user_id = ? AND status = 'going'", [eventID, stayingID])
                    == 1)
            #expect(try count("SELECT going_count FROM events WHERE id = ?", [eventID]) == 1)
            #expect(
                try count(
                    "SELECT count(*) FROM search_index WHERE rowid IN (? + 1099511627776, ? + 2 * 1099511627776)", [leavingID, own]) == 0)
            let row = try #require(
                try store.read { db in try Row.fetchOne(db, sql: "SELECT * FROM users WHERE id = ?", arguments: [leavingID]) })
            #expect(row["status"] as String == "deleted" && row["email"] as String == "deleted-\(leavingID)@invalid")
            #expect((row["password_hash"] as String?) == nil && row["first_name"] as String == "Deleted")
            #expect(try AccountPurge(store: store).purge(userID: Int64(leavingID)) == AccountPurge.Outcome(), "a second run finds nothing")
            try store.close()
            server.removeFiles()
        }

        @Test("signing in during the grace period keeps the account; a deleted post leaves search and the feed")
        func cancelAndPostDeletion() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            var changing = try member(server, "mind.changer@gus.pittstate.edu")
            let post = try #require(
                changing.call("POST", "/api/v1/posts", ["content": "zanzibar marmalade", "visibility": "public"]).json["id"] as? Int)
            #expect(
                try AccountClient(server: server).call("GET", "/api/v1/search?q=zanzibar").json["counts"].flatMap {
                    ($0 as? [String: Any])?["posts"] as? Int
                } == 1)
            #expect(try changing.call("DELETE", "/api/v1/posts/\(post)").status == 204)
            #expect(
                try AccountClient(server: server).call("GET", "/api/v1/search?q=zanzibar").json["counts"].flatMap {
                    ($0 as? [String: Any])?["posts"] as? Int
                } == 0)
            #expect(try changing.call("GET", "/api/v1/posts/\(post)").status == 404)
            #expect(try changing.call("PUT", "/api/v1/posts/\(post)/like").status == 404)
            #expect((try changing.call("GET", "/api/v1/feed").json["items"] as? [Any])?.isEmpty == true)

            #expect(try changing.call("DELETE", "/api/v1/users/me", ["password": password]).status == 202)
            #expect(try changing.signIn(email: "mind.changer@gus.pittstate.edu", password: password).status == 200)
            #expect(server.stop() == 0)
            let store = try Store(path: server.databasePath)
            let states = try store.read { db in try String.fetchAll(db, sql: "SELECT state FROM jobs WHERE kind = 'account_purge'") }
            #expect(states == ["cancelled"])
            let actions = try store.read { db in
                try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE action LIKE 'account.deletion%' ORDER BY id")
            }
            #expect(actions == ["account.deletion_requested", "account.deletion_cancelled"])
            try store.close()
            server.removeFiles()
        }
    }
}

extension ISO8601DateFormatter {
    static var withFractions: ISO8601DateFormatter {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter
    }
}
