import Foundation
import GRDB
import PSCCore
import Synchronization
import Testing

@testable import PSCStore

@Suite("Community spaces: announcements fan-out, forum rules, webinar capacity and reminders, mentorship limits and expiry")
struct CommunityStoreTests {
    final class Timers: Sendable {
        let queued = Mutex<[TimedJob]>([])
        let cancelled = Mutex<[String]>([])
    }

    struct World {
        let members: TestMembers
        let clock: TestClock
        let spaces: CommunitySpaces
        let timers: Timers
        var store: Store { members.store }
        var ids: [Int64] { members.ids }
        var audit: AuditEntry { AuditEntry(actorUserID: nil, actorKind: .system, action: "test") }
    }

    /// Members 0–3 students, 4 faculty, 5 alumni, 6 staff, 7 admin; the queue's timed jobs captured.
    func world() throws -> World {
        let roles: [Role] = [.student, .student, .student, .student, .faculty, .alumni, .staff, .admin]
        let members = try TestMembers(roles.count, prefix: "c", role: { roles[$0] })
        let clock = TestClock()
        let timers = Timers()
        members.store.outbox.install(.init(enqueue: { _, _ in }, configuredChannels: [.inApp], published: { _ in }))
        members.store.timers.install(
            .init(
                enqueue: { jobs, _ in timers.queued.withLock { $0 += jobs } },
                cancel: { keys, _ in timers.cancelled.withLock { $0 += keys } }))
        return World(members: members, clock: clock, spaces: CommunitySpaces(store: members.store, clock: clock.read), timers: timers)
    }

