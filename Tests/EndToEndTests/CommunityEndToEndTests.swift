import Foundation
import Testing

extension EndToEnd {
    /// Profiles, privacy, the directory and connections against the real server, as members would use them.
    @Suite("Profiles and connections")
    struct CommunityEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String, first: String) throws -> AccountClient {
            try AccountClient.registerVerified(server, email: email, password: password, first: first)
            var client = AccountClient(server: server)
            #expect(try client.signIn(email: email, password: password).status == 200)
            #expect(
                try client.call("POST", "/api/v1/security/consent", ["consent_type": "ferpa_directory", "granted": true]).status == 201)
            return client
        }

        func id(_ client: AccountClient) throws -> Int { try client.call("GET", "/api/v1/users/me").json["id"] as? Int ?? 0 }

        func directory(_ client: AccountClient, _ query: String) throws -> [[String: Any]] {
            let reply = try client.call("GET", "/api/v1/directory?\(query)")
            #expect(reply.status == 200, "\(reply.body)")
            return reply.json["items"] as? [[String: Any]] ?? []
        }

        @Test("a field kept for connections never reaches a stranger: not in the profile, not through a directory filter or sort")
        func privacyAcrossEndpoints() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let ada = try member(server, "ada.park@gus.pittstate.edu", first: "Ada")
            let ben = try member(server, "ben.cho@gus.pittstate.edu", first: "Ben")
            let adaID = try id(ada)

            let edited = try ada.call(
                "PATCH", "/api/v1/users/me",
                [
                    "headline": "Lab assistant", "major": "Biology", "graduation_year": 2020, "company": "Acme Labs",
                    "skills": ["PCR", "pcr", "R"],
                    "links": ["github": "https://github.com/ada"],
                ])
            #expect(edited.status == 200, "\(edited.body)")
            #expect(edited.json["skills"] as? [String] == ["PCR", "R"], "duplicates are dropped")
            let privacy = try ada.call(
                "PUT", "/api/v1/users/me/privacy", ["fields": ["graduation_year": "connections", "company": "private"]])
            #expect(privacy.status == 200)
            #expect((privacy.json["privacy"] as? [String: String])?["graduation_year"] == "connections")
            #expect(try ada.call("PUT", "/api/v1/users/me/privacy", ["fields": ["shoe_size": "public"]]).status == 422)
            #expect(try ada.call("PUT", "/api/v1/users/me/privacy", ["fields": ["bio": "friends"]]).status == 422)

            // A stranger sees the members-level fields only.
            var seen = try ben.call("GET", "/api/v1/users/\(adaID)").json
            #expect(seen["major"] as? String == "Biology" && seen["headline"] as? String == "Lab assistant")
            #expect(seen["graduation_year"] is NSNull && seen["company"] is NSNull && seen["email"] is NSNull)
            #expect(seen["privacy"] == nil && seen["connection_status"] as? String == "none")
            #expect(try directory(ben, "major=biology").contains { $0["id"] as? Int == adaID })
            #expect(
                !(try directory(ben, "graduation_year_from=2019").contains { $0["id"] as? Int == adaID }), "no filtering on a hidden field")
            #expect(!(try directory(ben, "company=acme").contains { $0["id"] as? Int == adaID }))
            #expect(!(try directory(ben, "q=acme").contains { $0["id"] as? Int == adaID }))
            let sorted = try directory(ben, "sort=graduation_year")
            #expect(sorted.first { $0["id"] as? Int == adaID }?["graduation_year"] is NSNull)

            // Connected: the connections-level fields appear; private ones never do.
            let request = try ben.call("POST", "/api/v1/connections", ["user_id": adaID, "note": "Lab partners?"])
            #expect(request.status == 201 && request.json["status"] as? String == "pending")
            #expect(try ben.call("POST", "/api/v1/connections", ["user_id": adaID]).status == 409)
            let incoming = try ada.call("GET", "/api/v1/connections?status=pending_in").json["items"] as? [[String: Any]] ?? []
            #expect(incoming.count == 1 && incoming[0]["note"] as? String == "Lab partners?")
            let connectionID = incoming[0]["id"] as? Int ?? 0
            #expect(try ben.call("POST", "/api/v1/connections/\(connectionID)/accept").status == 404, "only the addressee answers")
            #expect(try ada.call("POST", "/api/v1/connections/\(connectionID)/accept").status == 200)
            #expect(try ada.call("POST", "/api/v1/connections/\(connectionID)/accept").status == 409)
            seen = try ben.call("GET", "/api/v1/users/\(adaID)").json
            #expect(seen["graduation_year"] as? Int == 2020 && seen["email"] as? String == "ada.park@gus.pittstate.edu")
            #expect(seen["company"] is NSNull && seen["connection_status"] as? String == "connected")
            #expect(try directory(ben, "graduation_year_from=2019").contains { $0["id"] as? Int == adaID })

            // The owner sees everything, with the privacy levels.
            let own = try ada.call("GET", "/api/v1/users/me").json
            #expect(own["company"] as? String == "Acme Labs" && (own["privacy"] as? [String: String])?["company"] == "private")

            // Leaving the directory or withdrawing FERPA consent takes a member out of it.
            #expect(try ada.call("PUT", "/api/v1/users/me/privacy", ["directory_listed": false]).status == 200)
            #expect(!(try directory(ben, "major=biology").contains { $0["id"] as? Int == adaID }))
            server.stop()
        }

        @Test("requests, declines with a 30-day pause, withdrawals, blocks, suggestions and bad input")
        func connectionsAndBlocks() throws {
            let server = try ServerProcess(environment: ["PSC_RATE_LIMITS_AUTH_1": "none"])
            let cy = try member(server, "cy.diaz@gus.pittstate.edu", first: "Cy")
            let dee = try member(server, "dee.ng@gus.pittstate.edu", first: "Dee")
            let eve = try member(server, "eve.lee@gus.pittstate.edu", first: "Eve")
            let (cyID, deeID, eveID) = (try id(cy), try id(dee), try id(eve))

            #expect(try cy.call("POST", "/api/v1/connections", ["user_id": cyID]).status == 422)
            #expect(try cy.call("POST", "/api/v1/connections", ["user_id": 999_999]).status == 404)
            #expect(try cy.call("POST", "/api/v1/connections", ["user_id": "x"]).status == 422)
            #expect(
                try cy.call("POST", "/api/v1/connections", ["user_id": deeID, "note": String(repeating: "n", count: 301)]).status == 422)

            // Declined: the requester waits 30 days; the one who declined may still ask.
            let asked = try cy.call("POST", "/api/v1/connections", ["user_id": deeID]).json["id"] as? Int ?? 0
            #expect(try dee.call("POST", "/api/v1/connections/\(asked)/decline").status == 200)
            #expect(try cy.call("POST", "/api/v1/connections", ["user_id": deeID]).status == 409)
            #expect((try cy.call("GET", "/api/v1/connections?status=pending_out").json["items"] as? [[String: Any]])?.isEmpty == true)
            let reverse = try dee.call("POST", "/api/v1/connections", ["user_id": cyID])
            #expect(reverse.status == 201)
            // Asking someone who already asked you connects at once.
            let crossed = try cy.call("POST", "/api/v1/connections", ["user_id": deeID])
            #expect(crossed.status == 201 && crossed.json["status"] as? String == "connected")
            #expect((try dee.call("GET", "/api/v1/connections").json["items"] as? [[String: Any]])?.count == 1)

            // Eve, connected to Dee, is suggested to Cy through the mutual connection.
            let eveAsks = try eve.call("POST", "/api/v1/connections", ["user_id": deeID]).json["id"] as? Int ?? 0
            #expect(try dee.call("POST", "/api/v1/connections/\(eveAsks)/accept").status == 200)
            let suggestions = try cy.call("GET", "/api/v1/connections/suggestions").json["items"] as? [[String: Any]] ?? []
            #expect(suggestions.count == 1 && (suggestions[0]["user"] as? [String: Any])?["id"] as? Int == eveID)
            #expect((suggestions[0]["reasons"] as? [String])?.first == "1 mutual connection")
            #expect(try cy.call("GET", "/api/v1/connections/suggestions?limit=0").status == 422)

            // Withdraw and remove: only the two people concerned.
            let pending = try cy.call("POST", "/api/v1/connections", ["user_id": eveID]).json["id"] as? Int ?? 0
            #expect(try dee.call("DELETE", "/api/v1/connections/\(pending)").status == 404)
            #expect(try cy.call("DELETE", "/api/v1/connections/\(pending)").status == 204)

            // A block removes the connection, hides each from the other, and stops requests.
            #expect(try eve.call("POST", "/api/v1/blocks", ["user_id": deeID]).status == 201)
            #expect(try dee.call("GET", "/api/v1/users/\(eveID)").status == 404)
            #expect(try eve.call("GET", "/api/v1/users/\(deeID)").status == 404)
            let refused = try dee.call("POST", "/api/v1/connections", ["user_id": eveID])
            #expect(refused.status == 403 && refused.json["error"] as? String == "blocked")
            #expect(!(try directory(dee, "q=eve").contains { $0["id"] as? Int == eveID }))
            #expect((try eve.call("GET", "/api/v1/blocks").json["items"] as? [[String: Any]])?.count == 1)
            #expect(try eve.call("POST", "/api/v1/blocks", ["user_id": eveID]).status == 422)
            #expect(try eve.call("DELETE", "/api/v1/blocks/\(deeID)").status == 204)
            #expect(try eve.call("DELETE", "/api/v1/blocks/\(deeID)").status == 404)
            #expect(try dee.call("GET", "/api/v1/users/\(eveID)").status == 200)

            // Profile edits: every problem at once; null clears; wrong types are named.
            let bad = try cy.call(
                "PATCH", "/api/v1/users/me",
                [
                    "first_name": "", "graduation_year": 1800, "links": ["github": "http://insecure.example"], "time_zone": "Mars/Base",
                    "department_id": 99_999, "gpa": 4.5, "weekly_report": true, "skills": "not a list",
                ])
            #expect(bad.status == 422)
            let fields = Set((bad.json["fields"] as? [String: Any])?.keys.map { $0 } ?? [])
            #expect(
                fields.isSuperset(of: [
                    "first_name", "graduation_year", "links.github", "time_zone", "department_id", "gpa", "weekly_report", "skills",
                ]))
            #expect(try cy.call("PATCH", "/api/v1/users/me", ["headline": "Hello"]).json["headline"] as? String == "Hello")
            #expect(try cy.call("PATCH", "/api/v1/users/me", ["headline": NSNull()]).json["headline"] is NSNull)
            #expect(try cy.call("PATCH", "/api/v1/users/me", ["gpa": 3.75]).status == 200)
            #expect(try cy.call("GET", "/api/v1/users/abc").status == 404)
            #expect(try AccountClient(server: server).call("GET", "/api/v1/directory").status == 401)
            server.stop()
        }
    }
}
