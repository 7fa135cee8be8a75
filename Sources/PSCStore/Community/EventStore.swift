import Foundation
import GRDB
import PSCCore

public enum EventError: Error, Equatable {
    case notFound
    case full
    case deadlinePassed
    case cancelled
    case forbidden
    case wrongCode
    case walkInsOff
    case outsideCheckInWindow
    case notCheckedIn
    case feedbackGiven
}

public struct EventRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let title: String
    public let description: String?
    public let location: String?
    public let format: String
    public let kind: String
    public let startTime: String
    public let endTime: String
    public let timeZone: String
    public let departmentID: Int64?
    public let organizerID: Int64
    public let capacity: Int?
    public let waitlistEnabled: Bool
    public let walkInsAllowed: Bool
    public let rsvpDeadline: String?
    public let visibility: String
    public let status: String
    public let cancelReason: String?
    public let sequence: Int
    public let goingCount: Int
    public let waitlistCount: Int
    public let createdAt: String
    public let updatedAt: String
    /// The reader's RSVP: status and, while waitlisted, the place in line.
    public let myStatus: String?
    public let myPosition: Int?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        title = try row.decode(forColumn: "title")
        description = try row.decode(forColumn: "description")
        location = try row.decode(forColumn: "location")
        format = try row.decode(forColumn: "format")
        kind = try row.decode(forColumn: "kind")
        startTime = try row.decode(forColumn: "start_time")
        endTime = try row.decode(forColumn: "end_time")
        timeZone = try row.decode(forColumn: "timezone")
        departmentID = try row.decode(forColumn: "department_id")
        organizerID = try row.decode(forColumn: "organizer_id")
        capacity = try row.decode(forColumn: "capacity")
        waitlistEnabled = try row.decode(forColumn: "waitlist_enabled")
        walkInsAllowed = try row.decode(forColumn: "walk_ins_allowed")
        rsvpDeadline = try row.decode(forColumn: "rsvp_deadline")
        visibility = try row.decode(forColumn: "visibility")
        status = try row.decode(forColumn: "status")
        cancelReason = try row.decode(forColumn: "cancel_reason")
        sequence = try row.decode(forColumn: "sequence")
        goingCount = try row.decode(forColumn: "going_count")
        waitlistCount = try row.decode(forColumn: "waitlist_count")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
        myStatus = try row.decode(forColumn: "my_status")
        myPosition = try row.decode(forColumn: "my_position")
    }
}

/// What an organiser sets on an event (EVT-3, EVT-4), already validated.
public struct EventFields: Sendable {
    public var title: String
    public var description: String?
    public var location: String?
    public var format: String
    public var kind: String
    public var startTime: Date
    public var endTime: Date
    public var timeZone: String
    public var departmentID: Int64?
    public var capacity: Int?
    public var waitlistEnabled: Bool
    public var walkInsAllowed: Bool
    public var rsvpDeadline: Date?
    public var visibility: String

    public init(
        title: String, description: String?, location: String?, format: String, kind: String, startTime: Date, endTime: Date,
        timeZone: String,
        departmentID: Int64?, capacity: Int?, waitlistEnabled: Bool, walkInsAllowed: Bool, rsvpDeadline: Date?, visibility: String
    ) {
        (self.title, self.description, self.location, self.format, self.kind) = (title, description, location, format, kind)
        (self.startTime, self.endTime, self.timeZone, self.departmentID, self.capacity) = (
            startTime, endTime, timeZone, departmentID, capacity
        )
        (self.waitlistEnabled, self.walkInsAllowed, self.rsvpDeadline, self.visibility) = (
            waitlistEnabled, walkInsAllowed, rsvpDeadline, visibility
        )
    }
}

