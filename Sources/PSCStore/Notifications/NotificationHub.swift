import Foundation
import GRDB
import PSCCore
import Synchronization

/// What a feature tells people through the hub.
public struct Notice: Sendable {
    public let type: NotificationType
    public let title: String
    public let message: String
    public let link: String?
    /// Extra JSON facts for clients (`data{}` of the Notification shape).
    public let data: [String: String]
    /// A notice with a key is created at most once per person and key (reminders, 20-services §3.4).
    public let dedupeKey: String?
    /// The broadcast a fan-out notice belongs to (its notifications and deliveries keep the link).
    public var broadcastID: Int64?

    public init(
        _ type: NotificationType, title: String, message: String, link: String? = nil, data: [String: String] = [:],
        dedupeKey: String? = nil
    ) {
        (self.type, self.title, self.message, self.link) = (type, String(title.prefix(200)), String(message.prefix(1000)), link)
        (self.data, self.dedupeKey) = (data, dedupeKey)
    }
}

/// One outbound delivery to send now or at `runAt`.
public struct DeliveryJob: Sendable {
    public let deliveryID: Int64
    public let channel: NotificationChannel
    public let priority: NotificationPriority
    public let runAt: Date?
}

/// How the hub reaches what sits above the store: the queue that sends deliveries, which outbound channels are
/// configured, and the live streams. The queue is built on the store, so the composition root installs these
/// after both exist; a store opened without them (the store tests) records deliveries that nothing sends.
public final class NotificationOutbox: Sendable {
    public struct Wiring: Sendable {
        public var enqueue: @Sendable ([DeliveryJob], GRDB.Database) throws -> Void
        public var configuredChannels: Set<NotificationChannel>
        /// Called after a transaction that created notifications commits, with their owners.
        public var published: @Sendable ([Int64]) -> Void

        public init(
            enqueue: @escaping @Sendable ([DeliveryJob], GRDB.Database) throws -> Void, configuredChannels: Set<NotificationChannel>,
            published: @escaping @Sendable ([Int64]) -> Void
        ) {
            (self.enqueue, self.configuredChannels, self.published) = (enqueue, configuredChannels, published)
        }
    }

    private let wiring = Mutex<Wiring?>(nil)

    public init() {}

    public func install(_ wiring: Wiring) { self.wiring.withLock { $0 = wiring } }
    var current: Wiring? { wiring.withLock { $0 } }

    /// Queues deliveries in the caller's transaction; without an installed queue they stay recorded, unsent.
    func enqueue(_ jobs: [DeliveryJob], in db: GRDB.Database) throws {
        if !jobs.isEmpty, let wiring = current { try wiring.enqueue(jobs, db) }
    }
}

