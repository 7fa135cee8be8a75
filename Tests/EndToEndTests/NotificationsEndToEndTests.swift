import Foundation
import Testing

extension EndToEnd {
    /// The in-app notifications the community features send through the notification entry point.
    @Suite("Notifications")
    struct NotificationsEndToEndTests {
        let password = "correct horse battery staple"

        func notices(_ client: AccountClient, _ query: String = "") throws -> [[String: Any]] {
            try client.call("GET", "/api/v1/notifications/list\(query)").json["notifications"] as? [[String: Any]] ?? []
        }

        @Test("connections, comments, event changes and job updates reach the right people, and only their owner reads them")
        func notificationsFlow() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let setup = DeletionEndToEndTests()
            let ana = try setup.member(server, "ana.notice@gus.pittstate.edu")
            let bo = try setup.member(server, "bo.notice@gus.pittstate.edu")
            let host = try setup.member(server, "prof.notice@gus.pittstate.edu", role: "faculty")
            let careers = try setup.member(server, "jobs.notice@pittstate.edu", role: "staff")
            let anaID = try #require(ana.call("GET", "/api/v1/users/me").json["id"] as? Int)
            #expect(try ana.call("PATCH", "/api/v1/users/me", ["skills": ["Swift", "SQL"]]).status == 200)

            let request = try bo.call("POST", "/api/v1/connections", ["user_id": anaID])
            #expect(try notices(ana).first?["type"] as? String == "new_connection")
            #expect(try ana.call("POST", "/api/v1/connections/\(request.json["id"] as? Int ?? 0)/accept").status == 200)
            #expect(try notices(bo).first?["type"] as? String == "connection_accepted")

            let post = try #require(ana.call("POST", "/api/v1/posts", ["content": "Hello"]).json["id"] as? Int)
            #expect(try bo.call("POST", "/api/v1/posts/\(post)/comments", ["content": "Hi!"]).status == 201)
            #expect(try ana.call("POST", "/api/v1/posts/\(post)/comments", ["content": "My own"]).status == 201)
            #expect(try notices(ana, "?category=new_comment").count == 1, "no notice for one's own comment")

            let start = ISO8601DateFormatter().string(from: Date().addingTimeInterval(86400))
            let end = ISO8601DateFormatter().string(from: Date().addingTimeInterval(90000))
            let event = try #require(
                host.call("POST", "/api/v1/events", ["title": "Tiny talk", "start_time": start, "end_time": end, "capacity": 1]).json["id"]
                    as? Int)
            #expect(try bo.call("PUT", "/api/v1/events/\(event)/rsvp").status == 201)
            #expect(try ana.call("PUT", "/api/v1/events/\(event)/rsvp").json["status"] as? String == "waitlisted")
            #expect(try bo.call("DELETE", "/api/v1/events/\(event)/rsvp").status == 204)
            let promoted = try notices(ana, "?category=event_reminder")
            #expect(promoted.first?["link"] as? String == "/events/\(event)", "the first in line is told they have a seat")
            #expect(try host.call("POST", "/api/v1/events/\(event)/cancel", ["reason": "Speaker ill"]).status == 200)
            let cancelled = try notices(ana, "?category=event_cancelled")
            #expect((cancelled.first?["message"] as? String)?.contains("Speaker ill") == true)
            #expect(cancelled.first?["priority"] as? String == "critical")
            #expect(try notices(bo, "?category=event_cancelled").isEmpty, "Bo had left before the cancellation")

            // A posting that asks for Swift reaches Ana, whose skills match; the application flow reports back.
            _ = careers
            #expect(try server.admin(["grant", "add", "jobs.notice@pittstate.edu", "career_services"]).status == 0)
            var office = AccountClient(server: server)
            #expect(try office.signIn(email: "jobs.notice@pittstate.edu", password: password).status == 200)
            let acme = try CareersEndToEndTests().employer(server, "hr@notice-co.example", company: "Notice Co")
            let pending = try acme.call("POST", "/api/v1/jobs", CareersEndToEndTests.posting("iOS Developer Intern"))
            let jobID = try #require(pending.json["id"] as? Int)
            #expect(try notices(ana, "?category=new_job").isEmpty, "nothing until the posting is approved")
            #expect(try office.call("POST", "/api/v1/jobs/\(jobID)/review", ["decision": "approve"]).status == 200)
            #expect(try notices(ana, "?category=new_job").first?["link"] as? String == "/jobs/\(jobID)")
            #expect(try notices(bo, "?category=new_job").isEmpty, "Bo lists no matching skill or major")

            let resume =
                try CareersEndToEndTests().upload(ana, kind: "resume", file: CareersEndToEndTests.pdf, name: "cv.pdf").json["id"] as? Int
                ?? 0
            let application = try #require(
                ana.call("POST", "/api/v1/jobs/\(jobID)/applications", ["resume_upload_id": resume]).json["id"] as? Int)
            #expect(try notices(ana, "?category=application_submitted").count == 1)
            #expect(try acme.call("GET", "/api/v1/job-applications/\(application)").status == 200)
            #expect(try notices(ana, "?category=job_application_viewed").count == 1)
            #expect(try acme.call("PATCH", "/api/v1/job-applications/\(application)", ["status": "interview"]).status == 200)
            #expect((try notices(ana, "?category=application_status").first?["message"] as? String)?.contains("interview") == true)

            // Reading and deleting are the owner's alone.
            let first = try #require(try notices(ana).first?["id"] as? Int)
            #expect(try bo.call("POST", "/api/v1/notifications/\(first)/read").status == 404)
            #expect(try bo.call("DELETE", "/api/v1/notifications/\(first)").status == 404)
            #expect(try ana.call("POST", "/api/v1/notifications/\(first)/read").json["is_read"] as? Bool == true)
            let unread = try ana.call("GET", "/api/v1/notifications/unread-count").json["unread_count"] as? Int ?? -1
            let marked = try ana.call("POST", "/api/v1/notifications/read-all").json["marked"] as? Int ?? -1
            #expect(marked == unread && marked > 0)
            #expect(try ana.call("GET", "/api/v1/notifications/unread-count").json["unread_count"] as? Int == 0)
            #expect(try ana.call("DELETE", "/api/v1/notifications/\(first)").status == 204)
            #expect(try ana.call("GET", "/api/v1/notifications/list?category=bogus").status == 422)
            #expect(try AccountClient(server: server).call("GET", "/api/v1/notifications/list").status == 401)
            server.removeFiles()
        }
    }
}
