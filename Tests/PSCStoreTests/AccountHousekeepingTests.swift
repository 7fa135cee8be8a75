import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

@Suite("Account housekeeping: ended suspensions lifted, expired grants inactive, a rerun finds nothing")
struct AccountHousekeepingTests {
    @Test("a suspension with an end is lifted once it passes, an open-ended one stays; grants expire")
    func housekeeping() throws {
        let members = try TestMembers(4, prefix: "hk", role: { $0 == 0 ? .admin : .student })
        let clock = TestClock()
        let administration = AccountAdministration(store: members.store, accounts: AccountStore(store: members.store), clock: clock.read)
        let until = Timestamp.string(from: clock.read().addingTimeInterval(2 * 86400))
        _ = try administration.setStatus(String(members.ids[1]), suspended: true, until: until, reason: "two days off", by: .socket)
        _ = try administration.setStatus(String(members.ids[2]), suspended: true, reason: "until reviewed", by: .socket)
        #expect(throws: AdministrationError.self, "an end in the past is refused") {
            try administration.setStatus(
                String(members.ids[3]), suspended: true, until: Timestamp.string(from: clock.read().addingTimeInterval(-60)), by: .socket)
        }
        _ = try administration.addGrant(
            String(members.ids[3]), capability: .moderator, departmentID: nil,
            expiresAt: Timestamp.string(from: clock.read().addingTimeInterval(86400)), grantedBy: nil, by: .socket)
        #expect(try administration.housekeeping() == .init(suspensionsEnded: 0, grantsExpired: 0), "nothing has passed yet")
        clock.advance(days: 3)
        #expect(try administration.housekeeping() == .init(suspensionsEnded: 1, grantsExpired: 1))
        #expect(try administration.find(String(members.ids[1])).status == .active)
        #expect(try administration.find(String(members.ids[2])).status == .suspended, "no end: suspended until reactivated")
        #expect(try administration.grants(of: String(members.ids[3])).isEmpty)
        #expect(try administration.housekeeping() == .init(suspensionsEnded: 0, grantsExpired: 0), "a rerun finds nothing")
        let lifted = try members.store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM audit_log WHERE action = 'user.status_change' AND actor_kind = 'system' AND target_id = ?",
                arguments: [String(members.ids[1])])
        }
        #expect(lifted == 1, "the lifting is audited as the system")
    }

    @Test("a student verification lasts until the next semester end, then the nightly job expires it")
    func semesterEnds() throws {
        let ends = ["05-31", "07-31", "12-31"]
        let december = try #require(Timestamp.parse("2026-12-07T12:00:00Z"))
        #expect(VerificationStore.nextSemesterEnd(after: december, ends: ends).map(Timestamp.string(from:)) == "2027-01-01T05:59:59.000Z")
        let newYear = try #require(Timestamp.parse("2027-01-01T06:00:00Z"))
        #expect(VerificationStore.nextSemesterEnd(after: newYear, ends: ends).map(Timestamp.string(from:)) == "2027-06-01T04:59:59.000Z")
        #expect(VerificationStore.nextSemesterEnd(after: december, ends: ["nonsense"]) == nil)

        let members = try TestMembers(2, prefix: "vf")
        let clock = TestClock()
        let verifications = VerificationStore(store: members.store, clock: clock.read)
        let uploads = try members.store.write { db -> Int64 in
            try db.execute(
                sql: """
                    INSERT INTO uploads (owner_id, kind, content_type, bytes, sha256, encrypted, created_at, updated_at)
                    VALUES (?, 'verification', 'application/pdf', 10, zeroblob(32), 0, '2026-01-01', '2026-01-01')
                    """, arguments: [members.ids[0]])
            return db.lastInsertedRowID
        }
        let request = try verifications.submit(userID: members.ids[0], type: .student, documents: [uploads], note: nil)
        let audit = AuditEntry(actorUserID: members.ids[1], actorKind: .user, action: "verification.decided")
        let decided = try verifications.decide(
            id: request.id, approve: true, reason: nil, reviewerID: members.ids[1], studentExpiry: clock.read().addingTimeInterval(86400),
            audit: audit)
        #expect(decided.status == "approved" && decided.expiresAt != nil)
        #expect(try verifications.expire() == 0)
        clock.advance(days: 2)
        #expect(try verifications.expire() == 1)
        #expect(try verifications.request(id: request.id)?.status == "expired")
    }
}