/// Events and RSVPs (10-api §8). Every seat change happens in one write transaction through the single writer, so
/// going never exceeds capacity and a freed seat goes to the first in line in the transaction that freed it.
public struct EventStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static func selectSQL(reader: Int64?) -> String {
        let viewer = reader.map(String.init) ?? "NULL"
        return """
            SELECT e.*, r.status AS my_status,
                CASE WHEN r.status = 'waitlisted' THEN (SELECT count(*) FROM event_rsvps w WHERE w.event_id = e.id
                    AND w.status = 'waitlisted' AND (w.created_at < r.created_at OR (w.created_at = r.created_at AND w.id <= r.id))) END AS my_position
            FROM events e LEFT JOIN event_rsvps r ON r.event_id = e.id AND r.user_id = \(viewer)
            """
    }

    /// Anonymous readers see public events; members see members' events too.
    static func visibleSQL(reader: Int64?) -> String { reader == nil ? "e.visibility = 'public'" : "1" }

    public func create(_ fields: EventFields, organizerID: Int64) throws -> Int64 {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO events (title, description, location, format, kind, start_time, end_time, timezone, department_id, organizer_id,
                        capacity, waitlist_enabled, walk_ins_allowed, rsvp_deadline, visibility, status, sequence, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'scheduled', 0, ?16, ?16)
                    """,
                arguments: [
                    fields.title, fields.description, fields.location, fields.format, fields.kind, Timestamp.string(from: fields.startTime),
                    Timestamp.string(from: fields.endTime), fields.timeZone, fields.departmentID, organizerID, fields.capacity,
                    fields.waitlistEnabled, fields.walkInsAllowed, fields.rsvpDeadline.map(Timestamp.string(from:)), fields.visibility,
                    stamp,
                ])
            return db.lastInsertedRowID
        }
    }

    public func event(id: Int64, reader: Int64?) throws -> EventRecord? {
        try store.read { db in try event(id: id, reader: reader, in: db) }
    }

    func event(id: Int64, reader: Int64?, in db: GRDB.Database) throws -> EventRecord? {
        try EventRecord.fetchOne(
            db, sql: Self.selectSQL(reader: reader) + " WHERE e.id = ? AND \(Self.visibleSQL(reader: reader))", arguments: [id])
    }

    public struct Listing: Sendable {
        public var from: Date
        public var to: Date
        public var departmentID: Int64?
        public var kind: String?
        public var format: String?
        public var text: String?
        public var mine = false
        public var after: (start: String, id: Int64)?
        public var limit = 20
        public init(from: Date, to: Date) {
            self.from = from
            self.to = to
        }
    }

    /// EVT-1: events starting in the range, by start time.
    public func list(_ listing: Listing, reader: Int64?) throws -> [EventRecord] {
        var conditions = ["e.start_time >= ?", "e.start_time < ?", Self.visibleSQL(reader: reader)]
        var arguments: StatementArguments = [Timestamp.string(from: listing.from), Timestamp.string(from: listing.to)]
        if let department = listing.departmentID {
            conditions.append("e.department_id = ?")
            arguments += [department]
        }
        if let kind = listing.kind {
            conditions.append("e.kind = ?")
            arguments += [kind]
        }
        if let format = listing.format {
            conditions.append("e.format = ?")
            arguments += [format]
        }
        if let text = listing.text, !text.isEmpty {
            conditions.append("(lower(e.title) LIKE ? ESCAPE '\\' OR lower(coalesce(e.description, '')) LIKE ? ESCAPE '\\')")
            let pattern = LikePattern.containing(text.lowercased())
            arguments += [pattern, pattern]
        }
        if listing.mine, reader != nil { conditions.append("(r.status IS NOT NULL OR e.organizer_id = \(reader!))") }
        if let after = listing.after {
            conditions.append("(e.start_time > ? OR (e.start_time = ? AND e.id > ?))")
            arguments += [after.start, after.start, after.id]
        }
        arguments += [listing.limit]
        return try store.read { db in
            try EventRecord.fetchAll(
                db,
                sql: Self.selectSQL(reader: reader) + " WHERE \(conditions.joined(separator: " AND ")) ORDER BY e.start_time, e.id LIMIT ?",
                arguments: arguments)
        }
    }

    /// EVT-4: an organiser's change; the sequence rises when time, place, title or status change (20-services §8.6).
    public func update(id: Int64, fields: EventFields) throws {
        try store.write { db in
            guard let current = try EventRecord.fetchOne(db, sql: Self.selectSQL(reader: nil) + " WHERE e.id = ?", arguments: [id]) else {
                throw EventError.notFound
            }
            guard current.status == "scheduled" else { throw EventError.cancelled }
            let start = Timestamp.string(from: fields.startTime)
            let end = Timestamp.string(from: fields.endTime)
            let matters =
                start != current.startTime || end != current.endTime || fields.location != current.location || fields.title != current.title
            try db.execute(
                sql: """
                    UPDATE events SET title = ?, description = ?, location = ?, format = ?, kind = ?, start_time = ?, end_time = ?, timezone = ?,
                        department_id = ?, capacity = ?, waitlist_enabled = ?, walk_ins_allowed = ?, rsvp_deadline = ?, visibility = ?,
                        sequence = sequence + ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    fields.title, fields.description, fields.location, fields.format, fields.kind, start, end, fields.timeZone,
                    fields.departmentID,
                    fields.capacity, fields.waitlistEnabled, fields.walkInsAllowed, fields.rsvpDeadline.map(Timestamp.string(from:)),
                    fields.visibility, matters ? 1 : 0, Timestamp.string(from: clock()), id,
                ])
            // A larger capacity seats the first in line at once; a smaller one demotes nobody.
            try promote(eventID: id, in: db)
        }
    }

    public func cancel(id: Int64, reason: String?) throws {
        try store.write { db in
            guard let status = try String.fetchOne(db, sql: "SELECT status FROM events WHERE id = ?", arguments: [id]) else {
                throw EventError.notFound
            }
            guard status == "scheduled" else { throw EventError.cancelled }
            try db.execute(
                sql: "UPDATE events SET status = 'cancelled', cancel_reason = ?, sequence = sequence + 1, updated_at = ? WHERE id = ?",
                arguments: [reason, Timestamp.string(from: clock()), id])
            let title = try String.fetchOne(db, sql: "SELECT title FROM events WHERE id = ?", arguments: [id]) ?? "An event"
            try hub.notify(
                selecting: "SELECT user_id AS id FROM event_rsvps WHERE event_id = ?", arguments: [id],
                .init(
                    .eventCancelled, title: "Event cancelled", message: "\(title) is cancelled.\(reason.map { " \($0)" } ?? "")",
                    link: "/events/\(id)"),
                in: db)
        }
    }

    /// EVT-6: going while a seat is free, else waitlisted when the waitlist is on, else full. A repeat returns the
    /// existing RSVP with `created` false.
    public func rsvp(eventID: Int64, userID: Int64) throws -> (status: String, position: Int?, created: Bool) {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            guard let event = try event(id: eventID, reader: userID, in: db) else { throw EventError.notFound }
            if let status = event.myStatus { return (status, event.myPosition, false) }
            guard event.status == "scheduled" else { throw EventError.cancelled }
            let closes = event.rsvpDeadline ?? event.startTime
            guard stamp < closes, stamp < event.startTime else { throw EventError.deadlinePassed }
            let decision = EventPolicy.rsvp(capacity: event.capacity, going: event.goingCount, waitlistEnabled: event.waitlistEnabled)
            guard decision != .full else { throw EventError.full }
            let status = decision.rawValue
            try db.execute(
                sql: "INSERT INTO event_rsvps (event_id, user_id, status, created_at, updated_at) VALUES (?, ?, ?, ?4, ?4)",
                arguments: [eventID, userID, status, stamp])
            try db.execute(
                sql:
                    "UPDATE events SET \(status == "going" ? "going_count = going_count + 1" : "waitlist_count = waitlist_count + 1") WHERE id = ?",
                arguments: [eventID])
            let position = status == "waitlisted" ? event.waitlistCount + 1 : nil
            return (status, position, true)
        }
    }

    /// EVT-7: leaving a seat gives it to the first in line in the same transaction.
    public func leave(eventID: Int64, userID: Int64) throws {
        try store.write { db in try leave(eventID: eventID, userID: userID, in: db) }
    }

    /// Removes the RSVP, keeps the event's counters, and seats the first in line; inside the caller's transaction
    /// (EVT-7 and the account purge).
    func leave(eventID: Int64, userID: Int64, in db: GRDB.Database) throws {
        guard
            let status = try String.fetchOne(
                db, sql: "SELECT status FROM event_rsvps WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
        else { throw EventError.notFound }
        try db.execute(sql: "DELETE FROM event_rsvps WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
        try db.execute(
            sql:
                "UPDATE events SET \(status == "going" ? "going_count = going_count - 1" : "waitlist_count = waitlist_count - 1") WHERE id = ?",
            arguments: [eventID])
        try promote(eventID: eventID, in: db)
    }

    /// Seats the waitlist in order while seats are free; returns who moved up.
    @discardableResult
    func promote(eventID: Int64, in db: GRDB.Database) throws -> [Int64] {
        var promoted: [Int64] = []
        while let row = try Row.fetchOne(
            db,
            sql: """
                SELECT r.id, r.user_id FROM event_rsvps r JOIN events e ON e.id = r.event_id
                WHERE r.event_id = ? AND r.status = 'waitlisted' AND e.status = 'scheduled' AND (e.capacity IS NULL OR e.going_count < e.capacity)
                ORDER BY r.created_at, r.id LIMIT 1
                """,
            arguments: [eventID])
        {
            try db.execute(
                sql: "UPDATE event_rsvps SET status = 'going', updated_at = ? WHERE id = ?",
                arguments: [Timestamp.string(from: clock()), try row.decode(forColumn: "id") as Int64])
            try db.execute(
                sql: "UPDATE events SET going_count = going_count + 1, waitlist_count = waitlist_count - 1 WHERE id = ?",
                arguments: [eventID])
            promoted.append(try row.decode(forColumn: "user_id"))
        }
        if !promoted.isEmpty {
            let title = try String.fetchOne(db, sql: "SELECT title FROM events WHERE id = ?", arguments: [eventID]) ?? "An event"
            try hub.notify(
                promoted,
                .init(
                    .eventReminder, title: "You have a place", message: "A seat opened at \(title): you are going.",
                    link: "/events/\(eventID)"),
                in: db)
        }
        return promoted
    }

    /// EVT-13: the holder of a calendar token (their first name) and the events they are going to; cancelled ones
    /// stay 30 days so subscribed calendars show the cancellation.
    /// USR-15: a new private feed token replaces the old one, which stops working at once; only its hash is kept.
    public func setCalendarToken(_ token: String, userID: Int64) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE users SET calendar_token_hash = ?, updated_at = ? WHERE id = ?",
                arguments: [SecureToken.sha256(token), Timestamp.string(from: clock()), userID])
        }
    }

    public func calendarFeed(token: String) throws -> (firstName: String, events: [EventRecord])? {
        let since = Timestamp.string(from: clock().addingTimeInterval(-30 * 86400))
        return try store.read { db in
            guard
                let user = try Row.fetchOne(
                    db, sql: "SELECT id, first_name FROM users WHERE calendar_token_hash = ? AND status = 'active'",
                    arguments: [SecureToken.sha256(token)])
            else { return nil }
            let userID: Int64 = try user.decode(forColumn: "id")
            let events = try EventRecord.fetchAll(
                db,
                sql: Self.selectSQL(reader: userID)
                    + " WHERE r.status = 'going' AND (e.status = 'scheduled' OR e.updated_at > ?) ORDER BY e.start_time, e.id",
                arguments: [since])
            return (try user.decode(forColumn: "first_name"), events)
        }
    }

    /// EVT-8: who is going or waiting, in order.
    public func attendees(eventID: Int64, status: String?) throws -> [(userID: Int64, status: String, position: Int?, checkedInAt: String?)]
    {
        try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.user_id, r.status, c.checked_in_at FROM event_rsvps r
                    LEFT JOIN event_checkins c ON c.event_id = r.event_id AND c.user_id = r.user_id
                    WHERE r.event_id = ? AND (?2 IS NULL OR r.status = ?2) ORDER BY r.status, r.created_at, r.id
                    """,
                arguments: [eventID, status])
            var waiting = 0
            return try rows.map { row in
                let status: String = try row.decode(forColumn: "status")
                if status == "waitlisted" { waiting += 1 }
                return (
                    try row.decode(forColumn: "user_id"), status, status == "waitlisted" ? waiting : nil,
                    try row.decode(forColumn: "checked_in_at")
                )
            }
        }
    }
}
