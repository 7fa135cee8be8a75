import Foundation
import Testing

extension EndToEnd {
    /// The scholarship hub as students, a recommender, a committee and an admin use it over HTTP.
    @Suite("Scholarships")
    struct ScholarshipsEndToEndTests {
        let password = "correct horse battery staple"

        func member(_ server: ServerProcess, _ email: String, role: String? = nil) throws -> AccountClient {
            try AccountClient.member(server, email, password: password, role: role)
        }

        func id(_ client: AccountClient) throws -> Int { try #require(client.call("GET", "/api/v1/users/me").json["id"] as? Int) }

        static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

        @Test("match, apply, a letter by its single-use link, submit; a blind committee scores and the chair awards; strangers see nothing")
        func applyReviewAward() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try member(server, "ada.sch@pittstate.edu", role: "admin")
            let ana = try member(server, "ana.sch@gus.pittstate.edu")
            let bo = try member(server, "bo.sch@gus.pittstate.edu")
            _ = try member(server, "fran.sch@pittstate.edu", role: "faculty")
            _ = try member(server, "gil.sch@pittstate.edu", role: "faculty")
            for email in ["fran.sch@pittstate.edu", "gil.sch@pittstate.edu"] {
                let granted = try server.admin(["grant", "add", email, "scholarship_committee"])
                #expect(granted.status == 0, "\(granted.stderr)")
            }
            var fran = AccountClient(server: server)
            #expect(try fran.signIn(email: "fran.sch@pittstate.edu", password: password).status == 200)
            var gil = AccountClient(server: server)
            #expect(try gil.signIn(email: "gil.sch@pittstate.edu", password: password).status == 200)
            let (franID, gilID) = (try id(fran), try id(gil))

            let deadline = ISO8601DateFormatter().string(from: Date().addingTimeInterval(40 * 86400)).prefix(10)
            let created = try admin.call(
                "POST", "/api/v1/scholarships",
                [
                    "title": "Gorilla Engineering Technology Award", "description": "For engineering technology majors.",
                    "amount_cents": 100_000, "award_count": 2, "deadline": String(deadline), "status": "open", "blind_review": true,
                    "tags": ["robotics"], "num_recommendations": 1,
                    "essay_prompts": [["prompt": "Describe a project you are proud of.", "min_words": 3, "max_words": 200]],
                    "questions": [["key": "home_county", "label": "Home county"]],
                    "eligibility": [
                        "groups": [
                            [
                                "name": "ET",
                                "rules": [
                                    ["field": "major", "op": "in", "value": ["Engineering Technology"]],
                                    ["field": "answer:home_county", "op": "in", "value": ["Crawford", "Cherokee"]],
                                ],
                            ]
                        ]
                    ],
                ])
            #expect(created.status == 201, "\(created.body)")
            let scholarship = try #require(created.json["id"] as? Int)
            let other = try #require(
                try admin.call(
                    "POST", "/api/v1/scholarships",
                    [
                        "title": "Prairie Rose Award", "description": "Open to all.", "amount_cents": 50_000, "deadline": String(deadline),
                        "status": "open",
                    ]
                ).json["id"] as? Int)
            let badRules = try admin.call(
                "POST", "/api/v1/scholarships",
                [
                    "title": "Broken", "description": "x", "amount_cents": 1, "deadline": String(deadline),
                    "eligibility": ["groups": [["rules": [["field": "height", "op": "gte", "value": 2]]]]],
                ])
            #expect(badRules.status == 422 && badRules.body.contains("groups[0].rules[0].field"), "\(badRules.body)")
            #expect(
                try bo.call(
                    "POST", "/api/v1/scholarships", ["title": "Mine", "description": "x", "amount_cents": 1, "deadline": String(deadline)]
                ).status == 403)

