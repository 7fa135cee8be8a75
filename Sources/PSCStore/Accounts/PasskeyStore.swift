import Foundation
import GRDB
import PSCCore

/// A row of `webauthn_credentials` (SEC-11 shows part of it).
public struct PasskeyRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let userID: Int64
    public let credentialID: Data
    public let publicKey: Data
    public let signCount: Int64
    public let userHandle: Data
    public let deviceName: String?
    public let backedUp: Bool
    public let flaggedAt: String?
    public let lastUsedAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        userID = try row.decode(forColumn: "user_id")
        credentialID = try row.decode(forColumn: "credential_id")
        publicKey = try row.decode(forColumn: "public_key")
        signCount = try row.decode(forColumn: "sign_count")
        userHandle = try row.decode(forColumn: "user_handle")
        deviceName = try row.decode(forColumn: "device_name")
        backedUp = (try row.decode(forColumn: "backup_state") as Bool?) ?? false
        flaggedAt = try row.decode(forColumn: "flagged_at")
        lastUsedAt = try row.decode(forColumn: "last_used_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

public enum PasskeyError: Error, Equatable {
    case alreadyRegistered
}

/// Passkeys (20-services §4.5): registration, the counter compare-and-swap at each use, the clone flag.
public struct PasskeyStore: Sendable {
    public let store: Store
    let alert: SecurityAlertHook
    let clock: @Sendable () -> Date

    public init(store: Store, alert: @escaping SecurityAlertHook, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.alert = alert
        self.clock = clock
    }

    public func credentials(userID: Int64) throws -> [PasskeyRecord] {
        try store.read { db in
            try PasskeyRecord.fetchAll(db, sql: "SELECT * FROM webauthn_credentials WHERE user_id = ? ORDER BY id", arguments: [userID])
        }
    }

    public func credential(id credentialID: Data) throws -> PasskeyRecord? {
        try store.read { db in
            try PasskeyRecord.fetchOne(db, sql: "SELECT * FROM webauthn_credentials WHERE credential_id = ?", arguments: [credentialID])
        }
    }

    /// The user's handle: the one their passkeys already carry, else a new random 32 bytes.
    public func userHandle(userID: Int64) throws -> Data {
        let existing = try store.read { db in
            try Data.fetchOne(db, sql: "SELECT user_handle FROM webauthn_credentials WHERE user_id = ? LIMIT 1", arguments: [userID])
        }
        return existing ?? Data((0..<32).map { _ in UInt8.random(in: .min ... .max) })
    }

    public func add(
        userID: Int64, credential: WebAuthn.NewCredential, userHandle: Data, deviceName: String, transports: [String],
        origin: RequestOrigin
    ) throws -> PasskeyRecord {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let record = try store.write { db -> PasskeyRecord? in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM webauthn_credentials WHERE credential_id = ?", arguments: [credential.credentialID]) == true
            {
                throw PasskeyError.alreadyRegistered
            }
            let record = try PasskeyRecord.fetchOne(
                db,
                sql: """
                    INSERT INTO webauthn_credentials (user_id, credential_id, public_key, sign_count, transports, backup_eligible, backup_state,
                        user_handle, aaguid, device_name, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *
                    """,
                arguments: [
                    userID, credential.credentialID, credential.publicKey, Int64(credential.signCount),
                    JSONValue.array(transports.map(JSONValue.string)).canonicalText, credential.backupEligible, credential.backupState,
                    userHandle, credential.aaguid, deviceName, stamp,
                ])
            try AuditLog.append(
                .account("security.passkey_added", userID: userID, origin: origin, at: now, details: ["device_name": .string(deviceName)]),
                in: db)
            try alert(db, userID, "passkey_added")
            return record
        }
        guard let record else { throw StoreError.backupFailed("the new passkey could not be read back") }
        return record
    }

    public enum UseOutcome: Sendable, Equatable {
        case accepted
        /// The counter went backwards or stood still: flagged, alerted and audited.
        case cloneSuspected
        /// Another sign-in used the credential at the same moment; the caller refuses this one.
        case raced
    }

    /// Applies the counter rule with a compare-and-swap on the stored counter, inside the caller's transaction.
    public func recordUse(_ credential: PasskeyRecord, signCount: UInt32, backupState: Bool, origin: RequestOrigin, in db: GRDB.Database)
        throws
        -> UseOutcome
    {
        let stamp = Timestamp.string(from: clock())
        switch WebAuthn.counter(stored: UInt32(clamping: credential.signCount), received: signCount) {
        case .accept(let value):
            try db.execute(
                sql: """
                    UPDATE webauthn_credentials SET sign_count = ?, backup_state = ?, last_used_at = ? WHERE id = ? AND sign_count = ?
                    """,
                arguments: [Int64(value), backupState, stamp, credential.id, credential.signCount])
            return db.changesCount == 1 ? .accepted : .raced
        case .refuse:
            try db.execute(sql: "UPDATE webauthn_credentials SET flagged_at = ? WHERE id = ?", arguments: [stamp, credential.id])
            try AuditLog.append(
                .account(
                    "security.passkey_clone_suspected", userID: credential.userID, origin: origin, at: clock(),
                    details: ["credential": .int(credential.id), "stored": .int(credential.signCount), "received": .int(Int64(signCount))],
                    severity: .critical, outcome: .failure),
                in: db)
            try alert(db, credential.userID, "passkey_clone_suspected")
            return .cloneSuspected
        }
    }

    public func rename(id: Int64, userID: Int64, to name: String) throws -> Bool {
        try store.write { db in
            try db.execute(
                sql: "UPDATE webauthn_credentials SET device_name = ? WHERE id = ? AND user_id = ?", arguments: [name, id, userID])
            return db.changesCount == 1
        }
    }

    public func remove(id: Int64, userID: Int64, origin: RequestOrigin) throws -> Bool {
        try store.write { db in
            try db.execute(sql: "DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?", arguments: [id, userID])
            guard db.changesCount == 1 else { return false }
            try AuditLog.append(
                .account("security.passkey_removed", userID: userID, origin: origin, at: clock(), details: ["credential": .int(id)]), in: db
            )
            try alert(db, userID, "passkey_removed")
            return true
        }
    }
}
