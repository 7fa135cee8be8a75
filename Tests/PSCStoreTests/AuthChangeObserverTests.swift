import Foundation
import PSCCore
import Testing

@testable import PSCStore

@Suite("Auth change epoch")
struct AuthChangeObserverTests {
    @Test("revocations, suspensions and grant changes move the epoch; a session's own use and new rows do not")
    func epochMoves() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let changes = AuthChangeObserver.install(on: store)
        let origin = RequestOrigin(ip: "127.0.0.1", userAgent: "test")
        let accounts = AccountStore(store: store)
        let sessions = SessionStore(store: store)
        let id = try accounts.register(
            NewAccount(email: "a@gus.pittstate.edu", passwordHash: "x", role: .student, status: .active, firstName: "A", lastName: "B"),
            origin: origin)
        let start = changes.epoch
        let (_, session) = try sessions.create(userID: id, remember: false, lifetime: .standard, methods: ["password"], origin: origin)
        #expect(changes.epoch == start, "a new session takes nothing away")
        try store.write { db in
            try db.execute(
                sql: "UPDATE sessions SET last_seen_at = 'x', idle_expires_at = idle_expires_at WHERE id = ?", arguments: [session.id])
        }
        #expect(changes.epoch == start, "touching a session takes nothing away")
        _ = try sessions.markRecentAuth(sessionID: session.id)
        #expect(changes.epoch == start + 1, "a fresh password check must reach the cached session (AUTH-8)")
        try sessions.revoke(id: session.id, userID: id, reason: "logout", origin: origin)
        #expect(changes.epoch == start + 2)
        try store.write { db in try db.execute(sql: "UPDATE users SET status = 'suspended' WHERE id = ?", arguments: [id]) }
        #expect(changes.epoch == start + 3)
        _ = try? store.write { db in
            try db.execute(sql: "UPDATE users SET status = 'active' WHERE id = ?", arguments: [id])
            throw StoreError.backupFailed("rolled back")
        }
        #expect(changes.epoch == start + 3, "a rolled-back change moves nothing")
    }
}
