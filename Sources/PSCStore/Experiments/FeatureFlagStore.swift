import Foundation
import GRDB
import PSCCore
import Synchronization

/// What the experiment stores refuse, mapped to answers by the HTTP layer and the admin channel.
public enum ExperimentError: Error, Equatable, Sendable {
    case notFound
    /// A state conflict with its code (`conflict` for a taken name, `invalid_state` for the A/B lifecycle).
    case conflict(code: String, message: String)
}

/// FLG-3's fields; FLG-4 passes the changed ones over the current flag.
public struct FeatureFlagFields: Sendable {
    public var description: String
    public var enabled: Bool
    public var rolloutPercentage: Double
    public var targetUsers: [Int64]
    public var targetRoles: [Role]

    public init(
        description: String, enabled: Bool = false, rolloutPercentage: Double = 0, targetUsers: [Int64] = [], targetRoles: [Role] = []
    ) {
        self.description = description
        self.enabled = enabled
        self.rolloutPercentage = rolloutPercentage
        self.targetUsers = targetUsers
        self.targetRoles = targetRoles
    }

    public init(_ flag: FeatureFlag) {
        self.init(
            description: flag.description, enabled: flag.enabled, rolloutPercentage: flag.rolloutPercentage, targetUsers: flag.targetUsers,
            targetRoles: flag.targetRoles)
    }
}

/// Feature flags (20-services §1): one table and an in-process copy that every write replaces before it returns, so
/// the next request of any writer (API, page, admin socket) sees the change. Evaluation reads only the copy and
/// hashes per call; nothing is memoised per user.
public final class FeatureFlagStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date
    private let flags: Mutex<[String: FeatureFlag]>

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) throws {
        self.store = store
        self.clock = clock
        flags = Mutex(try store.read { db in try Self.load(db) })
    }

    static func load(_ db: GRDB.Database) throws -> [String: FeatureFlag] {
        let rows = try Row.fetchAll(db, sql: "SELECT * FROM feature_flags")
        var loaded: [String: FeatureFlag] = [:]
        for row in rows {
            let flag = try Self.flag(row)
            loaded[flag.name] = flag
        }
        return loaded
    }

    static func flag(_ row: Row) throws -> FeatureFlag {
        let users = try JSONDecoder().decode([Int64].self, from: Data((try row.decode(forColumn: "target_users") as String).utf8))
        return FeatureFlag(
            name: try row.decode(forColumn: "name"), description: try row.decode(forColumn: "description"),
            enabled: try row.decode(forColumn: "enabled"), rolloutPercentage: try row.decode(forColumn: "rollout_percentage"),
            targetUsers: users, targetRoles: JSONList.strings(try row.decode(forColumn: "target_roles")).compactMap(Role.init(rawValue:)),
            updatedAt: try row.decode(forColumn: "updated_at"), updatedBy: try row.decode(forColumn: "updated_by"))
    }

    /// Every flag, by name.
    public var all: [FeatureFlag] { flags.withLock { $0.values.sorted { $0.name < $1.name } } }

    public func flag(named name: String) -> FeatureFlag? { flags.withLock { $0[name] } }

    public func evaluate(_ name: String, for caller: FeatureFlagRules.Caller?) -> (enabled: Bool, reason: FlagReason) {
        FeatureFlagRules.evaluate(flags.withLock { $0[name] }, for: caller)
    }

    public func isOn(_ name: String, for caller: FeatureFlagRules.Caller?) -> Bool { evaluate(name, for: caller).enabled }

    /// FLG-6: name or description containing `query` (case-insensitive), filtered by state.
    public func list(query: String?, state: String?) -> [FeatureFlag] {
        let needle = query?.lowercased().trimmingCharacters(in: .whitespaces) ?? ""
        return all.filter { flag in
            (needle.isEmpty || flag.name.contains(needle) || flag.description.lowercased().contains(needle))
                && (state == "enabled" ? flag.enabled : state == "disabled" ? !flag.enabled : true)
        }
    }

    /// The flag as its audit record's before and after values (fractions as text, as audit details hold them).
    static func body(_ flag: FeatureFlag) -> JSONValue {
        [
            "name": .string(flag.name), "description": .string(flag.description), "enabled": .bool(flag.enabled),
            "rollout_percentage": .string(String(format: "%.2f", flag.rolloutPercentage)),
            "target_users": .array(flag.targetUsers.map(JSONValue.int)),
            "target_roles": .array(flag.targetRoles.map { .string($0.rawValue) }),
        ]
    }

    public func create(name: String, fields: FeatureFlagFields, by userID: Int64?, audit: AuditEntry) throws -> FeatureFlag {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM feature_flags WHERE name = ?", arguments: [name]) == true {
                throw ExperimentError.conflict(code: "conflict", message: "A flag named \(name) already exists.")
            }
            try db.execute(
                sql: """
                    INSERT INTO feature_flags
                        (name, description, enabled, rollout_percentage, target_users, target_roles, updated_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    name, fields.description, fields.enabled, fields.rolloutPercentage, Self.idList(fields.targetUsers),
                    JSONList.text(fields.targetRoles.map(\.rawValue)), userID, stamp, stamp,
                ])
            let created = try Self.read(name, db)
            try AuditLog.append(
                audit.adding(["name": .string(name), "before": .null, "after": Self.body(created)]), in: db)
        }
        try refresh()
        return try found(name)
    }

    /// Replaces the fields of a flag (the route lays the changed ones over the current values).
    public func update(name: String, change: (FeatureFlagFields) -> FeatureFlagFields, by userID: Int64?, audit: AuditEntry) throws
        -> FeatureFlag
    {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            let before = try Self.read(name, db)
            let fields = change(FeatureFlagFields(before))
            try db.execute(
                sql: """
                    UPDATE feature_flags SET description = ?, enabled = ?, rollout_percentage = ?, target_users = ?, target_roles = ?,
                        updated_by = ?, updated_at = ?
                    WHERE name = ?
                    """,
                arguments: [
                    fields.description, fields.enabled, fields.rolloutPercentage, Self.idList(fields.targetUsers),
                    JSONList.text(fields.targetRoles.map(\.rawValue)), userID, stamp, name,
                ])
            try AuditLog.append(
                audit.adding(["name": .string(name), "before": Self.body(before), "after": Self.body(try Self.read(name, db))]), in: db)
        }
        try refresh()
        return try found(name)
    }

    public func delete(name: String, audit: AuditEntry) throws {
        try store.write { db in
            let before = try Self.read(name, db)
            try db.execute(sql: "DELETE FROM feature_flags WHERE name = ?", arguments: [name])
            try AuditLog.append(audit.adding(["name": .string(name), "before": Self.body(before), "after": .null]), in: db)
        }
        try refresh()
    }

    /// Replaces the copy from the committed table; every write calls it before it returns.
    public func refresh() throws {
        let fresh = try store.read { db in try Self.load(db) }
        flags.withLock { $0 = fresh }
    }

    private func found(_ name: String) throws -> FeatureFlag {
        guard let flag = flag(named: name) else { throw ExperimentError.notFound }
        return flag
    }

    static func read(_ name: String, _ db: GRDB.Database) throws -> FeatureFlag {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM feature_flags WHERE name = ?", arguments: [name]) else {
            throw ExperimentError.notFound
        }
        return try flag(row)
    }

    static func idList(_ ids: [Int64]) -> String {
        "[" + ids.map(String.init).joined(separator: ",") + "]"
    }
}
