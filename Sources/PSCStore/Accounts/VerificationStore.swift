import Foundation
import GRDB
import PSCCore

public struct VerificationRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let userID: Int64
    public let type: String
    public let documentIDs: [Int64]
    public let note: String?
    public let status: String
    public let reviewerID: Int64?
    public let reason: String?
    public let decidedAt: String?
    public let expiresAt: String?
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        userID = try row.decode(forColumn: "user_id")
        type = try row.decode(forColumn: "type")
        documentIDs =
            (try? JSONDecoder().decode([Int64].self, from: Data((try row.decode(forColumn: "document_upload_ids") as String).utf8))) ?? []
        note = try row.decode(forColumn: "note")
        status = try row.decode(forColumn: "status")
        reviewerID = try row.decode(forColumn: "reviewer_id")
        reason = try row.decode(forColumn: "reason")
        decidedAt = try row.decode(forColumn: "decided_at")
        expiresAt = try row.decode(forColumn: "expires_at")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// Identity verifications (10-api USR-12, ADM-9): a member sends one to three of their own `verification` uploads for
/// a role; a reviewer approves or refuses it once. An approved student verification lasts until the next semester
/// end, when the nightly job marks it expired.
public struct VerificationStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public static let attachedType = "verification_requests"

    public func submit(userID: Int64, type: Role, documents: [Int64], note: String?) throws -> VerificationRecord {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            if try Bool.fetchOne(
                db, sql: "SELECT 1 FROM verification_requests WHERE user_id = ? AND status = 'pending'", arguments: [userID]) == true
            {
                throw CommunityError.conflict(code: "conflict", message: "You already have a verification waiting for review.")
            }
            try db.execute(
                sql: """
                    INSERT INTO verification_requests (user_id, type, document_upload_ids, note, status, created_at, updated_at)
                    VALUES (?, ?, ?, ?, 'pending', ?, ?)
                    """,
                arguments: [userID, type.rawValue, "[" + documents.map(String.init).joined(separator: ",") + "]", note, stamp, stamp])
            let id = db.lastInsertedRowID
            for document in documents
            where try !UploadStore.attach(document, owner: userID, kind: "verification", to: Self.attachedType, id, in: db) {
                throw CommunityError.invalid(
                    field: "document_upload_ids", message: "each document must be one of your own verification uploads, not used elsewhere")
            }
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorUserID: userID, actorKind: .user, action: "verification.submitted",
                    targetType: "verification_request", targetID: String(id), details: ["type": .string(type.rawValue)]),
                in: db)
            guard let record = try VerificationRecord.fetchOne(db, sql: "SELECT * FROM verification_requests WHERE id = ?", arguments: [id])
            else { throw CommunityError.notFound }
            return record
        }
    }

    /// Waiting requests, oldest first, of the given types.
    public func pending(types: [String], limit: Int = 100) throws -> [VerificationRecord] {
        try store.read { db in
            try VerificationRecord.fetchAll(
                db,
                sql: """
                    SELECT * FROM verification_requests WHERE status = 'pending' AND type IN (SELECT value FROM json_each(?))
                    ORDER BY created_at, id LIMIT ?
                    """,
                arguments: [JSONList.text(types), limit])
        }
    }

    public func request(id: Int64) throws -> VerificationRecord? {
        try store.read { db in try VerificationRecord.fetchOne(db, sql: "SELECT * FROM verification_requests WHERE id = ?", arguments: [id])
        }
    }

    /// Decides a pending request once; an approved student verification expires at `studentExpiry`.
    public func decide(id: Int64, approve: Bool, reason: String?, reviewerID: Int64, studentExpiry: Date?, audit: AuditEntry) throws
        -> VerificationRecord
    {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            guard let record = try VerificationRecord.fetchOne(db, sql: "SELECT * FROM verification_requests WHERE id = ?", arguments: [id])
            else { throw CommunityError.notFound }
            guard record.status == "pending" else {
                throw CommunityError.conflict(code: "invalid_state", message: "This verification was already \(record.status).")
            }
            let expires = approve && record.type == "student" ? studentExpiry.map(Timestamp.string(from:)) : nil
            try db.execute(
                sql: """
                    UPDATE verification_requests SET status = ?, reason = ?, reviewer_id = ?, decided_at = ?, expires_at = ?, updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [approve ? "approved" : "rejected", reason, reviewerID, stamp, expires, stamp, id])
            try AuditLog.append(
                audit.adding(["decision": .string(approve ? "approved" : "rejected"), "user_id": .int(record.userID)]), in: db)
            guard
                let decided = try VerificationRecord.fetchOne(db, sql: "SELECT * FROM verification_requests WHERE id = ?", arguments: [id])
            else { throw CommunityError.notFound }
            return decided
        }
    }

    /// Approved student verifications past their semester end become expired (nightly); returns how many.
    public func expire() throws -> Int {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    UPDATE verification_requests SET status = 'expired', updated_at = ?1
                    WHERE status = 'approved' AND expires_at IS NOT NULL AND expires_at <= ?1
                    """, arguments: [stamp])
            return db.changesCount
        }
    }

    /// The end (23:59:59 Central) of the first semester end after `now`, from `MM-DD` dates such as `05-31`.
    public static func nextSemesterEnd(after now: Date, ends: [String]) -> Date? {
        let calendar = ScholarshipCalendar.calendar
        let year = calendar.component(.year, from: now)
        let candidates = [year, year + 1].flatMap { year in
            ends.compactMap { text -> Date? in
                let parts = text.split(separator: "-").compactMap { Int($0) }
                guard parts.count == 2 else { return nil }
                return calendar.date(from: DateComponents(year: year, month: parts[0], day: parts[1], hour: 23, minute: 59, second: 59))
            }
        }
        return candidates.filter { $0 > now }.min()
    }
}
