import Foundation
import GRDB
import PSCCore

/// A person's notification settings (NTF-12/13): digest, quiet hours, and the time zone from their profile.
public struct NotificationSettings: Sendable, Equatable {
    public var digest: String
    public var digestWeekday: Int
    public var quietEnabled: Bool
    public var quietStart: String
    public var quietEnd: String
    public var timeZone: String

    public static let digests = ["off", "daily", "weekly"]
}

/// Preferences per (type, channel) and the per-person settings (20-services §3.2, §3.3). Only changed pairs are
/// stored; no row means on.
public struct NotificationPreferenceStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public typealias Matrix = [NotificationType: [NotificationChannel: Bool]]

    /// Every type with only its own channels; locked channels are always on.
    public func matrix(userID: Int64) throws -> Matrix {
        try store.read { db in try matrix(userID: userID, in: db) }
    }

    func matrix(userID: Int64, in db: GRDB.Database) throws -> Matrix {
        var stored: [String: [String: Bool]] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT type, channel, enabled FROM notification_preferences WHERE user_id = ?", arguments: [userID])
        {
            stored[try row.decode(forColumn: "type"), default: [:]][try row.decode(forColumn: "channel")] = try row.decode(
                forColumn: "enabled")
        }
        var matrix: Matrix = [:]
        for type in NotificationType.allCases {
            var channels: [NotificationChannel: Bool] = [:]
            for channel in type.definition.channels {
                channels[channel] = type.definition.locked.contains(channel) || stored[type.rawValue]?[channel.rawValue] ?? true
            }
            matrix[type] = channels
        }
        return matrix
    }

    /// Why a requested pair cannot be stored, for a 422 naming it.
    public struct Refusal: Error, Sendable {
        public let problems: [String: [String]]
    }

    /// NTF-9: changes exactly the pairs given; an unknown type, a channel the type lacks or `false` for a locked channel
    /// refuses the whole request and nothing changes.
    public func merge(userID: Int64, _ pairs: [String: [String: Bool]]) throws -> Matrix {
        var problems: [String: [String]] = [:]
        var valid: [(NotificationType, NotificationChannel, Bool)] = []
        for (typeName, channels) in pairs {
            guard let type = NotificationType(rawValue: typeName) else {
                problems["preferences.\(typeName)", default: []].append("is not a notification type")
                continue
            }
            for (channelName, on) in channels {
                let field = "preferences.\(typeName).\(channelName)"
                guard let channel = NotificationChannel(rawValue: channelName), type.definition.channels.contains(channel) else {
                    problems[field, default: []].append("is not a channel of \(typeName)")
                    continue
                }
                if !on && type.definition.locked.contains(channel) {
                    problems[field, default: []].append("is always on for your security and cannot be turned off")
                    continue
                }
                valid.append((type, channel, on))
            }
        }
        guard problems.isEmpty else { throw Refusal(problems: problems) }
        return try store.write { db in
            try write(userID: userID, valid, in: db)
            return try matrix(userID: userID, in: db)
        }
    }

    /// NTF-10/11: a channel for every type that has it, skipping locked ones. Returns the types changed and, when
    /// turning off, the types kept on because the channel is locked for them.
    public func setChannel(userID: Int64, _ channel: NotificationChannel, enabled: Bool) throws -> (
        changed: [NotificationType], locked: [NotificationType]
    ) {
        let having = NotificationType.allCases.filter { $0.definition.channels.contains(channel) }
        let locked = having.filter { $0.definition.locked.contains(channel) }
        let changed = having.filter { !$0.definition.locked.contains(channel) }
        try store.write { db in try write(userID: userID, changed.map { ($0, channel, enabled) }, in: db) }
        return (changed, enabled ? [] : locked)
    }

    /// NTF-21: email off for one type, from the signed footer link. False when email is locked for that type.
    public func unsubscribe(userID: Int64, type: NotificationType) throws -> Bool? {
        guard type.definition.channels.contains(.email), !type.definition.locked.contains(.email) else { return false }
        return try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID]) == true else { return nil }
            try write(userID: userID, [(type, .email, false)], in: db)
            return true
        }
    }

    /// Whether email is on for a type (NTF-21's answer).
    public func emailEnabled(userID: Int64, type: NotificationType) throws -> Bool? {
        try store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID]) == true else { return nil }
            return try matrix(userID: userID, in: db)[type]?[.email] ?? false
        }
    }

    func write(userID: Int64, _ pairs: [(NotificationType, NotificationChannel, Bool)], in db: GRDB.Database) throws {
        let stamp = Timestamp.string(from: clock())
        let statement = try db.cachedStatement(
            sql: """
                INSERT INTO notification_preferences (user_id, type, channel, enabled, updated_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (user_id, type, channel) DO UPDATE SET enabled = excluded.enabled, updated_at = excluded.updated_at
                """)
        for (type, channel, on) in pairs {
            try statement.execute(arguments: [userID, type.rawValue, channel.rawValue, on, stamp])
        }
    }

    public func settings(userID: Int64) throws -> NotificationSettings? {
        try store.read { db in try settings(userID: userID, in: db) }
    }

    func settings(userID: Int64, in db: GRDB.Database) throws -> NotificationSettings? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT u.time_zone, coalesce(s.digest, 'off') AS digest, coalesce(s.digest_weekday, 1) AS digest_weekday,
                        coalesce(s.quiet_enabled, 0) AS quiet_enabled, coalesce(s.quiet_start, '22:00') AS quiet_start,
                        coalesce(s.quiet_end, '07:00') AS quiet_end
                    FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id WHERE u.id = ?
                    """, arguments: [userID])
        else { return nil }
        return NotificationSettings(
            digest: try row.decode(forColumn: "digest"), digestWeekday: try row.decode(forColumn: "digest_weekday"),
            quietEnabled: try row.decode(forColumn: "quiet_enabled"), quietStart: try row.decode(forColumn: "quiet_start"),
            quietEnd: try row.decode(forColumn: "quiet_end"), timeZone: try row.decode(forColumn: "time_zone"))
    }

    /// NTF-13: stores validated settings (the route checks them); the time zone goes to the profile.
    public func save(userID: Int64, _ settings: NotificationSettings) throws {
        try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO notification_settings (user_id, digest, digest_weekday, quiet_enabled, quiet_start, quiet_end, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, digest_weekday = excluded.digest_weekday,
                        quiet_enabled = excluded.quiet_enabled, quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end,
                        updated_at = excluded.updated_at
                    """,
                arguments: [
                    userID, settings.digest, settings.digestWeekday, settings.quietEnabled, settings.quietStart, settings.quietEnd,
                    Timestamp.string(from: clock()),
                ])
            try db.execute(sql: "UPDATE users SET time_zone = ? WHERE id = ?", arguments: [settings.timeZone, userID])
        }
    }

    /// NTF-8's contact facts: whether a verified phone and an active push device exist, and the masked phone.
    public struct Reach: Sendable {
        public let email: String
        public let phoneSealed: String?
        public let phoneVerified: Bool
        public let hasPushTokens: Bool
    }

    public func reach(userID: Int64) throws -> Reach? {
        try store.read { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT email, phone_enc, phone_verified,
                            EXISTS (SELECT 1 FROM push_devices WHERE user_id = users.id AND active = 1) AS devices
                        FROM users WHERE id = ?
                        """, arguments: [userID])
            else { return nil }
            return Reach(
                email: try row.decode(forColumn: "email"), phoneSealed: try row.decode(forColumn: "phone_enc"),
                phoneVerified: try row.decode(forColumn: "phone_verified"), hasPushTokens: try row.decode(forColumn: "devices"))
        }
    }
}
