import Foundation
import GRDB
import PSCCore

/// One delivery as the Delivery shape shows it (10-api §1).
public struct DeliveryRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let notificationID: Int64?
    public let userID: Int64?
    public let channel: String
    public let purpose: String
    /// What an operational delivery is (`phone_verify`), or a bulk send's batch.
    public let batchID: String?
    public let priority: String
    public let status: String
    public let reason: String?
    public let attempts: Int
    public let providerMessageID: String?
    public let lastError: String?
    public let notBefore: String?
    public let queuedAt: String
    public let sentAt: String?
    public let deliveredAt: String?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        notificationID = try row.decode(forColumn: "notification_id")
        userID = try row.decode(forColumn: "user_id")
        channel = try row.decode(forColumn: "channel")
        purpose = try row.decode(forColumn: "purpose")
        batchID = try row.decode(forColumn: "batch_id")
        priority = try row.decode(forColumn: "priority")
        status = try row.decode(forColumn: "status")
        reason = try row.decode(forColumn: "reason")
        attempts = try row.decode(forColumn: "attempts")
        providerMessageID = try row.decode(forColumn: "provider_message_id")
        lastError = try row.decode(forColumn: "last_error")
        notBefore = try row.decode(forColumn: "not_before")
        queuedAt = try row.decode(forColumn: "queued_at")
        sentAt = try row.decode(forColumn: "sent_at")
        deliveredAt = try row.decode(forColumn: "delivered_at")
    }
}

/// What a delivery job needs to send one delivery: the notice and how to reach its person.
public struct DeliveryWork: Sendable {
    public let delivery: DeliveryRecord
    public let type: NotificationType?
    public let title: String
    public let message: String
    public let link: String?
    public let data: [String: String]
    public let email: String
    public let firstName: String
    public let phoneSealed: String?
    public let pushTokens: [String]
    /// Written only so an admin can pass an account email's link on: email is not configured (20-services §8.1).
    public var isAccountCopy: Bool { delivery.status == "suppressed" }
}

