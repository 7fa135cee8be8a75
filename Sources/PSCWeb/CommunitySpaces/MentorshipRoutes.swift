import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// MNT-1..13 (10-api §16): finding mentors, requests with their limits and expiry, mentorships, sessions and feedback.
/// Another person's requests, mentorships and sessions answer 404.
struct MentorshipRoutes: FeatureRoutes {
    let mentorship: MentorshipStore
    let profiles: ProfileStore

    static let mentorFields: [String: FieldRule] = [
        "expertise": FieldRule.texts(max: 15, each: 1...60).required, "industries": .texts(max: 5, each: 1...60),
        "bio": FieldRule.text(max: 2000).nullable, "max_mentees": .integer(1...10), "is_accepting_mentees": .boolean,
        "availability": FieldRule.text(max: 500).nullable,
    ]

    func cards(_ ids: [Int64], viewer: Int64) async throws -> [Int64: JSONValue] {
        try await CommunityViews.cards(ids, viewer: viewer, profiles: profiles)
    }

    func mentorBodies(_ records: [MentorProfileRecord], viewer: Int64) async throws -> [JSONValue] {
        let cards = try await cards(records.map(\.userID), viewer: viewer)
        return records.map { CommunityViews.mentorProfile($0, user: cards[$0.userID]) }
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        registerDiscovery(router, catalog)
        registerRequests(router, catalog)
        registerSessions(router, catalog)
    }

