import Foundation
import GRDB
import Synchronization

/// Counts committed changes to what a resolved session carries: a revoked or freshly re-authenticated session, a
/// changed account, grant, second factor or token. A cache of resolved sessions compares this epoch and drops what it
/// holds when it moves, so revocation takes effect at once. It observes the single writer, so every path that
/// changes these tables (routes, admin socket, jobs) is covered, not only the ones that remember to say so.
public final class AuthChangeObserver: TransactionObserver, Sendable {
    static let tables: Set<String> = ["users", "sessions", "capability_grants", "totp_credentials", "webauthn_credentials", "api_tokens"]

    private let current = Atomic<UInt64>(0)
    private let pending = Atomic<Bool>(false)

    public init() {}

    /// Installs the observer on the store's writer for the life of the store.
    public static func install(on store: Store) -> AuthChangeObserver {
        let observer = AuthChangeObserver()
        store.pool.add(transactionObserver: observer, extent: .observerLifetime)
        return observer
    }

    public var epoch: UInt64 { current.load(ordering: .acquiring) }

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        // New sessions and tokens take nothing away from anyone.
        case .insert: return false
        case .delete(let table): return Self.tables.contains(table)
        case .update(let table, let columns):
            guard Self.tables.contains(table) else { return false }
            // A session's own use (last seen, idle expiry) does not change what it may do; a revocation or a
            // recent password check does.
            if table == "sessions" { return columns.contains("revoked_at") || columns.contains("recent_auth_at") }
            if table == "api_tokens" { return columns.contains("revoked_at") || columns.contains("expires_at") }
            return true
        }
    }

    public func databaseDidChange(with event: DatabaseEvent) { pending.store(true, ordering: .relaxed) }

    public func databaseDidCommit(_ db: Database) {
        if pending.exchange(false, ordering: .relaxed) { current.add(1, ordering: .releasing) }
    }

    public func databaseDidRollback(_ db: Database) { pending.store(false, ordering: .relaxed) }
}
