import Foundation
import GRDB
import PSCCore

public struct CompanyRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let name: String
    public let industry: String?
    public let size: String?
    public let headquarters: String?
    public let website: String?
    public let description: String?
    public let logoUploadID: Int64?
    public let verified: Bool
    public let activePostings: Int

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        industry = try row.decode(forColumn: "industry")
        size = try row.decode(forColumn: "size")
        headquarters = try row.decode(forColumn: "headquarters")
        website = try row.decode(forColumn: "website")
        description = try row.decode(forColumn: "description")
        logoUploadID = try row.decode(forColumn: "logo_upload_id")
        verified = try row.decode(forColumn: "verified")
        activePostings = try row.decode(forColumn: "active_postings") ?? 0
    }
}

/// Companies and their employer members (10-api JOB-13..15, 40-data §2.6). An employer belongs to one company,
/// joined at registration by the company name they gave.
public struct CompanyStore: Sendable {
    public static let sizes = ["1-10", "11-50", "51-200", "201-1000", "1000+"]
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// Names compare without case, spacing or punctuation, so "Acme, Inc." and "ACME Inc" are one company.
    public static func normalise(_ name: String) -> String {
        name.lowercased().unicodeScalars.filter { CharacterSet.alphanumerics.contains($0) }.map(String.init).joined()
    }

    /// The first employer of a company owns it; later ones are members. Runs in the registration's transaction.
    static func join(userID: Int64, companyName: String, at stamp: String, in db: GRDB.Database) throws {
        let norm = normalise(companyName)
        guard !norm.isEmpty else { return }
        var companyID = try Int64.fetchOne(db, sql: "SELECT id FROM companies WHERE name_norm = ?", arguments: [norm])
        let role = companyID == nil ? "owner" : "member"
        if companyID == nil {
            try db.execute(
                sql: "INSERT INTO companies (name, name_norm, verified, created_at, updated_at) VALUES (?, ?, 0, ?3, ?3)",
                arguments: [companyName, norm, stamp])
            companyID = db.lastInsertedRowID
        }
        try db.execute(
            sql: "INSERT INTO company_members (company_id, user_id, member_role, created_at) VALUES (?, ?, ?, ?)",
            arguments: [companyID, userID, role, stamp])
        try db.execute(sql: "UPDATE users SET company_id = ? WHERE id = ?", arguments: [companyID, userID])
    }

    /// A company for postings by career services (or any non-employer poster), created on first use.
    public func companyID(named name: String) throws -> Int64 {
        let norm = Self.normalise(name)
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            if let id = try Int64.fetchOne(db, sql: "SELECT id FROM companies WHERE name_norm = ?", arguments: [norm]) { return id }
            try db.execute(
                sql: "INSERT INTO companies (name, name_norm, verified, created_at, updated_at) VALUES (?, ?, 0, ?3, ?3)",
                arguments: [name, norm, stamp])
            return db.lastInsertedRowID
        }
    }

    public func membership(userID: Int64) throws -> Int64? {
        try store.read { db in try Int64.fetchOne(db, sql: "SELECT company_id FROM company_members WHERE user_id = ?", arguments: [userID])
        }
    }

    static let selectSQL = """
        SELECT c.*, (SELECT count(*) FROM job_postings j WHERE j.company_id = c.id AND j.status = 'active' AND j.expires_at > ?1)
            AS active_postings FROM companies c
        """

    public func company(id: Int64) throws -> CompanyRecord? {
        let now = Timestamp.string(from: clock())
        return try store.read { db in
            try CompanyRecord.fetchOne(db, sql: Self.selectSQL + " WHERE c.id = ?2", arguments: [now, id])
        }
    }

    /// JOB-13: by name, optionally matching text and an industry, after the cursor's id.
    public func list(text: String?, industry: String?, afterID: Int64?, limit: Int) throws -> [CompanyRecord] {
        let now = Timestamp.string(from: clock())
        let pattern = text.map {
            "%" + $0.lowercased().replacingOccurrences(of: "%", with: "").replacingOccurrences(of: "_", with: "") + "%"
        }
        return try store.read { db in
            try CompanyRecord.fetchAll(
                db,
                sql: Self.selectSQL
                    + """
                     WHERE (?2 IS NULL OR lower(c.name) LIKE ?2) AND (?3 IS NULL OR lower(c.industry) = lower(?3)) AND c.id > ?4
                    ORDER BY c.id LIMIT ?5
                    """,
                arguments: [now, pattern, industry, afterID ?? 0, limit])
        }
    }

    public struct Changes: Sendable {
        public var industry: String??
        public var size: String??
        public var headquarters: String??
        public var website: String??
        public var description: String??
        public var logoUploadID: Int64??
        public init() {}
    }

    public enum Failure: Error, Equatable {
        case notFound
        case badLogo
    }

    /// JOB-14: only the fields given change; a logo must be the caller's own image upload.
    public func update(id: Int64, changes: Changes, by userID: Int64, audit: AuditEntry? = nil) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM companies WHERE id = ?", arguments: [id]) == true else {
                throw Failure.notFound
            }
            var sets: [String] = []
            var arguments: StatementArguments = []
            func set(_ column: String, _ value: (some DatabaseValueConvertible)??) {
                guard let value else { return }
                sets.append("\(column) = ?")
                arguments += [value]
            }
            set("industry", changes.industry)
            set("size", changes.size)
            set("headquarters", changes.headquarters)
            set("website", changes.website)
            set("description", changes.description)
            if let logo = changes.logoUploadID {
                if let logo, !(try UploadStore.attach(logo, owner: userID, kind: "image", to: "companies.logo", id, in: db)) {
                    throw Failure.badLogo
                }
                set("logo_upload_id", logo)
            }
            guard !sets.isEmpty else { return }
            arguments += [stamp, id]
            try db.execute(sql: "UPDATE companies SET \(sets.joined(separator: ", ")), updated_at = ? WHERE id = ?", arguments: arguments)
            if let audit { try AuditLog.append(audit, in: db) }
        }
    }

    public func setVerified(id: Int64, verified: Bool, audit: AuditEntry? = nil) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE companies SET verified = ?, updated_at = ? WHERE id = ?",
                arguments: [verified, Timestamp.string(from: clock()), id])
            if db.changesCount == 0 { throw Failure.notFound }
            if let audit { try AuditLog.append(audit, in: db) }
        }
    }
}
