import Foundation
import GRDB
import PSCStore
import Testing

extension EndToEnd {
    /// Uploads, the jobs board with applications, and event check-in against the real server.
    @Suite("Uploads, jobs and check-in")
    struct CareersEndToEndTests {
        let password = "correct horse battery staple"
        static let environment = [
            "PSC_RATE_LIMITS_AUTH_1": "none", "PSC_RATE_LIMITS_AUTH_4": "none", "PSC_SECURITY_REQUIRE_2FA_FOR_ADMINS": "false",
        ]

        func member(_ server: ServerProcess, _ email: String, role: String? = nil) throws -> AccountClient {
            try AccountClient.member(server, email, password: password, role: role)
        }

        /// An employer as a new one would register: pending until approved, then signed in.
        func employer(_ server: ServerProcess, _ email: String, company: String) throws -> AccountClient {
            let anonymous = AccountClient(server: server)
            let before = try AccountClient.mailedTokens(server, path: "/verify-email/")
            let created = try anonymous.call(
                "POST", "/api/v1/auth/register",
                [
                    "email": email, "password": password, "first_name": "Pat", "last_name": "Hiring", "accept_terms": true,
                    "requested_role": "employer", "company_name": company,
                ])
            #expect(created.status == 201, "\(created.body)")
            let token = try #require(try AccountClient.waitForMail(server, path: "/verify-email/", excluding: before))
            #expect(try anonymous.call("POST", "/api/v1/auth/verify-email", ["token": token]).status == 200)
            #expect(try server.admin(["user", "approve", email]).status == 0)
            var client = AccountClient(server: server)
            #expect(try client.signIn(email: email, password: password).status == 200)
            return client
        }

        static func multipart(_ fields: [String: String], file: (name: String, filename: String, type: String, data: Data)?) -> (
            body: Data, contentType: String
        ) {
            let boundary = "psc-test-\(UUID().uuidString)"
            var body = Data()
            for (name, value) in fields {
                body.append(Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8))
            }
            if let file {
                body.append(
                    Data(
                        "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: \(file.type)\r\n\r\n"
                            .utf8))
                body.append(file.data)
                body.append(Data("\r\n".utf8))
            }
            body.append(Data("--\(boundary)--\r\n".utf8))
            return (body, "multipart/form-data; boundary=\(boundary)")
        }

        func upload(
            _ client: AccountClient, path: String = "/api/v1/uploads", method: String = "POST", kind: String?, file: Data, name: String
        )
            throws -> HTTPExchange
        {
            let form = Self.multipart(kind.map { ["kind": $0] } ?? [:], file: ("file", name, "application/octet-stream", file))
            var headers = ["Content-Type": form.contentType]
            if let cookie = client.cookie { headers["Cookie"] = cookie }
            if let csrf = client.csrf { headers["X-CSRF-Token"] = csrf }
            return try HTTPExchange.send(port: client.server.port, method: method, path: path, headers: headers, body: form.body)
        }

        /// A 2×2 PNG with a tEXt chunk carrying a location, as a phone camera app might leave.
        static func pngWithMetadata() -> Data {
            func chunk(_ type: String, _ payload: [UInt8]) -> Data {
                var data = Data()
                let length = UInt32(payload.count).bigEndian
                withUnsafeBytes(of: length) { data.append(contentsOf: $0) }
                let typed = Array(type.utf8) + payload
                data.append(contentsOf: typed)
                let crc = crc32(typed).bigEndian
                withUnsafeBytes(of: crc) { data.append(contentsOf: $0) }
                return data
            }
            var png = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
            png.append(chunk("IHDR", [0, 0, 0, 2, 0, 0, 0, 2, 8, 0, 0, 0, 0]))
            png.append(chunk("tEXt", Array("GPS\u{0}37.41N 94.70W".utf8)))
            // zlib stream of two rows, each a filter byte and two grey pixels, stored uncompressed.
            let raw: [UInt8] = [0, 0, 255, 0, 255, 0]
            var zlib: [UInt8] = [0x78, 0x01, 0x01, UInt8(raw.count), 0, ~UInt8(raw.count), 0xFF] + raw
            let adler = adler32(raw)
            zlib += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
            png.append(chunk("IDAT", zlib))
            png.append(chunk("IEND", []))
            return png
        }

