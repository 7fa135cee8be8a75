import Foundation
import Testing

extension EndToEnd {
    /// Events and RSVPs against the real server: capacity under concurrent RSVPs, the waitlist's order, closing rules.
    @Suite("Events")
    struct EventsEndToEndTests {
        let password = "correct horse battery staple"

        func organiser(_ server: ServerProcess) throws -> AccountClient {
            try AccountClient.registerVerified(server, email: "prof.lane@gus.pittstate.edu", password: password)
            #expect(try server.admin(["user", "set-role", "prof.lane@gus.pittstate.edu", "faculty"]).status == 0)
            var client = AccountClient(server: server)
            #expect(try client.signIn(email: "prof.lane@gus.pittstate.edu", password: password).status == 200)
            return client
        }

        func future(_ hours: Double) -> String {
            let formatter = ISO8601DateFormatter()
            return formatter.string(from: Date().addingTimeInterval(hours * 3600))
        }

        @Test("concurrent RSVPs never exceed capacity; the waitlist is seated in order when a seat frees")
        func capacityAndWaitlist() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none", "PSC_RATE_LIMITS_AUTH_4": "none"])
            let host = try organiser(server)
            let created = try host.call(
                "POST", "/api/v1/events",
                [
                    "title": "Resume workshop", "start_time": future(48), "end_time": future(50), "capacity": 3, "format": "in_person",
                    "kind": "workshop", "location": "Kelce 101",
                ])
            #expect(created.status == 201, "\(created.body)")
            let eventID = created.json["id"] as? Int ?? 0

            var students: [AccountClient] = []
            for index in 0..<8 {
                let email = "student\(index)@gus.pittstate.edu"
                try AccountClient.registerVerified(server, email: email, password: password)
                var client = AccountClient(server: server)
                _ = try client.signIn(email: email, password: password)
                students.append(client)
            }
            let results = ResultBox()
            let credentials = students.map { ($0.cookie ?? "", $0.csrf ?? "") }
            let port = server.port
            DispatchQueue.concurrentPerform(iterations: credentials.count) { index in
                let reply = try? HTTPExchange.send(
                    port: port, method: "PUT", path: "/api/v1/events/\(eventID)/rsvp",
                    headers: ["Cookie": credentials[index].0, "X-CSRF-Token": credentials[index].1])
                results.append(reply?.json["status"] as? String ?? "error \(reply?.status ?? 0)")
            }
            #expect(results.values.filter { $0 == "going" }.count == 3, "\(results.values)")
            #expect(results.values.filter { $0 == "waitlisted" }.count == 5)
            let event = try host.call("GET", "/api/v1/events/\(eventID)").json
            #expect(event["going_count"] as? Int == 3 && event["waitlist_count"] as? Int == 5)
            #expect(try students[0].call("PUT", "/api/v1/events/\(eventID)/rsvp").status == 200, "a repeat answers with the existing RSVP")

            let attendees = try host.call("GET", "/api/v1/events/\(eventID)/attendees").json["items"] as? [[String: Any]] ?? []
            let waiting = attendees.filter { $0["status"] as? String == "waitlisted" }
            #expect(waiting.compactMap { $0["position"] as? Int } == [1, 2, 3, 4, 5])
            let firstInLine = (waiting.first?["user"] as? [String: Any])?["id"] as? Int
            let goingClient = try students.first { client in
                try client.call("GET", "/api/v1/events/\(eventID)").json["my_rsvp"].flatMap { ($0 as? [String: Any])?["status"] as? String }
                    == "going"
            }
            #expect(try goingClient?.call("DELETE", "/api/v1/events/\(eventID)/rsvp").status == 204)
            let after = try host.call("GET", "/api/v1/events/\(eventID)/attendees?status=going").json["items"] as? [[String: Any]] ?? []
            #expect(after.count == 3)
            #expect(after.contains { ($0["user"] as? [String: Any])?["id"] as? Int == firstInLine }, "the first in line got the seat")
            #expect(try students[0].call("GET", "/api/v1/events/\(eventID)/attendees").status == 404, "attendees are for the organiser")

            // A full event without a waitlist refuses; a cancelled one refuses; bad input is named.
            let small = try host.call(
                "POST", "/api/v1/events",
                ["title": "Small talk", "start_time": future(24), "end_time": future(25), "capacity": 1, "waitlist_enabled": false])
            let smallID = small.json["id"] as? Int ?? 0
            #expect(try students[0].call("PUT", "/api/v1/events/\(smallID)/rsvp").status == 201)
            #expect(try students[1].call("PUT", "/api/v1/events/\(smallID)/rsvp").json["error"] as? String == "event_full")
            #expect(
                try host.call("POST", "/api/v1/events/\(smallID)/cancel", ["reason": "Room unavailable"]).json["status"] as? String
                    == "cancelled")
            #expect(try students[2].call("PUT", "/api/v1/events/\(smallID)/rsvp").status == 409)
            #expect(try host.call("POST", "/api/v1/events/\(smallID)/cancel", [:]).status == 409)
            let bad = try host.call(
                "POST", "/api/v1/events",
                [
                    "title": "x", "start_time": "2001-01-01T00:00:00Z", "end_time": "nope", "capacity": 0, "format": NSNull(),
                    "department_id": true, "walk_ins_allowed": "yes", "timezone": "Mars/Olympus",
                ])
            #expect(bad.status == 422)
            let named = Set((bad.json["fields"] as? [String: Any] ?? [:]).keys)
            #expect(
                named.isSuperset(of: ["title", "end_time", "capacity", "format", "department_id", "walk_ins_allowed", "timezone"]),
                "\(named)")
            #expect(
                try students[0].call("POST", "/api/v1/events", ["title": "Party", "start_time": future(5), "end_time": future(6)]).status
                    == 403)
            #expect(try students[0].call("PATCH", "/api/v1/events/\(eventID)", ["title": "Mine now"]).status == 403)
            #expect(
                try AccountClient(server: server).call("GET", "/api/v1/events/\(eventID)").status == 404, "members' events are not public")
            #expect(
                try AccountClient(server: server).call("GET", "/api/v1/events?from=2026-01-01T00:00:00Z&to=2030-01-01T00:00:00Z").status
                    == 400)
            server.stop()
        }
    }
}

/// Collects results from concurrent threads.
final class ResultBox: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [String] = []
    func append(_ value: String) { lock.withLock { items.append(value) } }
    var values: [String] { lock.withLock { items } }
}
