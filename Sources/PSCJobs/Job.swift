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
        id = row["id"]
        queue = row["queue"]
        kind = row["kind"]
        payload = row["payload"]
        priority = row["priority"]
        runAt = row["run_at"]
        state = State(rawValue: row["state"]) ?? .dead
        attempts = row["attempts"]
        maxAttempts = row["max_attempts"]
        leaseOwner = row["lease_owner"]
        leaseExpiresAt = row["lease_expires_at"]
        lastError = row["last_error"]
        uniqueKey = row["unique_key"]
        finishedAt = row["finished_at"]
        createdAt = row["created_at"]
        updatedAt = row["updated_at"]
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
