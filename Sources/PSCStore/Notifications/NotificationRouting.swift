import Foundation
import GRDB
import PSCCore

/// What the hub knows of a person when it routes a notice: how each channel can reach them and their settings.
struct Recipient {
    let id: Int64
    let status: String
    let emailVerified: Bool
    let phoneVerified: Bool
    let smsConsent: Bool
    let activeDevices: Int
    let digest: String
    let quietHours: QuietHours?

    /// The people among `ids` who exist, by id, in one query.
    static func fetchAll(_ ids: [Int64], in db: GRDB.Database) throws -> [Int64: Recipient] {
        let rows = try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT u.id, u.status, u.email_verified, u.phone_enc IS NOT NULL AND u.phone_verified AS phone_ok, u.time_zone,
                        coalesce(\(Consent.grantedSQL(user: "u.id", type: "sms")), 0) AS sms_consent,
                        (SELECT count(*) FROM push_devices d WHERE d.user_id = u.id AND d.active = 1) AS devices,
                        coalesce(s.digest, 'off') AS digest, coalesce(s.quiet_enabled, 0) AS quiet_enabled,
                        coalesce(s.quiet_start, '22:00') AS quiet_start, coalesce(s.quiet_end, '07:00') AS quiet_end
                    FROM users u LEFT JOIN notification_settings s ON s.user_id = u.id
                    WHERE u.id IN (SELECT value FROM json_each(?))
                    """), arguments: [ids.jsonList])
        var found: [Int64: Recipient] = [:]
        found.reserveCapacity(rows.count)
        for row in rows {
            let quiet: QuietHours? =
                if try row.decode(forColumn: "quiet_enabled") as Bool,
                    let start = QuietHours.WallTime(try row.decode(forColumn: "quiet_start")),
                    let end = QuietHours.WallTime(try row.decode(forColumn: "quiet_end"))
                {
                    QuietHours(
                        start: start, end: end,
                        timeZone: TimeZone(identifier: try row.decode(forColumn: "time_zone")) ?? SlotCalendar.chicago.timeZone)
                } else { nil }
            let recipient = Recipient(
                id: try row.decode(forColumn: "id"), status: try row.decode(forColumn: "status"),
                emailVerified: try row.decode(forColumn: "email_verified"), phoneVerified: try row.decode(forColumn: "phone_ok"),
                smsConsent: try row.decode(forColumn: "sms_consent"), activeDevices: try row.decode(forColumn: "devices"),
                digest: try row.decode(forColumn: "digest"), quietHours: quiet)
            found[recipient.id] = recipient
        }
        return found
    }

    /// The pairs each person changed for a type; a channel without one is on.
    static func preferences(for type: NotificationType, users ids: [Int64], in db: GRDB.Database) throws -> [Int64: [NotificationChannel:
        Bool]]
    {
        var found: [Int64: [NotificationChannel: Bool]] = [:]
        for row in try Row.fetchAll(
            db.cachedStatement(
                sql: """
                    SELECT user_id, channel, enabled FROM notification_preferences
                    WHERE type = ? AND user_id IN (SELECT value FROM json_each(?))
                    """), arguments: [type.rawValue, ids.jsonList])
        {
            if let channel = NotificationChannel(rawValue: try row.decode(forColumn: "channel")) {
                found[try row.decode(forColumn: "user_id"), default: [:]][channel] = try row.decode(forColumn: "enabled")
            }
        }
        return found
    }

    /// Active accounts receive everything; one awaiting verification or approval only what concerns the account.
    func mayReceive(_ type: NotificationType) -> Bool {
        switch status {
        case "active": true
        case "pending_verification", "pending_approval": [.accountVerification, .passwordReset, .securityAlert].contains(type)
        default: false
        }
    }
}

/// Where one outbound delivery stands when the notice is created (20-services §3.2, §3.3).
struct Routing {
    let status: String
    let reason: String?
    let notBefore: Date?

    /// Hourly caps per channel over a rolling 60 minutes; critical types are exempt.
    static let hourlyCaps: [NotificationChannel: Int] = [.email: 10, .sms: 5, .push: 20]

    var sends: Bool { status == "queued" || status == "deferred" }

    /// Account emails are written even when email is not configured, so an admin can pass their links on (§8.1).
    func keepsAccountCopy(_ type: NotificationType) -> Bool {
        status == "suppressed" && reason == "integration_disabled" && [.accountVerification, .passwordReset].contains(type)
    }

    static func suppressed(_ reason: String) -> Routing { Routing(status: "suppressed", reason: reason, notBefore: nil) }

    static func decide(
        channel: NotificationChannel, type: NotificationType, enabled: Bool, recipient: Recipient, configured: Bool, now: Date,
        in db: GRDB.Database
    ) throws -> Routing {
        let critical = type.isCritical
        // The first reason that applies is the one recorded: preference, integration_disabled, no_address, no_consent, cap.
        guard enabled else { return .suppressed("preference") }
        guard configured else { return .suppressed("integration_disabled") }
        switch channel {
        case .email where !recipient.emailVerified && type != .accountVerification: return .suppressed("no_address")
        case .sms where !recipient.phoneVerified: return .suppressed("no_address")
        case .push where recipient.activeDevices == 0: return .suppressed("no_address")
        case .sms where !critical && !recipient.smsConsent: return .suppressed("no_consent")
        default: break
        }
        if critical { return Routing(status: "queued", reason: nil, notBefore: nil) }
        if channel == .email, [.medium, .low].contains(type.priority), recipient.digest != "off" {
            return Routing(status: "digested", reason: nil, notBefore: nil)
        }
        var notBefore: Date?
        if let cap = hourlyCaps[channel] {
            let window = Timestamp.string(from: now.addingTimeInterval(-3600))
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT count(*) AS sent, min(queued_at) AS oldest FROM deliveries WHERE user_id = ? AND channel = ?
                            AND purpose = 'notification' AND priority <> 'critical' AND status IN ('queued', 'sending', 'sent', 'delivered')
                            AND queued_at > ?
                        """), arguments: [recipient.id, channel.rawValue, window])
            if let row, try row.decode(forColumn: "sent") as Int >= cap {
                if channel == .sms { return .suppressed("cap") }
                let oldest = (try row.decode(forColumn: "oldest") as String?).flatMap(Timestamp.date(from:)) ?? now
                notBefore = oldest.addingTimeInterval(3600)
            }
        }
        if channel != .email, let quiet = recipient.quietHours, let end = quiet.deferral(of: notBefore ?? now) {
            notBefore = end
        }
        return notBefore.map { Routing(status: "deferred", reason: nil, notBefore: $0) }
            ?? Routing(status: "queued", reason: nil, notBefore: nil)
    }
}
