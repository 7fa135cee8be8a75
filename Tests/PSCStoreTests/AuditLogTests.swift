import Foundation
import GRDB
import PSCCore
import Testing

@testable import PSCStore

@Suite("Audit log")
struct AuditLogTests {
    /// The two rows of 20-services §4.7, exactly as written there.
    @Test("the spec's hash chain vectors")
    func specVectors() {
        let row1 = AuditEntry(
            actorUserID: 17, actorKind: .user, action: "auth.login", targetType: "user", targetID: "17",
            ipAddress: "198.51.100.23", userAgent: "Mozilla/5.0", details: ["method": "password", "second_factor": "totp"],
            severity: .info, outcome: .success
        )
        let text1 = AuditLog.canonicalObject(id: 1, occurredAt: "2026-09-01T14:03:07.125Z", entry: row1).canonicalText
        #expect(
            text1
                == #"{"action":"auth.login","actor_kind":"user","actor_user_id":17,"details":{"method":"password","second_factor":"totp"},"id":1,"ip_address":"198.51.100.23","occurred_at":"2026-09-01T14:03:07.125Z","outcome":"success","severity":"info","target_id":"17","target_type":"user","user_agent":"Mozilla/5.0"}"#
        )
        let hash1 = AuditLog.chainHash(previous: AuditLog.genesisHash, canonicalText: text1)
        #expect(hash1 == "d8df4d609c5aa6bba1ae0da5f6648b89ce8450cc2185b9df92605ddcabf81edb")

        let row2 = AuditEntry(
            actorUserID: 1, actorKind: .user, action: "flag.update", targetType: "feature_flag", targetID: "ai_assistant",
            ipAddress: "198.51.100.7", userAgent: "Mozilla/5.0", details: ["rollout_percentage": [50, 75]],
            severity: .warning, outcome: .success
        )
        let text2 = AuditLog.canonicalObject(id: 2, occurredAt: "2026-09-01T14:05:42.000Z", entry: row2).canonicalText
        #expect(
            AuditLog.chainHash(previous: hash1, canonicalText: text2) == "b260979dc1b06e408056e671a775e7a94f97580395966c62c63d08f9da3fc51b")
    }

    func migratedStore(_ directory: TemporaryDirectory) throws -> Store {
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        return store
    }

    @Test("appended rows verify, and the table refuses updates and deletes")
    func appendOnly() throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        for index in 0..<5 {
            try store.write { db in
                try AuditLog.append(AuditEntry(actorKind: .system, action: "test.row", details: ["n": .int(Int64(index))]), in: db)
            }
        }
        #expect(try store.read { try AuditLog.verify(in: $0) } == .init(rowsChecked: 5, firstBadID: nil))
        #expect(throws: DatabaseError.self) { try store.write { try $0.execute(sql: "UPDATE audit_log SET severity = 'warning'") } }
        #expect(throws: DatabaseError.self) { try store.write { try $0.execute(sql: "DELETE FROM audit_log") } }
        #expect(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log") } == 5)
        try store.close()
    }

    @Test("a changed column makes its row the first bad id")
    func tamperDetected() throws {
        let directory = try TemporaryDirectory()
        let store = try migratedStore(directory)
        for _ in 0..<3 {
            try store.write { try AuditLog.append(AuditEntry(actorKind: .system, action: "test.row"), in: $0) }
        }
        try store.write { db in
            try db.execute(sql: "DROP TRIGGER audit_log_no_update")
            try db.execute(sql: "UPDATE audit_log SET severity = 'warning' WHERE id = 2")
        }
        #expect(try store.read { try AuditLog.verify(in: $0) }.firstBadID == 2)
        try store.close()
    }
}
