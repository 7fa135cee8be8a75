import Foundation
import GRDB
import PSCCore
import Synchronization
import Testing

@testable import PSCStore

/// The delivery jobs the hub asked the queue for.
final class QueuedDeliveries: Sendable {
    let jobs = Mutex<[DeliveryJob]>([])
    func withLock<T: Sendable>(_ body: (inout [DeliveryJob]) -> T) -> T { jobs.withLock { body(&$0) } }
}

@Suite("Notification hub: preferences, routing, digests, fan-out")
struct NotificationHubTests {
    /// Members who can be reached on every channel: a verified email and phone, SMS consent and one push device.
    func reachable(_ count: Int, configured: Set<NotificationChannel> = Set(NotificationChannel.allCases)) throws -> (
        TestMembers, TestClock, QueuedDeliveries
    ) {
        let members = try TestMembers(count, prefix: "n")
        let clock = TestClock()
        clock.set(ISO8601DateFormatter().date(from: "2026-10-14T17:00:00Z")!)  // noon in Chicago
        try members.store.write { db in
            for id in members.ids {
                try db.execute(
                    sql: "UPDATE users SET email_verified = 1, phone_enc = 'sealed', phone_verified = 1 WHERE id = ?", arguments: [id])
                _ = try Consent.append(
                    userID: id, type: "sms", granted: true, version: "1", source: "user", origin: nil, at: "2026-10-01T00:00:00Z", in: db)
                try db.execute(
                    sql:
                        "INSERT INTO push_devices (user_id, token, platform, active, created_at) VALUES (?, ?, 'android', 1, '2026-10-01T00:00:00Z')",
                    arguments: [id, "token-\(id)"])
            }
        }
        let queued = QueuedDeliveries()
        members.store.outbox.install(
            .init(enqueue: { jobs, _ in queued.withLock { $0 += jobs } }, configuredChannels: configured, published: { _ in }))
        return (members, clock, queued)
    }

    func notify(_ members: TestMembers, _ clock: TestClock, _ user: Int64, _ notice: Notice) throws -> NotificationHub.Outcome? {
        let hub = NotificationHub(store: members.store, clock: clock.read)
        return try members.store.write { db in try hub.notify(user, notice, in: db) }
    }

    func results(_ outcome: NotificationHub.Outcome?) -> [String: String] {
        Dictionary(uniqueKeysWithValues: (outcome?.results ?? [:]).map { ($0.key.rawValue, $0.value) })
    }

    @Test("PUT merges only the pairs given; unknown types, foreign channels and locked channels refuse everything")
    func preferenceMerge() throws {
        let (members, _, _) = try reachable(1)
        let preferences = NotificationPreferenceStore(store: members.store)
        let user = members.ids[0]
        _ = try preferences.merge(userID: user, ["new_post": ["push": false]])
        let merged = try preferences.merge(userID: user, ["forum_reply": ["email": false]])
        #expect(merged[.newPost]?[.push] == false && merged[.forumReply]?[.email] == false)
        #expect(merged[.newPost]?[.inApp] == true && merged[.forumReply]?[.inApp] == true && merged[.newMessage]?[.email] == true)
        #expect(merged[.newPost]?[.email] == nil, "a type shows only its own channels")
        for refused: [String: [String: Bool]] in [
            ["no_such_type": ["email": false]], ["new_post": ["email": false]], ["security_alert": ["email": false]],
            ["new_message": ["email": false], "password_reset": ["email": false]],
        ] {
            #expect(throws: NotificationPreferenceStore.Refusal.self) { try preferences.merge(userID: user, refused) }
        }
        #expect(try preferences.matrix(userID: user)[.newMessage]?[.email] == true, "a refused request changes nothing")
        let (changed, locked) = try preferences.setChannel(userID: user, .email, enabled: false)
        #expect(locked.map(\.rawValue).sorted() == ["account_verification", "password_reset", "security_alert"])
        #expect(changed.count == NotificationType.allCases.filter { $0.definition.channels.contains(.email) }.count - 3)
        let after = try preferences.matrix(userID: user)
        #expect(after[.securityAlert]?[.email] == true && after[.newMessage]?[.email] == false)
    }

