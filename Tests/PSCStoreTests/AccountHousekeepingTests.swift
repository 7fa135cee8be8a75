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
}
