import Foundation
import GRDB
import PSCCore

public struct NotificationRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let type: String
    public let priority: String
    public let title: String
    public let message: String
    public let link: String?
    public let data: String?
    public let isRead: Bool
    public let readAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        type = try row.decode(forColumn: "type")
        priority = try row.decode(forColumn: "priority")
        title = try row.decode(forColumn: "title")
        message = try row.decode(forColumn: "message")
        link = try row.decode(forColumn: "link")
        data = try row.decode(forColumn: "data")
        isRead = try row.decode(forColumn: "is_read")
        readAt = try row.decode(forColumn: "read_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// A member's in-app notifications (NTF-1..5): newest first, read and deleted only by their owner.
public struct NotificationStore: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public func list(userID: Int64, unreadOnly: Bool, type: String?, beforeID: Int64?, limit: Int) throws -> [NotificationRecord] {
        try store.read { db in
            try NotificationRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM notifications WHERE user_id = ? AND deleted_at IS NULL AND (? = 0 OR is_read = 0) AND (?3 IS NULL OR type = ?3)
                        AND id < ? ORDER BY id DESC LIMIT ?
                    """,
                arguments: [userID, unreadOnly, type, beforeID ?? Int64.max, limit])
        }
    }

    /// The notifications after `afterID`, oldest first (NTF-6 resuming from `Last-Event-ID`, and live arrivals).
    public func since(userID: Int64, afterID: Int64, limit: Int) throws -> [NotificationRecord] {
        try store.read { db in
            try NotificationRecord.fetchAll(
                db, sql: "SELECT * FROM notifications WHERE user_id = ? AND deleted_at IS NULL AND id > ? ORDER BY id LIMIT ?",
                arguments: [userID, afterID, limit])
        }
    }

    /// The newest notification id of this person's (0 with none): where a fresh stream starts.
    public func latestID(userID: Int64) throws -> Int64 {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM notifications WHERE user_id = ?", arguments: [userID]) ?? 0
        }
    }

    /// The inbox's panel (MSG-1): unread first, then newest.
    public func recent(userID: Int64, limit: Int) throws -> [NotificationRecord] {
        try store.read { db in
            try NotificationRecord.fetchAll(
                db, sql: "SELECT * FROM notifications WHERE user_id = ? AND deleted_at IS NULL ORDER BY is_read, id DESC LIMIT ?",
                arguments: [userID, limit])
        }
    }

    public func unreadCount(userID: Int64) throws -> Int {
        try store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM notifications WHERE user_id = ? AND is_read = 0 AND deleted_at IS NULL", arguments: [userID])
                ?? 0
        }
    }

    /// False when there is no such notification of this owner's.
    public func markRead(id: Int64, userID: Int64) throws -> Bool {
        try store.write { db in
            guard
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM notifications WHERE id = ? AND user_id = ? AND deleted_at IS NULL", arguments: [id, userID])
                    == true
            else { return false }
            try db.execute(
                sql: "UPDATE notifications SET is_read = 1, read_at = ? WHERE id = ? AND is_read = 0",
                arguments: [Timestamp.string(from: Date()), id])
            return true
        }
    }

    public func markAllRead(userID: Int64, type: String?) throws -> Int {
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE notifications SET is_read = 1, read_at = ? WHERE user_id = ? AND is_read = 0 AND deleted_at IS NULL
                        AND (?3 IS NULL OR type = ?3)
                    """,
                arguments: [Timestamp.string(from: Date()), userID, type])
            return db.changesCount
        }
    }

    public func delete(id: Int64, userID: Int64) throws -> Bool {
        try store.write { db in
            try db.execute(
                sql: "UPDATE notifications SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at IS NULL",
                arguments: [Timestamp.string(from: Date()), id, userID])
            return db.changesCount == 1
        }
    }
}
