import Foundation
import PSCCore
import Testing

@testable import PSCStore

@Suite("Connection and notification stores")
struct ConnectionStoreTests {
    func prepared(_ count: Int) throws -> (TestMembers, Store, [Int64], TestClock) {
        let members = try TestMembers(count, prefix: "c", listed: true)
        return (members, members.store, members.ids, TestClock())
    }

    @Test("a request is answered by its addressee only; asking back accepts; a decline pauses new requests for 30 days")
    func requests() throws {
        let (members, store, people, clock) = try prepared(3)
        _ = members  // keeps the temporary directory until the test ends
        let connections = ConnectionStore(store: store, clock: clock.read)
        let (a, b, c) = (people[0], people[1], people[2])
        let first = try connections.request(from: a, to: b, note: "Lab partners?")
        #expect(first.status == "pending")
        #expect(try store.read { db in try connections.status(of: a, with: b, in: db) } == .pendingOut)
        #expect(throws: ConnectionError.exists) { try connections.request(from: a, to: b, note: nil) }
        #expect(throws: ConnectionError.notFound) { try connections.respond(id: first.id, by: a, accept: true) }
        #expect(try connections.request(from: b, to: a, note: nil).status == "connected", "asking back accepts")

        let second = try connections.request(from: a, to: c, note: nil)
        try connections.respond(id: second.id, by: c, accept: false)
        #expect(throws: ConnectionError.recentlyDeclined) { try connections.request(from: a, to: c, note: nil) }
        clock.advance(days: 31)
        #expect(try connections.request(from: a, to: c, note: nil).status == "pending")
        #expect(throws: ConnectionError.selfConnection) { try connections.request(from: a, to: a, note: nil) }
    }

    @Test("a block ends the connection and stops requests; suggestions leave out the blocked and the withdrawn")
    func blocksAndSuggestions() throws {
        let (members, store, people, clock) = try prepared(4)
        _ = members  // keeps the temporary directory until the test ends
        let connections = ConnectionStore(store: store, clock: clock.read)
        let (a, b, c, d) = (people[0], people[1], people[2], people[3])
        _ = try connections.request(from: a, to: b, note: nil)
        _ = try connections.request(from: b, to: a, note: nil)
        _ = try connections.request(from: b, to: c, note: nil)
        _ = try connections.request(from: c, to: b, note: nil)
        _ = try connections.request(from: b, to: d, note: nil)
        _ = try connections.request(from: d, to: b, note: nil)
        // A has no department or major: the computed flags are NULL-safe and C and D are friends of a friend.
        #expect(Set(try connections.suggestions(for: a, limit: 10).map(\.userID)) == [c, d])
        try connections.block(a, c)
        try store.write { db in
            try Consent.append(
                userID: d, type: "ferpa_directory", granted: false, version: "1", source: "user", origin: nil,
                at: "2030-01-01T00:00:00.000Z", in: db)
        }
        #expect(try connections.suggestions(for: a, limit: 10).isEmpty, "C is blocked; D withdrew the directory consent")
        #expect(throws: ConnectionError.blocked) { try connections.request(from: c, to: a, note: nil) }
        #expect(try connections.unblock(a, c))
        #expect(try connections.unblock(a, c) == false)
    }

    @Test("notifications: a request notifies its addressee; read state, counts and deletes are the owner's alone")
    func notifications() throws {
        let (members, store, people, clock) = try prepared(2)
        _ = members  // keeps the temporary directory until the test ends
        let connections = ConnectionStore(store: store, clock: clock.read)
        let notifications = NotificationStore(store: store)
        _ = try connections.request(from: people[0], to: people[1], note: nil)
        let received = try notifications.list(userID: people[1], unreadOnly: true, type: nil, beforeID: nil, limit: 10)
        #expect(received.count == 1 && received[0].link == "/connections")
        #expect(try notifications.unreadCount(userID: people[1]) == 1)
        #expect(try notifications.markRead(id: received[0].id, userID: people[0]) == false, "not the owner")
        #expect(try notifications.markRead(id: received[0].id, userID: people[1]))
        #expect(try notifications.unreadCount(userID: people[1]) == 0)
        #expect(try notifications.delete(id: received[0].id, userID: people[0]) == false)
        #expect(try notifications.delete(id: received[0].id, userID: people[1]))
        #expect(try notifications.list(userID: people[1], unreadOnly: false, type: nil, beforeID: nil, limit: 10).isEmpty)
    }

    @Test("suggestions rank mutual connections, then department and major together, then department, then major; limits hold")
    func suggestionRanking() throws {
        let (members, store, people, clock) = try prepared(7)
        _ = members  // keeps the temporary directory until the test ends
        let connections = ConnectionStore(store: store, clock: clock.read)
        let (me, friend, friendOfFriend, both, departmentOnly, majorOnly, neither) = (
            people[0], people[1], people[2], people[3], people[4], people[5], people[6]
        )
        try store.write { db in
            for name in ["Nursing", "History"] {
                try db.execute(
                    sql: "INSERT INTO departments (name, created_at, updated_at) VALUES (?, '2026-01-01', '2026-01-01')", arguments: [name])
            }
            let department = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE name = 'Nursing'")
            let other = try Int64.fetchOne(db, sql: "SELECT id FROM departments WHERE name = 'History'")
            for (id, dept, major) in [
                (me, department, "Nursing"), (both, department, "nursing"), (departmentOnly, department, "History"),
                (majorOnly, other, "Nursing"), (neither, other, "History"), (friendOfFriend, other, "History"),
            ] {
                try db.execute(sql: "UPDATE users SET department_id = ?, major = ? WHERE id = ?", arguments: [dept, major, id])
            }
        }
        for (x, y) in [(me, friend), (friend, friendOfFriend)] {
            _ = try connections.request(from: x, to: y, note: nil)
            _ = try connections.request(from: y, to: x, note: nil)
        }
        let ranked = try connections.suggestions(for: me, limit: 10)
        #expect(ranked.map(\.userID) == [friendOfFriend, both, departmentOnly, majorOnly])
        #expect(ranked.map(\.mutual) == [1, 0, 0, 0])
        #expect(ranked.map(\.sameDepartment) == [false, true, true, false])
        #expect(ranked.map(\.sameMajor) == [false, true, false, true])
        #expect(try connections.suggestions(for: me, limit: 2).map(\.userID) == [friendOfFriend, both])
    }
}
