import Foundation
import GRDB
import PSCCore

public struct WebinarRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let title: String
    public let description: String?
    public let hostID: Int64
    public let departmentID: Int64?
    public let departmentName: String?
    public let scheduledAt: String
    public let timeZone: String
    public let durationMinutes: Int
    public let meetingURL: String?
    public let recordingURL: String?
    public let maxParticipants: Int?
    public let registrationRequired: Bool
    public let status: String
    public let sequence: Int
    public let registeredCount: Int
    public let updatedAt: String
    /// The reader's registration, if any.
    public let myRegistration: (id: Int64, registeredAt: String, attended: Bool?)?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        title = try row.decode(forColumn: "title")
        description = try row.decode(forColumn: "description")
        hostID = try row.decode(forColumn: "host_id")
        departmentID = try row.decode(forColumn: "department_id")
        departmentName = try row.decode(forColumn: "department_name")
        scheduledAt = try row.decode(forColumn: "scheduled_at")
        timeZone = try row.decode(forColumn: "timezone")
        durationMinutes = try row.decode(forColumn: "duration_minutes")
        meetingURL = try row.decode(forColumn: "meeting_url")
        recordingURL = try row.decode(forColumn: "recording_url")
        maxParticipants = try row.decode(forColumn: "max_participants")
        registrationRequired = try row.decode(forColumn: "registration_required")
        status = try row.decode(forColumn: "status")
        sequence = try row.decode(forColumn: "sequence")
        registeredCount = try row.decode(forColumn: "registered_count")
        updatedAt = try row.decode(forColumn: "updated_at")
        let registration: Int64? = try row.decode(forColumn: "my_registration_id")
        myRegistration = try registration.map {
            ($0, try row.decode(forColumn: "my_registered_at"), try row.decode(forColumn: "my_attended"))
        }
    }

    public var start: Date { Timestamp.date(from: scheduledAt) ?? .distantPast }
    public var end: Date { start.addingTimeInterval(Double(durationMinutes) * 60) }
    /// Places left when registration is capped; nil when unlimited.
    public var placesLeft: Int? { registrationRequired ? maxParticipants.map { max(0, $0 - registeredCount) } : nil }
}

/// WBN-3's fields (WBN-4 passes the whole changed set).
public struct WebinarFields: Sendable {
    public var title: String
    public var description: String?
    public var scheduledAt: Date
    public var timeZone: String
    public var durationMinutes: Int
    public var meetingURL: String?
    public var recordingURL: String?
    public var maxParticipants: Int?
    public var registrationRequired: Bool
    public var departmentID: Int64?

    public init(
        title: String, description: String? = nil, scheduledAt: Date, timeZone: String = "America/Chicago", durationMinutes: Int = 60,
        meetingURL: String? = nil, recordingURL: String? = nil, maxParticipants: Int? = nil, registrationRequired: Bool = true,
        departmentID: Int64? = nil
    ) {
        (self.title, self.description, self.scheduledAt, self.timeZone) = (title, description, scheduledAt, timeZone)
        (self.durationMinutes, self.meetingURL, self.recordingURL) = (durationMinutes, meetingURL, recordingURL)
        (self.maxParticipants, self.registrationRequired, self.departmentID) = (maxParticipants, registrationRequired, departmentID)
    }
}

