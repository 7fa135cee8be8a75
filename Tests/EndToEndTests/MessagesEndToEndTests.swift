import Foundation
import Testing

extension EndToEnd {
    /// Direct messages and the hub's own routes, as members and an admin use them over HTTP.
    @Suite("Messages and the notification hub")
    struct MessagesEndToEndTests {
        let password = "correct horse battery staple"

        func id(_ client: AccountClient) throws -> Int { try #require(client.call("GET", "/api/v1/users/me").json["id"] as? Int) }

        @Test("a conversation: send, reply, read, hide and a new message; blocks, strangers and bad input refused")
        func conversation() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let ana = try AccountClient.member(server, "ana.msg@gus.pittstate.edu", password: password)
            let bo = try AccountClient.member(server, "bo.msg@gus.pittstate.edu", password: password)
            let cy = try AccountClient.member(server, "cy.msg@gus.pittstate.edu", password: password)
            let (anaID, boID) = (try id(ana), try id(bo))

            let sent = try ana.call(
                "POST", "/api/v1/messages/send", ["recipient_id": boID, "subject": "Study group", "body": "Tuesday at 4?"])
            #expect(sent.status == 201, "\(sent.body)")
            let thread = try #require(sent.json["thread_id"] as? Int)
            let notice = try bo.call("GET", "/api/v1/notifications/list?category=new_message").json["notifications"] as? [[String: Any]]
            #expect(notice?.first?["link"] as? String == "/inbox?thread=\(thread)", "the recipient is told through the hub")
            let threads = try bo.call("GET", "/api/v1/messages/threads").json["items"] as? [[String: Any]] ?? []
            #expect(threads.first?["unread_count"] as? Int == 1 && threads.first?["subject"] as? String == "Study group")
            let reply = try bo.call("POST", "/api/v1/messages/threads/\(thread)/reply", ["body": "Works for me."])
            #expect(reply.status == 201 && reply.json["recipient_id"] as? Int == anaID)
            let detail = try ana.call("GET", "/api/v1/messages/threads/\(thread)")
            #expect((detail.json["items"] as? [[String: Any]])?.map { $0["body"] as? String ?? "" } == ["Tuesday at 4?", "Works for me."])
            #expect(try ana.call("POST", "/api/v1/messages/threads/\(thread)/read").json["marked"] as? Int == 1)
            let inbox = try ana.call("GET", "/api/v1/inbox?per_page=5")
            #expect(inbox.status == 200)
            #expect((inbox.json["unread_count"] as? [String: Any])?["messages"] as? Int == 0)
            #expect((inbox.json["messages"] as? [String: Any])?["total"] as? Int == 1)
            let message = try #require((detail.json["items"] as? [[String: Any]])?.last?["id"] as? Int)
            #expect(try bo.call("POST", "/api/v1/messages/\(message)/read").status == 404, "only the recipient marks it read")

            // A stranger sees nothing of it; hiding is per person and a new message brings the thread back.
            for (method, path) in [
                ("GET", "/api/v1/messages/threads/\(thread)"), ("POST", "/api/v1/messages/threads/\(thread)/read"),
                ("DELETE", "/api/v1/messages/threads/\(thread)"),
            ] {
                #expect(try cy.call(method, path).status == 404, "\(method) \(path)")
            }
            #expect(try cy.call("POST", "/api/v1/messages/threads/\(thread)/reply", ["body": "Me too"]).status == 404)
            #expect(try ana.call("DELETE", "/api/v1/messages/threads/\(thread)").status == 204)
            #expect((try ana.call("GET", "/api/v1/messages/threads").json["items"] as? [[String: Any]])?.isEmpty == true)
            #expect(try bo.call("POST", "/api/v1/messages/threads/\(thread)/reply", ["body": "Room 210."]).status == 201)
            let back = try ana.call("GET", "/api/v1/messages/threads/\(thread)").json["items"] as? [[String: Any]]
            #expect(back?.map { $0["body"] as? String ?? "" } == ["Room 210."], "only what came after hiding")

            // Bad input and blocks.
            #expect(try ana.call("POST", "/api/v1/messages/send", ["recipient_id": boID, "body": "No subject"]).status == 422)
            #expect(try ana.call("POST", "/api/v1/messages/send", ["recipient_id": 999_999, "subject": "Hi", "body": "?"]).status == 404)
            #expect(try ana.call("POST", "/api/v1/messages/send", ["recipient_id": boID, "subject": "Hi", "body": ""]).status == 422)
            let long = String(repeating: "a", count: 10_001)
            #expect(try ana.call("POST", "/api/v1/messages/send", ["recipient_id": boID, "subject": "Hi", "body": long]).status == 422)
            #expect(try bo.call("POST", "/api/v1/blocks", ["user_id": anaID]).status == 201)
            let blocked = try ana.call("POST", "/api/v1/messages/threads/\(thread)/reply", ["body": "Hello?"])
            #expect(blocked.status == 403 && blocked.json["error"] as? String == "blocked")
            #expect(
                try ana.call("POST", "/api/v1/messages/send", ["recipient_id": boID, "subject": "Hi", "body": "?"]).json["error"] as? String
                    == "blocked")
        }

