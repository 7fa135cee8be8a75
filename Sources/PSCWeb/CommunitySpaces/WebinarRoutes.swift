import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// WBN-1..9 (10-api §15): webinars for members, hosted by faculty, staff and webinar managers. The meeting link
/// reaches only those the rule lets see it, in every answer (JSON, page, calendar file).
struct WebinarRoutes: FeatureRoutes {
    let webinars: WebinarStore
    let profiles: ProfileStore
    let configuration: Configuration

    static func fields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "title": .text(3...200), "description": FieldRule.text(max: 10_000).nullable, "scheduled_at": .instant,
            "timezone": .text(1...64), "duration_minutes": .integer(15...480), "meeting_url": FieldRule.https(max: 500).nullable,
            "max_participants": FieldRule.integer(1...100_000).nullable, "registration_required": .boolean,
            "department_id": FieldRule.id.nullable,
        ]
        if creating {
            for name in ["title", "scheduled_at"] { fields[name] = fields[name]?.required }
        } else {
            fields["recording_url"] = FieldRule.https(max: 500).nullable
        }
        return fields
    }

    /// WBN-3's fields over the current webinar (WBN-4).
    static func read(_ object: [String: Any], _ problems: [String: [String]], over current: WebinarRecord?, now: Date) throws
        -> WebinarFields
    {
        var reader = FieldReader(object, problems: problems)
        let title = reader.text("title", 3...200, current?.title, required: true) ?? ""
        let description = reader.text("description", 0...10_000, current?.description)
        let start = reader.time("scheduled_at", current?.start)
        if start == nil { reader.problem("scheduled_at", "is required") }
        if let start, current == nil || object["scheduled_at"] != nil, start <= now {
            reader.problem("scheduled_at", "must be in the future")
        }
        let zone = reader.text("timezone", 1...64, current?.timeZone) ?? "America/Chicago"
        if TimeZone(identifier: zone) == nil || !(zone.contains("/") || zone == "UTC") {
            reader.problem("timezone", "must be an IANA time zone")
        }
        let duration = reader.integer("duration_minutes", 15...480, Int64(current?.durationMinutes ?? 60)) ?? 60
        let meeting = reader.httpsURL("meeting_url", current?.meetingURL)
        let recording = reader.httpsURL("recording_url", current?.recordingURL)
        let cap = reader.integer("max_participants", 1...100_000, current?.maxParticipants.map(Int64.init))
        let required = reader.flag("registration_required", current?.registrationRequired ?? true)
        let department = reader.integer("department_id", 1...Int64.max, current?.departmentID)
        try reader.validate()
        return WebinarFields(
            title: title, description: description, scheduledAt: start ?? now, timeZone: zone, durationMinutes: Int(duration),
            meetingURL: meeting, recordingURL: recording, maxParticipants: cap.map(Int.init), registrationRequired: required,
            departmentID: department)
    }

    static func webinarID(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such webinar.") }

    func found(_ context: AppRequestContext, _ identity: Identity) async throws -> WebinarRecord {
        let (id, viewer) = (try Self.webinarID(context), identity.user.id)
        guard let record = try await Offload.run({ [webinars] in try webinars.webinar(id: id, viewer: viewer) }) else {
            throw APIError.notFound("There is no such webinar.")
        }
        return record
    }

    /// The webinar if the caller hosts or manages it; 404 otherwise, like a missing one.
    func managed(_ context: AppRequestContext, _ identity: Identity) async throws -> WebinarRecord {
        let record = try await found(context, identity)
        guard WebinarPolicy.mayManage(identity.actor, hostID: record.hostID, departmentID: record.departmentID) else {
            throw APIError.notFound("There is no such webinar.")
        }
        return record
    }

    func bodies(_ records: [WebinarRecord], identity: Identity) async throws -> [JSONValue] {
        let cards = try await CommunityViews.cards(records.map(\.hostID), viewer: identity.user.id, profiles: profiles)
        return records.map { CommunityViews.webinar($0, host: cards[$0.hostID], viewer: identity.actor) }
    }

    /// The webinar as a calendar file: in its own time zone, its link as the location only for those who may see it.
    static func calendar(_ record: WebinarRecord, actor: Actor, origin: String) -> String {
        let host = URL(string: origin)?.host ?? "localhost"
        let manages = WebinarPolicy.mayManage(actor, hostID: record.hostID, departmentID: record.departmentID)
        let sees = WebinarPolicy.seesMeetingURL(
            registrationRequired: record.registrationRequired, isRegistrant: record.myRegistration != nil, manages: manages, signedIn: true)
        let item = ICalendar.Item(
            uid: "webinar-\(record.id)@\(host)", stamp: Timestamp.date(from: record.updatedAt) ?? Date(), start: record.start,
            end: record.end,
            timeZone: record.timeZone, summary: record.title, location: sees ? (record.meetingURL ?? "Online") : "Online",
            description: record.description, url: "\(origin)/webinars/\(record.id)", sequence: record.sequence,
            cancelled: record.status == "cancelled")
        return ICalendar.calendar(name: record.title, items: [item], publish: true)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (webinars, configuration) = (webinars, configuration)
        catalog.add(
            RouteSpec(
                id: "WBN-1", .get, "/api/v1/webinars", summary: "Webinars", tag: "Webinars", access: .member(scope: "content:read"),
                query: .page() + [
                    .choice("when", ["upcoming", "past"], "Upcoming (default, in progress included) or past"),
                    .text("q", max: 100, "Words"),
                ],
                responses: [200: ("A page of Webinar", "WebinarPage"), 400: ("A parameter that does not parse", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let query = QueryReader(request)
            let past = try query.choice("when", ["upcoming", "past"]) == "past"
            let text = query.text("q", max: 100)
            let (limit, offset, viewer) = (try Pagination.limit(request), try query.offset, identity.user.id)
            let found = try await Offload.run { try webinars.list(past: past, text: text, limit: limit, offset: offset, viewer: viewer) }
            return JSONResponse.make([
                "items": .array(try await bodies(found, identity: identity)),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-2", .get, "/api/v1/webinars/{id}", summary: "A webinar", tag: "Webinars", access: .member(scope: "content:read"),
                responses: [200: ("Webinar", "Webinar"), 404: ("No such webinar", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:read")
            return JSONResponse.make(try await bodies([try await found(context, identity)], identity: identity)[0])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-3", .post, "/api/v1/webinars", summary: "Schedule a webinar", tag: "Webinars", access: .member(scope: "manage"),
                limit: .own("20/h"), body: .object(Self.fields(creating: true)),
                responses: [201: ("Webinar", "Webinar"), 403: ("Not a host", "Error"), 422: ("Invalid fields", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard WebinarPolicy.mayHost(identity.actor) else {
                throw APIError.forbidden("Faculty, staff and webinar managers host webinars.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try Self.read(object, problems, over: nil, now: Date())
            if let department = fields.departmentID, identity.user.role != .admin, identity.user.departmentID != department,
                !identity.actor.has(.manageWebinars, inDepartment: department)
            {
                throw APIError.forbidden("You may schedule webinars for your own department only.")
            }
            let audit = context.auditEntry("webinar.created", target: ("webinar", nil))
            let host = identity.user.id
            let record = try await Offload.run { try webinars.create(fields, hostID: host, audit: audit) }
            var response = JSONResponse.make(try await bodies([record], identity: identity)[0], status: .created)
            response.headers[.location] = "/api/v1/webinars/\(record.id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "WBN-4", .patch, "/api/v1/webinars/{id}", summary: "Change a webinar (registrants told of a new time)", tag: "Webinars",
                access: .member(scope: "manage"), limit: .own("30/h"), body: .object(Self.fields(creating: false)),
                responses: [
                    200: ("Webinar", "Webinar"), 404: ("Not mine to change", "Error"),
                    409: ("Cancelled, a recording before the end, or a limit below the registrations", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await managed(context, identity)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try Self.read(object, problems, over: current, now: Date())
            let audit = context.auditEntry("webinar.updated", target: ("webinar", current.id))
            let (id, editor) = (current.id, identity.user.id)
            let record = try await Offload.run { try webinars.update(id: id, fields: fields, editor: editor, audit: audit) }
            return JSONResponse.make(try await bodies([record], identity: identity)[0])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-4", .post, "/api/v1/webinars/{id}/cancel", summary: "Cancel a webinar (registrants told)", tag: "Webinars",
                access: .member(scope: "manage"), limit: .own("30/h"),
                responses: [200: ("Webinar", "Webinar"), 404: ("Not mine to cancel", "Error"), 409: ("Already cancelled", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await managed(context, identity)
            let audit = context.auditEntry("webinar.cancelled", target: ("webinar", current.id), severity: .warning)
            let (id, editor) = (current.id, identity.user.id)
            let record = try await Offload.run { try webinars.cancel(id: id, editor: editor, audit: audit) }
            return JSONResponse.make(try await bodies([record], identity: identity)[0])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-5", .put, "/api/v1/webinars/{id}/registration", summary: "Register for a webinar", tag: "Webinars",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                responses: [
                    201: ("Registered", "WebinarRegistered"), 200: ("Already registered", "WebinarRegistered"),
                    404: ("No such webinar", "Error"),
                    409: ("webinar_full, cancelled or started", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let (id, user) = (try Self.webinarID(context), identity.user.id)
            let result = try await Offload.run { try webinars.register(webinarID: id, userID: user) }
            return JSONResponse.make(["registration_id": .int(result.id)], status: result.created ? .created : .ok)
        }
        catalog.add(
            RouteSpec(
                id: "WBN-6", .delete, "/api/v1/webinars/{id}/registration", summary: "Cancel my registration", tag: "Webinars",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                responses: [204: ("Cancelled", nil), 404: ("Not registered", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let (id, user) = (try Self.webinarID(context), identity.user.id)
            try await Offload.run { try webinars.unregister(webinarID: id, userID: user) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "WBN-7", .get, "/api/v1/webinars/{id}/registrations", summary: "Who registered", tag: "Webinars",
                access: .member(scope: "manage"), query: .page() + [.choice("format", ["json", "csv"], "csv for a spreadsheet")],
                responses: [
                    200: ("A page of {user, registered_at, attended}, or CSV", "WebinarRegistrationPage|text/csv"),
                    400: ("A parameter that does not parse", "Error"), 404: ("Not mine", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let webinar = try await managed(context, identity)
            let query = QueryReader(request)
            let csv = try query.choice("format", ["json", "csv"]) == "csv"
            let (limit, offset) = csv ? (100_000, 0) : (try Pagination.limit(request), try query.offset)
            let rows = try await Offload.run { try webinars.registrations(webinarID: webinar.id, limit: limit, offset: offset) }
            if csv {
                let people = try await Offload.run { [profiles] in try profiles.cards(ids: rows.map(\.userID), viewer: identity.user.id) }
                let text = CSV.document(
                    header: ["name", "role", "registered_at", "attended"],
                    rows: rows.map { row in
                        let record = people[row.userID]?.record
                        return [
                            record.map { "\($0.firstName) \($0.lastName)" } ?? "", record?.role.rawValue ?? "", row.registeredAt,
                            row.attended.map { $0 ? "yes" : "no" } ?? "",
                        ]
                    })
                var headers = HTTPFields()
                headers[.contentType] = "text/csv; charset=utf-8"
                headers[.contentDisposition] = "attachment; filename=\"webinar-\(webinar.id)-registrations.csv\""
                return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
            }
            let cards = try await CommunityViews.cards(rows.map(\.userID), viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make([
                "items": .array(
                    rows.map { row in
                        [
                            "user": cards[row.userID] ?? .null, "registered_at": .string(row.registeredAt),
                            "attended": row.attended.map(JSONValue.bool) ?? .null,
                        ]
                    }),
                "next_cursor": rows.count == limit ? OffsetCursor.next(offset + rows.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-8", .post, "/api/v1/webinars/{id}/attendance", summary: "Record attendance", tag: "Webinars",
                access: .member(scope: "manage"), limit: .own("30/h"),
                body: .object(["user_ids": FieldRule.ids(max: 5000).required, "attended": FieldRule.boolean.required]),
                responses: [
                    200: ("How many registrations changed", "Updated"), 404: ("Not mine", "Error"), 409: ("Before the start", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let webinar = try await managed(context, identity)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let ids = (object["user_ids"] as? [Any])?.compactMap { $0 as? Int }.filter { $0 > 0 }.map(Int64.init) ?? []
            if object["user_ids"] == nil { reader.problem("user_ids", "is required") }
            if object["attended"] == nil { reader.problem("attended", "is required") }
            let attended = reader.flag("attended", false)
            try reader.validate()
            let updated = try await Offload.run { try webinars.recordAttendance(webinarID: webinar.id, userIDs: ids, attended: attended) }
            return JSONResponse.make(["updated": .int(Int64(updated))])
        }
        catalog.add(
            RouteSpec(
                id: "WBN-9", .get, "/api/v1/webinars/{id}/ics", summary: "The webinar as iCalendar", tag: "Webinars",
                access: .member(scope: "content:read"),
                responses: [200: ("The calendar (iCalendar)", "text/calendar"), 404: ("No such webinar", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let record = try await found(context, identity)
            var headers = HTTPFields()
            headers[.contentType] = "text/calendar; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"webinar-\(record.id).ics\""
            let text = Self.calendar(record, actor: identity.actor, origin: request.siteOrigin(configuration))
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
