import Foundation
import GRDB
import PSCCore

public struct ABTestRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let name: String
    public let description: String
    /// The variants' configuration as stored JSON text.
    public let variantA: String
    public let variantB: String
    public let trafficSplit: Double
    public let goals: [String]
    public let primaryGoal: String
    public let status: ABTestStatus
    public let winner: ABVariant?
    public let startedAt: String?
    public let endedAt: String?
    public let createdBy: Int64?
    public let createdAt: String
    public let updatedAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        description = try row.decode(forColumn: "description")
        variantA = try row.decode(forColumn: "variant_a")
        variantB = try row.decode(forColumn: "variant_b")
        trafficSplit = try row.decode(forColumn: "traffic_split")
        goals = JSONList.strings(try row.decode(forColumn: "goals"))
        primaryGoal = try row.decode(forColumn: "primary_goal")
        status = ABTestStatus(rawValue: try row.decode(forColumn: "status")) ?? .draft
        winner = (try row.decode(forColumn: "winner") as String?).flatMap(ABVariant.init(rawValue:))
        startedAt = try row.decode(forColumn: "started_at")
        endedAt = try row.decode(forColumn: "ended_at")
        createdBy = try row.decode(forColumn: "created_by")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    public func configuration(_ variant: ABVariant) -> String { variant == .a ? variantA : variantB }
}

/// ABT-2's fields; ABT-4 passes the whole changed set.
public struct ABTestFields: Sendable {
    public var name: String
    public var description: String
    public var variantA: String
    public var variantB: String
    public var trafficSplit: Double
    public var goals: [String]
    public var primaryGoal: String

    public init(
        name: String, description: String, variantA: String, variantB: String, trafficSplit: Double = 0.5, goals: [String] = ["conversion"],
        primaryGoal: String? = nil
    ) {
        (self.name, self.description, self.variantA, self.variantB) = (name, description, variantA, variantB)
        (self.trafficSplit, self.goals, self.primaryGoal) = (trafficSplit, goals, primaryGoal ?? goals.first ?? "conversion")
    }

    public init(_ test: ABTestRecord) {
        self.init(
            name: test.name, description: test.description, variantA: test.variantA, variantB: test.variantB,
            trafficSplit: test.trafficSplit, goals: test.goals, primaryGoal: test.primaryGoal)
    }
}

