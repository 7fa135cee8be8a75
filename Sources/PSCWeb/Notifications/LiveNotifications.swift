import Foundation
import PSCCore
import PSCStore
import Synchronization

/// The open NTF-6 streams of this process, by person: the hub calls `publish` after a transaction that created
/// notifications commits, and each of that person's streams wakes to read what is new; each stream also gets a
/// heartbeat every 25 s, so proxies keep it open and a closed connection is noticed. At most ten streams per person
/// (10-api §12).
public final class LiveNotifications: Sendable {
    public static let streamsPerUser = 10
    let heartbeat: Duration

    enum Signal: Sendable { case changed, heartbeat }

    private struct Stream {
        let continuation: AsyncStream<Signal>.Continuation
        let beats: Task<Void, Never>
    }
    private let streams = Mutex<[Int64: [UUID: Stream]]>([:])
    private let closing = Mutex(false)

    public init(heartbeat: Duration = .seconds(25)) { self.heartbeat = heartbeat }

    public func publish(_ users: [Int64]) {
        let woken = streams.withLock { streams in users.flatMap { streams[$0].map { $0.values.map(\.continuation) } ?? [] } }
        for continuation in woken { continuation.yield(.changed) }
    }

    /// The signals of one new stream, or nil when the person already has ten open.
    func open(user: Int64) -> (id: UUID, signals: AsyncStream<Signal>)? {
        let (signals, continuation) = AsyncStream<Signal>.makeStream()
        let id = UUID()
        let heartbeat = heartbeat
        let opened = streams.withLock { streams -> Bool in
            guard !isClosing, streams[user, default: [:]].count < Self.streamsPerUser else { return false }
            let beats = Task {
                while !Task.isCancelled {
                    try? await Task.sleep(for: heartbeat)
                    continuation.yield(.heartbeat)
                }
            }
            streams[user, default: [:]][id] = Stream(continuation: continuation, beats: beats)
            return true
        }
        return opened ? (id, signals) : nil
    }

    func close(user: Int64, id: UUID) {
        let stream = streams.withLock { streams -> Stream? in
            let removed = streams[user]?.removeValue(forKey: id)
            if streams[user]?.isEmpty == true { streams[user] = nil }
            return removed
        }
        stream?.beats.cancel()
        stream?.continuation.finish()
    }

    /// Ends every open stream and refuses new ones: a graceful shutdown must not wait on connections that never end.
    public func closeAll() {
        closing.withLock { $0 = true }
        let all = streams.withLock { streams -> [Stream] in
            defer { streams = [:] }
            return streams.values.flatMap(\.values)
        }
        for stream in all {
            stream.beats.cancel()
            stream.continuation.finish()
        }
    }

    var isClosing: Bool { closing.withLock { $0 } }

    public var openStreams: Int { streams.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

/// The notification hub and what hangs off it, as the routes use them.
public struct Communication: Sendable {
    public let hub: NotificationHub
    public let notifications: NotificationStore
    public let deliveries: DeliveryStore
    public let preferences: NotificationPreferenceStore
    public let devices: PushDeviceStore
    public let broadcasts: BroadcastStore
    public let messages: MessageStore
    public let phones: PhoneVerificationStore
    public let live: LiveNotifications

    public init(store: Store, keyRing: KeyRing, live: LiveNotifications) {
        hub = NotificationHub(store: store)
        notifications = NotificationStore(store: store)
        deliveries = DeliveryStore(store: store)
        preferences = NotificationPreferenceStore(store: store)
        devices = PushDeviceStore(store: store)
        broadcasts = BroadcastStore(store: store)
        messages = MessageStore(store: store, keyRing: keyRing)
        phones = PhoneVerificationStore(store: store)
        self.live = live
    }
}
