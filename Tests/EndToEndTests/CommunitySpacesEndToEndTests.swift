import Foundation
import Testing

extension EndToEnd {
    /// Announcements, forums, webinars and mentorship as members, visitors and their admin use them over HTTP.
    @Suite("Community spaces")
    struct CommunitySpacesEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String, role: String? = nil) throws -> AccountClient {
            try AccountClient.member(server, email, password: password, role: role)
        }

        func id(_ client: AccountClient) throws -> Int { try #require(client.call("GET", "/api/v1/users/me").json["id"] as? Int) }

        func titles(_ exchange: HTTPExchange, key: String = "announcements") -> [String] {
            (exchange.json[key] as? [[String: Any]] ?? []).compactMap { $0["title"] as? String }
        }

        @Test("announcements by role and time, forums by category role, the join link only for registrants, other people's mentorship 404")
        func communitySpaces() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try member(server, "ada.com@pittstate.edu", role: "admin")
            let sam = try member(server, "sam.com@gus.pittstate.edu")
            let kim = try member(server, "kim.com@gus.pittstate.edu")
            let fran = try member(server, "fran.com@pittstate.edu", role: "faculty")
            let alex = try member(server, "alex.com@pittstate.edu", role: "alumni")
            let visitor = AccountClient(server: server)

            // Announcements: anonymous visitors see global ones; roles and schedules hide the rest.
            #expect(
                try admin.call(
                    "POST", "/api/v1/announcements", ["title": "Campus closed Friday", "content": "Snow.", "priority": "urgent"]
                ).status
                    == 201)
            #expect(
                try admin.call(
                    "POST", "/api/v1/announcements", ["title": "Faculty senate", "content": "Room 101.", "audience_roles": ["faculty"]]
                ).status == 201)
            let future = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86_400))
            #expect(
                try admin.call("POST", "/api/v1/announcements", ["title": "Tomorrow's news", "content": "Soon.", "published_at": future])
                    .status
                    == 201)
            let noKey = try admin.call("POST", "/api/v1/announcements", ["title": "Notify all", "content": "x", "notify": true])
            #expect(noKey.status == 422 && noKey.body.contains("Idempotency-Key"), "\(noKey.body)")
            #expect(titles(try visitor.call("GET", "/api/v1/announcements")) == ["Campus closed Friday"])
            #expect(titles(try sam.call("GET", "/api/v1/announcements")) == ["Campus closed Friday"])
            #expect(Set(titles(try fran.call("GET", "/api/v1/announcements"))) == ["Campus closed Friday", "Faculty senate"])
            #expect(titles(try sam.call("GET", "/api/v1/inbox"), key: "announcements") == ["Campus closed Friday"])
            let managed = try admin.call("GET", "/api/v1/announcements?manage=true")
            #expect(titles(managed).count == 3, "the admin manages scheduled ones too")
            #expect(try sam.call("GET", "/api/v1/announcements?manage=true").status == 403)
            #expect(try sam.call("POST", "/api/v1/announcements", ["title": "Mine", "content": "x"]).status == 403)
            let senateID = try #require(
                (managed.json["announcements"] as? [[String: Any]])?.first { $0["title"] as? String == "Faculty senate" }?["id"] as? Int)
            #expect(try sam.call("GET", "/api/v1/announcements/\(senateID)").status == 404)
            #expect(try sam.call("DELETE", "/api/v1/announcements/\(senateID)").status == 404)
            let page = try visitor.call("GET", "/announcements")
            #expect(page.status == 200 && page.body.contains("Campus closed Friday") && !page.body.contains("Faculty senate"))

            // Forums: a faculty-only category is 404 to students; a public thread is readable anonymously.
            #expect(
                try admin.call(
                    "POST", "/api/v1/forums/categories",
                    ["name": "Faculty lounge", "slug": "lounge", "allowed_roles": ["faculty", "staff"]]
                ).status == 201)
            #expect(try admin.call("POST", "/api/v1/forums/categories", ["name": "General", "slug": "general"]).status == 201)
            #expect(try sam.call("POST", "/api/v1/forums/categories", ["name": "Mine", "slug": "mine"]).status == 403)
            #expect(try sam.call("GET", "/api/v1/forums/categories/lounge/threads").status == 404)
            #expect(
                try sam.call("POST", "/api/v1/forums/categories/lounge/threads", ["title": "Sneaking in", "content": "Hello"]).status == 404
            )
            #expect(
                try fran.call("POST", "/api/v1/forums/categories/lounge/threads", ["title": "Capstone rubrics", "content": "Share?"]).status
                    == 201)
            let categories = try sam.call("GET", "/api/v1/forums/categories")
            #expect((categories.json["items"] as? [[String: Any]])?.compactMap { $0["slug"] as? String } == ["general"])
            let thread = try sam.call(
                "POST", "/api/v1/forums/categories/general/threads",
                ["title": "Quiet study rooms?", "content": "Where do you study?", "tags": ["Study"]])
            #expect(thread.status == 201, "\(thread.body)")
            let threadID = try #require(thread.json["id"] as? Int)
            let reply = try alex.call("POST", "/api/v1/forums/threads/\(threadID)/posts", ["content": "Axe Library, second floor."])
            let replyID = try #require(reply.json["id"] as? Int)
            #expect(try kim.call("POST", "/api/v1/forums/threads/\(threadID)/solve", ["post_id": replyID]).status == 403)
            #expect(
                try sam.call("POST", "/api/v1/forums/threads/\(threadID)/solve", ["post_id": replyID]).json["is_solved"] as? Bool == true)
            #expect(try kim.call("PUT", "/api/v1/forums/posts/\(replyID)/vote", ["value": 1]).json["score"] as? Int == 1)
            #expect(try kim.call("PUT", "/api/v1/forums/posts/\(replyID)/vote", ["value": 1]).json["score"] as? Int == 1)
            #expect(try kim.call("PUT", "/api/v1/forums/posts/\(replyID)/vote", ["value": 2]).status == 422)
            #expect(try kim.call("PATCH", "/api/v1/forums/posts/\(replyID)", ["content": "Not mine"]).status == 404)
            #expect(try admin.call("POST", "/api/v1/forums/threads/\(threadID)/moderate", ["action": "lock"]).status == 200)
            let locked = try kim.call("POST", "/api/v1/forums/threads/\(threadID)/posts", ["content": "Too late"])
            #expect(locked.status == 409 && locked.json["error"] as? String == "thread_locked")
            let report = try kim.call("POST", "/api/v1/reports", ["target_type": "forum_post", "target_id": replyID, "reason": "spam"])
            #expect(report.status == 201, "\(report.body)")
            let queue = try admin.call("GET", "/api/v1/admin/reports")
            #expect((queue.json["items"] as? [[String: Any]])?.first?["preview"] as? String == "Axe Library, second floor.")
            #expect(try sam.call("GET", "/api/v1/admin/reports").status == 403)
            let reportID = try #require(report.json["id"] as? Int)
            #expect(try admin.call("POST", "/api/v1/admin/reports/\(reportID)/resolve", ["action": "hide_content"]).status == 200)
            #expect(try admin.call("POST", "/api/v1/admin/reports/\(reportID)/resolve", ["action": "dismiss"]).status == 409)
            let threadPage = try visitor.call("GET", "/forums/t/\(threadID)")
            #expect(threadPage.status == 200 && threadPage.body.contains("Quiet study rooms?") && !threadPage.body.contains("second floor"))
            #expect(try visitor.call("GET", "/forums/lounge").status == 404)
            let found = try sam.call("GET", "/api/v1/search?q=study&types=forum_threads")
            #expect(found.body.contains("Quiet study rooms?"), "\(found.body)")
            #expect(!(try sam.call("GET", "/api/v1/search?q=capstone&types=forum_threads").body.contains("Capstone rubrics")))

            // Webinars: the join link reaches registrants and the host only, in JSON, pages, calendars and search.
            let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(3 * 86_400))
            let secret = "https://zoom.example/j/secret-4471"
            let created = try fran.call(
                "POST", "/api/v1/webinars",
                [
                    "title": "Résumé clinic", "description": "Bring your résumé.", "scheduled_at": start, "meeting_url": secret,
                    "max_participants": 1,
                ])
            #expect(created.status == 201 && created.body.contains(secret), "the host sees the link: \(created.body)")
            let webinar = try #require(created.json["id"] as? Int)
            #expect(try sam.call("POST", "/api/v1/webinars", ["title": "Mine", "scheduled_at": start]).status == 403)
            for path in [
                "/api/v1/webinars/\(webinar)", "/api/v1/webinars", "/webinars/\(webinar)", "/webinars", "/api/v1/webinars/\(webinar)/ics",
                "/api/v1/search?q=clinic", "/search?q=clinic",
            ] {
                let seen = try kim.call("GET", path)
                #expect(seen.status == 200 && !seen.body.contains("secret-4471"), "\(path) leaked the link to a non-registrant")
            }
            #expect(try visitor.call("GET", "/api/v1/webinars/\(webinar)").status == 401)
            #expect(try sam.call("PUT", "/api/v1/webinars/\(webinar)/registration").status == 201)
            #expect(try sam.call("PUT", "/api/v1/webinars/\(webinar)/registration").status == 200)
            #expect(try sam.call("GET", "/api/v1/webinars/\(webinar)").json["meeting_url"] as? String == secret)
            #expect(try sam.call("GET", "/api/v1/webinars/\(webinar)/ics").body.contains("secret-4471"))
            let full = try kim.call("PUT", "/api/v1/webinars/\(webinar)/registration")
            #expect(full.status == 409 && full.json["error"] as? String == "webinar_full")
            #expect(try kim.call("GET", "/api/v1/webinars/\(webinar)/registrations").status == 404)
            let csv = try fran.call("GET", "/api/v1/webinars/\(webinar)/registrations?format=csv")
            #expect(csv.status == 200 && csv.body.hasPrefix("name,role,registered_at,attended\r\n") && csv.body.contains("student"))
            #expect(
                try fran.call("POST", "/api/v1/webinars/\(webinar)/attendance", ["user_ids": [try id(sam)], "attended": true]).status == 409
            )

            // Mentorship: a request only its two people can answer; another member's items are 404.
            #expect(try sam.call("PUT", "/api/v1/mentorship/mentor-profile", ["expertise": ["Nothing"]]).status == 403)
            #expect(
                try alex.call("PUT", "/api/v1/mentorship/mentor-profile", ["expertise": ["Construction", "Interviews"], "max_mentees": 2])
                    .status == 200)
            let alexID = try id(alex)
            let asked = try sam.call(
                "POST", "/api/v1/mentorship/requests", ["mentor_id": alexID, "message": "I would love advice on interviews."])
            #expect(asked.status == 201, "\(asked.body)")
            let requestID = try #require(asked.json["id"] as? Int)
            #expect(
                try sam.call("POST", "/api/v1/mentorship/requests", ["mentor_id": alexID, "message": "Asking twice, just in case."]).status
                    == 409)
            #expect(
                try sam.call("POST", "/api/v1/mentorship/requests", ["mentor_id": try id(sam), "message": "Can I mentor myself please?"])
                    .status == 422)
            #expect(try kim.call("POST", "/api/v1/mentorship/requests/\(requestID)/accept", [:]).status == 404)
            #expect(try sam.call("POST", "/api/v1/mentorship/requests/\(requestID)/accept", [:]).status == 403)
            let accepted = try alex.call("POST", "/api/v1/mentorship/requests/\(requestID)/accept", [:])
            let match = try #require(accepted.json["mentorship_id"] as? Int)
            let session = try sam.call(
                "POST", "/api/v1/mentorship/matches/\(match)/sessions", ["scheduled_at": start, "agenda": "Mock interview"])
            let sessionID = try #require(session.json["id"] as? Int)
            #expect(try kim.call("POST", "/api/v1/mentorship/matches/\(match)/sessions", ["scheduled_at": start]).status == 404)
            #expect(try kim.call("PATCH", "/api/v1/mentorship/sessions/\(sessionID)", ["notes": "peek"]).status == 404)
            #expect((try kim.call("GET", "/api/v1/mentorship/sessions").json["items"] as? [Any])?.isEmpty == true)
            #expect(try kim.call("POST", "/api/v1/mentorship/matches/\(match)/end", [:]).status == 404)
            let recommended = try kim.call("GET", "/api/v1/mentors/recommended")
            #expect((recommended.json["items"] as? [[String: Any]])?.count == 1, "alex still has room: \(recommended.body)")
            let mentorshipPage = try sam.call("GET", "/mentorship")
            #expect(mentorshipPage.status == 200 && mentorshipPage.body.contains("Mock interview"))
        }
    }
}
