import Foundation
import GRDB
import PSCCore

public struct PushDeviceRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let platform: String
    public let deviceName: String?
    public let active: Bool
    public let lastUsedAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        platform = try row.decode(forColumn: "platform")
        deviceName = try row.decode(forColumn: "device_name")
        active = try row.decode(forColumn: "active")
        lastUsedAt = try row.decode(forColumn: "last_used_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// A person's push devices (USR-9..11): FCM registration tokens the push channel sends to.
public struct PushDeviceStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public func list(userID: Int64) throws -> [PushDeviceRecord] {
        try store.read { db in
            try PushDeviceRecord.fetchAll(db, sql: "SELECT * FROM push_devices WHERE user_id = ? ORDER BY id DESC", arguments: [userID])
        }
    }

    public enum Registration: Sendable, Equatable {
        case created(Int64)
        case existing(Int64)
        /// The token belongs to another account.
        case taken
    }

    /// USR-10: a token already registered by this person is refreshed (and active again), not duplicated.
    public func register(userID: Int64, token: String, platform: String, deviceName: String?) throws -> Registration {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            if let row = try Row.fetchOne(db, sql: "SELECT id, user_id FROM push_devices WHERE token = ?", arguments: [token]) {
                guard try row.decode(forColumn: "user_id") as Int64 == userID else { return .taken }
                let id: Int64 = try row.decode(forColumn: "id")
                try db.execute(
                    sql: "UPDATE push_devices SET active = 1, platform = ?, device_name = coalesce(?, device_name) WHERE id = ?",
                    arguments: [platform, deviceName, id])
                return .existing(id)
            }
            try db.execute(
                sql: "INSERT INTO push_devices (user_id, token, platform, device_name, active, created_at) VALUES (?, ?, ?, ?, 1, ?)",
                arguments: [userID, token, platform, deviceName, stamp])
            return .created(db.lastInsertedRowID)
        }
    }

    /// USR-11: false when there is no such device of this person's.
    public func remove(id: Int64, userID: Int64) throws -> Bool {
        try store.write { db in
            try db.execute(sql: "DELETE FROM push_devices WHERE id = ? AND user_id = ?", arguments: [id, userID])
            return db.changesCount == 1
        }
    }
}
