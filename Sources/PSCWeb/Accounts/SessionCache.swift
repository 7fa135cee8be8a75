import Foundation
import PSCCore
import PSCStore
import Synchronization

/// Resolved sessions by the SHA-256 of their cookie (and bearer tokens by that of their value, under a prefix), so
/// an authenticated request costs a dictionary lookup instead of four database reads. An entry is used only while
/// the auth epoch is unchanged (any revocation, suspension, role, grant or second-factor change moves it, see
/// ``AuthChangeObserver``), before the session's or token's own expiry and the earliest grant expiry, and for at most
/// `lifetime` seconds.
final class SessionCache: Sendable {
    struct Entry: Sendable {
        let identity: Identity
        let epoch: UInt64
        let validUntil: Date
    }

    let changes: AuthChangeObserver
    let lifetime: TimeInterval
    let capacity: Int
    private let entries = Mutex<[Data: Entry]>([:])

    init(changes: AuthChangeObserver, lifetime: TimeInterval = 30, capacity: Int = 20_000) {
        self.changes = changes
        self.lifetime = lifetime
        self.capacity = capacity
    }

    func identity(tokenHash: Data, now: Date = Date()) -> Identity? {
        let epoch = changes.epoch
        return entries.withLock { entries in
            guard let entry = entries[tokenHash] else { return nil }
            guard entry.epoch == epoch, now < entry.validUntil else {
                entries[tokenHash] = nil
                return nil
            }
            return entry.identity
        }
    }

    /// Keeps an identity read at `epoch` (taken before the database read, so a change during the read is not
    /// hidden by the cache).
    func store(_ identity: Identity, tokenHash: Data, epoch: UInt64, now: Date = Date()) {
        var until = now.addingTimeInterval(lifetime)
        if let session = identity.session, let expiry = Timestamp.date(from: session.expiresAt) { until = min(until, expiry) }
        if let expiry = identity.token?.expiresAt.flatMap(Timestamp.date(from:)) { until = min(until, expiry) }
        for grant in identity.grants {
            if let expiry = grant.expiresAt.flatMap(Timestamp.date(from:)) { until = min(until, expiry) }
        }
        let current = changes.epoch
        entries.withLock { entries in
            if entries.count >= capacity {
                // Entries past their time or epoch can never be used again; only if the live ones alone fill the
                // cache is everything dropped (each then costs one database read to come back).
                entries = entries.filter { $0.value.epoch == current && now < $0.value.validUntil }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[tokenHash] = Entry(identity: identity, epoch: epoch, validUntil: until)
        }
    }
}
