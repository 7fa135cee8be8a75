import Foundation
import GRDB
import PSCCore
import Synchronization

/// Drops the cached responses a commit makes stale (00-conventions §9). It observes the single writer, so every
/// path that writes (routes, the admin socket, jobs, triggers) invalidates before its caller is answered, not only
/// the paths that remember to say so.
public final class CacheInvalidator: TransactionObserver, Sendable {
    /// A cache namespace and the tables its entries are built from.
    public struct Dependency: Sendable {
        public let namespace: String
        public let tables: Set<String>
        public init(_ namespace: String, on tables: Set<String>) {
            self.namespace = namespace
            self.tables = tables
        }
    }

    /// Columns that sign-ins and housekeeping update and that no cached response shows: an update of these alone
    /// keeps the caches (a sign-in would otherwise empty every member's cached search).
    public static let bookkeepingColumns: [String: Set<String>] = [
        "users": [
            "last_login_at", "last_active_at", "updated_at", "password_hash", "calendar_token_hash", "gpa_enc", "email_verified",
        ],
        // A thread's view count moves with every first view in an hour; a cached thread may show it a minute late.
        "forum_threads": ["views_count"],
    ]

    private let cache: LRUCache
    private let dependencies: [Dependency]
    private let tables: Set<String>
    /// Namespaces the open transaction has made stale; dropped at its commit, forgotten at a rollback.
    private let pending = Mutex<Set<String>>([])

    public init(cache: LRUCache, dependencies: [Dependency]) {
        self.cache = cache
        self.dependencies = dependencies
        self.tables = dependencies.reduce(into: []) { $0.formUnion($1.tables) }
    }

    /// Installs the invalidator on the store's writer, which keeps it for the life of the store.
    public static func install(on store: Store, cache: LRUCache, dependencies: [Dependency]) {
        store.pool.add(transactionObserver: CacheInvalidator(cache: cache, dependencies: dependencies), extent: .databaseLifetime)
    }

    public func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        switch eventKind {
        case .insert(let table), .delete(let table): return tables.contains(table)
        case .update(let table, let columns):
            guard tables.contains(table) else { return false }
            return !columns.isSubset(of: Self.bookkeepingColumns[table] ?? [])
        }
    }

    public func databaseDidChange(with event: DatabaseEvent) {
        let table = event.tableName
        pending.withLock { stale in
            for dependency in dependencies where dependency.tables.contains(table) { stale.insert(dependency.namespace) }
        }
    }

    public func databaseDidCommit(_ db: Database) {
        let stale = pending.withLock { stale in
            defer { stale.removeAll() }
            return stale
        }
        for namespace in stale { cache.invalidate(namespace: namespace) }
    }

    public func databaseDidRollback(_ db: Database) { pending.withLock { $0.removeAll() } }
}
