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

/// Page views are held in memory and written in one transaction per batch, off the request path: a request only
/// appends to a buffer. The buffer is bounded; views beyond it are counted as dropped rather than slowing pages.
/// A user id is stored only while the user's `analytics` consent is granted (20-services §4.8).
public final class PageViewRecorder: Sendable {
    public let store: Store
    let capacity: Int
    let batchSize: Int
    private let pending = Mutex<[PageView]>([])
    private let droppedCount = Atomic<Int>(0)
    private let writtenCount = Atomic<Int>(0)

    public init(store: Store, capacity: Int = 20_000, batchSize: Int = 500) {
        self.store = store
        self.capacity = capacity
        self.batchSize = batchSize
    }

    public var dropped: Int { droppedCount.load(ordering: .relaxed) }
    public var written: Int { writtenCount.load(ordering: .relaxed) }
    public var pendingCount: Int { pending.withLock { $0.count } }

    public func record(_ view: PageView) {
        let kept = pending.withLock { views -> Bool in
            guard views.count < capacity else { return false }
            views.append(view)
            return true
        }
        if !kept { droppedCount.add(1, ordering: .relaxed) }
    }

    /// Writes what is buffered, `batchSize` rows per transaction; returns how many were written.
    @discardableResult
    public func flush() throws -> Int {
        let views = pending.withLock { views -> [PageView] in
            defer { views.removeAll(keepingCapacity: true) }
            return views
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
        return views.count
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