    func notices(_ world: World, _ userID: Int64, type: String) throws -> Int {
        try world.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM notifications WHERE user_id = ? AND type = ?", arguments: [userID, type]) ?? 0
        }
    }

    // MARK: - Announcements

    @Test("notify makes one broadcast whose chunks run at the publication time; the key answers the first; deleting first cancels them")
    func announcementFanOut() throws {
        let world = try world()
        let later = world.clock.read().addingTimeInterval(3600)
        let fields = AnnouncementFields(
            title: "Snow day", content: "Campus is closed.", priority: .urgent, publishedAt: later, notify: true)
        guard
            case .created(let record) = try world.spaces.announcements.create(
                fields, authorID: world.ids[7], idempotencyKey: "key-000001", audit: world.audit)
        else { Issue.record("not created"); return }
        let jobs = world.timers.queued.withLock { $0 }
        #expect(jobs.count == 1 && jobs[0].kind == BroadcastStore.jobKind && jobs[0].runAt == later)
        guard
            case .existing(let again) = try world.spaces.announcements.create(
                fields, authorID: world.ids[7], idempotencyKey: "key-000001", audit: world.audit)
        else { Issue.record("the key made a second announcement"); return }
        #expect(again.id == record.id && world.timers.queued.withLock { $0.count } == 1)
        // Before its time it is invisible, even to its audience; the author manages it.
        #expect(try world.spaces.announcements.visible(to: Actor(userID: world.ids[0], role: .student), limit: 10).isEmpty)
        #expect(try world.spaces.announcements.managed(by: Actor(userID: world.ids[7], role: .admin), limit: 10).map(\.id) == [record.id])
        try world.spaces.announcements.delete(id: record.id, audit: world.audit)
        #expect(world.timers.cancelled.withLock { $0 } == [jobs[0].uniqueKey])
        // A chunk run anyway (it was already claimed) tells the audience: the broadcast is the hub's, not the announcement's.
        let chunk = try JSONDecoder().decode(BroadcastStore.Chunk.self, from: Data(jobs[0].payload.utf8))
        #expect(try BroadcastStore(store: world.store).deliver(chunk) == 8, "every active member of a global announcement")
    }

    @Test("a department announcement reaches that department's members and grant holders there, in priority order")
    func announcementAudience() throws {
        let world = try world()
        let department: Int64 = try world.store.write { db in
            try db.execute(
                sql:
                    "INSERT INTO departments (name, created_at, updated_at) VALUES ('Nursing', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')"
            )
            return db.lastInsertedRowID
        }
        try world.store.write { db in
            try db.execute(sql: "UPDATE users SET department_id = ? WHERE id = ?", arguments: [department, world.ids[0]])
            try db.execute(
                sql: """
                    INSERT INTO capability_grants (user_id, capability, department_id, granted_by, granted_at, active, created_at)
                    VALUES (?, 'department_head', ?, ?, '2026-01-01T00:00:00.000Z', 1, '2026-01-01T00:00:00.000Z')
                    """, arguments: [world.ids[4], department, world.ids[7]])
        }
        let now = world.clock.read().addingTimeInterval(-60)
        for (title, priority) in [("Low one", AnnouncementPriority.low), ("Urgent one", .urgent), ("High one", .high)] {
            _ = try world.spaces.announcements.create(
                AnnouncementFields(
                    title: title, content: "x", priority: priority, departmentID: department, publishedAt: now, notify: true),
                authorID: world.ids[7], idempotencyKey: "key-\(title)", audit: world.audit)
        }
        for job in world.timers.queued.withLock({ $0 }) {
            _ = try BroadcastStore(store: world.store).deliver(
                try JSONDecoder().decode(BroadcastStore.Chunk.self, from: Data(job.payload.utf8)))
        }
        #expect(try notices(world, world.ids[0], type: "announcement") == 3, "the department's student")
        #expect(try notices(world, world.ids[4], type: "announcement") == 3, "the department head of another department")
        #expect(try notices(world, world.ids[1], type: "announcement") == 0, "a student elsewhere")
        let seen = try world.spaces.announcements.visible(
            to: Actor(userID: world.ids[0], role: .student, departmentID: department), limit: 10)
        #expect(seen.map(\.title) == ["Urgent one", "High one", "Low one"])
        #expect(try world.spaces.announcements.visible(to: nil, limit: 10).isEmpty, "anonymous visitors see only global ones")
        let plan = try world.store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM announcements a ORDER BY a.priority_rank, a.published_at DESC")
                .map { try $0.decode(forColumn: "detail") as String }.joined()
        }
        #expect(plan.contains("announcements_order"))
    }

    // MARK: - Forums

    func thread(_ world: World, roles: [Role] = []) throws -> (ForumCategoryRecord, ForumThreadRecord) {
        let category = try world.spaces.forums.createCategory(
            ForumCategoryFields(name: "General", slug: "general-\(roles.count)", allowedRoles: roles), audit: world.audit)
        let thread = try world.spaces.forums.createThread(
            categoryID: category.id, authorID: world.ids[0], title: "Where to study?", content: "Quiet places?", tags: ["study"])
        return (category, thread)
    }

    @Test("a locked thread refuses posts and edits; replies tell the author, the parent's author and followers once each")
    func lockingAndReplies() throws {
        let world = try world()
        let forums = world.spaces.forums
        let (_, thread) = try thread(world)
        try forums.subscribe(threadID: thread.id, userID: world.ids[2], true)
        try forums.subscribe(threadID: thread.id, userID: world.ids[2], true)
        try forums.subscribe(threadID: thread.id, userID: world.ids[0], true)
        let first = try forums.reply(threadID: thread.id, authorID: world.ids[1], content: "Axe Library", parentPostID: nil)
        _ = try forums.reply(threadID: thread.id, authorID: world.ids[3], content: "Agreed", parentPostID: first.id)
        #expect(try notices(world, world.ids[0], type: "forum_reply") == 2, "the author, once per reply though also a follower")
        #expect(try notices(world, world.ids[1], type: "forum_reply") == 1, "the parent's author, not for their own reply")
        #expect(try notices(world, world.ids[2], type: "forum_reply") == 2, "the follower")
        #expect(try notices(world, world.ids[3], type: "forum_reply") == 0, "never the replier")
        #expect(throws: CommunityError.invalid(field: "parent_post_id", message: "must be a post of this thread")) {
            _ = try forums.reply(threadID: thread.id, authorID: world.ids[1], content: "x", parentPostID: 999)
        }
        try forums.moderate(threadID: thread.id, .lock, audit: world.audit)
        #expect(throws: CommunityError.conflict(code: "thread_locked", message: "This thread is locked; it takes no new posts.")) {
            _ = try forums.reply(threadID: thread.id, authorID: world.ids[1], content: "late", parentPostID: nil)
        }
        #expect(throws: CommunityError.self) { _ = try forums.editPost(id: first.id, content: "edited", editor: world.ids[1]) }
        try forums.moderate(threadID: thread.id, .unlock, audit: world.audit)
        let edited = try forums.editPost(id: first.id, content: "Axe Library, second floor", editor: world.ids[1])
        #expect(edited.editedAt != nil)
        #expect(try forums.thread(id: thread.id, viewer: nil)?.replyCount == 2)
    }

    @Test("one vote per person and post: changing replaces it, 0 removes it, the opening post's score is the thread's, own posts refused")
    func votes() throws {
        let world = try world()
        let forums = world.spaces.forums
        let (_, thread) = try thread(world)
        let opening = thread.openingPostID
        #expect(try forums.vote(postID: opening, userID: world.ids[1], value: 1) == (1, 1))
        #expect(try forums.vote(postID: opening, userID: world.ids[1], value: 1) == (1, 1), "the same vote twice counts once")
        #expect(try forums.vote(postID: opening, userID: world.ids[2], value: 1).score == 2)
        #expect(try forums.vote(postID: opening, userID: world.ids[1], value: -1).score == 0)
        #expect(try forums.thread(id: thread.id, viewer: nil)?.score == 0)
        #expect(try forums.vote(postID: opening, userID: world.ids[1], value: 0).score == 1)
        #expect(throws: CommunityError.invalid(field: "value", message: "you cannot vote on your own post")) {
            _ = try forums.vote(postID: opening, userID: world.ids[0], value: 1)
        }
        let stored = try world.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM forum_votes WHERE post_id = ?", arguments: [opening])
        }
        #expect(stored == 1)
    }

    @Test("the best answer is a reply of the same thread, and clears; views count once per person per hour")
    func bestAnswerAndViews() throws {
        let world = try world()
        let forums = world.spaces.forums
        let (_, thread) = try thread(world)
        let (_, other) = try self.thread(world, roles: [.faculty])
        let reply = try forums.reply(threadID: thread.id, authorID: world.ids[1], content: "Here", parentPostID: nil)
        #expect(throws: CommunityError.self) { _ = try forums.solve(threadID: other.id, postID: reply.id) }
        #expect(throws: CommunityError.self) { _ = try forums.solve(threadID: thread.id, postID: thread.openingPostID) }
        #expect(try forums.solve(threadID: thread.id, postID: reply.id) == (true, reply.id))
        #expect(try forums.solve(threadID: thread.id, postID: nil) == (false, nil))
        try forums.countView(threadID: thread.id, userID: world.ids[1])
        try forums.countView(threadID: thread.id, userID: world.ids[1])
        world.clock.advance(days: 1.0 / 24 + 0.001)
        try forums.countView(threadID: thread.id, userID: world.ids[1])
        #expect(try forums.thread(id: thread.id, viewer: nil)?.viewsCount == 2)
        let plan = try world.store.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "EXPLAIN QUERY PLAN \(ForumStore.threadSelect(viewer: 1)) WHERE t.category_id = 1 AND t.deleted_at IS NULL ORDER BY t.is_pinned DESC, t.last_activity_at DESC LIMIT 30"
            ).map { try $0.decode(forColumn: "detail") as String }.joined(separator: "|")
        }
        #expect(plan.contains("forum_threads_category") && !plan.contains("USE TEMP B-TREE"), "\(plan)")
    }

    // MARK: - Webinars

    func webinar(_ world: World, cap: Int?, required: Bool = true, in hours: Double = 48) throws -> WebinarRecord {
        try world.spaces.webinars.create(
            WebinarFields(
                title: "Résumé clinic", scheduledAt: world.clock.read().addingTimeInterval(hours * 3600),
                meetingURL: "https://zoom.example/j/1",
                maxParticipants: cap, registrationRequired: required), hostID: world.ids[4], audit: world.audit)
    }

    @Test("20 concurrent registrations for 5 places: exactly 5 get in, the rest hear webinar_full, the count matches")
    func capacityUnderConcurrency() async throws {
        let roles = Array(repeating: Role.student, count: 20) + [.faculty]
        let members = try TestMembers(roles.count, prefix: "w", role: { roles[$0] })
        let spaces = CommunitySpaces(store: members.store)
        let webinar = try spaces.webinars.create(
            WebinarFields(title: "Busy", scheduledAt: Date().addingTimeInterval(86_400 * 3), maxParticipants: 5), hostID: members.ids[20],
            audit: AuditEntry(actorKind: .system, action: "test"))
        let outcomes = await withTaskGroup(of: String.self) { group in
            for person in members.ids.prefix(20) {
                group.addTask {
                    do {
                        _ = try spaces.webinars.register(webinarID: webinar.id, userID: person)
                        return "in"
                    } catch let error as CommunityError {
                        if case .conflict(let code, _) = error { return code }
                        return "other"
                    } catch { return "other" }
                }
            }
            return await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(outcomes.filter { $0 == "in" }.count == 5)
        #expect(outcomes.filter { $0 == "webinar_full" }.count == 15)
        let stored = try await members.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM webinar_registrations WHERE webinar_id = ?", arguments: [webinar.id])
        }
        let counted = try spaces.webinars.webinar(id: webinar.id, viewer: nil)?.registeredCount
        #expect(stored == 5 && counted == 5)
    }

    @Test(
        "reminders 24 h and 15 min ahead, each sent once; a move cancels, re-queues and outdates the old ones; a past threshold is skipped")
    func webinarReminders() throws {
        let world = try world()
        let webinars = world.spaces.webinars
        let record = try webinar(world, cap: nil, in: 10)
        _ = try webinars.register(webinarID: record.id, userID: world.ids[0])
        #expect(try webinars.register(webinarID: record.id, userID: world.ids[0]).created == false, "registering twice answers the first")
        let first = world.timers.queued.withLock { $0 }.filter { $0.kind == Reminders.jobKind }
        #expect(first.count == 1, "only 15 min: the 24 h threshold had passed when they registered")
        let payload = try JSONDecoder().decode(Reminders.Payload.self, from: Data(first[0].payload.utf8))
        #expect(payload.offset == 900 && first[0].uniqueKey == "reminder:webinar:\(record.id):\(world.ids[0]):900")
        #expect(try Reminders.send(payload, store: world.store, clock: world.clock.read))
        #expect(!(try Reminders.send(payload, store: world.store, clock: world.clock.read)), "a retried reminder is not sent twice")
        #expect(try notices(world, world.ids[0], type: "webinar_reminder") == 1)
        // Moved two days later: both thresholds ahead again, under the new sequence; the old payload is now stale.
        var moved = WebinarFields(
            title: record.title, scheduledAt: record.start.addingTimeInterval(2 * 86_400), meetingURL: record.meetingURL)
        moved.maxParticipants = nil
        _ = try webinars.update(id: record.id, fields: moved, editor: world.ids[4], audit: world.audit)
        #expect(world.timers.cancelled.withLock { $0 }.contains(first[0].uniqueKey))
        let requeued = world.timers.queued.withLock { $0 }.filter { $0.kind == Reminders.jobKind }.dropFirst()
        #expect(requeued.count == 2)
        #expect(!(try Reminders.send(payload, store: world.store, clock: world.clock.read)), "the old sequence sends nothing")
        #expect(try notices(world, world.ids[0], type: "webinar_reminder") == 2, "the reminder, and the notice of the move")
        _ = try webinars.cancel(id: record.id, editor: world.ids[4], audit: world.audit)
        let fresh = try JSONDecoder().decode(Reminders.Payload.self, from: Data(requeued.first!.payload.utf8))
        #expect(!(try Reminders.send(fresh, store: world.store, clock: world.clock.read)), "nothing for a cancelled webinar")
        #expect(throws: CommunityError.self) { _ = try webinars.register(webinarID: record.id, userID: world.ids[1]) }
    }

    @Test("attendance only from the start; a recording only after the end")
    func attendanceAndRecording() throws {
        let world = try world()
        let webinars = world.spaces.webinars
        let record = try webinar(world, cap: nil, in: 2)
        _ = try webinars.register(webinarID: record.id, userID: world.ids[0])
        #expect(throws: CommunityError.self) {
            _ = try webinars.recordAttendance(webinarID: record.id, userIDs: [world.ids[0]], attended: true)
        }
        var fields = WebinarFields(title: record.title, scheduledAt: record.start, meetingURL: record.meetingURL)
        fields.recordingURL = "https://media.example/rec"
        #expect(throws: CommunityError.self) {
            _ = try webinars.update(id: record.id, fields: fields, editor: world.ids[4], audit: world.audit)
        }
        world.clock.advance(days: 0.2)
        #expect(try webinars.recordAttendance(webinarID: record.id, userIDs: [world.ids[0], world.ids[1]], attended: true) == 1)
        _ = try webinars.update(id: record.id, fields: fields, editor: world.ids[4], audit: world.audit)
        #expect(try notices(world, world.ids[0], type: "webinar_reminder") == 1, "registrants hear of the recording")
    }

    // MARK: - Mentorship

    func mentor(_ world: World, _ index: Int, max: Int = 3) throws {
        _ = try world.spaces.mentorship.saveMentorProfile(
            userID: world.ids[index], MentorProfileFields(expertise: ["Interviews"], industries: ["Technology"], maxMentees: max))
    }

    func ask(_ world: World, mentee: Int, mentor: Int) throws -> MentorshipRequestRecord {
        try world.spaces.mentorship.request(
            menteeID: world.ids[mentee], .init(mentorID: world.ids[mentor], message: "Hello, I would value your advice.", goals: nil))
    }

    @Test("three pending per mentee, one per mentor, never oneself; a full mentor answers mentor_full")
    func requestLimits() throws {
        let world = try world()
        for index in [4, 5, 6] { try mentor(world, index) }
        try mentor(world, 7, max: 1)
        _ = try ask(world, mentee: 0, mentor: 4)
        #expect(throws: CommunityError.self) { _ = try ask(world, mentee: 0, mentor: 4) }
        _ = try ask(world, mentee: 0, mentor: 5)
        _ = try ask(world, mentee: 0, mentor: 6)
        #expect(
            throws: CommunityError.conflict(code: "conflict", message: "You have 3 requests waiting; withdraw one or wait for an answer.")
        ) {
            _ = try ask(world, mentee: 0, mentor: 7)
        }
        #expect(throws: CommunityError.self) { _ = try ask(world, mentee: 4, mentor: 4) }
        let taken = try ask(world, mentee: 1, mentor: 7)
        let waiting = try ask(world, mentee: 2, mentor: 7)
        _ = try world.spaces.mentorship.act(requestID: taken.id, userID: world.ids[7], action: .accept, message: nil)
        #expect(throws: CommunityError.conflict(code: "mentor_full", message: MentorshipStore.noRoomMessage)) {
            _ = try world.spaces.mentorship.act(requestID: waiting.id, userID: world.ids[7], action: .accept, message: nil)
        }
        #expect(throws: CommunityError.self) { _ = try ask(world, mentee: 3, mentor: 7) }
        #expect(throws: CommunityError.notFound) {
            _ = try world.spaces.mentorship.act(requestID: waiting.id, userID: world.ids[3], action: .withdraw, message: nil)
        }
        #expect(try notices(world, world.ids[1], type: "mentorship_accepted") == 1)
        #expect(try notices(world, world.ids[7], type: "mentorship_request") == 2)
    }

    @Test("72 hours: the request reads expired at once, frees its place, and the job records it and tells the mentee once")
    func expiry() throws {
        let world = try world()
        for index in [4, 5, 6, 7] { try mentor(world, index) }
        let first = try ask(world, mentee: 0, mentor: 4)
        _ = try ask(world, mentee: 0, mentor: 5)
        _ = try ask(world, mentee: 0, mentor: 6)
        let job = world.timers.queued.withLock { $0 }.first { $0.kind == MentorshipStore.expiryJobKind }
        #expect(
            job?.uniqueKey == "mreq:\(first.id)" && job.map { abs($0.runAt.timeIntervalSince(world.clock.read()) - 72 * 3600) < 1 } == true)
        world.clock.advance(days: 3)
        #expect(try world.spaces.mentorship.request(id: first.id)?.status == "expired", "expired before any job ran")
        #expect(throws: CommunityError.self) {
            _ = try world.spaces.mentorship.act(requestID: first.id, userID: world.ids[4], action: .accept, message: nil)
        }
        // No longer pending: the mentee may ask again, even the same mentor.
        _ = try ask(world, mentee: 0, mentor: 7)
        _ = try ask(world, mentee: 0, mentor: 4)
        #expect(try notices(world, world.ids[0], type: "mentorship_request") == 3, "each expired request told once")
        #expect(!(try world.spaces.mentorship.expire(requestID: first.id)), "the job finds it recorded already")
        #expect(try notices(world, world.ids[0], type: "mentorship_request") == 3)
    }

    @Test("sessions: reminders for both, a move re-queues them, feedback once after completion makes the mentor's rating")
    func sessionsAndFeedback() throws {
        let world = try world()
        try mentor(world, 5)
        let request = try ask(world, mentee: 0, mentor: 5)
        let accepted = try world.spaces.mentorship.act(requestID: request.id, userID: world.ids[5], action: .accept, message: nil)
        let match = try #require(accepted.mentorshipID)
        let start = world.clock.read().addingTimeInterval(3 * 86_400)
        let session = try world.spaces.mentorship.schedule(
            mentorshipID: match, userID: world.ids[0],
            .init(scheduledAt: start, durationMinutes: 60, meetingLink: nil, agenda: "Mock interview"))
        #expect(world.timers.queued.withLock { $0 }.filter { $0.kind == Reminders.jobKind }.count == 4, "24 h and 1 h, for both")
        #expect(try notices(world, world.ids[5], type: "session_scheduled") == 1)
        #expect(try world.spaces.mentorship.sessions(userID: world.ids[1], past: false).isEmpty, "another member's sessions are not theirs")
        var change = MentorshipStore.SessionChange()
        change.notes = .some("private")
        #expect(throws: CommunityError.notFound) {
            _ = try world.spaces.mentorship.update(sessionID: session.id, userID: world.ids[1], change)
        }
        change = MentorshipStore.SessionChange()
        change.scheduledAt = start.addingTimeInterval(3600)
        _ = try world.spaces.mentorship.update(sessionID: session.id, userID: world.ids[5], change)
        #expect(world.timers.cancelled.withLock { $0 }.filter { $0.hasPrefix("reminder:session:") }.count == 4)
        #expect(try notices(world, world.ids[0], type: "session_scheduled") == 1, "the mentee hears of the move")
        #expect(throws: CommunityError.self) {
            try world.spaces.mentorship.feedback(sessionID: session.id, userID: world.ids[0], rating: 5, fit: "good", comment: nil)
        }
        change = MentorshipStore.SessionChange()
        change.status = "completed"
        _ = try world.spaces.mentorship.update(sessionID: session.id, userID: world.ids[0], change)
        try world.spaces.mentorship.feedback(sessionID: session.id, userID: world.ids[0], rating: 4, fit: "good", comment: nil)
        #expect(throws: CommunityError.self) {
            try world.spaces.mentorship.feedback(sessionID: session.id, userID: world.ids[0], rating: 5, fit: nil, comment: nil)
        }
        let profile = try world.spaces.mentorship.mentorProfile(userID: world.ids[5])
        #expect(profile?.ratingCount == 1 && profile?.rating == nil, "a rating shows from three")
        try world.spaces.mentorship.end(mentorshipID: match, userID: world.ids[0], reason: nil, fit: "good")
        #expect(throws: CommunityError.self) {
            try world.spaces.mentorship.end(mentorshipID: match, userID: world.ids[5], reason: nil, fit: nil)
        }
    }
}
