import Crypto
import Foundation
import GRDB
import PSCCore

public struct UploadRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let ownerID: Int64
    public let kind: String
    public let contentType: String
    public let bytes: Int
    public let sha256: Data
    public let originalName: String?
    public let attachedType: String?
    public let attachedID: Int64?
    public let encrypted: Bool
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        ownerID = try row.decode(forColumn: "owner_id")
        kind = try row.decode(forColumn: "kind")
        contentType = try row.decode(forColumn: "content_type")
        bytes = try row.decode(forColumn: "bytes")
        sha256 = try row.decode(forColumn: "sha256")
        originalName = try row.decode(forColumn: "original_name")
        attachedType = try row.decode(forColumn: "attached_type")
        attachedID = try row.decode(forColumn: "attached_id")
        encrypted = try row.decode(forColumn: "encrypted")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// Uploaded files (USR-16): the bytes live in `upload_blobs` beside their metadata so a backup is one file, and
/// every kind but `image` is sealed under the key ring. A file is later attached to the record that uses it
/// (an avatar, an application's résumé), and who may read it follows that record.
public struct UploadStore: Sendable {
    public static let kinds = ["image", "resume", "transcript", "recommendation", "document", "verification"]
    static let blobColumn = "upload_blobs.data"

    public let store: Store
    let keyRing: KeyRing
    let clock: @Sendable () -> Date

    public init(store: Store, keyRing: KeyRing, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.clock = clock
    }

    public func create(
        ownerID: Int64, kind: String, contentType: String, data: Data, originalName: String?, attachedTo: (type: String, id: Int64)? = nil
    ) throws -> UploadRecord {
        try store.write { db in
            try create(
                ownerID: ownerID, kind: kind, contentType: contentType, data: data, originalName: originalName, attachedTo: attachedTo,
                in: db)
        }
    }

    /// The same inside the caller's transaction, for a file that arrives with the change it belongs to.
    public func create(
        ownerID: Int64, kind: String, contentType: String, data: Data, originalName: String?, attachedTo: (type: String, id: Int64)?,
        in db: GRDB.Database
    ) throws -> UploadRecord {
        let encrypted = kind != "image"
        let stored = encrypted ? try keyRing.seal(data, column: Self.blobColumn) : data
        let stamp = Timestamp.string(from: clock())
        try db.execute(
            sql: """
                INSERT INTO uploads (owner_id, kind, content_type, bytes, sha256, original_name, attached_type, attached_id, encrypted,
                    created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?10, ?10)
                """,
            arguments: [
                ownerID, kind, contentType, data.count, Data(SHA256.hash(data: data)), originalName, attachedTo?.type, attachedTo?.id,
                encrypted, stamp,
            ])
        let id = db.lastInsertedRowID
        try db.execute(sql: "INSERT INTO upload_blobs (upload_id, data) VALUES (?, ?)", arguments: [id, stored])
        return try UploadRecord.fetchOne(db, sql: "SELECT * FROM uploads WHERE id = ?", arguments: [id])!
    }

    public func record(id: Int64) throws -> UploadRecord? {
        try store.read { db in try UploadRecord.fetchOne(db, sql: "SELECT * FROM uploads WHERE id = ?", arguments: [id]) }
    }

    /// The file's bytes, opened when sealed.
    public func contents(of record: UploadRecord) throws -> Data? {
        guard
            let stored = try store.read({ db in
                try Data.fetchOne(db, sql: "SELECT data FROM upload_blobs WHERE upload_id = ?", arguments: [record.id])
            })
        else { return nil }
        return record.encrypted ? try keyRing.open(stored, column: Self.blobColumn) : stored
    }

