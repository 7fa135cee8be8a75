import Foundation
import GRDB
import PSCCore

/// Mentorship (10-api §16): mentor and mentee profiles, requests with their limits and 72-hour expiry, mentorships,
/// sessions with reminders, and feedback that makes a mentor's rating.
public struct MentorshipStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public static let expiryJobKind = "mentorship_request_expiry"

    public struct ExpiryPayload: Codable, Sendable {
        public let requestID: Int64
        enum CodingKeys: String, CodingKey { case requestID = "request_id" }
    }

    // MARK: - Profiles

    static let mentorSelect = """
        SELECT m.*, u.major, u.department_id,
            (SELECT count(*) FROM mentorships s WHERE s.mentor_id = m.user_id AND s.status = 'active') AS current_mentees
        FROM mentor_profiles m JOIN users u ON u.id = m.user_id
        """

    public func mentorProfile(userID: Int64) throws -> MentorProfileRecord? {
        try store.read { db in try Self.mentorProfile(userID: userID, in: db) }
    }

    static func mentorProfile(userID: Int64, in db: Database) throws -> MentorProfileRecord? {
        try MentorProfileRecord.fetchOne(db, sql: "\(mentorSelect) WHERE m.user_id = ?", arguments: [userID])
    }

    public func saveMentorProfile(userID: Int64, _ fields: MentorProfileFields) throws -> MentorProfileRecord {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO mentor_profiles (user_id, expertise, industries, bio, max_mentees, is_accepting_mentees, availability, created_at,
                        updated_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)
                    ON CONFLICT (user_id) DO UPDATE SET expertise = ?2, industries = ?3, bio = ?4, max_mentees = ?5, is_accepting_mentees = ?6,
                        availability = ?7, updated_at = ?8
                    """,
                arguments: [
                    userID, JSONList.text(fields.expertise), JSONList.text(fields.industries), fields.bio, fields.maxMentees,
                    fields.isAccepting, fields.availability, stamp,
                ])
            guard let record = try Self.mentorProfile(userID: userID, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    public func menteeProfile(userID: Int64) throws -> MenteeProfileRecord? {
        try store.read { db in
            try MenteeProfileRecord.fetchOne(db, sql: "SELECT * FROM mentee_profiles WHERE user_id = ?", arguments: [userID])
        }
    }

    public func saveMenteeProfile(userID: Int64, goals: String, interests: [String], preferredIndustries: [String]) throws {
        try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO mentee_profiles (user_id, goals, interests, preferred_industries, created_at, updated_at)
                    VALUES (?1, ?2, ?3, ?4, ?5, ?5)
                    ON CONFLICT (user_id) DO UPDATE SET goals = ?2, interests = ?3, preferred_industries = ?4, updated_at = ?5
                    """,
                arguments: [userID, goals, JSONList.text(interests), JSONList.text(preferredIndustries), Timestamp.string(from: clock())])
        }
    }

    public struct MentorQuery: Sendable {
        public var text: String?
        public var industry: String?
        public var expertise: String?
        public var acceptingOnly = true
        public var limit = 20
        public var offset = 0
        public init() {}
    }

    /// MNT-1: active mentors with a profile, those with room first, then by name.
    public func mentors(_ query: MentorQuery) throws -> [MentorProfileRecord] {
        var conditions = ["u.status = 'active'", "u.role IN ('alumni', 'faculty', 'staff')"]
        var arguments: StatementArguments = []
        if query.acceptingOnly { conditions.append("m.is_accepting_mentees = 1") }
        if let text = query.text, !text.isEmpty {
            conditions.append(
                "(u.first_name || ' ' || u.last_name LIKE ?1 ESCAPE '\\' OR m.expertise LIKE ?1 ESCAPE '\\' OR m.industries LIKE ?1 ESCAPE '\\' OR m.bio LIKE ?1 ESCAPE '\\')"
                    .replacingOccurrences(of: "?1", with: "?"))
            let pattern = LikePattern.containing(text)
            arguments += [pattern, pattern, pattern, pattern]
        }
        if let industry = query.industry, !industry.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM json_each(m.industries) WHERE value = ? COLLATE NOCASE)")
            arguments += [industry]
        }
        if let expertise = query.expertise, !expertise.isEmpty {
            conditions.append("EXISTS (SELECT 1 FROM json_each(m.expertise) WHERE value = ? COLLATE NOCASE)")
            arguments += [expertise]
        }
        arguments += [query.limit, query.offset]
        let sql = """
            SELECT * FROM (\(Self.mentorSelect) WHERE \(conditions.joined(separator: " AND ")))
            ORDER BY (is_accepting_mentees = 1 AND current_mentees < max_mentees) DESC, user_id LIMIT ? OFFSET ?
            """
        let chosen = arguments
        return try store.read { db in try MentorProfileRecord.fetchAll(db, sql: sql, arguments: chosen) }
    }

    /// MNT-2: mentors ranked for the caller from their mentee profile (or their profile's industry and major alone).
    public func recommended(for userID: Int64, limit: Int) throws -> [MentorRanking.Ranked] {
        try store.read { db in
            guard let me = try Row.fetchOne(db, sql: "SELECT industry, major, department_id FROM users WHERE id = ?", arguments: [userID])
            else {
                return []
            }
            let mentee = try MenteeProfileRecord.fetchOne(db, sql: "SELECT * FROM mentee_profiles WHERE user_id = ?", arguments: [userID])
            let industry: String? = try me.decode(forColumn: "industry")
            let facts = MenteeFacts(
                industries: (mentee?.preferredIndustries ?? []) + [industry].compactMap { $0 }, goals: mentee?.goals ?? "",
                interests: mentee?.interests ?? [], major: try me.decode(forColumn: "major"),
                departmentID: try me.decode(forColumn: "department_id"))
            let mentors = try MentorProfileRecord.fetchAll(
                db,
                sql: """
                    \(Self.mentorSelect) WHERE m.user_id <> ? AND m.is_accepting_mentees = 1 AND u.status = 'active'
                        AND u.role IN ('alumni', 'faculty', 'staff')
                        AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = m.user_id AND b.blocked_id = ?1) OR (b.blocker_id = ?1 AND b.blocked_id = m.user_id))
                    """.replacingOccurrences(of: "?1", with: "?"), arguments: [userID, userID, userID])
            return MentorRanking.rank(mentors.map(\.facts), for: facts, limit: limit)
        }
    }

    // MARK: - Requests

    static func requestSelect(now: String) -> String {
        """
        SELECT r.*, CASE WHEN r.status = 'pending' AND r.expires_at <= '\(now)' THEN 'expired' ELSE r.status END AS effective_status,
            (SELECT id FROM mentorships s WHERE s.request_id = r.id) AS mentorship_id
        FROM mentorship_requests r
        """
    }

    func request(id: Int64, in db: Database) throws -> MentorshipRequestRecord? {
        try MentorshipRequestRecord.fetchOne(
            db, sql: "\(Self.requestSelect(now: Timestamp.string(from: clock()))) WHERE r.id = ?", arguments: [id])
    }

    public func request(id: Int64) throws -> MentorshipRequestRecord? { try store.read { db in try request(id: id, in: db) } }

    /// Records the expiry of pending requests whose time has come and tells their mentees; the job and the rules
    /// that must see a clean state (a new request to the same mentor) both call it.
    func recordExpired(_ condition: String, _ arguments: StatementArguments, in db: Database) throws -> Int {
        let now = Timestamp.string(from: clock())
        let due = try Row.fetchAll(
            db,
            sql: """
                SELECT r.id, r.mentee_id, u.first_name || ' ' || u.last_name AS mentor_name FROM mentorship_requests r
                JOIN users u ON u.id = r.mentor_id WHERE r.status = 'pending' AND r.expires_at <= ? AND \(condition)
                """, arguments: [now] + arguments)
        let hub = NotificationHub(store: store, clock: clock)
        for row in due {
            let id: Int64 = try row.decode(forColumn: "id")
            try db.execute(sql: "UPDATE mentorship_requests SET status = 'expired', responded_at = ? WHERE id = ?", arguments: [now, id])
            let mentor: String = try row.decode(forColumn: "mentor_name")
            _ = try hub.notify(
                try row.decode(forColumn: "mentee_id") as Int64,
                Notice(
                    .mentorshipRequest, title: "Your request to \(mentor) expired",
                    message: "\(mentor) did not answer within 72 hours. You can ask another mentor.", link: "/mentorship",
                    data: ["request_id": String(id)]), in: db)
        }
        return due.count
    }

    /// The `mentorship_request_expiry` job: a no-op when the request was answered.
    public func expire(requestID: Int64) throws -> Bool {
        try store.write { db in try recordExpired("r.id = ?", [requestID], in: db) > 0 }
    }

    public struct NewRequest: Sendable {
        public let mentorID: Int64
        public let message: String
        public let goals: String?
        public init(mentorID: Int64, message: String, goals: String?) {
            (self.mentorID, self.message, self.goals) = (mentorID, message, goals)
        }
    }

    static let noRoomMessage = "You have no room for another mentee; end a mentorship or raise your limit first."

    static func mentorFull(_ name: String) -> CommunityError {
        .conflict(code: "mentor_full", message: "\(name) has no room for another mentee right now.")
    }

    /// MNT-5: one pending request per mentor and three in all; the mentor must take mentees and have room.
    public func request(menteeID: Int64, _ new: NewRequest) throws -> MentorshipRequestRecord {
        guard new.mentorID != menteeID else { throw CommunityError.invalid(field: "mentor_id", message: "you cannot mentor yourself") }
        return try store.write { db in
            guard let mentor = try Self.mentorProfile(userID: new.mentorID, in: db),
                try String.fetchOne(db, sql: "SELECT status FROM users WHERE id = ?", arguments: [new.mentorID]) == "active"
            else { throw CommunityError.notFound }
            guard
                try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1)",
                    arguments: [new.mentorID, menteeID]) != true
            else { throw CommunityError.forbidden("You cannot send this person a request.") }
            _ = try recordExpired("r.mentee_id = ?", [menteeID], in: db)
            let name = try NotificationHub.name(of: new.mentorID, in: db)
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM mentorships WHERE mentor_id = ? AND mentee_id = ? AND status = 'active'",
                arguments: [new.mentorID, menteeID])
                == true
            {
                throw CommunityError.conflict(code: "already_exists", message: "\(name) is already your mentor.")
            }
            let pending = try Int64.fetchAll(
                db, sql: "SELECT mentor_id FROM mentorship_requests WHERE mentee_id = ? AND status = 'pending'", arguments: [menteeID])
            if pending.contains(new.mentorID) {
                throw CommunityError.conflict(code: "already_exists", message: "You already have a request waiting with \(name).")
            }
            if pending.count >= MentorshipPolicy.pendingLimit {
                throw CommunityError.conflict(
                    code: "conflict",
                    message: "You have \(MentorshipPolicy.pendingLimit) requests waiting; withdraw one or wait for an answer.")
            }
            guard mentor.isAccepting else {
                throw CommunityError.conflict(code: "invalid_state", message: "\(name) is not taking new mentees right now.")
            }
            guard mentor.currentMentees < mentor.maxMentees else { throw Self.mentorFull(name) }
            let now = clock()
            let expires = now.addingTimeInterval(MentorshipPolicy.requestLifetime)
            try db.execute(
                sql: """
                    INSERT INTO mentorship_requests (mentor_id, mentee_id, message, goals, status, expires_at, created_at)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?)
                    """,
                arguments: [new.mentorID, menteeID, new.message, new.goals, Timestamp.string(from: expires), Timestamp.string(from: now)])
            let id = db.lastInsertedRowID
            try store.timers.schedule(
                [try TimedJob(kind: Self.expiryJobKind, uniqueKey: "mreq:\(id)", runAt: expires, payload: ExpiryPayload(requestID: id))],
                in: db)
            let mentee = try NotificationHub.name(of: menteeID, in: db)
            _ = try NotificationHub(store: store, clock: clock).notify(
                new.mentorID,
                Notice(
                    .mentorshipRequest, title: "\(mentee) asked you to be their mentor", message: String(new.message.prefix(300)),
                    link: "/mentorship#requests", data: ["request_id": String(id)]), in: db)
            guard let record = try request(id: id, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// MNT-6: incoming or outgoing, newest first, optionally one (effective) status.
    public func requests(userID: Int64, incoming: Bool, status: String?) throws -> [MentorshipRequestRecord] {
        let now = Timestamp.string(from: clock())
        var sql = "SELECT * FROM (\(Self.requestSelect(now: now)) WHERE r.\(incoming ? "mentor_id" : "mentee_id") = ?)"
        var arguments: StatementArguments = [userID]
        if let status {
            sql += " WHERE effective_status = ?"
            arguments += [status]
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT 200"
        let chosen = arguments
        return try store.read { db in try MentorshipRequestRecord.fetchAll(db, sql: sql, arguments: chosen) }
    }

    public enum RequestAction: String, Sendable, CaseIterable { case accept, decline, withdraw }

    /// MNT-7: the mentor accepts or declines, the mentee withdraws; only a request still pending (not expired).
    public func act(requestID: Int64, userID: Int64, action: RequestAction, message: String?) throws -> MentorshipRequestRecord {
        try store.write { db in
            guard let request = try self.request(id: requestID, in: db), [request.mentorID, request.menteeID].contains(userID) else {
                throw CommunityError.notFound
            }
            let mentorSide = action != .withdraw
            guard (mentorSide ? request.mentorID : request.menteeID) == userID else {
                throw CommunityError.forbidden(mentorSide ? "Only the mentor answers a request." : "Only the mentee withdraws a request.")
            }
            guard request.status == "pending" else {
                throw CommunityError.conflict(code: "invalid_state", message: "This request is \(request.status), no longer pending.")
            }
            let now = Timestamp.string(from: clock())
            let hub = NotificationHub(store: store, clock: clock)
            let names = try Dictionary(
                uniqueKeysWithValues: Row.fetchAll(
                    db, sql: "SELECT id, first_name || ' ' || last_name AS name FROM users WHERE id IN (?, ?)",
                    arguments: [request.mentorID, request.menteeID]
                ).map { row in (try row.decode(forColumn: "id") as Int64, try row.decode(forColumn: "name") as String) })
            let (mentorName, menteeName) = (names[request.mentorID] ?? "Your mentor", names[request.menteeID] ?? "Your mentee")
            switch action {
            case .accept:
                guard let profile = try Self.mentorProfile(userID: request.mentorID, in: db) else { throw CommunityError.notFound }
                guard profile.currentMentees < profile.maxMentees else {
                    throw CommunityError.conflict(code: "mentor_full", message: Self.noRoomMessage)
                }
                try db.execute(
                    sql:
                        "INSERT INTO mentorships (mentor_id, mentee_id, request_id, status, started_at, created_at) VALUES (?, ?, ?, 'active', ?, ?)",
                    arguments: [request.mentorID, request.menteeID, requestID, now, now])
                _ = try hub.notify(
                    request.menteeID,
                    Notice(
                        .mentorshipAccepted, title: "\(mentorName) accepted your request",
                        message: message ?? "\(mentorName) is now your mentor. Schedule your first session.",
                        link: "/mentorship#mentorships",
                        data: ["request_id": String(requestID)]), in: db)
            case .decline:
                _ = try hub.notify(
                    request.menteeID,
                    Notice(
                        .mentorshipRequest, title: "\(mentorName) declined your request",
                        message: message ?? "\(mentorName) cannot take you on now. Other mentors may.", link: "/mentorship",
                        data: ["request_id": String(requestID)]), in: db)
            case .withdraw:
                _ = try hub.notify(
                    request.mentorID,
                    Notice(
                        .mentorshipRequest, title: "\(menteeName) withdrew their request", message: message ?? "No answer is needed now.",
                        link: "/mentorship#requests", data: ["request_id": String(requestID)]), in: db)
            }
            let status = ["accept": "accepted", "decline": "declined", "withdraw": "withdrawn"][action.rawValue] ?? "declined"
            try db.execute(
                sql: "UPDATE mentorship_requests SET status = ?, responded_at = ?, response_message = ? WHERE id = ?",
                arguments: [status, now, message, requestID])
            try store.timers.cancel(["mreq:\(requestID)"], in: db)
            guard let record = try self.request(id: requestID, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    // MARK: - Mentorships

    static let mentorshipSelect = """
        SELECT m.*, (SELECT count(*) FROM mentorship_sessions s WHERE s.mentorship_id = m.id AND s.status = 'completed') AS sessions_completed
        FROM mentorships m
        """

    public func mentorships(userID: Int64, status: String?) throws -> [MentorshipRecord] {
        try store.read { db in
            try MentorshipRecord.fetchAll(
                db,
                sql:
                    "\(Self.mentorshipSelect) WHERE ? IN (m.mentor_id, m.mentee_id) AND (? IS NULL OR m.status = ?) ORDER BY m.started_at DESC",
                arguments: [userID, status, status])
        }
    }

    func mentorship(id: Int64, participant: Int64, in db: Database) throws -> MentorshipRecord {
        guard
            let record = try MentorshipRecord.fetchOne(
                db, sql: "\(Self.mentorshipSelect) WHERE m.id = ? AND ? IN (m.mentor_id, m.mentee_id)", arguments: [id, participant])
        else { throw CommunityError.notFound }
        return record
    }

    static let ended = CommunityError.conflict(code: "invalid_state", message: "This mentorship has ended.")

    /// MNT-9: either side ends it; its scheduled sessions are cancelled with their reminders.
    public func end(mentorshipID: Int64, userID: Int64, reason: String?, fit: String?) throws {
        try store.write { db in
            let mentorship = try mentorship(id: mentorshipID, participant: userID, in: db)
            guard mentorship.status == "active" else { throw Self.ended }
            let now = Timestamp.string(from: clock())
            try db.execute(
                sql: "UPDATE mentorships SET status = 'ended', ended_at = ?, end_reason = ?, fit = ? WHERE id = ?",
                arguments: [now, reason, fit, mentorshipID])
            let sessions = try Int64.fetchAll(
                db, sql: "SELECT id FROM mentorship_sessions WHERE mentorship_id = ? AND status = 'scheduled'", arguments: [mentorshipID])
            try db.execute(
                sql:
                    "UPDATE mentorship_sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = ? WHERE mentorship_id = ? AND status = 'scheduled'",
                arguments: [now, mentorshipID])
            let people = [mentorship.mentorID, mentorship.menteeID]
            try store.timers.cancel(
                sessions.flatMap { Reminders.keys(.session, item: $0, users: people, offsets: MentorshipPolicy.reminderOffsets) }, in: db)
        }
    }

    // MARK: - Sessions

    static func sessionSelect(viewer: Int64) -> String {
        """
        SELECT s.*, m.mentor_id, m.mentee_id, m.status AS mentorship_status,
            EXISTS (SELECT 1 FROM mentorship_feedback f WHERE f.session_id = s.id AND f.author_id = \(viewer)) AS my_feedback
        FROM mentorship_sessions s JOIN mentorships m ON m.id = s.mentorship_id
        """
    }

    func session(id: Int64, participant: Int64, in db: Database) throws -> MentorSessionRecord {
        guard
            let record = try MentorSessionRecord.fetchOne(
                db, sql: "\(Self.sessionSelect(viewer: participant)) WHERE s.id = ? AND ? IN (m.mentor_id, m.mentee_id)",
                arguments: [id, participant])
        else { throw CommunityError.notFound }
        return record
    }

    public struct NewSession: Sendable {
        public let scheduledAt: Date
        public let durationMinutes: Int
        public let meetingLink: String?
        public let agenda: String?
        public init(scheduledAt: Date, durationMinutes: Int, meetingLink: String?, agenda: String?) {
            (self.scheduledAt, self.durationMinutes, self.meetingLink, self.agenda) = (scheduledAt, durationMinutes, meetingLink, agenda)
        }
    }

    func tellScheduled(_ session: MentorSessionRecord, by userID: Int64, moved: Bool, in db: Database) throws {
        let other = userID == session.mentorID ? session.menteeID : session.mentorID
        let name = try NotificationHub.name(of: userID, in: db)
        _ = try NotificationHub(store: store, clock: clock).notify(
            other,
            Notice(
                .sessionScheduled, title: moved ? "\(name) moved your mentorship session" : "\(name) scheduled a mentorship session",
                message: "See the time and agenda on your mentorship page.", link: "/mentorship#session-\(session.id)",
                data: ["session_id": String(session.id)]), in: db)
    }

    /// MNT-10: a session in an active mentorship, the other side told, reminders queued for both.
    public func schedule(mentorshipID: Int64, userID: Int64, _ new: NewSession) throws -> MentorSessionRecord {
        try store.write { db in
            let mentorship = try mentorship(id: mentorshipID, participant: userID, in: db)
            guard mentorship.status == "active" else { throw Self.ended }
            let now = clock()
            let stamp = Timestamp.string(from: now)
            try db.execute(
                sql: """
                    INSERT INTO mentorship_sessions (mentorship_id, scheduled_at, duration_minutes, meeting_link, agenda, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    mentorshipID, Timestamp.string(from: new.scheduledAt), new.durationMinutes, new.meetingLink, new.agenda, stamp, stamp,
                ])
            let session = try session(id: db.lastInsertedRowID, participant: userID, in: db)
            try store.timers.schedule(
                try Reminders.jobs(
                    .session, item: session.id, users: [mentorship.mentorID, mentorship.menteeID],
                    offsets: MentorshipPolicy.reminderOffsets,
                    start: new.scheduledAt, sequence: session.sequence, now: now), in: db)
            try tellScheduled(session, by: userID, moved: false, in: db)
            return session
        }
    }

    /// MNT-11: the caller's sessions, upcoming soonest first or past latest first.
    public func sessions(userID: Int64, past: Bool) throws -> [MentorSessionRecord] {
        let now = Timestamp.string(from: clock())
        return try store.read { db in
            try MentorSessionRecord.fetchAll(
                db,
                sql: """
                    \(Self.sessionSelect(viewer: userID)) WHERE ? IN (m.mentor_id, m.mentee_id) AND s.scheduled_at \(past ? "<" : ">=") ?
                    ORDER BY s.scheduled_at \(past ? "DESC" : "ASC") LIMIT 200
                    """, arguments: [userID, now])
        }
    }

    public struct SessionChange: Sendable {
        public var scheduledAt: Date?
        public var status: String?
        public var notes: String??
        public var actionItems: [String]?
        public init() {}
    }

    /// MNT-12: move it (sequence raised, reminders re-queued, the other side told), complete or cancel it, keep notes.
    public func update(sessionID: Int64, userID: Int64, _ change: SessionChange) throws -> MentorSessionRecord {
        try store.write { db in
            let session = try session(id: sessionID, participant: userID, in: db)
            guard session.mentorshipStatus == "active" || change.scheduledAt == nil && change.status == nil else { throw Self.ended }
            if change.scheduledAt != nil || change.status != nil, session.status != "scheduled" {
                throw CommunityError.conflict(code: "invalid_state", message: "This session is \(session.status).")
            }
            let now = clock()
            let people = [session.mentorID, session.menteeID]
            let offsets = MentorshipPolicy.reminderOffsets
            var sequence = session.sequence
            if let when = change.scheduledAt, abs(when.timeIntervalSince(session.start)) >= 1 {
                sequence += 1
                try store.timers.cancel(Reminders.keys(.session, item: sessionID, users: people, offsets: offsets), in: db)
                try store.timers.schedule(
                    try Reminders.jobs(
                        .session, item: sessionID, users: people, offsets: offsets, start: when, sequence: sequence, now: now),
                    in: db)
            }
            if change.status == "cancelled" {
                sequence += 1
                try store.timers.cancel(Reminders.keys(.session, item: sessionID, users: people, offsets: offsets), in: db)
            }
            try db.execute(
                sql: """
                    UPDATE mentorship_sessions SET scheduled_at = ?, status = ?, notes = ?, action_items = ?, sequence = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [
                    change.scheduledAt.map(Timestamp.string(from:)) ?? session.scheduledAt, change.status ?? session.status,
                    change.notes ?? session.notes, JSONList.text(change.actionItems ?? session.actionItems), sequence,
                    Timestamp.string(from: now),
                    sessionID,
                ])
            let updated = try self.session(id: sessionID, participant: userID, in: db)
            if sequence != session.sequence { try tellScheduled(updated, by: userID, moved: change.status != "cancelled", in: db) }
            return updated
        }
    }

    /// MNT-13: once per person and completed session; a mentee's rating counts toward the mentor's.
    public func feedback(sessionID: Int64, userID: Int64, rating: Int, fit: String?, comment: String?) throws {
        try store.write { db in
            let session = try session(id: sessionID, participant: userID, in: db)
            guard session.status == "completed" else {
                throw CommunityError.conflict(code: "invalid_state", message: "Feedback comes after a completed session.")
            }
            guard !session.myFeedback else {
                throw CommunityError.conflict(code: "already_exists", message: "You have already given feedback on this session.")
            }
            try db.execute(
                sql: "INSERT INTO mentorship_feedback (session_id, author_id, rating, fit, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [sessionID, userID, rating, fit, comment, Timestamp.string(from: clock())])
            if userID == session.menteeID {
                try db.execute(
                    sql: "UPDATE mentor_profiles SET rating_sum = rating_sum + ?, rating_count = rating_count + 1 WHERE user_id = ?",
                    arguments: [rating, session.mentorID])
            }
        }
    }
}
