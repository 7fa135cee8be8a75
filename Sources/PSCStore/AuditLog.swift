import Crypto
import Foundation
import GRDB
import PSCCore

/// One audit record before it is chained (20-services §4.7).
public struct AuditEntry: Sendable {
    public enum ActorKind: String, Sendable, Codable { case user, apiToken = "api_token", adminSocket = "admin_socket", system }
    public enum Severity: String, Sendable, Codable { case info, warning, critical }
    public enum Outcome: String, Sendable, Codable { case success, failure }

    public var occurredAt: Date
    public var actorUserID: Int64?
    public var actorKind: ActorKind
    public var action: String
    public var targetType: String?
    public var targetID: String?
    public var ipAddress: String?
    public var userAgent: String?
    public var details: [String: JSONValue]
    public var severity: Severity
    public var outcome: Outcome

    public init(
        occurredAt: Date = Date(), actorUserID: Int64? = nil, actorKind: ActorKind, action: String,
        targetType: String? = nil, targetID: String? = nil, ipAddress: String? = nil, userAgent: String? = nil,
        details: [String: JSONValue] = [:], severity: Severity = .info, outcome: Outcome = .success
    ) {
        self.occurredAt = occurredAt
        self.actorUserID = actorUserID
        self.actorKind = actorKind
        self.action = action
        self.targetType = targetType
        self.targetID = targetID
        self.ipAddress = ipAddress
        self.userAgent = userAgent
        self.details = details
        self.severity = severity
        self.outcome = outcome
    }
}

/// Appends to and verifies the hash-chained, append-only `audit_log`.
public enum AuditLog {
    /// The newest `count` records, newest first (`psc-admin audit tail`).
    public static func tail(_ count: Int, in db: Database) throws -> [JSONValue] {
        try Row.fetchAll(db, sql: "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", arguments: [count]).map(entryJSON)
    }

