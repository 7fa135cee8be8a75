import Foundation
import PSCStore
import Synchronization

/// The open NTF-6 streams of this process, by person: the hub calls `publish` after a transaction that created
/// notifications commits, and each of that person's streams wakes to read what is new. At most ten streams per
/// person (10-api §12).
public final class LiveNotifications: Sendable {
    public static let streamsPerUser = 10
    private let streams = Mutex<[Int64: [UUID: AsyncStream<Void>.Continuation]]>([:])

    public init() {}

    public func publish(_ users: [Int64]) {
        let woken = streams.withLock { streams in users.flatMap { streams[$0].map { Array($0.values) } ?? [] } }
        for continuation in woken { continuation.yield(()) }
    }

    /// A wake-up signal for one new stream, or nil when the person already has ten open.
    func open(user: Int64) -> (id: UUID, signals: AsyncStream<Void>)? {
        let (signals, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let id = UUID()
        let opened = streams.withLock { streams -> Bool in
            guard streams[user, default: [:]].count < Self.streamsPerUser else { return false }
            streams[user, default: [:]][id] = continuation
            return true
        }
        return opened ? (id, signals) : nil
    }

    func close(user: Int64, id: UUID) {
        let continuation = streams.withLock { streams -> AsyncStream<Void>.Continuation? in
            let removed = streams[user]?.removeValue(forKey: id)
            if streams[user]?.isEmpty == true { streams[user] = nil }
            return removed
        }
        continuation?.finish()
    }

    public var openStreams: Int { streams.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

/// The notification hub and what hangs off it, as the routes use them.
public struct Communication: Sendable {
    public let hub: NotificationHub
    public let notifications: NotificationStore
    public let deliveries: DeliveryStore
    public let preferences: NotificationPreferenceStore
    public let live: LiveNotifications

    public init(store: Store, live: LiveNotifications) {
        hub = NotificationHub(store: store)
        notifications = NotificationStore(store: store)
        deliveries = DeliveryStore(store: store)
        preferences = NotificationPreferenceStore(store: store)
        self.live = live
    }
}
