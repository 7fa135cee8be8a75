import Foundation
import GRDB
import PSCCore
import Synchronization

/// One page view as the request saw it (40-data `page_views`).
public struct PageView: Sendable {
    public let pageName: String
    public let objectID: Int64?
    public let userID: Int64?
    public let ip: String?
    public let userAgent: String?
    public let referrer: String?
    public let occurredAt: Date

    public init(pageName: String, objectID: Int64?, userID: Int64?, ip: String?, userAgent: String?, referrer: String?, occurredAt: Date) {
        (self.pageName, self.objectID, self.userID, self.ip) = (pageName, objectID, userID, ip)
        (self.userAgent, self.referrer, self.occurredAt) = (
            userAgent.map { String($0.prefix(300)) }, referrer.map { String($0.prefix(300)) }, occurredAt
        )
    }
}

/// One API request as the usage table keeps it (40-data `api_usage`): the route template, never the raw path.
public struct APICall: Sendable {
    public let endpoint: String
    public let method: String
    public let statusCode: Int
    public let responseTimeMS: Int
    public let userID: Int64?
    public let tokenID: Int64?
    public let ip: String?
    public let occurredAt: Date

    public init(
        endpoint: String, method: String, statusCode: Int, responseTimeMS: Int, userID: Int64?, tokenID: Int64?, ip: String?,
        occurredAt: Date
    ) {
        (self.endpoint, self.method, self.statusCode, self.responseTimeMS) = (endpoint, method, statusCode, responseTimeMS)
        (self.userID, self.tokenID, self.ip, self.occurredAt) = (userID, tokenID, ip, occurredAt)
    }
}

/// Page views, API calls and members' activity are held in memory and written in one transaction per batch, off
/// the request path: a request only appends to a buffer. The buffers are bounded; rows beyond them are counted as
/// dropped rather than slowing requests. A page view keeps its user id only while the user's `analytics` consent is
/// granted (20-services §4.8). Activity is one `user_activity_days` row per user and Chicago day, and the user's
/// `last_active_at`, written at most once a minute per user.
public final class UsageRecorder: Sendable {
    public let store: Store
    let capacity: Int
    let batchSize: Int
    private let pending = Mutex<[PageView]>([])
    private let pendingCalls = Mutex<[APICall]>([])
    private let activity = Mutex<Activity>(Activity())
    private let droppedCount = Atomic<Int>(0)
    private let writtenCount = Atomic<Int>(0)

    struct Activity {
        /// The latest request time of each user since the last flush.
        var latest: [Int64: Date] = [:]
        /// When each user's `last_active_at` was last written, so a busy member costs one write a minute.
        var written: [Int64: Date] = [:]
        /// The (user, day) pairs already stored today, so the insert is tried once a day per user.
        var days: Set<String> = []
        var day = ""
    }

    public init(store: Store, capacity: Int = 20_000, batchSize: Int = 500) {
        self.store = store
        self.capacity = capacity
        self.batchSize = batchSize
    }

    public var dropped: Int { droppedCount.load(ordering: .relaxed) }
    public var written: Int { writtenCount.load(ordering: .relaxed) }
    public var pendingCount: Int { pending.withLock { $0.count } }

    public func record(_ view: PageView) { append(view, to: pending) }

    public func record(_ call: APICall) { append(call, to: pendingCalls) }

    private func append<Item: Sendable>(_ item: Item, to buffer: borrowing Mutex<[Item]>) {
        let kept = buffer.withLock { items -> Bool in
            guard items.count < capacity else { return false }
            items.append(item)
            return true
        }
        if !kept { droppedCount.add(1, ordering: .relaxed) }
    }

    /// An authenticated request by `userID` at `time`.
    public func recordActivity(userID: Int64, at time: Date = Date()) {
        activity.withLock { activity in
            if let seen = activity.latest[userID], seen >= time { return }
            activity.latest[userID] = time
        }
    }

    /// Writes what is buffered, `batchSize` rows per transaction; returns how many page views and calls were written.
    @discardableResult
    public func flush() throws -> Int {
        let views = pending.withLock { views -> [PageView] in
            defer { views.removeAll(keepingCapacity: true) }
            return views
        }
        let calls = pendingCalls.withLock { calls -> [APICall] in
            defer { calls.removeAll(keepingCapacity: true) }
            return calls
        }
        var start = 0
        while start < views.count {
            let batch = views[start..<min(start + batchSize, views.count)]
            try store.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO page_views (page_name, object_id, user_id, ip, user_agent, referrer, occurred_at)
                        VALUES (?1, ?2, CASE WHEN \(Consent.grantedSQL(user: "?3", type: "analytics")) = 1 THEN ?3 END, ?4, ?5, ?6, ?7)
                        """)
                for view in batch {
                    try statement.execute(arguments: [
                        view.pageName, view.objectID, view.userID, view.ip, view.userAgent, view.referrer,
                        Timestamp.string(from: view.occurredAt),
                    ])
                }
            }
            writtenCount.add(batch.count, ordering: .relaxed)
            start += batchSize
        }
        start = 0
        while start < calls.count {
            let batch = calls[start..<min(start + batchSize, calls.count)]
            try store.write { db in
                let statement = try db.cachedStatement(
                    sql: """
                        INSERT INTO api_usage (endpoint, method, status_code, response_time_ms, user_id, token_id, ip, occurred_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for call in batch {
                    try statement.execute(arguments: [
                        call.endpoint, call.method, call.statusCode, call.responseTimeMS, call.userID, call.tokenID, call.ip,
                        Timestamp.string(from: call.occurredAt),
                    ])
                }
            }
            writtenCount.add(batch.count, ordering: .relaxed)
            start += batchSize
        }
        try writeActivity()
        return views.count + calls.count
    }

    private func writeActivity() throws {
        let (days, stamps) = activity.withLock { activity -> ([(Int64, String)], [(Int64, String)]) in
            var days: [(Int64, String)] = []
            var stamps: [(Int64, String)] = []
            for (user, time) in activity.latest {
                let day = ScholarshipCalendar.today(time)
                if day != activity.day, day > activity.day {
                    activity.day = day
                    activity.days.removeAll(keepingCapacity: true)
                }
                if activity.days.insert("\(user):\(day)").inserted { days.append((user, day)) }
                if let written = activity.written[user], time.timeIntervalSince(written) < 60 { continue }
                activity.written[user] = time
                stamps.append((user, Timestamp.string(from: time)))
            }
            activity.latest.removeAll(keepingCapacity: true)
            return (days, stamps)
        }
        guard !days.isEmpty || !stamps.isEmpty else { return }
        try store.write { db in
            // An account purged since its request has no row to point at; its day is skipped, not the whole batch.
            let day = try db.cachedStatement(
                sql:
                    "INSERT OR IGNORE INTO user_activity_days (user_id, day) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?1)"
            )
            for (user, date) in days { try day.execute(arguments: [user, date]) }
            let stamp = try db.cachedStatement(
                sql: "UPDATE users SET last_active_at = ?2 WHERE id = ?1 AND (last_active_at IS NULL OR last_active_at < ?2)")
            for (user, time) in stamps { try stamp.execute(arguments: [user, time]) }
        }
    }

    /// Flushes every `interval` until the task is cancelled, then once more so nothing buffered is lost at shutdown.
    public func run(interval: Duration = .seconds(2)) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: interval)
            _ = try? await Offload.run { try self.flush() }
        }
        _ = try? flush()
    }
}