    /// A stored record as the API and the admin channel show it (SEC-14's AuditEntry).
    public static func entryJSON(_ row: Row) throws -> JSONValue {
        let details = (try row.decode(forColumn: "details") as String?).flatMap {
            try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8))
        }
        func text(_ column: String) throws -> JSONValue { (try row.decode(forColumn: column) as String?).map(JSONValue.string) ?? .null }
        return [
            "id": .int(try row.decode(forColumn: "id")), "occurred_at": try text("occurred_at"), "action": try text("action"),
            "actor_kind": try text("actor_kind"),
            "actor_user_id": (try row.decode(forColumn: "actor_user_id") as Int64?).map(JSONValue.int) ?? .null,
            "target_type": try text("target_type"),
            "target_id": try text("target_id"), "ip_address": try text("ip_address"), "user_agent": try text("user_agent"),
            "details": details ?? .object([:]), "severity": try text("severity"), "outcome": try text("outcome"),
        ]
    }

    public static let genesisHash = String(repeating: "0", count: 64)

    /// The object hashed for a row: every column but `prev_hash` and `hash`.
    public static func canonicalObject(id: Int64, occurredAt: String, entry: AuditEntry) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return .object([
            "id": .int(id),
            "occurred_at": .string(occurredAt),
            "actor_user_id": entry.actorUserID.map(JSONValue.int) ?? .null,
            "actor_kind": .string(entry.actorKind.rawValue),
            "action": .string(entry.action),
            "target_type": text(entry.targetType),
            "target_id": text(entry.targetID),
            "ip_address": text(entry.ipAddress),
            "user_agent": text(entry.userAgent),
            "details": .object(entry.details),
            "severity": .string(entry.severity.rawValue),
            "outcome": .string(entry.outcome.rawValue),
        ])
    }

    public static func chainHash(previous: String, canonicalText: String) -> String {
        SHA256.hash(data: Data((previous + "|" + canonicalText).utf8)).hexString
    }

    /// Appends inside the caller's write transaction; returns the new row id.
    @discardableResult
    public static func append(_ entry: AuditEntry, in db: GRDB.Database) throws -> Int64 {
        let last = try Row.fetchOne(db, sql: "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        let lastID: Int64? = try last?.decode(forColumn: "id")
        let lastHash: String? = try last?.decode(forColumn: "hash")
        let id = (lastID ?? 0) + 1
        let previous = lastHash ?? genesisHash
        let occurredAt = Timestamp.string(from: entry.occurredAt)
        let hash = chainHash(previous: previous, canonicalText: canonicalObject(id: id, occurredAt: occurredAt, entry: entry).canonicalText)
        try db.execute(
            sql: """
                INSERT INTO audit_log (id, occurred_at, actor_user_id, actor_kind, action, target_type, target_id,
                    ip_address, user_agent, details, severity, outcome, prev_hash, hash)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                id, occurredAt, entry.actorUserID, entry.actorKind.rawValue, entry.action, entry.targetType,
                entry.targetID, entry.ipAddress, entry.userAgent, JSONValue.object(entry.details).canonicalText,
                entry.severity.rawValue, entry.outcome.rawValue, previous, hash,
            ]
        )
        return id
    }

    /// GOV-16's filters.
    public struct Filter: Sendable {
        public var userID: Int64?
        public var actionPrefix: String?
        public var severity: String?
        public var from: String?
        public var to: String?
        public init(userID: Int64? = nil, actionPrefix: String? = nil, severity: String? = nil, from: String? = nil, to: String? = nil) {
            (self.userID, self.actionPrefix, self.severity, self.from, self.to) = (userID, actionPrefix, severity, from, to)
        }
    }

    /// Entries by or about a person (`user_id`), with an action prefix, a severity and a time range, newest first.
    public static func search(_ filter: Filter, limit: Int, offset: Int, in db: GRDB.Database) throws -> [JSONValue] {
        let prefix = filter.actionPrefix.map { LikePattern.escaped($0) + "%" }
        return try Row.fetchAll(
            db,
            sql: """
                SELECT * FROM audit_log
                WHERE (?1 IS NULL OR actor_user_id = ?1 OR (target_type = 'user' AND target_id = CAST(?1 AS TEXT)))
                  AND (?2 IS NULL OR action LIKE ?2 ESCAPE '\\') AND (?3 IS NULL OR severity = ?3)
                  AND (?4 IS NULL OR occurred_at >= ?4) AND (?5 IS NULL OR occurred_at <= ?5)
                ORDER BY id DESC LIMIT ?6 OFFSET ?7
                """,
            arguments: [filter.userID, prefix, filter.severity, filter.from, filter.to, limit, offset]
        ).map(entryJSON)
    }

    /// The outcome of walking the chain.
    public struct Verification: Sendable, Codable, Equatable {
        public let rowsChecked: Int
        public let firstBadID: Int64?
        enum CodingKeys: String, CodingKey { case rowsChecked = "rows_checked", firstBadID = "first_bad_id" }
    }

    /// Recomputes every hash and link in id order, from `fromID` on (anchored on the hash of the row before it).
    public static func verify(in db: GRDB.Database, fromID: Int64 = 1) throws -> Verification {
        let decoder = JSONDecoder()
        var previous: String? =
            fromID > 1
            ? try String.fetchOne(db, sql: "SELECT hash FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", arguments: [fromID]) : nil
        var count = 0
        let cursor = try Row.fetchCursor(db, sql: "SELECT * FROM audit_log WHERE id >= ? ORDER BY id", arguments: [fromID])
        while let row = try cursor.next() {
            count += 1
            let id: Int64 = try row.decode(forColumn: "id")
            let details =
                (try? decoder.decode([String: JSONValue].self, from: Data((try row.decode(forColumn: "details") as String).utf8))) ?? [:]
            let entry = AuditEntry(
                actorUserID: try row.decode(forColumn: "actor_user_id"),
                actorKind: AuditEntry.ActorKind(rawValue: try row.decode(forColumn: "actor_kind")) ?? .system,
                action: try row.decode(forColumn: "action"), targetType: try row.decode(forColumn: "target_type"),
                targetID: try row.decode(forColumn: "target_id"),
                ipAddress: try row.decode(forColumn: "ip_address"), userAgent: try row.decode(forColumn: "user_agent"), details: details,
                severity: AuditEntry.Severity(rawValue: try row.decode(forColumn: "severity")) ?? .info,
                outcome: AuditEntry.Outcome(rawValue: try row.decode(forColumn: "outcome")) ?? .success
            )
            let prevHash: String = try row.decode(forColumn: "prev_hash")
            if let previous, previous != prevHash { return Verification(rowsChecked: count, firstBadID: id) }
            if previous == nil, prevHash != genesisHash, id == 1 { return Verification(rowsChecked: count, firstBadID: id) }
            let text = canonicalObject(id: id, occurredAt: try row.decode(forColumn: "occurred_at"), entry: entry).canonicalText
            let hash: String = try row.decode(forColumn: "hash")
            if chainHash(previous: prevHash, canonicalText: text) != hash { return Verification(rowsChecked: count, firstBadID: id) }
            previous = hash
        }
        return Verification(rowsChecked: count, firstBadID: nil)
    }
}

extension AuditEntry {
    /// The entry about the row just created, when the caller could not know its id.
    public func targeting(_ id: Int64) -> AuditEntry {
        var entry = self
        if entry.targetID == nil { entry.targetID = String(id) }
        return entry
    }

    /// The entry with more details.
    public func adding(_ details: [String: JSONValue]) -> AuditEntry {
        var entry = self
        entry.details.merge(details) { _, new in new }
        return entry
    }
}