        @Test("preferences merge, locked channels refuse, settings validate, devices register once, unsubscribe by the email's link")
        func preferencesAndUnsubscribe() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let ana = try AccountClient.member(server, "ana.pref@gus.pittstate.edu", password: password)
            let bo = try AccountClient.member(server, "bo.pref@gus.pittstate.edu", password: password)
            #expect((try ana.call("GET", "/api/v1/notifications/types").json["types"] as? [Any])?.count == 26)
            #expect(try ana.call("PUT", "/api/v1/notifications/preferences", ["preferences": ["new_post": ["push": false]]]).status == 200)
            let merged = try ana.call("PUT", "/api/v1/notifications/preferences", ["preferences": ["forum_reply": ["email": false]]])
            let matrix = merged.json["preferences"] as? [String: [String: Bool]]
            #expect(
                matrix?["new_post"]?["push"] == false && matrix?["forum_reply"]?["email"] == false && matrix?["new_post"]?["in_app"] == true
            )
            let locked = try ana.call("PUT", "/api/v1/notifications/preferences", ["preferences": ["security_alert": ["email": false]]])
            #expect(locked.status == 422 && (locked.json["fields"] as? [String: Any])?["preferences.security_alert.email"] != nil)
            #expect(try ana.call("PUT", "/api/v1/notifications/preferences", ["preferences": ["nope": ["email": false]]]).status == 422)
            #expect(try ana.call("PUT", "/api/v1/notifications/preferences", ["preferences": ["new_post": ["push": "no"]]]).status == 422)
            let off = try ana.call("POST", "/api/v1/notifications/channel/email/disable")
            #expect((off.json["locked"] as? [String])?.contains("security_alert") == true)
            #expect(try ana.call("POST", "/api/v1/notifications/channel/pigeon/enable").status == 404)
            #expect(try ana.call("POST", "/api/v1/notifications/channel/email/enable").status == 200)

            let settings =
                [
                    "digest": "weekly", "digest_weekday": 5, "quiet_hours": ["enabled": true, "start": "21:30", "end": "06:45"],
                    "time_zone": "America/Denver",
                ] as [String: Any]
            let saved = try ana.call("PUT", "/api/v1/notifications/settings", settings)
            #expect(saved.status == 200 && saved.json["time_zone"] as? String == "America/Denver")
            #expect(try ana.call("GET", "/api/v1/notifications/settings").json["digest"] as? String == "weekly")
            for bad: [String: Any] in [
                ["quiet_hours": ["start": "21:31"]], ["quiet_hours": ["start": "06:45"]], ["digest": "hourly"], ["digest_weekday": 8],
                ["time_zone": "Mars/Olympus"],
            ] {
                #expect(try ana.call("PUT", "/api/v1/notifications/settings", bad).status == 422, "\(bad)")
            }

            let device = ["token": "fcm-token-ana", "platform": "android", "device_name": "Pixel"]
            #expect(try ana.call("POST", "/api/v1/users/me/devices", device).status == 201)
            #expect(try ana.call("POST", "/api/v1/users/me/devices", device).status == 200, "the same token again is not a second device")
            #expect(try bo.call("POST", "/api/v1/users/me/devices", device).status == 409)
            let deviceID = try #require(
                (try ana.call("GET", "/api/v1/users/me/devices").json["items"] as? [[String: Any]])?.first?["id"] as? Int)
            #expect(try bo.call("DELETE", "/api/v1/users/me/devices/\(deviceID)").status == 404)
            #expect(try ana.call("DELETE", "/api/v1/users/me/devices/\(deviceID)").status == 204)

            // A connection request emails Ana with a one-click unsubscribe link for that type only.
            let anaID = try id(ana)
            #expect(try bo.call("POST", "/api/v1/connections", ["user_id": anaID]).status == 201)
            var link: String?
            for _ in 0..<100 where link == nil {
                link = try AccountClient.mailedTexts(server).compactMap { text in
                    text.contains("asked to connect")
                        ? text.components(separatedBy: "\n").first { $0.contains("/notifications/unsubscribe/") } : nil
                }.first
                if link == nil { Thread.sleep(forTimeInterval: 0.1) }
            }
            let line = try #require(link)
            let path = String(line[try #require(line.range(of: "/api/v1/")).lowerBound...]).trimmingCharacters(in: .whitespaces)
            #expect(try AccountClient(server: server).call("GET", path).json["email_enabled"] as? Bool == true)
            let oneClick = try HTTPExchange.send(
                port: server.port, method: "POST", path: path, headers: ["Content-Type": "application/x-www-form-urlencoded"],
                body: Data("List-Unsubscribe=One-Click".utf8))
            #expect(oneClick.status == 200, "\(oneClick.body)")
            let after = try ana.call("GET", "/api/v1/notifications/preferences").json["preferences"] as? [String: [String: Bool]]
            #expect(after?["new_connection"]?["email"] == false && after?["new_message"]?["email"] == true)
            #expect(
                try AccountClient(server: server).call("GET", "/api/v1/notifications/unsubscribe/\(anaID).new_connection.forged").status
                    == 404)

            // Each notification's deliveries are its owner's to read.
            let notification = try #require(
                (try ana.call("GET", "/api/v1/notifications/list?category=new_connection").json["notifications"] as? [[String: Any]])?
                    .first?["id"]
                    as? Int)
            let records = try ana.call("GET", "/api/v1/notifications/\(notification)/deliveries").json["items"] as? [[String: Any]]
            #expect(records?.map { $0["channel"] as? String ?? "" }.sorted() == ["email", "push"])
            #expect(records?.first { $0["channel"] as? String == "push" }?["reason"] as? String == "integration_disabled")
            #expect(try bo.call("GET", "/api/v1/notifications/\(notification)/deliveries").status == 404)
        }

        @Test("an admin sends to one person and broadcasts to an audience, idempotent on its key, with progress and stats")
        func adminSending() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let ana = try AccountClient.member(server, "ana.bcast@gus.pittstate.edu", password: password)
            let admin = try AccountClient.member(server, "ops.bcast@pittstate.edu", password: password, role: "admin")
            let anaID = try id(ana)
            let one = try admin.call(
                "POST", "/api/v1/notifications/send",
                ["user_id": anaID, "notification_type": "system_maintenance", "title": "Maintenance", "message": "Sunday 02:00"])
            #expect(one.status == 201, "\(one.body)")
            #expect((one.json["results"] as? [String: String]) == ["in_app": "stored", "email": "queued"])
            #expect(try ana.call("POST", "/api/v1/notifications/send", ["user_id": anaID]).status == 403)
            #expect(
                try admin.call(
                    "POST", "/api/v1/notifications/send",
                    ["user_id": 999_999, "notification_type": "announcement", "title": "x", "message": "y"]
                ).status == 404)

            let body: [String: Any] = [
                "audience": ["roles": ["student"]], "notification_type": "announcement", "title": "Welcome week",
                "message": "Events all week",
            ]
            let dry = try admin.call("POST", "/api/v1/notifications/broadcast", body.merging(["dry_run": true]) { $1 })
            #expect(dry.status == 200 && dry.json["recipients"] as? Int == 1, "\(dry.body)")
            #expect(try admin.call("POST", "/api/v1/notifications/broadcast", body).status == 422, "the key is required")
            let key = ["Idempotency-Key": "welcome-week-2026"]
            let first = try admin.call("POST", "/api/v1/notifications/broadcast", body, headers: key)
            #expect(first.status == 202 && first.json["recipients"] as? Int == 1)
            let again = try admin.call("POST", "/api/v1/notifications/broadcast", body, headers: key)
            #expect(again.json["broadcast_id"] as? Int == first.json["broadcast_id"] as? Int)
            var changed = body
            changed["title"] = "Another"
            #expect(
                try admin.call("POST", "/api/v1/notifications/broadcast", changed, headers: key).json["error"] as? String
                    == "idempotency_conflict")
            let broadcast = try #require(first.json["broadcast_id"] as? Int)
            var status = ""
            for _ in 0..<100 where status != "done" {
                status = try admin.call("GET", "/api/v1/notifications/broadcasts/\(broadcast)").json["status"] as? String ?? ""
                if status != "done" { Thread.sleep(forTimeInterval: 0.1) }
            }
            #expect(status == "done")
            #expect(try ana.call("GET", "/api/v1/notifications/broadcasts/\(broadcast)").status == 404, "not hers to see")
            #expect((try admin.call("GET", "/api/v1/notifications/broadcasts").json["items"] as? [Any])?.count == 1)
            let bulk = try admin.call(
                "POST", "/api/v1/notifications/send-bulk",
                ["user_ids": [anaID, 999_999], "notification_type": "announcement", "title": "Hi", "message": "There"],
                headers: ["Idempotency-Key": "bulk-hello-1"])
            #expect(bulk.status == 202 && bulk.json["unknown_user_ids"] as? [Int] == [999_999], "\(bulk.body)")
            let stats = try admin.call("GET", "/api/v1/notifications/stats?days=7")
            #expect(stats.status == 200 && (stats.json["by_category"] as? [String: Int])?["system_maintenance"] == 1)
            #expect(try admin.call("GET", "/api/v1/notifications/stats?days=0").status == 422)
            let created = try admin.call("POST", "/api/v1/notifications/create", ["recipient_id": anaID, "message": "In the app only"])
            #expect(created.status == 201)
            let unread = try ana.call("GET", "/api/v1/notifications/unread-count").json["unread_count"] as? Int ?? 0
            #expect(unread >= 3)
        }

        @Test("an employer writes first only to a student who applied to one of its postings; anyone may reply")
        func employerRule() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let careers = CareersEndToEndTests()
            let student = try AccountClient.member(server, "sam.apply@gus.pittstate.edu", password: password)
            let other = try AccountClient.member(server, "olive.other@gus.pittstate.edu", password: password)
            _ = try AccountClient.member(server, "jobs.rule@pittstate.edu", password: password, role: "staff")
            #expect(try server.admin(["grant", "add", "jobs.rule@pittstate.edu", "career_services"]).status == 0)
            var office = AccountClient(server: server)
            #expect(try office.signIn(email: "jobs.rule@pittstate.edu", password: password).status == 200)
            let employer = try careers.employer(server, "hr@rule-co.example", company: "Rule Co")
            let (studentID, otherID) = (try id(student), try id(other))

            let cold = try employer.call(
                "POST", "/api/v1/messages/send", ["recipient_id": studentID, "subject": "Hello", "body": "Interested?"])
            #expect(cold.status == 403 && cold.json["error"] as? String == "forbidden")
            let job = try #require(
                employer.call("POST", "/api/v1/jobs", CareersEndToEndTests.posting("Data Analyst Intern")).json["id"] as? Int)
            #expect(try office.call("POST", "/api/v1/jobs/\(job)/review", ["decision": "approve"]).status == 200)
            let resume = try careers.upload(student, kind: "resume", file: CareersEndToEndTests.pdf, name: "cv.pdf").json["id"] as? Int ?? 0
            #expect(try student.call("POST", "/api/v1/jobs/\(job)/applications", ["resume_upload_id": resume]).status == 201)
            let warm = try employer.call(
                "POST", "/api/v1/messages/send", ["recipient_id": studentID, "subject": "Your application", "body": "Can we talk Tuesday?"])
            #expect(warm.status == 201, "\(warm.body)")
            #expect(
                try employer.call("POST", "/api/v1/messages/send", ["recipient_id": otherID, "subject": "Hi", "body": "?"]).status == 403)
            let thread = try #require(warm.json["thread_id"] as? Int)
            #expect(try student.call("POST", "/api/v1/messages/threads/\(thread)/reply", ["body": "Tuesday works."]).status == 201)
        }
    }
}