/// Webinars (10-api §15): scheduling with a time zone, registration under a capacity that one writer makes exact,
/// reminders 24 h and 15 min before, and registrants told of moves, cancellations and recordings.
public struct WebinarStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static func select(viewer: Int64?) -> String {
        """
        SELECT w.*, d.name AS department_name, r.id AS my_registration_id, r.registered_at AS my_registered_at, r.attended AS my_attended
        FROM webinars w LEFT JOIN departments d ON d.id = w.department_id
            LEFT JOIN webinar_registrations r ON r.webinar_id = w.id AND r.user_id = \(viewer ?? 0)
        """
    }

    /// Upcoming (in progress included), soonest first, or past, latest first (WBN-1).
    public func list(past: Bool, text: String?, limit: Int, offset: Int, viewer: Int64?) throws -> [WebinarRecord] {
        let now = Timestamp.string(from: clock())
        // The end is the start plus the duration; julianday keeps the comparison in SQL.
        let ended = "julianday(w.scheduled_at) + w.duration_minutes / 1440.0 <= julianday(?)"
        var sql = "\(Self.select(viewer: viewer)) WHERE \(past ? ended : "NOT (\(ended))")"
        var arguments: StatementArguments = [now]
        if let text, !text.isEmpty {
            sql += " AND (w.title LIKE ? ESCAPE '\\' OR w.description LIKE ? ESCAPE '\\')"
            let pattern = LikePattern.containing(text)
            arguments += [pattern, pattern]
        }
        sql += past ? " ORDER BY w.scheduled_at DESC, w.id DESC" : " ORDER BY w.scheduled_at, w.id"
        sql += " LIMIT ? OFFSET ?"
        arguments += [limit, offset]
        let chosen = arguments
        return try store.read { db in try WebinarRecord.fetchAll(db, sql: sql, arguments: chosen) }
    }

    public func webinar(id: Int64, viewer: Int64?) throws -> WebinarRecord? {
        try store.read { db in try Self.webinar(id: id, viewer: viewer, in: db) }
    }

    static func webinar(id: Int64, viewer: Int64?, in db: Database) throws -> WebinarRecord? {
        try WebinarRecord.fetchOne(db, sql: "\(select(viewer: viewer)) WHERE w.id = ?", arguments: [id])
    }

    public func create(_ fields: WebinarFields, hostID: Int64, audit: AuditEntry) throws -> WebinarRecord {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO webinars (title, description, host_id, department_id, scheduled_at, timezone, duration_minutes, meeting_url,
                        recording_url, max_participants, registration_required, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fields.title, fields.description, hostID, fields.departmentID, Timestamp.string(from: fields.scheduledAt),
                    fields.timeZone,
                    fields.durationMinutes, fields.meetingURL, fields.recordingURL, fields.maxParticipants, fields.registrationRequired,
                    stamp, stamp,
                ])
            let id = db.lastInsertedRowID
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try Self.webinar(id: id, viewer: hostID, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    static let cancelled = CommunityError.conflict(code: "invalid_state", message: "This webinar is cancelled.")

    func registrants(_ id: Int64, in db: Database) throws -> [Int64] {
        try Int64.fetchAll(db, sql: "SELECT user_id FROM webinar_registrations WHERE webinar_id = ? ORDER BY user_id", arguments: [id])
    }

    /// WBN-4 PATCH. A new time raises the sequence, re-queues every registrant's reminders and tells them; a
    /// recording link (only after the end) tells them too.
    public func update(id: Int64, fields: WebinarFields, editor: Int64, audit: AuditEntry) throws -> WebinarRecord {
        try store.write { db in
            guard let current = try Self.webinar(id: id, viewer: nil, in: db) else { throw CommunityError.notFound }
            guard current.status == "scheduled" else { throw Self.cancelled }
            let now = clock()
            let newStart = fields.scheduledAt
            let moved = abs(newStart.timeIntervalSince(current.start)) >= 1 || fields.durationMinutes != current.durationMinutes
            let newEnd = newStart.addingTimeInterval(Double(fields.durationMinutes) * 60)
            if fields.recordingURL != nil, fields.recordingURL != current.recordingURL, newEnd > now {
                throw CommunityError.conflict(code: "invalid_state", message: "The recording link can be added once the webinar has ended.")
            }
            if let cap = fields.maxParticipants, fields.registrationRequired, cap < current.registeredCount {
                throw CommunityError.conflict(
                    code: "conflict", message: "\(current.registeredCount) people have registered; the limit cannot go below that.")
            }
            let sequence = current.sequence + (moved ? 1 : 0)
            try db.execute(
                sql: """
                    UPDATE webinars SET title = ?, description = ?, department_id = ?, scheduled_at = ?, timezone = ?, duration_minutes = ?,
                        meeting_url = ?, recording_url = ?, max_participants = ?, registration_required = ?, sequence = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    fields.title, fields.description, fields.departmentID, Timestamp.string(from: newStart), fields.timeZone,
                    fields.durationMinutes, fields.meetingURL, fields.recordingURL, fields.maxParticipants, fields.registrationRequired,
                    sequence, Timestamp.string(from: now), id,
                ])
            let people = try registrants(id, in: db)
            let hub = NotificationHub(store: store, clock: clock)
            if moved {
                let offsets = WebinarPolicy.reminderOffsets
                try store.timers.cancel(Reminders.keys(.webinar, item: id, users: people, offsets: offsets), in: db)
                try store.timers.schedule(
                    try Reminders.jobs(.webinar, item: id, users: people, offsets: offsets, start: newStart, sequence: sequence, now: now),
                    in: db)
                _ = try hub.notify(
                    people,
                    Notice(
                        .webinarReminder, title: "“\(fields.title)” has moved",
                        message: "The webinar you registered for has a new time; see its page for the details.", link: "/webinars/\(id)",
                        data: ["webinar_id": String(id)]), in: db)
            }
            if let recording = fields.recordingURL, recording != current.recordingURL {
                _ = try hub.notify(
                    people,
                    Notice(
                        .webinarReminder, title: "The recording of “\(fields.title)” is ready",
                        message: "Watch the recording from the webinar's page.", link: "/webinars/\(id)", data: ["webinar_id": String(id)]),
                    in: db)
            }
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try Self.webinar(id: id, viewer: editor, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// WBN-4 cancel: registrants are told and their reminders dropped.
    public func cancel(id: Int64, editor: Int64, audit: AuditEntry) throws -> WebinarRecord {
        try store.write { db in
            guard let current = try Self.webinar(id: id, viewer: nil, in: db) else { throw CommunityError.notFound }
            guard current.status == "scheduled" else { throw Self.cancelled }
            try db.execute(
                sql: "UPDATE webinars SET status = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE id = ?",
                arguments: [Timestamp.string(from: clock()), id])
            let people = try registrants(id, in: db)
            try store.timers.cancel(Reminders.keys(.webinar, item: id, users: people, offsets: WebinarPolicy.reminderOffsets), in: db)
            _ = try NotificationHub(store: store, clock: clock).notify(
                people,
                Notice(
                    .webinarReminder, title: "“\(current.title)” is cancelled",
                    message: "The webinar you registered for will not take place.",
                    link: "/webinars/\(id)", data: ["webinar_id": String(id)]), in: db)
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try Self.webinar(id: id, viewer: editor, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// WBN-5: registers once (a second call answers the first registration); refused when cancelled, started, or
    /// full. The single writer serialises registrations, so the count read here is the count written.
    public func register(webinarID: Int64, userID: Int64) throws -> (id: Int64, created: Bool) {
        try store.write { db in
            guard let webinar = try Self.webinar(id: webinarID, viewer: userID, in: db) else { throw CommunityError.notFound }
            if let existing = webinar.myRegistration { return (existing.id, false) }
            guard webinar.status == "scheduled" else { throw Self.cancelled }
            let now = clock()
            guard webinar.start > now else {
                throw CommunityError.conflict(code: "invalid_state", message: "This webinar has already started.")
            }
            if webinar.registrationRequired, let cap = webinar.maxParticipants, webinar.registeredCount >= cap {
                throw CommunityError.conflict(code: "webinar_full", message: "This webinar is full.")
            }
            let stamp = Timestamp.string(from: now)
            try db.execute(
                sql: "INSERT INTO webinar_registrations (webinar_id, user_id, registered_at, created_at) VALUES (?, ?, ?, ?)",
                arguments: [webinarID, userID, stamp, stamp])
            let id = db.lastInsertedRowID
            try db.execute(sql: "UPDATE webinars SET registered_count = registered_count + 1 WHERE id = ?", arguments: [webinarID])
            try store.timers.schedule(
                try Reminders.jobs(
                    .webinar, item: webinarID, users: [userID], offsets: WebinarPolicy.reminderOffsets, start: webinar.start,
                    sequence: webinar.sequence, now: now), in: db)
            return (id, true)
        }
    }

    /// WBN-6: leaves, and the reminders go with the place.
    public func unregister(webinarID: Int64, userID: Int64) throws {
        try store.write { db in
            try db.execute(sql: "DELETE FROM webinar_registrations WHERE webinar_id = ? AND user_id = ?", arguments: [webinarID, userID])
            guard db.changesCount > 0 else { throw CommunityError.notFound }
            try db.execute(sql: "UPDATE webinars SET registered_count = max(0, registered_count - 1) WHERE id = ?", arguments: [webinarID])
            try store.timers.cancel(
                Reminders.keys(.webinar, item: webinarID, users: [userID], offsets: WebinarPolicy.reminderOffsets), in: db)
        }
    }

    public struct Registration: Sendable, FetchableRecord {
        public let userID: Int64
        public let registeredAt: String
        public let attended: Bool?

        public init(row: Row) throws {
            userID = try row.decode(forColumn: "user_id")
            registeredAt = try row.decode(forColumn: "registered_at")
            attended = try row.decode(forColumn: "attended")
        }
    }

    /// WBN-7: in registration order.
    public func registrations(webinarID: Int64, limit: Int, offset: Int) throws -> [Registration] {
        try store.read { db in
            try Registration.fetchAll(
                db, sql: "SELECT * FROM webinar_registrations WHERE webinar_id = ? ORDER BY registered_at, id LIMIT ? OFFSET ?",
                arguments: [webinarID, limit, offset])
        }
    }

    /// WBN-8: marks registrants as attended or not, from the start on; ids that are not registrants are skipped.
    public func recordAttendance(webinarID: Int64, userIDs: [Int64], attended: Bool) throws -> Int {
        try store.write { db in
            guard let webinar = try Self.webinar(id: webinarID, viewer: nil, in: db) else { throw CommunityError.notFound }
            guard webinar.start <= clock() else {
                throw CommunityError.conflict(code: "invalid_state", message: "Attendance can be recorded once the webinar has started.")
            }
            try db.execute(
                sql: "UPDATE webinar_registrations SET attended = ? WHERE webinar_id = ? AND user_id IN (SELECT value FROM json_each(?))",
                arguments: [attended, webinarID, userIDs.jsonList])
            return db.changesCount
        }
    }
}