/// A/B tests (20-services §2): the lifecycle, sticky assignment that two simultaneous first calls agree on, one
/// conversion per person and goal, and the counts behind the results.
public struct ABTestStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Newest first, with each test's participants.
    public func list(status: ABTestStatus?) throws -> [(test: ABTestRecord, participants: Int)] {
        try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.*, (SELECT count(*) FROM ab_test_assignments a WHERE a.test_id = t.id) AS participants
                    FROM ab_tests t WHERE ?1 IS NULL OR t.status = ?1 ORDER BY t.created_at DESC, t.id DESC
                    """,
                arguments: [status?.rawValue]
            ).map { row in (try ABTestRecord(row: row), try row.decode(forColumn: "participants")) }
        }
    }

    public func test(id: Int64) throws -> ABTestRecord? {
        try store.read { db in try Self.test(id, db) }
    }

    static func test(_ id: Int64, _ db: GRDB.Database) throws -> ABTestRecord? {
        try ABTestRecord.fetchOne(db, sql: "SELECT * FROM ab_tests WHERE id = ?", arguments: [id])
    }

    private func existing(_ id: Int64, _ db: GRDB.Database) throws -> ABTestRecord {
        guard let test = try Self.test(id, db) else { throw ExperimentError.notFound }
        return test
    }

    private func nameFree(_ name: String, besides id: Int64?, _ db: GRDB.Database) throws {
        if try Bool.fetchOne(db, sql: "SELECT 1 FROM ab_tests WHERE name = ? AND id IS NOT ?", arguments: [name, id]) == true {
            throw ExperimentError.conflict(code: "conflict", message: "A test named \(name) already exists.")
        }
    }

    private static func invalidState(_ test: ABTestRecord, _ doing: String) -> ExperimentError {
        .conflict(code: "invalid_state", message: "A \(test.status.rawValue) test cannot be \(doing).")
    }

    public func create(_ fields: ABTestFields, by userID: Int64, audit: AuditEntry) throws -> ABTestRecord {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try nameFree(fields.name, besides: nil, db)
            try db.execute(
                sql: """
                    INSERT INTO ab_tests
                        (name, description, variant_a, variant_b, traffic_split, goals, primary_goal, status, created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?, ?)
                    """,
                arguments: [
                    fields.name, fields.description, fields.variantA, fields.variantB, fields.trafficSplit, JSONList.text(fields.goals),
                    fields.primaryGoal, userID, stamp, stamp,
                ])
            let id = db.lastInsertedRowID
            try AuditLog.append(audit.targeting(id).adding(["name": .string(fields.name)]), in: db)
            return try existing(id, db)
        }
    }

    public func update(id: Int64, change: (ABTestFields) -> ABTestFields, audit: AuditEntry) throws -> ABTestRecord {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let test = try existing(id, db)
            guard ABTestRules.mayEdit(test.status) else { throw Self.invalidState(test, "edited") }
            let fields = change(ABTestFields(test))
            try nameFree(fields.name, besides: id, db)
            try db.execute(
                sql: """
                    UPDATE ab_tests SET name = ?, description = ?, variant_a = ?, variant_b = ?, traffic_split = ?, goals = ?,
                        primary_goal = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    fields.name, fields.description, fields.variantA, fields.variantB, fields.trafficSplit, JSONList.text(fields.goals),
                    fields.primaryGoal, stamp, id,
                ])
            try AuditLog.append(audit, in: db)
            return try existing(id, db)
        }
    }

    public func delete(id: Int64, audit: AuditEntry) throws {
        try store.write { db in
            let test = try existing(id, db)
            guard ABTestRules.mayEdit(test.status) else { throw Self.invalidState(test, "deleted") }
            try db.execute(sql: "DELETE FROM ab_tests WHERE id = ?", arguments: [id])
            try AuditLog.append(audit.adding(["name": .string(test.name)]), in: db)
        }
    }

    public func start(id: Int64, audit: AuditEntry) throws -> ABTestRecord {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let test = try existing(id, db)
            guard ABTestRules.mayStart(test.status) else { throw Self.invalidState(test, "started") }
            try db.execute(
                sql: "UPDATE ab_tests SET status = 'running', started_at = ?1, updated_at = ?1 WHERE id = ?2", arguments: [stamp, id])
            try AuditLog.append(audit, in: db)
            return try existing(id, db)
        }
    }

    public func stop(id: Int64, winner: ABVariant?, audit: AuditEntry) throws -> ABTestRecord {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let test = try existing(id, db)
            guard ABTestRules.mayStop(test.status) else { throw Self.invalidState(test, "stopped") }
            try db.execute(
                sql: "UPDATE ab_tests SET status = 'completed', ended_at = ?1, winner = ?2, updated_at = ?1 WHERE id = ?3",
                arguments: [stamp, winner?.rawValue, id])
            try AuditLog.append(audit.adding(["winner": winner.map { .string($0.rawValue) } ?? .null]), in: db)
            return try existing(id, db)
        }
    }

    /// ABT-7: the caller's variant. While running, the stored assignment or a new one by bucket (insert-or-ignore then
    /// read, so simultaneous first calls agree); once completed, the winner, else the stored assignment; nil otherwise.
    public func variant(testID: Int64, userID: Int64) throws -> (test: ABTestRecord, variant: ABVariant, assignedAt: String)? {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            guard let test = try Self.test(testID, db), test.status != .draft else { return nil }
            if test.status == .running {
                let variant = ABTestRules.variant(testID: testID, userID: userID, split: test.trafficSplit)
                try db.execute(
                    sql: "INSERT OR IGNORE INTO ab_test_assignments (test_id, user_id, variant, assigned_at) VALUES (?, ?, ?, ?)",
                    arguments: [testID, userID, variant.rawValue, stamp])
            }
            let row = try Row.fetchOne(
                db, sql: "SELECT variant, assigned_at FROM ab_test_assignments WHERE test_id = ? AND user_id = ?",
                arguments: [testID, userID])
            let stored = try row.map { row in
                (ABVariant(rawValue: try row.decode(forColumn: "variant")) ?? .a, try row.decode(forColumn: "assigned_at") as String)
            }
            if test.status == .completed, let winner = test.winner { return (test, winner, stored?.1 ?? test.endedAt ?? stamp) }
            return stored.map { (test, $0.0, $0.1) }
        }
    }

    public enum Conversion: Sendable, Equatable {
        case recorded, alreadyCounted
    }

    /// ABT-8: one conversion per person, test and goal, only for people assigned while the test runs.
    public func convert(testID: Int64, userID: Int64, goal: String?) throws -> Conversion {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            let test = try existing(testID, db)
            let goal = goal ?? test.primaryGoal
            guard test.goals.contains(goal) else { throw ExperimentError.notFound }
            guard
                let variant = try String.fetchOne(
                    db, sql: "SELECT variant FROM ab_test_assignments WHERE test_id = ? AND user_id = ?", arguments: [testID, userID])
            else { throw ExperimentError.notFound }
            guard test.status == .running else {
                throw ExperimentError.conflict(code: "invalid_state", message: "Conversions are recorded only while the test runs.")
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO ab_test_conversions (test_id, user_id, goal, variant, converted_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [testID, userID, goal, variant, stamp])
            return db.changesCount == 1 ? .recorded : .alreadyCounted
        }
    }

    /// Participants and converting users per variant for a goal.
    public func counts(testID: Int64, goal: String) throws -> (a: ABTestRules.Counts, b: ABTestRules.Counts) {
        try store.read { db in
            func count(_ sql: String, _ variant: ABVariant) throws -> Int {
                try Int.fetchOne(db, sql: sql, arguments: [testID, variant.rawValue, goal]) ?? 0
            }
            let assigned = "SELECT count(*) FROM ab_test_assignments WHERE test_id = ? AND variant = ? AND ? IS NOT NULL"
            let converted = "SELECT count(*) FROM ab_test_conversions WHERE test_id = ? AND variant = ? AND goal = ?"
            return (
                ABTestRules.Counts(participants: try count(assigned, .a), conversions: try count(converted, .a)),
                ABTestRules.Counts(participants: try count(assigned, .b), conversions: try count(converted, .b))
            )
        }
    }
}