    private func registerDiscovery(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let mentorship = mentorship
        catalog.add(
            RouteSpec(
                id: "MNT-1", .get, "/api/v1/mentors", summary: "Find mentors", tag: "Mentorship", access: .member(scope: "content:read"),
                query: .page() + [
                    .text("q", max: 100, "Words in the name, expertise, industries or bio"), .text("industry", max: 60, "One industry"),
                    .text("expertise", max: 60, "One area of expertise"),
                    .boolean("accepting", "Only mentors taking mentees (default true)"),
                ],
                responses: [200: ("A page of MentorProfile", "MentorProfilePage"), 400: ("A parameter that does not parse", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let query = QueryReader(request)
            var search = MentorshipStore.MentorQuery()
            search.text = query.text("q", max: 100)
            search.industry = query.text("industry", max: 60)
            search.expertise = query.text("expertise", max: 60)
            search.acceptingOnly = try query.flag("accepting") ?? true
            search.limit = try Pagination.limit(request)
            search.offset = try query.offset
            let chosen = search
            let found = try await Offload.run { try mentorship.mentors(chosen) }
            return JSONResponse.make([
                "items": .array(try await mentorBodies(found, viewer: identity.user.id)),
                "next_cursor": found.count == chosen.limit ? OffsetCursor.next(chosen.offset + found.count) : .null,
                "limit": .int(Int64(chosen.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "MNT-2", .get, "/api/v1/mentors/recommended", summary: "Mentors recommended for me, with reasons", tag: "Mentorship",
                access: .member(scope: "content:read"), limit: .own("30/h"), query: [.integer("limit", "How many (default 10, max 20)")],
                responses: [
                    200: ("Ranked mentors with points and reasons", "MentorRecommendations"),
                    400: ("A parameter that does not parse", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let limit = try QueryReader(request).integer("limit", 1...20) ?? 10
            let viewer = identity.user.id
            let ranked = try await Offload.run { try mentorship.recommended(for: viewer, limit: limit) }
            let ids = ranked.map(\.mentor.userID)
            let records = try await Offload.run { try ids.compactMap { try mentorship.mentorProfile(userID: $0) } }
            let bodies = try await mentorBodies(records, viewer: viewer)
            let byID = Dictionary(zip(records.map(\.userID), bodies), uniquingKeysWith: { first, _ in first })
            return JSONResponse.make([
                "items": .array(
                    ranked.compactMap { entry in
                        byID[entry.mentor.userID].map { body in
                            ["mentor": body, "points": .int(Int64(entry.points)), "reasons": CommunityViews.strings(entry.reasons)]
                        }
                    })
            ])
        }
        for method in [HTTPRequest.Method.get, .put] {
            catalog.add(
                RouteSpec(
                    id: "MNT-3", method, "/api/v1/mentorship/mentor-profile",
                    summary: method == .get ? "My mentor profile" : "Offer to mentor", tag: "Mentorship",
                    access: .member(scope: method == .get ? "content:read" : "content:write"), limit: method == .put ? .own("20/h") : .api,
                    body: method == .put ? .object(Self.mentorFields) : nil,
                    responses: method == .get
                        ? [
                            200: ("MentorProfile", "MentorProfile"), 403: ("Not alumni, faculty or staff", "Error"),
                            404: ("No profile yet", "Error"),
                        ]
                        : [
                            200: ("MentorProfile", "MentorProfile"), 403: ("Not alumni, faculty or staff", "Error"),
                            422: ("Invalid fields", "Error"),
                        ]),
                to: router
            ) { request, context in
                let identity = try context.require(.active, scope: method == .get ? "content:read" : "content:write")
                guard MentorshipPolicy.mayMentor(identity.user.role) else { throw APIError.forbidden("Alumni, faculty and staff mentor.") }
                let user = identity.user.id
                if method == .get {
                    guard let record = try await Offload.run({ try mentorship.mentorProfile(userID: user) }) else {
                        throw APIError.notFound("You have no mentor profile yet.")
                    }
                    return JSONResponse.make(try await mentorBodies([record], viewer: user)[0])
                }
                let current = try await Offload.run { try mentorship.mentorProfile(userID: user) }
                let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
                var reader = FieldReader(object, problems: problems)
                let expertise = reader.strings("expertise", maxCount: 15, eachLength: 1...60, current?.expertise ?? [])
                if expertise.isEmpty { reader.problem("expertise", "is required: 1 to 15 areas") }
                let fields = MentorProfileFields(
                    expertise: expertise,
                    industries: reader.strings("industries", maxCount: 5, eachLength: 1...60, current?.industries ?? []),
                    bio: reader.text("bio", 0...2000, current?.bio),
                    maxMentees: Int(reader.integer("max_mentees", 1...10, Int64(current?.maxMentees ?? 3)) ?? 3),
                    isAccepting: reader.flag("is_accepting_mentees", current?.isAccepting ?? true),
                    availability: reader.text("availability", 0...500, current?.availability))
                try reader.validate()
                let record = try await Offload.run { try mentorship.saveMentorProfile(userID: user, fields) }
                return JSONResponse.make(try await mentorBodies([record], viewer: user)[0])
            }
        }
        catalog.add(
            RouteSpec(
                id: "MNT-4", .put, "/api/v1/mentorship/mentee-profile", summary: "What I want from a mentor", tag: "Mentorship",
                access: .member(scope: "content:write"), limit: .own("20/h"),
                body: .object([
                    "goals": FieldRule.text(10...1000).required, "interests": .texts(max: 15, each: 1...60),
                    "preferred_industries": .texts(max: 5, each: 1...60),
                ]),
                responses: [200: ("Saved", "MenteeProfile"), 422: ("Invalid fields", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let goals = reader.text("goals", 10...1000, nil, required: true) ?? ""
            let interests = reader.strings("interests", maxCount: 15, eachLength: 1...60, [])
            let industries = reader.strings("preferred_industries", maxCount: 5, eachLength: 1...60, [])
            try reader.validate()
            let user = identity.user.id
            try await Offload.run {
                try mentorship.saveMenteeProfile(userID: user, goals: goals, interests: interests, preferredIndustries: industries)
            }
            return JSONResponse.make([
                "goals": .string(goals), "interests": CommunityViews.strings(interests),
                "preferred_industries": CommunityViews.strings(industries),
            ])
        }
    }

    private func registerRequests(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let mentorship = mentorship
        catalog.add(
            RouteSpec(
                id: "MNT-5", .post, "/api/v1/mentorship/requests", summary: "Ask someone to mentor me", tag: "Mentorship",
                access: .member(scope: "content:write"), limit: .own("10/day"),
                body: .object([
                    "mentor_id": FieldRule.id.required, "message": FieldRule.text(20...1000).required, "goals": .text(max: 1000),
                ]),
                responses: [
                    201: ("MentorshipRequest (expires in 72 hours)", "MentorshipRequest"), 403: ("blocked", "Error"),
                    404: ("No such mentor", "Error"),
                    409: ("Duplicate, three pending, mentor_full, or not accepting", "Error"), 422: ("Invalid fields, or myself", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let mentor = reader.integer("mentor_id", 1...Int64.max, nil)
            if mentor == nil { reader.problem("mentor_id", "is required") }
            let message = reader.text("message", 20...1000, nil, required: true) ?? ""
            let goals = reader.text("goals", 0...1000, nil)
            try reader.validate()
            let user = identity.user.id
            let record = try await Offload.run {
                try mentorship.request(menteeID: user, .init(mentorID: mentor ?? 0, message: message, goals: goals))
            }
            let cards = try await cards([record.mentorID, record.menteeID], viewer: user)
            return JSONResponse.make(CommunityViews.request(record, cards: cards), status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "MNT-6", .get, "/api/v1/mentorship/requests", summary: "My requests, incoming or outgoing", tag: "Mentorship",
                access: .member(scope: "content:read"),
                query: [
                    .choice("direction", ["incoming", "outgoing"], "Requests to me as a mentor, or mine to mentors (required)"),
                    .choice("status", ["pending", "accepted", "declined", "withdrawn", "expired"], "One status"),
                ],
                responses: [
                    200: ("MentorshipRequest items, newest first", "MentorshipRequestList"), 400: ("A missing or bad parameter", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let query = QueryReader(request)
            guard let direction = try query.choice("direction", ["incoming", "outgoing"]) else {
                throw QueryReader.invalid("direction is required: incoming or outgoing.")
            }
            let status = try query.choice("status", ["pending", "accepted", "declined", "withdrawn", "expired"])
            let user = identity.user.id
            let found = try await Offload.run { try mentorship.requests(userID: user, incoming: direction == "incoming", status: status) }
            let cards = try await cards(found.flatMap { [$0.mentorID, $0.menteeID] }, viewer: user)
            return JSONResponse.make(["items": .array(found.map { CommunityViews.request($0, cards: cards) })])
        }
        catalog.add(
            RouteSpec(
                id: "MNT-7", .post, "/api/v1/mentorship/requests/{id}/{action}", summary: "Accept, decline or withdraw a request",
                tag: "Mentorship", access: .member(scope: "content:write"), limit: .own("60/h"),
                body: .object(["message": .text(max: 500)]),
                responses: [
                    200: ("MentorshipRequest (with mentorship_id on accept)", "MentorshipRequest"),
                    403: ("The other side's action", "Error"),
                    404: ("No such request of mine", "Error"), 409: ("Not pending, or mentor_full", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such request.")
            guard let action = MentorshipStore.RequestAction(rawValue: context.parameters.get("action") ?? "") else {
                throw APIError.notFound("There is no such action; use accept, decline or withdraw.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let message = reader.text("message", 0...500, nil)
            try reader.validate()
            let user = identity.user.id
            let record = try await Offload.run { try mentorship.act(requestID: id, userID: user, action: action, message: message) }
            let cards = try await cards([record.mentorID, record.menteeID], viewer: user)
            return JSONResponse.make(CommunityViews.request(record, cards: cards))
        }
        catalog.add(
            RouteSpec(
                id: "MNT-8", .get, "/api/v1/mentorship/matches", summary: "My mentorships", tag: "Mentorship",
                access: .member(scope: "content:read"), query: [.choice("status", ["active", "ended"], "One status")],
                responses: [200: ("Mentorships", "MentorshipList"), 400: ("A parameter that does not parse", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let status = try QueryReader(request).choice("status", ["active", "ended"])
            let user = identity.user.id
            let found = try await Offload.run { try mentorship.mentorships(userID: user, status: status) }
            let cards = try await cards(found.flatMap { [$0.mentorID, $0.menteeID] }, viewer: user)
            return JSONResponse.make(["items": .array(found.map { CommunityViews.mentorship($0, cards: cards) })])
        }
        catalog.add(
            RouteSpec(
                id: "MNT-9", .post, "/api/v1/mentorship/matches/{id}/end", summary: "End a mentorship", tag: "Mentorship",
                access: .member(scope: "content:write"), body: .object(["reason": .text(max: 500), "fit": .choice(["good", "not_good"])]),
                responses: [
                    200: ("Ended", "MentorshipEnded"), 404: ("Not one of mine", "Error"), 409: ("Already ended", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such mentorship.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let reason = reader.text("reason", 0...500, nil)
            let fit = reader.choice("fit", ["good", "not_good"], nil)
            try reader.validate()
            let user = identity.user.id
            try await Offload.run { try mentorship.end(mentorshipID: id, userID: user, reason: reason, fit: fit) }
            return JSONResponse.make(["id": .int(id), "status": "ended"])
        }
    }

    private func registerSessions(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let mentorship = mentorship
        catalog.add(
            RouteSpec(
                id: "MNT-10", .post, "/api/v1/mentorship/matches/{id}/sessions", summary: "Schedule a session", tag: "Mentorship",
                access: .member(scope: "content:write"), limit: .own("20/day"),
                body: .object([
                    "scheduled_at": FieldRule.instant.required, "duration_minutes": .integer(15...240),
                    "meeting_link": FieldRule.https(max: 500).nullable, "agenda": FieldRule.text(max: 2000).nullable,
                ]),
                responses: [
                    201: ("MentorSession", "MentorSession"), 404: ("Not one of mine", "Error"), 409: ("The mentorship ended", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such mentorship.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let when = reader.time("scheduled_at", nil)
            if when == nil {
                reader.problem("scheduled_at", "is required")
            } else if let when, when <= Date() {
                reader.problem("scheduled_at", "must be in the future")
            }
            let duration = Int(reader.integer("duration_minutes", 15...240, 60) ?? 60)
            let link = reader.httpsURL("meeting_link", nil)
            let agenda = reader.text("agenda", 0...2000, nil)
            try reader.validate()
            let user = identity.user.id
            let session = try await Offload.run {
                try mentorship.schedule(
                    mentorshipID: id, userID: user,
                    .init(scheduledAt: when ?? Date(), durationMinutes: duration, meetingLink: link, agenda: agenda))
            }
            return JSONResponse.make(CommunityViews.session(session), status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "MNT-11", .get, "/api/v1/mentorship/sessions", summary: "My sessions", tag: "Mentorship",
                access: .member(scope: "content:read"), query: [.choice("when", ["upcoming", "past"], "Upcoming (default) or past")],
                responses: [200: ("MentorSession items", "MentorSessionList"), 400: ("A parameter that does not parse", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let past = try QueryReader(request).choice("when", ["upcoming", "past"]) == "past"
            let user = identity.user.id
            let found = try await Offload.run { try mentorship.sessions(userID: user, past: past) }
            return JSONResponse.make(["items": .array(found.map(CommunityViews.session))])
        }
        catalog.add(
            RouteSpec(
                id: "MNT-12", .patch, "/api/v1/mentorship/sessions/{id}", summary: "Move, complete or cancel a session; keep notes",
                tag: "Mentorship", access: .member(scope: "content:write"), limit: .own("60/h"),
                body: .object([
                    "scheduled_at": .instant, "status": .choice(["completed", "cancelled"]), "notes": FieldRule.text(max: 10_000).nullable,
                    "action_items": .texts(max: 20, each: 1...300),
                ]),
                responses: [
                    200: ("MentorSession", "MentorSession"), 404: ("Not one of mine", "Error"),
                    409: ("Not scheduled, or the mentorship ended", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such session.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            var change = MentorshipStore.SessionChange()
            change.scheduledAt = reader.time("scheduled_at", nil)
            if let when = change.scheduledAt, when <= Date() { reader.problem("scheduled_at", "must be in the future") }
            change.status = reader.choice("status", ["completed", "cancelled"], nil)
            if object["notes"] != nil { change.notes = .some(reader.text("notes", 0...10_000, nil)) }
            if object["action_items"] != nil { change.actionItems = reader.strings("action_items", maxCount: 20, eachLength: 1...300, []) }
            try reader.validate()
            let (user, chosen) = (identity.user.id, change)
            let session = try await Offload.run { try mentorship.update(sessionID: id, userID: user, chosen) }
            return JSONResponse.make(CommunityViews.session(session))
        }
        catalog.add(
            RouteSpec(
                id: "MNT-13", .post, "/api/v1/mentorship/sessions/{id}/feedback", summary: "Rate a completed session", tag: "Mentorship",
                access: .member(scope: "content:write"),
                body: .object([
                    "rating": FieldRule.integer(1...5).required, "fit": .choice(["good", "not_good"]), "comment": .text(max: 1000),
                ]),
                responses: [
                    201: ("Recorded", "SessionFeedback"), 404: ("Not one of mine", "Error"), 409: ("Twice, or not completed", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such session.")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let rating = reader.integer("rating", 1...5, nil)
            if rating == nil { reader.problem("rating", "is required: 1 to 5") }
            let fit = reader.choice("fit", ["good", "not_good"], nil)
            let comment = reader.text("comment", 0...1000, nil)
            try reader.validate()
            let user = identity.user.id
            try await Offload.run {
                try mentorship.feedback(sessionID: id, userID: user, rating: Int(rating ?? 1), fit: fit, comment: comment)
            }
            return JSONResponse.make(["session_id": .int(id), "rating": .int(rating ?? 1)], status: .created)
        }
    }
}
