import Foundation
import GRDB

/// A row of the `jobs` table (30-jobs §1).
public struct Job: Sendable, Equatable, FetchableRecord {
    public enum State: String, Sendable, CaseIterable {
        case available, running, succeeded, failed, dead, cancelled
    }

    public let id: Int64
    public let queue: String
    public let kind: String
    public let payload: String
    public let priority: Int
    public let runAt: String
    public let state: State
    public let attempts: Int
    public let maxAttempts: Int
    public let leaseOwner: String?
    public let leaseExpiresAt: String?
    public let lastError: String?
    public let uniqueKey: String?
    public let finishedAt: String?
    public let createdAt: String
    public let updatedAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        queue = try row.decode(forColumn: "queue")
        kind = try row.decode(forColumn: "kind")
        payload = try row.decode(forColumn: "payload")
        priority = try row.decode(forColumn: "priority")
        runAt = try row.decode(forColumn: "run_at")
        state = State(rawValue: try row.decode(forColumn: "state")) ?? .dead
        attempts = try row.decode(forColumn: "attempts")
        maxAttempts = try row.decode(forColumn: "max_attempts")
        leaseOwner = try row.decode(forColumn: "lease_owner")
        leaseExpiresAt = try row.decode(forColumn: "lease_expires_at")
        lastError = try row.decode(forColumn: "last_error")
        uniqueKey = try row.decode(forColumn: "unique_key")
        finishedAt = try row.decode(forColumn: "finished_at")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    /// Decodes the payload as the handler's type.
    public func decodePayload<T: Decodable>(_ type: T.Type) throws -> T {
        try JSONDecoder().decode(T.self, from: Data(payload.utf8))
    }
}

/// What to enqueue.
public struct JobRequest: Sendable {
    public var kind: String
    public var queue: String
    /// JSON text of the payload.
    public var payload: String
    /// Lower runs first.
    public var priority: Int
    public var runAt: Date?
    public var maxAttempts: Int
    public var uniqueKey: String?

    public init(
        kind: String, queue: String = "default", payload: some Encodable & Sendable = [String: String](),
        priority: Int = 0, runAt: Date? = nil, maxAttempts: Int = 5, uniqueKey: String? = nil
    ) throws {
        self.kind = kind
        self.queue = queue
        self.payload = String(decoding: try JSONEncoder().encode(payload), as: UTF8.self)
        self.priority = priority
        self.runAt = runAt
        self.maxAttempts = max(1, maxAttempts)
        self.uniqueKey = uniqueKey
    }
}
