import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

@Suite("Campus seeder")
struct CampusSeederTests {
    func count(_ store: Store, _ sql: String) throws -> Int { try store.read { db in try Int.fetchOne(db, sql: sql) ?? 0 } }

    @Test("the demo campus has the issue's sizes, past and future events, and nothing dangling")
    func demoCampus() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        _ = try DatabaseSetup.prepare(store, migrator: try Migrator.embedded())
        let made = try CampusSeeder(store: store).seed(.demo)
        #expect(made.users == 500 && made.posts == 2000 && made.events == 60 && made.jobs == 80 && made.connections >= 300)
        #expect(try count(store, "SELECT count(*) FROM users WHERE status = 'active'") == 500)
        #expect(
            try count(store, "SELECT count(DISTINCT role) FROM users WHERE status = 'active'") == 4, "students, alumni, faculty and staff")
        #expect(
            try count(store, "SELECT count(*) FROM users WHERE status = 'pending_approval' AND role IN ('alumni', 'employer')") == 3,
            "the admin console's approval queue has people in it")
        #expect(try count(store, "SELECT count(*) FROM users WHERE password_hash IS NOT NULL") == 0, "nobody can sign in as them")
        #expect(try count(store, "SELECT count(*) FROM events WHERE start_time < strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") >= 15)
        #expect(try count(store, "SELECT count(*) FROM events WHERE start_time > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')") >= 30)
        #expect(try count(store, "SELECT count(*) FROM job_postings WHERE status = 'active'") == 80)
        #expect(
            try count(
                store, "SELECT count(*) FROM event_checkins c JOIN events e ON e.id = c.event_id WHERE e.start_time > c.checked_in_at") == 0
        )
        #expect(
            try count(
                store, "SELECT count(*) FROM events e WHERE going_count <> (SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id)")
                == 0)
        #expect(
            try count(store, "SELECT count(*) FROM search_index WHERE rowid BETWEEN 2 * 1099511627776 AND 3 * 1099511627776 - 1") == 2000,
            "the index follows the rows")
        #expect(try store.read { db in try Row.fetchAll(db, sql: "PRAGMA foreign_key_check") }.isEmpty)
        let names = try store.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT major FROM users WHERE major IS NOT NULL") }
        #expect(names.contains("Irene Ransom Bradley School of Nursing"), "majors are Pittsburg State's departments")

        // The same seed gives the same campus.
        let again = try TemporaryDirectory()
        let other = try Store(path: again.file("psc.db"))
        _ = try DatabaseSetup.prepare(other, migrator: try Migrator.embedded())
        _ = try CampusSeeder(store: other).seed(.demo)
        let sample = "SELECT group_concat(first_name || last_name, ',') FROM (SELECT * FROM users ORDER BY id LIMIT 20)"
        #expect(try store.read { try String.fetchOne($0, sql: sample) } == other.read { try String.fetchOne($0, sql: sample) })
    }

    @Test("the synthetic plan makes a member with 200 connections for the feed benchmark")
    func syntheticHub() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        _ = try DatabaseSetup.prepare(store, migrator: try Migrator.embedded())
        let made = try CampusSeeder(store: store).seed(.synthetic(users: 400))
        #expect(made.posts == 4000 && made.events == 40)
        let hub = try #require(made.hubEmail)
        let connections = try store.read { db in
            try Int.fetchOne(
                db,
                sql: """
                    SELECT count(*) FROM connections c JOIN users u ON u.email_norm = ? WHERE c.status = 'accepted'
                        AND (c.user_low = u.id OR c.user_high = u.id)
                    """, arguments: [hub]) ?? 0
        }
        #expect(connections >= 200)
    }
}
