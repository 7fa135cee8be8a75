import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Events as the API and the pages show them: organisers' cards and department names read once per page.
struct EventViews {
    let events: EventStore
    let profiles: ProfileStore
    let departments: DepartmentStore

    static let kinds = ["general", "career_fair", "workshop", "info_session", "social", "q_and_a"]

    /// Event shapes for a page of events: the organisers' cards and the department names are read once per page.
    func bodies(_ events: [EventRecord]) async throws -> [JSONValue] {
        let profiles = profiles
        let organizerIDs = Array(Set(events.map(\.organizerID)))
        let organizers = try await Offload.run { try profiles.cards(ids: organizerIDs, viewer: 0) }
        let names = Dictionary(try await departments.names().map { ($0.id, $0.name) }, uniquingKeysWith: { first, _ in first })
        return events.map { event in
            Self.body(
                event, organizer: organizers[event.organizerID]?.record,
                department: event.departmentID.flatMap { id in names[id].map { (id, $0) } })
        }
    }

    func body(_ event: EventRecord) async throws -> JSONValue { try await bodies([event])[0] }

    static func body(_ event: EventRecord, organizer: ProfileRecord?, department: (id: Int64, name: String)?) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(event.id), "title": .string(event.title), "description": text(event.description), "location": text(event.location),
            "format": .string(event.format), "kind": .string(event.kind), "start_time": .string(event.startTime),
            "end_time": .string(event.endTime),
            "timezone": .string(event.timeZone),
            "department": department.map { ["id": .int($0.id), "name": .string($0.name)] } ?? .null,
            "organizer": organizer.map { .object(ProfileViews.card($0, relation: .none, anonymous: true)) } ?? .null,
            "capacity": event.capacity.map { .int(Int64($0)) } ?? .null, "going_count": .int(Int64(event.goingCount)),
            "waitlist_count": .int(Int64(event.waitlistCount)), "waitlist_enabled": .bool(event.waitlistEnabled),
            "rsvp_deadline": text(event.rsvpDeadline), "visibility": .string(event.visibility), "status": .string(event.status),
            "my_rsvp": event.myStatus.map { ["status": .string($0), "position": event.myPosition.map { .int(Int64($0)) } ?? .null] }
                ?? .null,
            "sequence": .int(Int64(event.sequence)), "ics_url": .string("/api/v1/events/\(event.id)/ics"), "sponsors": [],
        ]
    }

    /// The event as the caller may see it (anonymous callers: public events only), or 404.
    /// The event of the path as the caller may see it; `scope` is the token scope of the route asking (a write route's
    /// token need not also hold `content:read`).
    func visibleEvent(_ context: AppRequestContext, scope: String = "content:read") async throws -> EventRecord {
        let reader = context.identity == nil ? nil : try context.require(.active, scope: scope).user.id
        let (events, id) = (events, try Self.eventID(context))
        guard let event = try await Offload.run({ try events.event(id: id, reader: reader) }) else {
            throw APIError.notFound("There is no such event.")
        }
        return event
    }

    static func eventID(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such event.") }
}
