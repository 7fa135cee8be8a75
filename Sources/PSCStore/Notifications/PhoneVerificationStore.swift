import Foundation
import GRDB
import PSCCore

/// USR-7/8: a phone number is kept unverified until the person types the six-digit code texted to it. The code is
/// made when the SMS is written (so none sits in the queue), stored only as a salted hash, lives ten minutes and
/// allows five tries.
public struct PhoneVerificationStore: Sendable {
    public static let batch = "phone_verify"
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Keeps the sealed number, unverified, and queues the code's text message.
    public func request(userID: Int64, sealedPhone: String) throws {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(sql: "UPDATE users SET phone_enc = ?, phone_verified = 0 WHERE id = ?", arguments: [sealedPhone, userID])
            try db.execute(
                sql: """
                    INSERT INTO deliveries (user_id, channel, purpose, batch_id, priority, status, attempts, queued_at)
                    VALUES (?, 'sms', 'operational', ?, 'critical', 'queued', 0, ?)
                    """, arguments: [userID, Self.batch, stamp])
            try store.outbox.enqueue(
                [DeliveryJob(deliveryID: db.lastInsertedRowID, channel: .sms, priority: .critical, runAt: nil)], in: db)
        }
    }

    /// A fresh code for the person, replacing any earlier one; called as the text message is written.
    public func issueCode(userID: Int64) throws -> String {
        let code = String(format: "%06d", Int.random(in: 0...999_999))
        let salt = SecureToken.random(bytes: 16)
        try store.write { db in
            let now = clock()
            let stamp = Timestamp.string(from: now)
            try db.execute(
                sql: "UPDATE one_time_tokens SET used_at = ? WHERE user_id = ? AND purpose = 'phone_verify' AND used_at IS NULL",
                arguments: [stamp, userID])
            try db.execute(
                sql: """
                    INSERT INTO one_time_tokens (purpose, token_hash, user_id, data, attempts, expires_at, created_at)
                    VALUES ('phone_verify', ?, ?, json_object('salt', ?), 0, ?, ?)
                    """,
                arguments: [
                    Self.hash(code, salt: salt, userID: userID), userID, salt, Timestamp.string(from: now.addingTimeInterval(600)), stamp,
                ])
        }
        return code
    }

    static func hash(_ code: String, salt: String, userID: Int64) -> Data { SecureToken.sha256("phone:\(userID):\(salt):\(code)") }

    public enum Outcome: Sendable, Equatable {
        case verified
        case wrong(triesLeft: Int)
        /// No code, an expired one, or one that used up its tries.
        case noCode
    }

    public func verify(userID: Int64, code: String) throws -> Outcome {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT id, token_hash, json_extract(data, '$.salt') AS salt, attempts FROM one_time_tokens
                        WHERE user_id = ? AND purpose = 'phone_verify' AND used_at IS NULL AND expires_at > ? AND attempts < 5
                        ORDER BY id DESC LIMIT 1
                        """, arguments: [userID, stamp])
            else { return .noCode }
            let id: Int64 = try row.decode(forColumn: "id")
            let expected: Data = try row.decode(forColumn: "token_hash")
            let given = Self.hash(code, salt: try row.decode(forColumn: "salt"), userID: userID)
            guard SecureToken.constantTimeEqual(given.base64EncodedString(), expected.base64EncodedString()) else {
                try db.execute(sql: "UPDATE one_time_tokens SET attempts = attempts + 1 WHERE id = ?", arguments: [id])
                return .wrong(triesLeft: max(0, 4 - (try row.decode(forColumn: "attempts") as Int)))
            }
            try db.execute(sql: "UPDATE one_time_tokens SET used_at = ? WHERE id = ?", arguments: [stamp, id])
            try db.execute(sql: "UPDATE users SET phone_verified = 1 WHERE id = ?", arguments: [userID])
            return .verified
        }
    }
}