    @Test("the worked example: quiet hours defer push, a preference suppresses email, critical types go at once")
    func workedExample() throws {
        let (members, clock, queued) = try reachable(1)
        let user = members.ids[0]
        try members.store.write { db in
            try db.execute(sql: "UPDATE users SET time_zone = 'America/Los_Angeles' WHERE id = ?", arguments: [user])
            try db.execute(
                sql: "INSERT INTO notification_settings (user_id, quiet_enabled, updated_at) VALUES (?, 1, '2026-10-01T00:00:00Z')",
                arguments: [user])
        }
        _ = try NotificationPreferenceStore(store: members.store).merge(userID: user, ["new_message": ["email": false]])
        clock.set(ISO8601DateFormatter().date(from: "2026-10-14T05:30:00Z")!)
        let message = try notify(members, clock, user, Notice(.newMessage, title: "Message", message: "Hi"))
        #expect(results(message) == ["in_app": "stored", "email": "suppressed", "push": "deferred"])
        let deferred = try members.store.read { db in
            try String.fetchOne(
                db, sql: "SELECT not_before FROM deliveries WHERE channel = 'push' AND notification_id = ?",
                arguments: [message?.notificationID])
        }
        #expect(deferred == "2026-10-14T14:00:00.000Z")
        #expect(
            try members.store.read { db in
                try String.fetchOne(
                    db, sql: "SELECT reason FROM deliveries WHERE channel = 'email' AND notification_id = ?",
                    arguments: [message?.notificationID])
            } == "preference")
        let alert = try notify(members, clock, user, Notice(.securityAlert, title: "Security alert", message: "A passkey was added."))
        #expect(results(alert) == ["in_app": "stored", "email": "queued", "sms": "queued"])
        #expect(queued.withLock { $0.filter { $0.runAt == nil }.map(\.channel) }.sorted { $0.rawValue < $1.rawValue } == [.email, .sms])
        #expect(queued.withLock { $0.first { $0.channel == .push }?.priority } == .high, "the deferred push is still queued for later")
    }

    @Test("suppression reasons come in the spec's order; an unconfigured channel is never reported sent")
    func suppressionReasons() throws {
        let (members, clock, _) = try reachable(2, configured: [.inApp, .email, .push])
        let (reachableUser, bareUser) = (members.ids[0], members.ids[1])
        try members.store.write { db in
            try db.execute(
                sql: "UPDATE users SET email_verified = 0, phone_enc = NULL, phone_verified = 0 WHERE id = ?", arguments: [bareUser])
            try db.execute(sql: "UPDATE push_devices SET active = 0 WHERE user_id = ?", arguments: [bareUser])
        }
        let deadline = Notice(.scholarshipDeadline, title: "Deadline", message: "Two days left")
        #expect(
            results(try notify(members, clock, reachableUser, deadline)) == [
                "in_app": "stored", "email": "queued", "sms": "suppressed", "push": "queued",
            ])
        let bare = try notify(members, clock, bareUser, deadline)
        #expect(results(bare) == ["in_app": "stored", "email": "suppressed", "sms": "suppressed", "push": "suppressed"])
        let reasons = try members.store.read { db in
            try Row.fetchAll(db, sql: "SELECT channel, reason FROM deliveries WHERE notification_id = ?", arguments: [bare?.notificationID])
                .reduce(into: [String: String]()) { $0[$1["channel"]] = $1["reason"] }
        }
        #expect(reasons == ["email": "no_address", "sms": "integration_disabled", "push": "no_address"])
        // A type with in_app turned off keeps its row, hidden, so its deliveries keep their link.
        _ = try NotificationPreferenceStore(store: members.store).merge(userID: reachableUser, ["scholarship_deadline": ["in_app": false]])
        let hidden = try notify(members, clock, reachableUser, deadline)
        #expect(hidden?.shown == false && hidden?.success == true)
        #expect(
            try NotificationStore(store: members.store).list(userID: reachableUser, unreadOnly: false, type: nil, beforeID: nil, limit: 10)
                .count == 1)
    }

    @Test("hourly caps: the 11th email waits for room, the 6th SMS is suppressed, critical types are exempt and uncounted")
    func caps() throws {
        let (members, clock, _) = try reachable(1)
        let user = members.ids[0]
        for _ in 0..<10 {
            #expect(results(try notify(members, clock, user, Notice(.newJob, title: "Job", message: "A match")))["email"] == "queued")
        }
        let eleventh = results(try notify(members, clock, user, Notice(.newJob, title: "Job", message: "A match")))
        #expect(eleventh["email"] == "deferred")
        for _ in 0..<5 { _ = try notify(members, clock, user, Notice(.scholarshipDeadline, title: "Deadline", message: "Soon")) }
        #expect(
            results(try notify(members, clock, user, Notice(.scholarshipDeadline, title: "Deadline", message: "Soon")))["sms"]
                == "suppressed")
        #expect(
            results(try notify(members, clock, user, Notice(.securityAlert, title: "Alert", message: "New sign-in")))["sms"] == "queued")
        clock.set(clock.read().addingTimeInterval(3601))
        #expect(results(try notify(members, clock, user, Notice(.newJob, title: "Job", message: "A match")))["email"] == "queued")
    }

    @Test("a digest bundles held medium and low emails at 18:00 on its day; high ones are never held")
    func digests() throws {
        let (members, clock, queued) = try reachable(2)
        let (daily, weekly) = (members.ids[0], members.ids[1])
        try members.store.write { db in
            try db.execute(
                sql:
                    "INSERT INTO notification_settings (user_id, digest, digest_weekday, updated_at) VALUES (?, 'daily', 1, 'x'), (?, 'weekly', 3, 'x')",
                arguments: [daily, weekly])
        }
        for user in [daily, weekly] {
            #expect(
                results(try notify(members, clock, user, Notice(.newComment, title: "Comment", message: "Nice post", link: "/posts/3")))[
                    "email"] == "digested")
            #expect(
                results(try notify(members, clock, user, Notice(.forumReply, title: "Reply", message: "In your thread")))["email"]
                    == "digested")
            #expect(results(try notify(members, clock, user, Notice(.newMessage, title: "Message", message: "Hello")))["email"] == "queued")
        }
        let deliveries = DeliveryStore(store: members.store, clock: clock.read)
        let before = queued.withLock { $0.count }
        #expect(try deliveries.prepareDigests(isoWeekday: 2) == 1, "Tuesday: only the daily digest")
        let digest = try #require(queued.withLock { $0.last })
        #expect(queued.withLock { $0.count } == before + 1)
        #expect(try deliveries.digestItems(deliveryID: digest.deliveryID).map(\.title) == ["Comment", "Reply"])
        #expect(try deliveries.prepareDigests(isoWeekday: 2) == 0, "nothing held twice")
        #expect(try deliveries.prepareDigests(isoWeekday: 3) == 1, "Wednesday: the weekly one")
    }

    @Test("a dedupe key makes a notice at most once per person")
    func dedupe() throws {
        let (members, clock, _) = try reachable(1)
        let reminder = Notice(.eventReminder, title: "Tomorrow", message: "Career fair", dedupeKey: "event:4:24h")
        #expect(try notify(members, clock, members.ids[0], reminder) != nil)
        #expect(try notify(members, clock, members.ids[0], reminder) == nil)
    }

    @Test("fan-out in chunks of 500 by id: every recipient once, a chunk run again tells nobody twice")
    func fanOut() throws {
        let (members, clock, _) = try reachable(1_201)
        let broadcasts = BroadcastStore(store: members.store, clock: clock.read)
        let notice = Notice(.systemMaintenance, title: "Maintenance", message: "Sunday 02:00-03:00")
        let (record, chunks) = try members.store.write { db in
            try broadcasts.create(
                senderID: members.ids[0], audience: BroadcastAudience(), notice: notice, idempotencyKey: "maintenance-1", requestHash: "h",
                in: db)
        }
        #expect(record.recipients == 1_201 && chunks.count == 3)
        #expect(chunks.map(\.index) == [0, 1, 2] && chunks[1].after == chunks[0].through)
        var created = 0
        for chunk in chunks { created += try broadcasts.deliver(chunk) }
        #expect(created == 1_201)
        #expect(try broadcasts.deliver(chunks[1]) == 0, "a retried chunk duplicates nothing")
        let (progress, counts) = try #require(try broadcasts.progress(id: record.id, senderID: nil))
        #expect(progress.status == "done" && progress.createdCount == 1_201)
        #expect(counts["email"]?["queued"] == 1_201)
        let students = BroadcastAudience(roles: ["student"], userIDs: [members.ids[5]])
        #expect(try broadcasts.count(students) == 1_201)
        #expect(try broadcasts.count(BroadcastAudience(roles: ["employer"], userIDs: [members.ids[5]])) == 1)
        #expect(try broadcasts.count(BroadcastAudience(roles: ["employer"])) == 0)
    }
}
