import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// What clients see for the store's errors; the error middleware renders it wherever one is thrown.
extension EventError: APIErrorConvertible {
    var apiError: APIError { EventRoutes.mapped(self) }
}

/// EVT-1..8, EVT-12 and EVT-14 (10-api §8): events, RSVPs with capacity and a waitlist, attendees and iCalendar.
struct EventRoutes: FeatureRoutes {
    let configuration: Configuration
    let profiles: ProfileStore
    let events: EventStore
    let views: EventViews

    static let formats = ["in_person", "virtual", "hybrid"]

    /// EVT-3's fields (EVT-4 takes the same, none required).
    static func eventFields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "title": .text(3...200), "description": FieldRule.text(max: 10_000).nullable, "location": FieldRule.text(max: 200).nullable,
            "format": .choice(formats), "kind": .choice(EventViews.kinds), "start_time": .instant, "end_time": .instant,
            "timezone": .text(1...64), "department_id": FieldRule.id.nullable, "capacity": FieldRule.integer(1...100_000).nullable,
            "waitlist_enabled": .boolean, "walk_ins_allowed": .boolean, "rsvp_deadline": FieldRule.instant.nullable,
            "visibility": .choice(["public", "members"]),
        ]
        if creating { for name in ["title", "start_time", "end_time"] { fields[name] = fields[name]?.required } }
        return fields
    }

    static func mapped(_ error: EventError) -> APIError {
        switch error {
        case .notFound: APIError.notFound("There is no such event.")
        case .full: APIError(.conflict, "event_full", "This event is full.")
        case .deadlinePassed: APIError(.conflict, "deadline_passed", "RSVPs for this event have closed.")
        case .cancelled: APIError(.conflict, "invalid_state", "This event is cancelled.")
        case .forbidden: APIError.forbidden("Only the organiser or the department's event managers can change this event.")
        case .wrongCode: APIError.forbidden("That check-in code is not this event's.")
        case .walkInsOff: APIError.forbidden("This event admits only people who RSVPed.")
        case .outsideCheckInWindow:
            APIError(.conflict, "invalid_state", "Check-in opens an hour before the event and closes two hours after it ends.")
        case .notCheckedIn: APIError.forbidden("Feedback comes from people who checked in.")
        case .feedbackGiven: APIError(.conflict, "already_exists", "You have already given feedback on this event.")
        }
    }

    /// An event the caller organises or manages for its department: 403 when it is someone else's, or 404 for
    /// routes that do not reveal it (`hidden`).
    func managedEvent(_ context: AppRequestContext, _ identity: Identity, hidden: Bool = false) async throws -> EventRecord {
        let (events, id) = (events, try EventViews.eventID(context))
        guard let event = try await Offload.run({ try events.event(id: id, reader: identity.user.id) }),
            !hidden || identity.mayManage(event)
        else { throw APIError.notFound("There is no such event.") }
        guard identity.mayManage(event) else { throw Self.mapped(.forbidden) }
        return event
    }

    /// EVT-3's fields over the current values (EVT-4 passes the event being edited).
    func fields(_ object: [String: Any], _ problems: [String: [String]], over current: EventRecord?, identity: Identity) throws
        -> EventFields
    {
        var reader = FieldReader(object, problems: problems)
        let title = reader.text("title", 3...200, current?.title, required: true)
        let start = reader.time("start_time", current.flatMap { Timestamp.date(from: $0.startTime) })
        let end = reader.time("end_time", current.flatMap { Timestamp.date(from: $0.endTime) })
        if let start, let end {
            if end <= start { reader.problem("end_time", "must be after the start") }
            if end.timeIntervalSince(start) > 14 * 86400 { reader.problem("end_time", "must be within 14 days of the start") }
            if current == nil || object["start_time"] != nil, start <= Date() { reader.problem("start_time", "must be in the future") }
        } else {
            if start == nil { reader.problem("start_time", "is required") }
            if end == nil { reader.problem("end_time", "is required") }
        }
        let zone = (object["timezone"] as? String) ?? current?.timeZone ?? "America/Chicago"
        if TimeZone(identifier: zone) == nil || !(zone.contains("/") || zone == "UTC") {
            reader.problem("timezone", "must be an IANA time zone")
        }
        let department = reader.integer("department_id", 1...Int64.max, current?.departmentID)
        let capacity = reader.integer("capacity", 1...100_000, current?.capacity.map(Int64.init)).map(Int.init)
        let deadline = reader.time("rsvp_deadline", current?.rsvpDeadline.flatMap(Timestamp.date(from:)))
        if let deadline, let start, deadline > start { reader.problem("rsvp_deadline", "must be at or before the start") }
        let result = EventFields(
            title: title ?? "", description: reader.text("description", 0...10_000, current?.description),
            location: reader.text("location", 0...200, current?.location),
            format: reader.choice("format", Self.formats, current?.format ?? "in_person", required: true) ?? "in_person",
            kind: reader.choice("kind", EventViews.kinds, current?.kind ?? "general", required: true) ?? "general",
            startTime: start ?? Date(), endTime: end ?? Date(), timeZone: zone, departmentID: department, capacity: capacity,
            waitlistEnabled: reader.flag("waitlist_enabled", current?.waitlistEnabled ?? true),
            walkInsAllowed: reader.flag("walk_ins_allowed", current?.walkInsAllowed ?? true),
            rsvpDeadline: deadline,
            visibility: reader.choice("visibility", ["public", "members"], current?.visibility ?? "members", required: true) ?? "members")
        try reader.validate()
        if !identity.mayOrganiseEvent(departmentID: department) && current == nil {
            throw APIError.forbidden("Faculty, staff and department event managers create events.")
        }
        return result
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let events = events
        catalog.add(
            RouteSpec(
                id: "EVT-1", .get, "/api/v1/events", summary: "Events", tag: "Events",
                query: .page() + [
                    .instant("from", "Starting at or after (default now)"), .instant("to", "Starting before (default from + 90 days)"),
                    .id("department_id", "One department"), .text("kind", max: 40, "One kind of event"),
                    .choice("format", ["in_person", "virtual", "hybrid"], "How it is held"), .text("q", max: 100, "Words in the title"),
                    .boolean("mine", "Only events I organise or answered"),
                ],
                responses: [200: ("A page of Event by start time", "EventPage"), 400: ("Bad range", "Error")]),
            to: router
        ) { request, context in
            let reader = context.identity == nil ? nil : try context.require(.active, scope: "content:read").user.id
            let parameters = request.uri.formQuery
            let now = Date()
            let from =
                try parameters.get("from").map { text -> Date in
                    guard let date = Timestamp.parse(String(text)) else {
                        throw APIError(.badRequest, "invalid_parameter", "from must be an RFC 3339 time.")
                    }
                    return date
                } ?? now
            let to =
                try parameters.get("to").map { text -> Date in
                    guard let date = Timestamp.parse(String(text)) else {
                        throw APIError(.badRequest, "invalid_parameter", "to must be an RFC 3339 time.")
                    }
                    return date
                } ?? from.addingTimeInterval(90 * 86400)
            guard to > from, to.timeIntervalSince(from) <= 366 * 86400 else {
                throw APIError(.badRequest, "invalid_parameter", "The range must be forward and at most 366 days.")
            }
            var listing = EventStore.Listing(from: from, to: to)
            listing.departmentID = parameters.get("department_id").flatMap { Int64($0) }
            listing.kind = parameters.get("kind").map { String($0) }
            listing.format = parameters.get("format").map { String($0) }
            listing.text = parameters.get("q").map { String($0.prefix(100)) }
            listing.mine = parameters.get("mine") == "true"
            let pagination = try Pagination(request)
            listing.limit = pagination.limit
            if let cursor = parameters.get("cursor"), !cursor.isEmpty {
                guard let data = SecureToken.base64URLDecode(String(cursor)), let text = String(data: data, encoding: .utf8),
                    let bar = text.lastIndex(of: "|"), let id = Int64(text[text.index(after: bar)...])
                else { throw Pagination.invalidCursor }
                listing.after = (String(text[..<bar]), id)
            }
            let chosen = listing
            let found = try await Offload.run { try events.list(chosen, reader: reader) }
            let items = try await views.bodies(found)
            let next: JSONValue =
                found.count == listing.limit
                ? .string(SecureToken.base64URL(Data("\(found.last!.startTime)|\(found.last!.id)".utf8))) : .null
            return JSONResponse.make(["items": .array(items), "next_cursor": next, "limit": .int(Int64(listing.limit))])
        }
        catalog.add(
            RouteSpec(
                id: "EVT-2", .get, "/api/v1/events/{id}", summary: "An event", tag: "Events",
                responses: [200: ("Event", "Event"), 404: ("Not visible", "Error")]),
            to: router
        ) { request, context in
            JSONResponse.make(try await views.body(try await views.visibleEvent(context)))
        }
        catalog.add(
            RouteSpec(
                id: "EVT-3", .post, "/api/v1/events", summary: "Create an event", tag: "Events", access: .member(scope: "manage"),
                limit: .own("30/h"),
                body: .object(Self.eventFields(creating: true)),
                responses: [
                    201: ("Event", "Event"), 403: ("Not an organiser", "Error"), 422: ("Invalid", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try fields(object, problems, over: nil, identity: identity)
            let organizer = identity.user.id
            let id = try await Offload.run { try events.create(fields, organizerID: organizer) }
            guard let event = try await Offload.run({ try events.event(id: id, reader: organizer) }) else { throw APIError.internalError }
            var response = JSONResponse.make(try await views.body(event), status: .created)
            response.headers[.location] = "/api/v1/events/\(id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "EVT-4", .patch, "/api/v1/events/{id}", summary: "Change an event", tag: "Events", access: .member(scope: "manage"),
                limit: .own("60/h"),
                body: .object(Self.eventFields(creating: false)),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("Event", "Event"), 403: ("Not the organiser", "Error"),
                    409: ("Cancelled", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await managedEvent(context, identity)
            let id = current.id
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let changed = try fields(object, problems, over: current, identity: identity)
            try await Offload.run { try events.update(id: id, fields: changed) }
            guard let event = try await Offload.run({ try events.event(id: id, reader: identity.user.id) }) else {
                throw APIError.notFound()
            }
            return JSONResponse.make(try await views.body(event))
        }
        catalog.add(
            RouteSpec(
                id: "EVT-5", .post, "/api/v1/events/{id}/cancel", summary: "Cancel an event", tag: "Events",
                access: .member(scope: "manage"), limit: .own("30/h"),
                body: .object(["reason": .text(max: 500)]),
                responses: [
                    422: ("Invalid fields", "Error"),
                    403: ("Not allowed for this account", "Error"), 200: ("Event", "Event"),
                    409: ("Already cancelled", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await managedEvent(context, identity).id
            let object = try await request.jsonObjectBody(context: context).object
            let reason = (object["reason"] as? String).map { String($0.prefix(500)) }
            try await Offload.run { try events.cancel(id: id, reason: reason) }
            guard let event = try await Offload.run({ try events.event(id: id, reader: identity.user.id) }) else {
                throw APIError.notFound()
            }
            return JSONResponse.make(try await views.body(event))
        }
        catalog.add(
            RouteSpec(
                id: "EVT-6", .put, "/api/v1/events/{id}/rsvp", summary: "RSVP", tag: "Events", access: .member(scope: "content:write"),
                limit: .own("60/h"),
                responses: [
                    201: ("Going or waitlisted", "RSVP"), 200: ("Already answered", "RSVP"),
                    409: ("Full, closed or cancelled", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let (id, user) = (try EventViews.eventID(context), identity.user.id)
            let result = try await Offload.run { try events.rsvp(eventID: id, userID: user) }
            return JSONResponse.make(
                ["status": .string(result.status), "position": result.position.map { .int(Int64($0)) } ?? .null],
                status: result.created ? .created : .ok)
        }
        catalog.add(
            RouteSpec(
                id: "EVT-7", .delete, "/api/v1/events/{id}/rsvp", summary: "Cancel my RSVP", tag: "Events",
                access: .member(scope: "content:write"), limit: .own("60/h"),
                responses: [204: ("Left; the first in line moves up", nil), 404: ("No RSVP", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let (id, user) = (try EventViews.eventID(context), identity.user.id)
            try await Offload.run { try events.leave(eventID: id, userID: user) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "EVT-8", .get, "/api/v1/events/{id}/attendees", summary: "Attendees", tag: "Events", access: .member(scope: "manage"),
                query: .page() + [.choice("status", ["going", "waitlisted", "checked_in"], "One status")],
                responses: [
                    200: ("Going and waitlisted, in order", "AttendeePage"), 404: ("Not yours", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await managedEvent(context, identity, hidden: true).id
            let status = request.uri.formQuery.get("status").map { String($0) }
            if let status, !["going", "waitlisted"].contains(status) {
                throw APIError.validation(["status": ["must be going or waitlisted"]])
            }
            let rows = try await Offload.run { try events.attendees(eventID: id, status: status) }
            let profiles = profiles
            let cards = try await Offload.run { try profiles.cards(ids: rows.map(\.userID), viewer: identity.user.id) }
            return JSONResponse.make([
                "items": .array(
                    rows.map { row in
                        [
                            "user": cards[row.userID].map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null,
                            "status": .string(row.status), "position": row.position.map { .int(Int64($0)) } ?? .null,
                            "checked_in_at": row.checkedInAt.map(JSONValue.string) ?? .null,
                        ]
                    })
            ])
        }
        catalog.add(
            RouteSpec(
                id: "EVT-9", .post, "/api/v1/events/{id}/check-in", summary: "Check in", tag: "Events",
                access: .member(scope: "content:write"), limit: .own("30/min"),
                body: .object(["user_id": .id, "code": .text(6...6)]),
                responses: [
                    422: ("Invalid fields", "Error"),
                    201: ("checked_in_at", "CheckedIn"), 200: ("Already checked in", "CheckedIn"),
                    403: ("Wrong code, or walk-ins off", "Error"),
                    409: ("Outside the check-in window", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let event = try await views.visibleEvent(context, scope: "content:write")
            let object = try await request.jsonObjectBody(context: context).object
            let result: (checkedInAt: String, created: Bool)
            let (eventID, caller) = (event.id, identity.user.id)
            if let value = object["user_id"] {
                guard identity.mayManage(event) else { throw Self.mapped(.forbidden) }
                guard let userID = value as? Int, !FieldReader.isBool(value), userID > 0 else {
                    throw APIError.validation(["user_id": ["must be a member id"]])
                }
                result = try await Offload.run {
                    try events.checkIn(eventID: eventID, userID: Int64(userID), method: .organizer, by: caller, code: nil)
                }
            } else {
                guard let code = object["code"] as? String, code.count == 6 else {
                    throw APIError.validation(["code": ["must be the event's 6-character code"]])
                }
                result = try await Offload.run {
                    try events.checkIn(eventID: eventID, userID: caller, method: .code, by: caller, code: code)
                }
            }
            return JSONResponse.make(["checked_in_at": .string(result.checkedInAt)], status: result.created ? .created : .ok)
        }
        catalog.add(
            RouteSpec(
                id: "EVT-10", .get, "/api/v1/events/{id}/check-in-code", summary: "The check-in code", tag: "Events",
                access: .member(scope: "manage"),
                responses: [200: ("code and qr_png (base64)", "CheckInCode"), 404: ("Not yours", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await managedEvent(context, identity, hidden: true).id
            let code = try await Offload.run { try events.checkInCode(eventID: id) }
            let link = "\(request.siteOrigin(configuration))/events/\(id)/check-in?code=\(code)"
            let png = try await Offload.run { try QRCode.encode(Array(link.utf8)).png(scale: 8) }
            return JSONResponse.make(["code": .string(code), "check_in_url": .string(link), "qr_png": .string(png.base64EncodedString())])
        }
        catalog.add(
            RouteSpec(
                id: "EVT-11", .post, "/api/v1/events/{id}/feedback", summary: "Rate an event I attended", tag: "Events",
                access: .member(scope: "content:write"),
                limit: .own("10/h"),
                body: .object(["rating": FieldRule.integer(1...5).required, "comment": .text(max: 1000)]),
                responses: [
                    422: ("Invalid fields", "Error"),
                    201: ("Recorded", "FeedbackRecorded"), 403: ("Did not check in", "Error"),
                    409: ("Already rated", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let event = try await views.visibleEvent(context, scope: "content:write")
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let rating = reader.integer("rating", 1...5, nil)
            if rating == nil { reader.problem("rating", "is required") }
            let comment = reader.text("comment", 0...1000, nil)
            try reader.validate()
            guard let rating else { throw APIError.validation(["rating": ["is required"]]) }
            let (eventID, user) = (event.id, identity.user.id)
            try await Offload.run { try events.giveFeedback(eventID: eventID, userID: user, rating: Int(rating), comment: comment) }
            return JSONResponse.make(["event_id": .int(eventID), "rating": .int(rating)], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "EVT-12", .get, "/api/v1/events/{id}/ics", summary: "The event as iCalendar", tag: "Events",
                responses: [200: ("The calendar (iCalendar)", "text/calendar"), 404: ("Not visible", "Error")]),
            to: router
        ) { request, context in
            let event = try await views.visibleEvent(context)
            let site = request.siteOrigin(configuration)
            let host = URL(string: site)?.host ?? "localhost"
            let item = ICalendar.Item(
                uid: "event-\(event.id)@\(host)", stamp: Timestamp.date(from: event.updatedAt) ?? Date(),
                start: Timestamp.date(from: event.startTime) ?? Date(), end: Timestamp.date(from: event.endTime) ?? Date(),
                timeZone: event.timeZone,
                summary: event.title, location: event.location, description: event.description, url: "\(site)/events/\(event.id)",
                sequence: event.sequence, cancelled: event.status == "cancelled")
            var headers = HTTPFields()
            headers[.contentType] = "text/calendar; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"event-\(event.id).ics\""
            return Response(
                status: .ok, headers: headers,
                body: .init(byteBuffer: ByteBuffer(string: ICalendar.calendar(name: event.title, items: [item], publish: true))))
        }
        catalog.add(
            RouteSpec(
                id: "EVT-14", .get, "/api/v1/users/me/events", summary: "My events", tag: "Events", access: .member(scope: "content:read"),
                query: [.choice("when", ["upcoming", "past"], "Upcoming (default) or past")],
                responses: [200: ("Events I RSVPed to", "EventList")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let past = request.uri.formQuery.get("when") == "past"
            let now = Date()
            var listing = EventStore.Listing(
                from: past ? now.addingTimeInterval(-366 * 86400) : now, to: past ? now : now.addingTimeInterval(366 * 86400))
            listing.mine = true
            listing.limit = 100
            let chosen = listing
            let found = try await Offload.run { try events.list(chosen, reader: identity.user.id) }
            return JSONResponse.make(["items": .array(try await views.bodies(found.filter { $0.myStatus != nil }))])
        }
    }
}
