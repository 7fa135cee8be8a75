import Foundation
import PSCCore
import Testing

@testable import PSCStore

@Suite("Cache invalidation on commit")
struct CacheInvalidatorTests {
    @Test("a commit drops the namespaces built from the tables it changed; bookkeeping updates and rollbacks drop nothing")
    func dropsWhatACommitChanged() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let cache = LRUCache(limits: .init(maxBytes: 1 << 20, maxEntries: 100))
        CacheInvalidator.install(
            on: store, cache: cache,
            dependencies: [.init("feed", on: ["posts", "users"]), .init("directory", on: ["users", "connections"])])
        func fill() {
            cache.store("feed page", bytes: 10, ttl: 60, namespace: "feed", key: "k")
            cache.store("directory page", bytes: 10, ttl: 60, namespace: "directory", key: "k")
        }
        func cached() -> [String] {
            ["feed", "directory"].filter { cache.value(String.self, namespace: $0, key: "k") != nil }
        }
        let accounts = AccountStore(store: store)
        let id = try accounts.register(
            NewAccount(email: "a@gus.pittstate.edu", passwordHash: "x", role: .student, status: .active, firstName: "A", lastName: "B"),
            origin: RequestOrigin(ip: "127.0.0.1", userAgent: "test"))
        fill()
        let posts = PostStore(store: store)
        _ = try posts.create(authorID: id, content: "Hello", visibility: "members", departmentID: nil, tags: [])
        #expect(cached() == ["directory"], "a new post makes feeds stale, not the directory")
        fill()
        try store.write { db in
            try db.execute(sql: "UPDATE users SET last_login_at = 'x', updated_at = 'x' WHERE id = ?", arguments: [id])
        }
        #expect(cached() == ["feed", "directory"], "a sign-in's bookkeeping shows nowhere")
        try store.write { db in try db.execute(sql: "UPDATE users SET privacy = '{}', updated_at = 'x' WHERE id = ?", arguments: [id]) }
        #expect(cached().isEmpty, "a privacy change reaches both")
        fill()
        _ = try? store.write { db in
            try db.execute(sql: "UPDATE users SET status = 'suspended' WHERE id = ?", arguments: [id])
            throw StoreError.backupFailed("rolled back")
        }
        #expect(cached() == ["feed", "directory"], "a rolled-back change drops nothing")
        try store.write { db in try db.execute(sql: "DELETE FROM posts") }
        #expect(cached() == ["directory"])
    }
}
