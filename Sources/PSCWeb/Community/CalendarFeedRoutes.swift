import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// USR-15 and EVT-13 (10-api §4, §8): a private calendar feed behind a secret URL. Only the token's SHA-256 is
/// stored; a new token retires the old URL.
struct CalendarFeedRoutes: FeatureRoutes {
    let configuration: Configuration
    let events: EventStore

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "USR-15", .post, "/api/v1/users/me/calendar-token", summary: "A new calendar feed URL", tag: "Users",
                access: .member(scope: "profile:write"),
                limit: .own("5/h"),
                responses: [201: ("The new feed address; the old one stops working", "CalendarToken")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:write")
            let token = SecureToken.random()
            let (events, userID) = (events, identity.user.id)
            try await Offload.run { try events.setCalendarToken(token, userID: userID) }
            let site = request.siteOrigin(configuration)
            return JSONResponse.make(["feed_url": .string("\(site)/api/v1/calendar/\(token).ics")], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "EVT-13", .get, "/api/v1/calendar/{feed}", summary: "My calendar feed (.ics)", tag: "Events",
                limit: .own("60/h"),
                responses: [200: ("The calendar (iCalendar)", "text/calendar"), 304: ("Unchanged", nil), 404: ("Unknown feed", "Error")]),
            to: router
        ) { request, context in
            guard let name = context.parameters.get("feed"), name.hasSuffix(".ics") else {
                throw APIError.notFound("There is no such calendar.")
            }
            let token = String(name.dropLast(4))
            let events = events
            let found = try await Offload.run { try events.calendarFeed(token: token) }
            guard let (firstName, events) = found else { throw APIError.notFound("There is no such calendar.") }
            let site = request.siteOrigin(configuration)
            let host = URL(string: site)?.host ?? "localhost"
            let items = events.map { event in
                ICalendar.Item(
                    uid: "event-\(event.id)@\(host)", stamp: Timestamp.date(from: event.updatedAt) ?? Date(),
                    start: Timestamp.date(from: event.startTime) ?? Date(), end: Timestamp.date(from: event.endTime) ?? Date(),
                    timeZone: event.timeZone, summary: event.title, location: event.location, description: event.description,
                    url: "\(site)/events/\(event.id)", sequence: event.sequence, cancelled: event.status == "cancelled")
            }
            let text = ICalendar.calendar(name: "PittState Connect · \(firstName)", items: items, publish: false)
            let tag = "\"" + SecureToken.base64URL(SecureToken.sha256(text)).prefix(27) + "\""
            var headers = HTTPFields()
            headers[.eTag] = tag
            headers[.cacheControl] = "private, no-cache"
            if request.headers[.ifNoneMatch] == tag { return Response(status: .notModified, headers: headers) }
            headers[.contentType] = "text/calendar; charset=utf-8"
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