            // Matching explains every rule and follows the student's own writes at once.
            #expect(try ana.call("PATCH", "/api/v1/users/me", ["major": "Engineering Technology"]).status == 200)
            var match = try ana.call("GET", "/api/v1/scholarships/\(scholarship)/match")
            #expect(match.json["status"] as? String == "needs_info", "\(match.body)")
            #expect(match.json["missing_fields"] as? [String] == ["answer:home_county"])
            #expect(try ana.call("PUT", "/api/v1/users/me/general-application", ["answers": ["home_county": "Crawford"]]).status == 200)
            match = try ana.call("GET", "/api/v1/scholarships/\(scholarship)/match")
            #expect(match.json["status"] as? String == "eligible" && match.json["score"] as? Int == 75, "\(match.body)")
            let mine = try ana.call("GET", "/api/v1/scholarships/matches").json["items"] as? [[String: Any]] ?? []
            let matched = mine.compactMap { ($0["scholarship"] as? [String: Any])?["id"] as? Int }
            #expect(matched.contains(scholarship))
            #expect(try ana.call("PUT", "/api/v1/users/me/general-application", ["answers": ["Bad Key": "x"]]).status == 422)

            // Applying: the general answers are copied, the checklist fills in.
            let started = try ana.call("POST", "/api/v1/scholarships/\(scholarship)/applications")
            #expect(started.status == 201, "\(started.body)")
            let application = try #require(started.json["id"] as? Int)
            #expect((started.json["answers"] as? [String: String])?["home_county"] == "Crawford")
            #expect(try ana.call("POST", "/api/v1/scholarships/\(scholarship)/applications").status == 200, "the same application again")
            #expect(try admin.call("POST", "/api/v1/scholarships/\(scholarship)/applications").status == 403, "admins do not apply")
            for (method, path) in [
                ("GET", "/api/v1/scholarship-applications/\(application)"),
                ("POST", "/api/v1/scholarship-applications/\(application)/submit"),
                ("POST", "/api/v1/scholarship-applications/\(application)/withdraw"),
            ] {
                #expect(try bo.call(method, path).status == 404, "\(method) \(path) by another student")
            }
            #expect(
                try bo.call("PATCH", "/api/v1/scholarship-applications/\(application)", ["answers": ["home_county": "x"]]).status == 404)
            #expect(try fran.call("GET", "/api/v1/scholarship-applications/\(application)").status == 404, "a draft is the student's own")
            let essay = try ana.call(
                "PUT", "/api/v1/scholarship-applications/\(application)/essays/1", ["text": "I built a robot arm for the Kansas fair."])
            #expect(essay.json["done"] as? Bool == true, "\(essay.body)")
            #expect(try ana.call("PUT", "/api/v1/scholarship-applications/\(application)/essays/2", ["text": "x"]).status == 404)
            let early = try ana.call("POST", "/api/v1/scholarship-applications/\(application)/submit")
            #expect(early.status == 422 && (early.json["fields"] as? [String: [String]])?["checklist"] == ["letter:1"], "\(early.body)")
            #expect(
                try ana.call(
                    "POST", "/api/v1/scholarship-applications/\(application)/recommendations",
                    ["recommender_name": "Me", "recommender_email": "ana.sch@gus.pittstate.edu"]
                ).status == 422, "not one's own address")
            let before = try AccountClient.mailedTokens(server, path: "/recommendations/")
            let asked = try ana.call(
                "POST", "/api/v1/scholarship-applications/\(application)/recommendations",
                ["recommender_name": "Dr. Greer", "recommender_email": "greer@example.edu", "relationship": "Professor"])
            #expect(asked.status == 201, "\(asked.body)")

            // The recommender: no account, the emailed link.
            let token = try #require(try AccountClient.waitForMail(server, path: "/recommendations/", excluding: before))
            let anonymous = AccountClient(server: server)
            let request = try anonymous.call("GET", "/api/v1/recommendations/\(token)")
            #expect(request.status == 200 && request.json["student_name"] as? String == "Sam Tester", "\(request.body)")
            #expect(try anonymous.call("GET", "/api/v1/recommendations/\(String(repeating: "x", count: 43))").status == 404)
            let page = try anonymous.call("GET", "/recommendations/\(token)")
            #expect(page.status == 200 && page.body.contains("Upload my letter"))
            func upload(_ data: Data, type: String = "application/pdf") throws -> HTTPExchange {
                let form = CareersEndToEndTests.multipart(
                    ["recommender_name": "Dr. Hadley Greer"], file: ("file", "letter.pdf", type, data))
                return try HTTPExchange.send(
                    port: server.port, method: "POST", path: "/api/v1/recommendations/\(token)",
                    headers: ["Content-Type": form.contentType],
                    body: form.body)
            }
            #expect(try upload(Data("not a pdf".utf8), type: "text/plain").status == 415)
            let received = try upload(Self.pdf)
            #expect(received.status == 201, "\(received.body)")
            #expect(try upload(Self.pdf).status == 409, "the link works once")
            let told =
                try ana.call("GET", "/api/v1/notifications/list?category=application_status").json["notifications"] as? [[String: Any]]
            #expect(told?.first?["title"] as? String == "A recommendation letter arrived")
            let seen = try ana.call("GET", "/api/v1/scholarship-applications/\(application)")
            #expect(!seen.body.contains("letter_url") && seen.json["progress_percentage"] as? Int == 100, "\(seen.body)")
            let submitted = try ana.call("POST", "/api/v1/scholarship-applications/\(application)/submit")
            #expect(submitted.status == 200 && submitted.json["status"] as? String == "submitted", "\(submitted.body)")
            #expect(
                try ana.call("PUT", "/api/v1/scholarship-applications/\(application)/essays/1", ["text": "Changed my mind."]).status == 409)

            // The committee: Fran chairs the blind one; Gil reviews only the other.
            let rubric = try admin.call(
                "PUT", "/api/v1/scholarships/\(scholarship)/rubric",
                [
                    "criteria": [
                        ["key": "merit", "label": "Merit", "max_points": 10, "weight": 60],
                        ["key": "essay", "label": "Essay", "max_points": 5, "weight": 40],
                    ]
                ])
            #expect(rubric.status == 200, "\(rubric.body)")
            #expect(
                try admin.call("PUT", "/api/v1/scholarships/\(scholarship)/reviewers", ["user_ids": [franID], "chair_id": franID]).status
                    == 200)
            #expect(try admin.call("PUT", "/api/v1/scholarships/\(other)/reviewers", ["user_ids": [gilID]]).status == 200)
            #expect(
                try admin.call("PUT", "/api/v1/scholarships/\(other)/reviewers", ["user_ids": [try id(bo)]]).status == 422,
                "a student holds no review_scholarships")
            let assigned = try fran.call("GET", "/api/v1/reviews/assigned").json["items"] as? [[String: Any]] ?? []
            #expect(assigned.compactMap { $0["application_id"] as? Int } == [application])
            #expect((try gil.call("GET", "/api/v1/reviews/assigned").json["items"] as? [Any])?.isEmpty == true)
            let blind = try fran.call("GET", "/api/v1/scholarship-applications/\(application)")
            #expect(blind.status == 200 && blind.json["applicant"] is NSNull, "\(blind.body)")
            for leak in ["Sam", "Tester", "ana.sch", "/profile/"] { #expect(!blind.body.contains(leak), "the blind view shows \(leak)") }
            let letterURL = try #require((blind.json["recommendations"] as? [[String: Any]])?.first?["letter_url"] as? String)
            #expect(try fran.call("GET", letterURL).status == 200, "the committee reads the letter")
            #expect(try ana.call("GET", letterURL).status == 404, "the student never sees the letter")
            #expect(try bo.call("GET", letterURL).status == 404)
            let reviewPage = try fran.call("GET", "/reviews/\(application)")
            #expect(reviewPage.status == 200 && reviewPage.body.contains("reviewed blind"))
            for leak in ["Sam Tester", "ana.sch", "/profile/\(try id(ana))"] {
                #expect(!reviewPage.body.contains(leak), "the review page shows \(leak)")
            }
            let ranking = try fran.call("GET", "/api/v1/scholarships/\(scholarship)/applications")
            #expect(ranking.status == 200 && !ranking.body.contains("Tester"), "\(ranking.body)")
            #expect(try gil.call("GET", "/api/v1/scholarship-applications/\(application)").status == 404, "not on this committee")
            #expect(try gil.call("GET", "/api/v1/scholarships/\(scholarship)/applications").status == 404)
            #expect(
                try gil.call("PUT", "/api/v1/scholarship-applications/\(application)/review", ["scores": ["merit": 5, "essay": 5]]).status
                    == 404)
            #expect(
                try fran.call("PUT", "/api/v1/scholarship-applications/\(application)/review", ["scores": ["merit": 11, "essay": 5]]).status
                    == 422)
            let review = try fran.call(
                "PUT", "/api/v1/scholarship-applications/\(application)/review",
                ["scores": ["merit": 8, "essay": 4], "comment": "Strong."])
            #expect(review.status == 200 && review.json["total"] as? Double == 80.0, "\(review.body)")
            #expect(
                try admin.call(
                    "PUT", "/api/v1/scholarships/\(scholarship)/rubric",
                    ["criteria": [["key": "x", "label": "X", "max_points": 1, "weight": 1]]]
                ).status == 409)

            // The chair decides within the budget; the student accepts.
            #expect(
                try fran.call("POST", "/api/v1/scholarship-applications/\(application)/decision", ["decision": "awarded"]).status == 422,
                "an award names its amount")
            #expect(
                try fran.call(
                    "POST", "/api/v1/scholarship-applications/\(application)/decision",
                    ["decision": "awarded", "awarded_amount_cents": 100_001]
                ).status == 422)
            let decided = try fran.call(
                "POST", "/api/v1/scholarship-applications/\(application)/decision",
                ["decision": "awarded", "awarded_amount_cents": 60_000, "message": "Congratulations!"])
            #expect(decided.status == 200 && decided.json["status"] as? String == "awarded", "\(decided.body)")
            #expect(try ana.call("POST", "/api/v1/scholarship-applications/\(application)/withdraw").status == 409)
            let answer = try ana.call(
                "POST", "/api/v1/scholarship-applications/\(application)/accept-award", ["accept": true, "share_with_donor": true])
            #expect(answer.status == 200 && answer.json["award_accepted"] as? Bool == true)
            #expect(try bo.call("POST", "/api/v1/scholarship-applications/\(application)/accept-award", ["accept": true]).status == 404)
            let tracked = try ana.call("GET", "/api/v1/users/me/scholarship-applications").json["items"] as? [[String: Any]]
            #expect((tracked?.first?["decision"] as? [String: Any])?["awarded_amount_cents"] as? Int == 60_000)

            // Donors see the award, by name only because the recipient agreed.
            #expect(
                try admin.call(
                    "PUT", "/api/v1/scholarships/\(scholarship)/donors",
                    ["donors": [["user_id": try id(bo), "fund_name": "Bo Family Fund"]]]
                ).status == 200)
            let report = try bo.call("GET", "/api/v1/users/me/donor-report").json["items"] as? [[String: Any]]
            let award = (report?.first?["awards"] as? [[String: Any]])?.first
            #expect((award?["recipient"] as? [String: Any])?["first_name"] as? String == "Sam", "\(String(describing: report))")
            #expect((try ana.call("GET", "/api/v1/users/me/donor-report").json["items"] as? [Any])?.isEmpty == true)
        }

        @Test("the catalogue: filters, paging and bad ranges; drafts stay with their managers; rules export and import; rollover dry run")
        func catalogue() throws {
            let server = try ServerProcess(environment: CareersEndToEndTests.environment)
            let admin = try member(server, "ada.cat@pittstate.edu", role: "admin")
            let student = try member(server, "sam.cat@gus.pittstate.edu")
            let soon = ISO8601DateFormatter().string(from: Date().addingTimeInterval(20 * 86400)).prefix(10)
            let later = ISO8601DateFormatter().string(from: Date().addingTimeInterval(90 * 86400)).prefix(10)
            for (title, amount, deadline, status) in [
                ("Hartley Family Merit Award", 250_000, soon, "open"), ("Prairie Rose Nursing Scholarship", 100_000, later, "open"),
                ("Draft Award", 5_000, later, "draft"),
            ] {
                let made = try admin.call(
                    "POST", "/api/v1/scholarships",
                    [
                        "title": title, "description": "Support for Gorillas.", "amount_cents": amount, "deadline": String(deadline),
                        "status": status,
                    ])
                #expect(made.status == 201, "\(made.body)")
            }
            let listed = try student.call("GET", "/api/v1/scholarships?sort=amount").json["items"] as? [[String: Any]] ?? []
            #expect(listed.compactMap { $0["title"] as? String } == ["Hartley Family Merit Award", "Prairie Rose Nursing Scholarship"])
            let cheap = try student.call("GET", "/api/v1/scholarships?max_amount_cents=150000").json["items"] as? [[String: Any]] ?? []
            #expect(cheap.compactMap { $0["amount"] as? String } == ["1000.00"])
            let anonymous = AccountClient(server: server)
            #expect((try anonymous.call("GET", "/api/v1/scholarships?q=nursing").json["items"] as? [Any])?.count == 1)
            #expect(try anonymous.call("GET", "/api/v1/scholarships?min_amount_cents=5&max_amount_cents=1").status == 400)
            #expect(try anonymous.call("GET", "/api/v1/scholarships?deadline_after=2027-13-01").status == 400)
            #expect(try anonymous.call("GET", "/api/v1/scholarships?sort=match").status == 400, "matching needs a member")
            #expect(try anonymous.call("GET", "/api/v1/scholarships/3").status == 404, "a draft is hidden")
            #expect(try student.call("GET", "/api/v1/scholarships/3").status == 404)
            #expect(try admin.call("GET", "/api/v1/scholarships/3").status == 200)
            let page = try anonymous.call("GET", "/scholarships")
            #expect(page.status == 200 && page.body.contains("Hartley Family Merit Award") && !page.body.contains("Draft Award"))
            #expect(try anonymous.call("GET", "/scholarships/1/deadline.ics").body.contains("BEGIN:VEVENT"))
            let found = try student.call("GET", "/api/v1/search?q=prairie&types=scholarships").json["results"] as? [String: Any]
            #expect((found?["scholarships"] as? [[String: Any]])?.first?["title"] as? String == "Prairie Rose Nursing Scholarship")

            // Rules are portable data: what GET exports, PUT takes back.
            let rules: [String: Any] = ["groups": [["name": "Nursing", "rules": [["field": "major", "op": "in", "value": ["Nursing"]]]]]]
            #expect(try admin.call("PUT", "/api/v1/scholarships/2/rules", ["eligibility": rules]).status == 200)
            let exported = try anonymous.call("GET", "/api/v1/scholarships/2/rules")
            #expect(exported.json["schema_version"] as? Int == 1)
            let again = try admin.call("PUT", "/api/v1/scholarships/2/rules", ["eligibility": exported.json["eligibility"] ?? [:]])
            #expect(again.status == 200 && again.body == exported.body, "\(again.body) vs \(exported.body)")
            #expect(try admin.call("PUT", "/api/v1/scholarships/2/rules", ["eligibility": rules, "schema_version": 2]).status == 422)
            #expect(try student.call("PUT", "/api/v1/scholarships/2/rules", ["eligibility": rules]).status == 404)

            let cycle = try #require(try admin.call("GET", "/api/v1/scholarships/1").json["cycle"] as? String)
            let start = Int(cycle.prefix(4)) ?? 2026
            let next = String(format: "%04d-%02d", start + 1, (start + 2) % 100)
            let dry = try admin.call("POST", "/api/v1/scholarships/rollover", ["from_cycle": cycle, "to_cycle": next, "dry_run": true])
            #expect(dry.status == 200 && (dry.json["copied"] as? Int ?? 0) >= 1, "\(dry.body)")
            #expect(try admin.call("GET", "/api/v1/scholarships/1").json["status"] as? String == "open", "a dry run changes nothing")
            #expect(try admin.call("POST", "/api/v1/scholarships/rollover", ["from_cycle": cycle, "to_cycle": cycle]).status == 422)
            #expect(try student.call("POST", "/api/v1/scholarships/rollover", ["from_cycle": cycle, "to_cycle": next]).status == 403)
        }
    }
}