    /// Marks an upload as used by a record, inside the caller's transaction; false when it is not the owner's,
    /// not of the kind asked for, or already used elsewhere.
    public static func attach(_ id: Int64, owner: Int64, kind: String, to type: String, _ recordID: Int64, in db: GRDB.Database) throws
        -> Bool
    {
        try db.execute(
            sql: """
                UPDATE uploads SET attached_type = ?, attached_id = ?, updated_at = ?
                WHERE id = ? AND owner_id = ? AND kind = ? AND (attached_id IS NULL OR (attached_type = ?1 AND attached_id = ?2))
                """,
            arguments: [type, recordID, Timestamp.string(from: Date()), id, owner, kind])
        return db.changesCount == 1
    }

    /// Whether `viewer` may read the upload: its owner, or whoever the attaching record lets see it. Avatars and
    /// company logos are seen by every member; a résumé by the posting's company, its poster and job managers.
    public func mayRead(_ record: UploadRecord, viewer: Int64?, managesJobs: Bool, reviewsVerifications: Bool = false) throws -> Bool {
        // A recommendation letter is never shown to the student it is about, though it is filed under them.
        if record.ownerID == viewer && record.kind != "recommendation" { return true }
        switch record.attachedType {
        case "recommendation_requests", "scholarship_applications", "scholarship_applications.thank_you":
            guard let viewer, let attached = record.attachedID else { return false }
            let application =
                record.attachedType == "recommendation_requests"
                ? "(SELECT application_id FROM recommendation_requests WHERE id = ?2)" : "?2"
            return try store.read { db in
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM scholarship_applications a JOIN scholarships s ON s.id = a.scholarship_id
                            WHERE a.id = \(application) AND (
                                EXISTS (SELECT 1 FROM scholarship_reviewers r WHERE r.scholarship_id = s.id AND r.user_id = ?1)
                                OR EXISTS (SELECT 1 FROM users u WHERE u.id = ?1 AND u.role = 'admin' AND u.status = 'active')
                                OR EXISTS (SELECT 1 FROM capability_grants g WHERE g.user_id = ?1 AND g.active = 1
                                    AND g.capability = 'department_head' AND (g.department_id IS NULL OR g.department_id IS s.department_id)
                                    AND (g.expires_at IS NULL OR g.expires_at > ?3))
                                OR (?4 AND a.share_with_donor = 1
                                    AND EXISTS (SELECT 1 FROM scholarship_donors d WHERE d.scholarship_id = s.id AND d.user_id = ?1))))
                        """,
                    arguments: [
                        viewer, attached, Timestamp.string(from: clock()), record.attachedType == "scholarship_applications.thank_you",
                    ])
                    ?? false
            }
        case "users.avatar", "companies.logo":
            return true
        case VerificationStore.attachedType:
            // Identity documents: their owner and the reviewers of verifications (verify_users, approve_employers).
            return reviewsVerifications
        case "job_applications":
            guard let viewer, let application = record.attachedID else { return false }
            if managesJobs { return true }
            return try store.read { db in
                try Bool.fetchOne(
                    db,
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM job_applications a JOIN job_postings j ON j.id = a.job_id
                            WHERE a.id = ?1 AND (j.posted_by = ?2
                                OR EXISTS (SELECT 1 FROM company_members m WHERE m.company_id = j.company_id AND m.user_id = ?2)))
                        """,
                    arguments: [application, viewer]) ?? false
            }
        default:
            return false
        }
    }

    /// USR-3: the new avatar replaces the old one, whose file is removed.
    public func setAvatar(userID: Int64, upload: UploadRecord) throws {
        try store.write { db in
            let previous = try Int64.fetchOne(db, sql: "SELECT avatar_upload_id FROM users WHERE id = ?", arguments: [userID])
            try db.execute(
                sql: "UPDATE users SET avatar_upload_id = ?, updated_at = ? WHERE id = ?",
                arguments: [upload.id, Timestamp.string(from: clock()), userID])
            if let previous, previous != upload.id { try db.execute(sql: "DELETE FROM uploads WHERE id = ?", arguments: [previous]) }
        }
    }
}