/// The one entry point every feature calls to tell people something (20-services §3). In the caller's transaction
/// it writes the in-app row, one delivery record per other channel the type has, with what became of it (queued,
/// deferred by quiet hours or a cap, held for the digest, or suppressed with the reason), and a queue job per delivery
/// to send: a notice exists exactly when the change it reports committed, and nothing is reported sent that was not.
public struct NotificationHub: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// What became of one notice for one person (NTF-15's `results`).
    public struct Outcome: Sendable {
        public let notificationID: Int64
        /// The in-app row is shown (in_app on for a type that has it).
        public let shown: Bool
        public let results: [NotificationChannel: String]

        /// NTF-15's `success`: shown, or at least one channel on its way.
        public var success: Bool { shown || results.values.contains { ["queued", "deferred", "digested"].contains($0) } }
    }

    /// Tells one person; nil when the account cannot receive (gone, suspended, or not yet active for a non-account
    /// type) or the notice's dedupe key was already used for them.
    @discardableResult
    public func notify(_ userID: Int64, _ notice: Notice, in db: GRDB.Database) throws -> Outcome? {
        try pass([userID], notice, in: db).first
    }

    /// Tells each listed person once; returns how many were told. Their reach, settings and preferences are read in
    /// one query each for the whole list (a broadcast's chunk of 500 is one call), and the delivery jobs are queued
    /// together.
    @discardableResult
    public func notify(_ userIDs: [Int64], _ notice: Notice, in db: GRDB.Database) throws -> Int {
        var seen = Set<Int64>()
        return try pass(userIDs.filter { seen.insert($0).inserted }, notice, in: db).count
    }

    /// Tells everyone a query selects (one `id` column, plain `?` parameters).
    public func notify(selecting sql: String, arguments: StatementArguments, _ notice: Notice, in db: GRDB.Database) throws {
        try notify(try Int64.fetchAll(db, sql: sql, arguments: arguments), notice, in: db)
    }

    private func pass(_ userIDs: [Int64], _ notice: Notice, in db: GRDB.Database) throws -> [Outcome] {
        guard !userIDs.isEmpty else { return [] }
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let recipients = try Recipient.fetchAll(userIDs, in: db)
        let preferences = try Recipient.preferences(for: notice.type, users: userIDs, in: db)
        let wiring = store.outbox.current
        var outcomes: [Outcome] = []
        var jobs: [DeliveryJob] = []
        var shown: [Int64] = []
        for id in userIDs {
            guard let recipient = recipients[id], recipient.mayReceive(notice.type),
                let (outcome, queued) = try deliver(
                    notice, to: recipient, preferences: preferences[id] ?? [:], configured: wiring?.configuredChannels, now: now,
                    stamp: stamp,
                    in: db)
            else { continue }
            outcomes.append(outcome)
            jobs += queued
            if outcome.shown { shown.append(id) }
        }
        try store.outbox.enqueue(jobs, in: db)
        if let wiring, !shown.isEmpty {
            let told = shown
            db.afterNextTransaction { _ in wiring.published(told) }
        }
        return outcomes
    }

    /// Whether the platform can send on a channel (an adapter is configured); true without a queue, as in tests.
    public func isConfigured(_ channel: NotificationChannel) -> Bool {
        store.outbox.current?.configuredChannels.contains(channel) ?? true
    }

    /// NTF-14: an in-app notice only, whatever the type's other channels; nil when the person is not active.
    public func notifyInAppOnly(_ userID: Int64, _ notice: Notice, in db: GRDB.Database) throws -> Int64? {
        guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ? AND status = 'active'", arguments: [userID]) == true else {
            return nil
        }
        try db.execute(
            sql: "INSERT INTO notifications (user_id, type, priority, title, message, link, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
            arguments: [
                userID, notice.type.rawValue, notice.type.priority.rawValue, notice.title, notice.message, notice.link,
                Timestamp.string(from: clock()),
            ])
        let id = db.lastInsertedRowID
        if let wiring = store.outbox.current { db.afterNextTransaction { _ in wiring.published([userID]) } }
        return id
    }

    /// "First Last" for a message, or "A member" when the account is gone.
    public static func name(of userID: Int64, in db: GRDB.Database) throws -> String {
        try String.fetchOne(db, sql: "SELECT first_name || ' ' || last_name FROM users WHERE id = ?", arguments: [userID]) ?? "A member"
    }

    /// One person's notice: the in-app row and a delivery record per other channel; nil when the dedupe key was used.
    func deliver(
        _ notice: Notice, to recipient: Recipient, preferences: [NotificationChannel: Bool], configured: Set<NotificationChannel>?,
        now: Date, stamp: String, in db: GRDB.Database
    ) throws -> (Outcome, [DeliveryJob])? {
        let type = notice.type
        let definition = type.definition
        func enabled(_ channel: NotificationChannel) -> Bool {
            definition.locked.contains(channel) || preferences[channel] ?? true
        }
        let shown = definition.channels.contains(.inApp) && enabled(.inApp)
        let data = notice.data.isEmpty ? nil : String(decoding: try JSONEncoder().encode(notice.data), as: UTF8.self)
        // The row exists even when nothing shows it, so its deliveries keep their link (20-services §3.4).
        try db.cachedStatement(
            sql: """
                INSERT INTO notifications (user_id, type, priority, title, message, link, data, dedupe_key, broadcast_id, deleted_at,
                    created_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING
                """
        ).execute(arguments: [
            recipient.id, type.rawValue, definition.priority.rawValue, notice.title, notice.message, notice.link, data, notice.dedupeKey,
            notice.broadcastID, shown ? nil : stamp, stamp,
        ])
        guard db.changesCount == 1 else { return nil }
        let notificationID = db.lastInsertedRowID
        var results: [NotificationChannel: String] = definition.channels.contains(.inApp) ? [.inApp: shown ? "stored" : "suppressed"] : [:]
        var jobs: [DeliveryJob] = []
        for channel in NotificationChannel.outbound where definition.channels.contains(channel) {
            let decision = try Routing.decide(
                channel: channel, type: type, enabled: enabled(channel), recipient: recipient,
                configured: configured?.contains(channel) ?? true, now: now, in: db)
            try db.cachedStatement(
                sql: """
                    INSERT INTO deliveries (notification_id, broadcast_id, user_id, channel, purpose, priority, status, reason, not_before,
                        queued_at)
                    VALUES (?, ?, ?, ?, 'notification', ?, ?, ?, ?, ?)
                    """
            ).execute(arguments: [
                notificationID, notice.broadcastID, recipient.id, channel.rawValue, definition.priority.rawValue, decision.status,
                decision.reason, decision.notBefore.map(Timestamp.string(from:)), stamp,
            ])
            results[channel] = decision.status
            if decision.sends || decision.keepsAccountCopy(type) {
                jobs.append(
                    DeliveryJob(
                        deliveryID: db.lastInsertedRowID, channel: channel, priority: definition.priority, runAt: decision.notBefore))
            }
        }
        return (Outcome(notificationID: notificationID, shown: shown, results: results), jobs)
    }
}

/// A feature store that tells people about its changes, through the hub on its own store and clock.
protocol NotifyingStore {
    var store: Store { get }
    var clock: @Sendable () -> Date { get }
}

extension NotifyingStore {
    var hub: NotificationHub { NotificationHub(store: store, clock: clock) }
}