        static func crc32(_ bytes: [UInt8]) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in bytes {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
            }
            return ~crc
        }

        static func adler32(_ bytes: [UInt8]) -> UInt32 {
            var (a, b): (UInt32, UInt32) = (1, 0)
            for byte in bytes {
                a = (a + UInt32(byte)) % 65521
                b = (b + a) % 65521
            }
            return b << 16 | a
        }

        static let pdf = Data("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n".utf8)

        @Test("uploads: the type is sniffed, images lose their metadata, limits give 413 and 415, files stay private")
        func uploads() throws {
            let server = try ServerProcess(environment: Self.environment)
            let student = try member(server, "ana.upload@gus.pittstate.edu")
            let stranger = try member(server, "ben.other@gus.pittstate.edu")

            let png = Self.pngWithMetadata()
            let created = try upload(student, kind: "image", file: png, name: "me.png")
            #expect(created.status == 201, "\(created.body)")
            #expect(created.json["content_type"] as? String == "image/png")
            let url = try #require(created.json["url"] as? String)
            let fetched = try student.call("GET", url)
            #expect(fetched.status == 200 && fetched.headers["content-type"] == "image/png")
            #expect(fetched.data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(fetched.data.range(of: Data("tEXt".utf8)) == nil && fetched.data.range(of: Data("GPS".utf8)) == nil, "metadata removed")
            #expect(fetched.data.range(of: Data("IDAT".utf8)) != nil, "pixels kept")
            #expect(created.json["bytes"] as? Int == fetched.data.count)
            #expect(try stranger.call("GET", url).status == 404, "an unattached upload is its owner's alone")
            #expect(try AccountClient(server: server).call("GET", url).status == 401, "files are for signed-in members only")

            // A résumé is sealed at rest and served as an attachment.
            let resume = try upload(student, kind: "resume", file: Self.pdf, name: "cv.pdf")
            #expect(resume.status == 201 && resume.json["content_type"] as? String == "application/pdf")
            let resumeFile = try student.call("GET", try #require(resume.json["url"] as? String))
            #expect(resumeFile.data == Self.pdf)
            #expect(resumeFile.headers["content-disposition"]?.hasPrefix("attachment") == true)

            // Refusals: a text file, a PDF where an image is needed, an over-long body, no multipart, no kind.
            #expect(try upload(student, kind: "resume", file: Data("just text".utf8), name: "cv.pdf").status == 415)
            #expect(try upload(student, kind: "image", file: Self.pdf, name: "x.png").status == 415)
            let oversizedImage = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) + Data(count: 5 << 20 + 10)
            #expect(try upload(student, kind: "image", file: oversizedImage, name: "big.png").status == 413)
            let huge = try HTTPExchange.send(
                port: server.port, method: "POST", path: "/api/v1/uploads",
                headers: [
                    "Cookie": student.cookie ?? "", "X-CSRF-Token": student.csrf ?? "", "Content-Type": "multipart/form-data; boundary=x",
                    "Content-Length": String(50 << 20),
                ])
            #expect(huge.status == 413, "refused on the declared length before reading")
            #expect(try student.call("POST", "/api/v1/uploads", ["kind": "image"]).status == 415)
            #expect(try upload(student, kind: nil, file: png, name: "me.png").status == 422)
            #expect(try upload(student, kind: "selfie", file: png, name: "me.png").status == 422)
            var broken = Self.multipart(["kind": "image"], file: ("file", "a.png", "image/png", png)).body
            broken.removeLast(40)
            #expect(
                try HTTPExchange.send(
                    port: server.port, method: "POST", path: "/api/v1/uploads",
                    headers: [
                        "Cookie": student.cookie ?? "", "X-CSRF-Token": student.csrf ?? "",
                        "Content-Type": "multipart/form-data; boundary=nomatch",
                    ], body: broken
                ).status == 400)
            #expect(try upload(AccountClient(server: server), kind: "image", file: png, name: "me.png").status == 401)

            // The avatar is public to members, replaces the previous one, and shows on the profile.
            let avatar = try upload(student, path: "/api/v1/users/me/avatar", method: "PUT", kind: nil, file: png, name: "me.png")
            #expect(avatar.status == 200, "\(avatar.body)")
            let avatarURL = try #require(avatar.json["avatar_url"] as? String)
            #expect(try student.call("GET", "/api/v1/users/me").json["avatar_url"] as? String == avatarURL)
            #expect(try stranger.call("GET", avatarURL).status == 200)
            let second = try upload(student, path: "/api/v1/users/me/avatar", method: "PUT", kind: nil, file: png, name: "again.png")
            #expect(try stranger.call("GET", avatarURL).status == 404, "the old avatar is gone")
            #expect(try stranger.call("GET", try #require(second.json["avatar_url"] as? String)).status == 200)
            #expect(
                try upload(student, path: "/api/v1/users/me/avatar", method: "PUT", kind: nil, file: Self.pdf, name: "x.pdf").status == 415)
            server.removeFiles()
        }

        func future(_ hours: Double) -> String { ISO8601DateFormatter().string(from: Date().addingTimeInterval(hours * 3600)) }

        static func posting(_ title: String) -> [String: Any] {
            [
                "title": title, "description": "Build and test web services with the platform team in Pittsburg, Kansas.",
                "job_type": "internship", "location": "Pittsburg, KS", "skills_required": ["Swift", "SQL"], "apply_on_platform": true,
                "salary_min_cents": 1_800_00, "salary_max_cents": 2_400_00,
            ]
        }

        @Test("jobs: employer postings wait for approval within the quota; applications move forward only; résumés stay private")
        func jobsBoard() throws {
            let server = try ServerProcess(environment: Self.environment)
            let acme = try employer(server, "pat@acme-robotics.example", company: "Acme Robotics")
            let rival = try employer(server, "sam@rival.example", company: "Rival Works")
            let reviewer = try member(server, "career.office@pittstate.edu", role: "staff")
            #expect(try server.admin(["grant", "add", "career.office@pittstate.edu", "career_services"]).status == 0)
            var careers = AccountClient(server: server)
            #expect(try careers.signIn(email: "career.office@pittstate.edu", password: password).status == 200)
            _ = reviewer
            let student = try member(server, "cara.applicant@gus.pittstate.edu")

            let first = try acme.call("POST", "/api/v1/jobs", Self.posting("Software Engineering Intern"))
            #expect(first.status == 201, "\(first.body)")
            #expect(first.json["status"] as? String == "pending_approval")
            let jobID = try #require(first.json["id"] as? Int)
            let companyID = try #require((first.json["company"] as? [String: Any])?["id"] as? Int)
            #expect(try acme.call("POST", "/api/v1/jobs", Self.posting("Data Analyst Intern")).status == 201)
            let third = try acme.call("POST", "/api/v1/jobs", Self.posting("QA Intern"))
            #expect(third.status == 403 && third.json["error"] as? String == "feature_disabled", "the free tier allows two")
            #expect((third.json["message"] as? String)?.contains("free") == true)

            // Pending postings are hidden from students and from other companies.
            #expect(try student.call("GET", "/api/v1/jobs/\(jobID)").status == 404)
            #expect(try rival.call("PATCH", "/api/v1/jobs/\(jobID)", ["title": "Mine now"]).status == 404)
            #expect(try student.call("POST", "/api/v1/jobs/\(jobID)/review", ["decision": "approve"]).status == 403)
            #expect(try careers.call("POST", "/api/v1/jobs/\(jobID)/review", ["decision": "reject"]).status == 422, "a reason is required")
            let approved = try careers.call("POST", "/api/v1/jobs/\(jobID)/review", ["decision": "approve"])
            #expect(approved.status == 200 && approved.json["status"] as? String == "active")
            #expect(try careers.call("POST", "/api/v1/jobs/\(jobID)/review", ["decision": "approve"]).status == 409)

            // Validation names each field.
            var bad = Self.posting("x")
            bad["salary_min_cents"] = 5_000_00
            bad["apply_on_platform"] = false
            bad["job_type"] = "gig"
            let invalid = try careers.call("POST", "/api/v1/jobs", bad.merging(["company_id": companyID]) { $1 })
            let fields = invalid.json["fields"] as? [String: Any] ?? [:]
            #expect(invalid.status == 422)
            #expect(Set(fields.keys).isSuperset(of: ["title", "salary_min_cents", "application_url", "job_type"]), "\(fields.keys)")

            // Career services posts live at once; the board lists active postings and search finds them.
            let staffPosting = try careers.call(
                "POST", "/api/v1/jobs", Self.posting("Campus Web Assistant").merging(["company_id": companyID]) { $1 })
            #expect(staffPosting.json["status"] as? String == "active", "\(staffPosting.body)")
            let board = try student.call("GET", "/api/v1/jobs?q=engineering").json["items"] as? [[String: Any]] ?? []
            #expect(board.map { $0["id"] as? Int } == [jobID])
            let all = try student.call("GET", "/api/v1/jobs?job_type=internship&sort=salary").json["items"] as? [[String: Any]] ?? []
            #expect(all.count == 2)
            #expect(try student.call("GET", "/api/v1/jobs?sort=cheapest").status == 422)
            let found = try student.call("GET", "/api/v1/search?q=engineering&types=jobs").json["results"] as? [String: Any]
            #expect((found?["jobs"] as? [[String: Any]])?.first?["id"] as? Int == jobID)
            let suggestions = try student.call("GET", "/api/v1/search/suggest?q=softw").json["suggestions"] as? [[String: Any]] ?? []
            #expect(suggestions.contains { $0["type"] as? String == "jobs" && $0["id"] as? Int == jobID })

            // Applying needs the applicant's own résumé upload.
            let image = try upload(student, kind: "image", file: Self.pngWithMetadata(), name: "me.png").json["id"] as? Int ?? 0
            #expect(try student.call("POST", "/api/v1/jobs/\(jobID)/applications", ["resume_upload_id": image]).status == 422)
            let resume = try upload(student, kind: "resume", file: Self.pdf, name: "cv.pdf").json["id"] as? Int ?? 0
            #expect(try rival.call("POST", "/api/v1/jobs/\(jobID)/applications", ["resume_upload_id": resume]).status == 403)
            let applied = try student.call(
                "POST", "/api/v1/jobs/\(jobID)/applications", ["resume_upload_id": resume, "cover_letter": "I would love to join."])
            #expect(applied.status == 201, "\(applied.body)")
            #expect(applied.json["status"] as? String == "submitted")
            let applicationID = try #require(applied.json["id"] as? Int)
            #expect(try student.call("POST", "/api/v1/jobs/\(jobID)/applications", ["resume_upload_id": resume]).status == 409)

            // The employer sees it and the résumé; the rival sees neither.
            let listed = try acme.call("GET", "/api/v1/jobs/\(jobID)/applications").json["items"] as? [[String: Any]] ?? []
            #expect(listed.map { $0["id"] as? Int } == [applicationID])
            let resumeURL = "/api/v1/uploads/\(resume)"
            let download = try acme.call("GET", resumeURL)
            #expect(download.status == 200 && download.data == Self.pdf)
            #expect(try rival.call("GET", resumeURL).status == 404)
            #expect(try rival.call("GET", "/api/v1/job-applications/\(applicationID)").status == 404)
            #expect(try rival.call("GET", "/api/v1/jobs/\(jobID)/applications").status == 404)
            let viewed = try acme.call("GET", "/api/v1/job-applications/\(applicationID)").json
            #expect(viewed["viewed_at"] is String, "the employer's first look is recorded")

            // The status flow moves forward only; the employer's note stays with the employer.
            let moved = try acme.call("PATCH", "/api/v1/job-applications/\(applicationID)", ["status": "interview", "note": "Strong SQL"])
            #expect(moved.status == 200 && moved.json["note"] as? String == "Strong SQL")
            #expect(try acme.call("PATCH", "/api/v1/job-applications/\(applicationID)", ["status": "reviewed"]).status == 409)
            #expect(try acme.call("PATCH", "/api/v1/job-applications/\(applicationID)", ["status": "hired"]).status == 422)
            #expect(try student.call("PATCH", "/api/v1/job-applications/\(applicationID)", ["status": "offer"]).status == 403)
            let mine = try student.call("GET", "/api/v1/users/me/job-applications").json["items"] as? [[String: Any]] ?? []
            #expect(mine.first?["status"] as? String == "interview" && mine.first?["note"] == nil)
            #expect(try student.call("POST", "/api/v1/job-applications/\(applicationID)/withdraw").json["status"] as? String == "withdrawn")
            #expect(try acme.call("PATCH", "/api/v1/job-applications/\(applicationID)", ["status": "offer"]).status == 409)

            // Closing: the company's owner closes, a closed posting takes no edits, companies list their open postings.
            #expect(try acme.call("DELETE", "/api/v1/jobs/\(jobID)").status == 204)
            #expect(try acme.call("PATCH", "/api/v1/jobs/\(jobID)", ["title": "Reopened?"]).status == 409)
            #expect(try student.call("GET", "/api/v1/jobs/\(jobID)").status == 404)
            let company = try student.call("GET", "/api/v1/companies/\(companyID)").json
            #expect(company["name"] as? String == "Acme Robotics" && company["active_postings"] as? Int == 1)
            #expect(
                try acme.call("PATCH", "/api/v1/companies/\(companyID)", ["size": "51-200", "website": "http://acme.example"]).status == 422
            )
            #expect(try rival.call("PATCH", "/api/v1/companies/\(companyID)", ["size": "51-200"]).status == 404)
            #expect(try acme.call("PATCH", "/api/v1/companies/\(companyID)", ["size": "51-200"]).json["size"] as? String == "51-200")
            #expect(try acme.call("POST", "/api/v1/companies/\(companyID)/verify", ["verified": true]).status == 403)
            #expect(try careers.call("POST", "/api/v1/companies/\(companyID)/verify", ["verified": true]).json["verified"] as? Bool == true)
            let audit = try server.admin(["--json", "audit", "tail", "100"])
            let entries =
                ((try? JSONSerialization.jsonObject(with: Data(audit.stdout.utf8)) as? [String: Any])?["result"] as? [String: Any])?[
                    "entries"] as? [[String: Any]] ?? []
            func targets(_ action: String) -> [String] {
                entries.filter { $0["action"] as? String == action }.compactMap { $0["target_id"] as? String }
            }
            // Each record is written with its change, created rows naming their new ids; refused changes leave none.
            #expect(targets("jobs.posted").contains(String(jobID)), "\(targets("jobs.posted"))")
            #expect(targets("jobs.applied") == [String(applicationID)])
            #expect(targets("jobs.reviewed").filter { $0 == String(jobID) }.count == 1, "the second approval was refused (409)")
            #expect(targets("companies.verified") == [String(companyID)])
            server.removeFiles()
        }

        @Test("check-in: the organiser's code and QR, wrong codes refused, walk-ins, one feedback per attendee")
        func checkIn() throws {
            let server = try ServerProcess(environment: Self.environment)
            let host = try member(server, "prof.ross@gus.pittstate.edu", role: "faculty")
            let going = try member(server, "dana.going@gus.pittstate.edu")
            let walkIn = try member(server, "eli.walkin@gus.pittstate.edu")
            // Starts in 30 minutes: check-in is already open.
            let created = try host.call(
                "POST", "/api/v1/events",
                ["title": "Alumni panel", "start_time": future(0.5), "end_time": future(2), "walk_ins_allowed": false])
            let eventID = try #require(created.json["id"] as? Int)
            #expect(try going.call("PUT", "/api/v1/events/\(eventID)/rsvp").status == 201)

            #expect(try going.call("GET", "/api/v1/events/\(eventID)/check-in-code").status == 404, "the code is the organiser's")
            let codeReply = try host.call("GET", "/api/v1/events/\(eventID)/check-in-code").json
            let code = try #require(codeReply["code"] as? String)
            #expect(code.count == 6 && code.allSatisfy { "ABCDEFGHJKLMNPQRSTUVWXYZ23456789".contains($0) })
            let qr = Data(base64Encoded: codeReply["qr_png"] as? String ?? "") ?? Data()
            #expect(qr.starts(with: [0x89, 0x50, 0x4E, 0x47]))
            #expect(try host.call("GET", "/api/v1/events/\(eventID)/check-in-code").json["code"] as? String == code, "stable")

            let wrong = code == "AAAAAA" ? "BBBBBB" : "AAAAAA"
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/check-in", ["code": wrong]).status == 403)
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/check-in", ["code": "abc"]).status == 422)
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/feedback", ["rating": 5]).status == 403, "not checked in yet")
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/check-in", ["code": code.lowercased()]).status == 201)
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/check-in", ["code": code]).status == 200, "already in")
            #expect(try walkIn.call("POST", "/api/v1/events/\(eventID)/check-in", ["code": code]).status == 403, "walk-ins are off")
            let walkInID = try walkIn.call("GET", "/api/v1/users/me").json["id"] as? Int ?? 0
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/check-in", ["user_id": walkInID]).status == 403)
            #expect(try host.call("PATCH", "/api/v1/events/\(eventID)", ["walk_ins_allowed": true]).status == 200)
            #expect(try host.call("POST", "/api/v1/events/\(eventID)/check-in", ["user_id": walkInID]).status == 201)

            let attendees = try host.call("GET", "/api/v1/events/\(eventID)/attendees").json["items"] as? [[String: Any]] ?? []
            #expect(attendees.first?["checked_in_at"] is String)

            #expect(try going.call("POST", "/api/v1/events/\(eventID)/feedback", ["rating": 6]).status == 422)
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/feedback", ["rating": 4, "comment": "Useful"]).status == 201)
            #expect(try going.call("POST", "/api/v1/events/\(eventID)/feedback", ["rating": 5]).status == 409)

            // A far-off event is outside the window.
            let later = try host.call(
                "POST", "/api/v1/events", ["title": "Spring mixer", "start_time": future(72), "end_time": future(74)])
            let laterID = try #require(later.json["id"] as? Int)
            let laterCode = try host.call("GET", "/api/v1/events/\(laterID)/check-in-code").json["code"] as? String ?? ""
            #expect(try going.call("POST", "/api/v1/events/\(laterID)/check-in", ["code": laterCode]).status == 409)
            server.removeFiles()
        }
    }
}