/// The per-channel truth of every send (40-data §2.9 `deliveries`): the delivery jobs move a record through
/// sending → sent or failed, and NTF-18..20 read them.
public struct DeliveryStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Takes a delivery for sending: nil when there is nothing left to do (already sent, failed for good, held for the
    /// digest), so a job run twice sends once.
    public func begin(_ id: Int64) throws -> DeliveryWork? {
        try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT d.*, n.type, n.title, n.message, n.link, n.data, u.email, u.first_name, u.phone_enc
                        FROM deliveries d LEFT JOIN notifications n ON n.id = d.notification_id JOIN users u ON u.id = d.user_id
                        WHERE d.id = ?
                        """, arguments: [id])
            else { return nil }
            let delivery = try DeliveryRecord(row: row)
            let type = (try row.decode(forColumn: "type") as String?).flatMap(NotificationType.init(rawValue:))
            let accountCopy =
                delivery.status == "suppressed" && delivery.reason == "integration_disabled" && delivery.sentAt == nil
                && delivery.lastError == nil
            guard ["queued", "deferred", "sending"].contains(delivery.status) || accountCopy else { return nil }
            if !accountCopy {
                try db.execute(
                    sql: "UPDATE deliveries SET status = 'sending', attempts = attempts + 1, not_before = NULL WHERE id = ?",
                    arguments: [id])
            }
            let data = (try row.decode(forColumn: "data") as String?).flatMap {
                try? JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            }
            let tokens =
                delivery.channel == "push"
                ? try String.fetchAll(
                    db, sql: "SELECT token FROM push_devices WHERE user_id = ? AND active = 1 ORDER BY id", arguments: [delivery.userID])
                : []
            return DeliveryWork(
                delivery: try DeliveryRecord.fetchOne(db, sql: "SELECT * FROM deliveries WHERE id = ?", arguments: [id]) ?? delivery,
                type: type, title: try row.decode(forColumn: "title") ?? "", message: try row.decode(forColumn: "message") ?? "",
                link: try row.decode(forColumn: "link"), data: data ?? [:], email: try row.decode(forColumn: "email"),
                firstName: try row.decode(forColumn: "first_name"), phoneSealed: try row.decode(forColumn: "phone_enc"),
                pushTokens: tokens)
        }
    }

    public func sent(_ id: Int64, providerMessageID: String?, toSealed: String?) throws {
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE deliveries SET status = 'sent', sent_at = ?, provider_message_id = ?, to_enc = coalesce(?, to_enc), last_error = NULL
                    WHERE id = ? AND status = 'sending'
                    """,
                arguments: [Timestamp.string(from: clock()), providerMessageID, toSealed, id])
        }
    }

    /// An attempt failed: `final` marks it failed for good; otherwise it waits, queued, for the queue's retry.
    public func attemptFailed(_ id: Int64, error: String, final: Bool) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE deliveries SET status = ?, last_error = ? WHERE id = ? AND status IN ('sending', 'suppressed')",
                arguments: [final ? "failed" : "queued", String(error.prefix(500)), id])
        }
    }

    /// The account copy of a suppressed email was written to the outbox: noted, status unchanged.
    public func accountCopyWritten(_ id: Int64) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE deliveries SET last_error = 'written to the outbox: email is not configured' WHERE id = ?", arguments: [id])
        }
    }

    /// FCM said the token is gone: the device stops receiving (20-services §8.4).
    public func deactivateDevice(token: String) throws {
        try store.write { db in try db.execute(sql: "UPDATE push_devices SET active = 0 WHERE token = ?", arguments: [token]) }
    }

    public func deviceUsed(token: String) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE push_devices SET last_used_at = ? WHERE token = ?", arguments: [Timestamp.string(from: clock()), token])
        }
    }

    /// NTF-20: the deliveries of one notification, for its owner (or anyone when `ownerID` is nil: an admin).
    /// Nil when there is no such notification of that owner's.
    public func deliveries(notificationID: Int64, ownerID: Int64?) throws -> [DeliveryRecord]? {
        try store.read { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM notifications WHERE id = ? AND (?2 IS NULL OR user_id = ?2)",
                    arguments: [notificationID, ownerID])
                    == true
            else { return nil }
            return try DeliveryRecord.fetchAll(
                db, sql: "SELECT * FROM deliveries WHERE notification_id = ? ORDER BY id", arguments: [notificationID])
        }
    }

    /// Job 10 at 18:00: for everyone whose digest falls today (daily, or weekly on their weekday, 1 = Monday), one
    /// digest email bundling the medium and low notices held back since the last. Returns how many digests were made;
    /// their deliveries are queued in the same transaction.
    public func prepareDigests(isoWeekday: Int) throws -> Int {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            let users = try Int64.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT d.user_id FROM deliveries d JOIN notification_settings s ON s.user_id = d.user_id
                    WHERE d.status = 'digested' AND d.digest_id IS NULL
                        AND (s.digest = 'daily' OR (s.digest = 'weekly' AND s.digest_weekday = ?))
                    ORDER BY d.user_id
                    """, arguments: [isoWeekday])
            var jobs: [DeliveryJob] = []
            for user in users {
                try db.execute(
                    sql: """
                        INSERT INTO deliveries (user_id, channel, purpose, priority, status, attempts, queued_at)
                        VALUES (?, 'email', 'digest', 'low', 'queued', 0, ?)
                        """, arguments: [user, stamp])
                let id = db.lastInsertedRowID
                try db.execute(
                    sql: "UPDATE deliveries SET digest_id = ? WHERE user_id = ? AND status = 'digested' AND digest_id IS NULL",
                    arguments: [id, user])
                try db.execute(sql: "UPDATE notification_settings SET last_digest_at = ? WHERE user_id = ?", arguments: [stamp, user])
                jobs.append(DeliveryJob(deliveryID: id, channel: .email, priority: .low, runAt: nil))
            }
            try store.outbox.enqueue(jobs, in: db)
            return users.count
        }
    }

    /// The notices a digest delivery bundles, oldest first.
    public func digestItems(deliveryID: Int64) throws -> [(title: String, message: String, link: String?)] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT n.title, n.message, n.link FROM deliveries d JOIN notifications n ON n.id = d.notification_id
                    WHERE d.digest_id = ? ORDER BY n.id
                    """, arguments: [deliveryID]
            ).map { (try $0.decode(forColumn: "title"), try $0.decode(forColumn: "message"), try $0.decode(forColumn: "link")) }
        }
    }

    /// NTF-19's figures over the last `days` days.
    public struct Stats: Sendable {
        public let totalSent: Int
        public let byCategory: [String: Int]
        public let readCount: Int
        public let unreadCount: Int
        public let byChannel: [String: [String: Int]]
    }

    public func stats(days: Int) throws -> Stats {
        let since = Timestamp.string(from: clock().addingTimeInterval(-Double(days) * 86400))
        return try store.read { db in
            var byCategory: [String: Int] = [:]
            var (read, unread) = (0, 0)
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT type, sum(is_read) AS read, count(*) AS total FROM notifications
                    WHERE created_at >= ? AND deleted_at IS NULL GROUP BY type
                    """, arguments: [since])
            {
                let total: Int = try row.decode(forColumn: "total")
                let readHere: Int = try row.decode(forColumn: "read")
                byCategory[try row.decode(forColumn: "type")] = total
                read += readHere
                unread += total - readHere
            }
            var byChannel: [String: [String: Int]] = [:]
            for row in try Row.fetchAll(
                db, sql: "SELECT channel, status, count(*) AS n FROM deliveries WHERE queued_at >= ? GROUP BY channel, status",
                arguments: [since])
            {
                byChannel[try row.decode(forColumn: "channel"), default: [:]][try row.decode(forColumn: "status")] = try row.decode(
                    forColumn: "n")
            }
            return Stats(totalSent: read + unread, byCategory: byCategory, readCount: read, unreadCount: unread, byChannel: byChannel)
        }
    }
}
