import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

@Suite("Feature flags and A/B tests: the seeded flags, the copy every write replaces, audit, sticky assignment, conversions")
struct ExperimentStoreTests {
    var audit: AuditEntry { AuditEntry(actorUserID: nil, actorKind: .system, action: "test") }

    @Test("a new database has the spec's fifteen flags, security controls not among them; evaluation follows the copy")
    func seededFlags() throws {
        let members = try TestMembers(2, prefix: "f")
        let flags = try FeatureFlagStore(store: members.store)
        #expect(flags.all.count == 15)
        let on = flags.all.filter(\.enabled).map(\.name)
        #expect(Set(flags.all.filter { !$0.enabled }.map(\.name)) == ["canvas_sync", "experimental_ui", "beta_features"])
        #expect(on.contains("forums") && on.contains("calendar_sync") && on.contains("alumni_portal"))
        #expect(flags.flag(named: "two_factor_auth") == nil && flags.flag(named: "webauthn") == nil)
        #expect(flags.evaluate("forums", for: nil) == (true, .anonymous))
        #expect(flags.evaluate("nope", for: .init(userID: members.ids[0], role: .student)).reason == .unknownFlag)
    }

    @Test("every write replaces the copy before it returns, and is audited with before and after")
    func writesAndAudit() throws {
        let members = try TestMembers(1, prefix: "g")
        let flags = try FeatureFlagStore(store: members.store)
        let student = FeatureFlagRules.Caller(userID: members.ids[0], role: .student)
        _ = try flags.update(
            name: "forums",
            change: { fields in
                var fields = fields; fields.enabled = false; return fields
            }, by: nil, audit: audit)
        #expect(!flags.isOn("forums", for: student), "the next evaluation sees the change")
        // A second store on the same file reads the table afresh, as a restart would.
        #expect(try FeatureFlagStore(store: members.store).flag(named: "forums")?.enabled == false)
        let created = try flags.create(
            name: "new_nav",
            fields: FeatureFlagFields(description: "New navigation", enabled: true, rolloutPercentage: 100, targetRoles: [.alumni]),
            by: members.ids[0], audit: audit)
        #expect(created.updatedBy == members.ids[0])
        #expect(!flags.isOn("new_nav", for: student), "roles restrict even at 100%")
        #expect(throws: ExperimentError.conflict(code: "conflict", message: "A flag named new_nav already exists.")) {
            try flags.create(name: "new_nav", fields: FeatureFlagFields(description: "x"), by: nil, audit: audit)
        }
        try flags.delete(name: "new_nav", audit: audit)
        #expect(flags.flag(named: "new_nav") == nil)
        #expect(throws: ExperimentError.notFound) { try flags.delete(name: "new_nav", audit: audit) }
        let details = try members.store.read { db in
            try String.fetchAll(db, sql: "SELECT details FROM audit_log WHERE action = 'test' ORDER BY id")
        }
        #expect(details.count == 3)
        #expect(details[0].contains(#""before":{"#) && details[0].contains(#""enabled":false"#))
        #expect(details[1].contains(#""before":null"#) && details[2].contains(#""after":null"#))
        #expect(try members.store.read { db in try AuditLog.verify(in: db) }.firstBadID == nil)
    }

    @Test("the lifecycle: edits only in draft, no restart, a winner only at stop")
    func lifecycle() throws {
        let members = try TestMembers(1, prefix: "h")
        let tests = ABTestStore(store: members.store)
        let test = try tests.create(
            ABTestFields(name: "cta", description: "Call to action", variantA: "{}", variantB: "{}", goals: ["click"]), by: members.ids[0],
            audit: audit)
        #expect(test.status == .draft && test.primaryGoal == "click")
        #expect(try tests.variant(testID: test.id, userID: members.ids[0]) == nil, "no assignment while draft")
        _ = try tests.update(
            id: test.id,
            change: { fields in
                var fields = fields; fields.trafficSplit = 0.28; return fields
            }, audit: audit)
        #expect(try tests.start(id: test.id, audit: audit).status == .running)
        #expect(throws: ExperimentError.self) { try tests.update(id: test.id, change: { $0 }, audit: audit) }
        #expect(throws: ExperimentError.self) { try tests.delete(id: test.id, audit: audit) }
        let stopped = try tests.stop(id: test.id, winner: .b, audit: audit)
        #expect(stopped.status == .completed && stopped.winner == .b && stopped.endedAt != nil)
        #expect(throws: ExperimentError.conflict(code: "invalid_state", message: "A completed test cannot be started.")) {
            try tests.start(id: test.id, audit: audit)
        }
        #expect(try tests.variant(testID: test.id, userID: members.ids[0])?.variant == .b, "a completed test answers its winner")
    }

    @Test("twenty simultaneous first calls agree on one assignment; conversions count once per goal")
    func stickyAssignment() async throws {
        let members = try TestMembers(3, prefix: "k")
        let tests = ABTestStore(store: members.store)
        let test = try tests.create(
            ABTestFields(name: "sticky", description: "d", variantA: #"{"a":1}"#, variantB: #"{"b":1}"#, goals: ["click", "apply"]),
            by: members.ids[0], audit: audit)
        _ = try tests.start(id: test.id, audit: audit)
        let user = members.ids[1]
        let answers = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<20 {
                group.addTask { try tests.variant(testID: test.id, userID: user)?.variant.rawValue ?? "none" }
            }
            return try await group.reduce(into: [String]()) { $0.append($1) }
        }
        #expect(Set(answers).count == 1)
        #expect(answers.first == ABTestRules.variant(testID: test.id, userID: user, split: 0.5).rawValue)
        let rows = try await members.store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM ab_test_assignments") }
        #expect(rows == 1)
        #expect(try tests.convert(testID: test.id, userID: user, goal: nil) == .recorded)
        #expect(try tests.convert(testID: test.id, userID: user, goal: "click") == .alreadyCounted)
        #expect(try tests.convert(testID: test.id, userID: user, goal: "apply") == .recorded)
        #expect(throws: ExperimentError.notFound) { try tests.convert(testID: test.id, userID: user, goal: "signup") }
        #expect(throws: ExperimentError.notFound, "not assigned") { try tests.convert(testID: test.id, userID: members.ids[2], goal: nil) }
        let counts = try tests.counts(testID: test.id, goal: "click")
        #expect(counts.a.participants + counts.b.participants == 1)
        #expect(counts.a.conversions + counts.b.conversions == 1)
        _ = try tests.stop(id: test.id, winner: nil, audit: audit)
        #expect(throws: ExperimentError.self, "no conversions after the end") {
            try tests.convert(testID: test.id, userID: user, goal: "apply")
        }
        #expect(try tests.variant(testID: test.id, userID: members.ids[2]) == nil, "completed without a winner or an assignment: none")
        #expect(try tests.variant(testID: test.id, userID: user) != nil, "completed without a winner: the stored assignment")
    }
}
