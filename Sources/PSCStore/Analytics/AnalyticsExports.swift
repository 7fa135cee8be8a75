import Foundation
import GRDB
import PSCCore

/// ANL-3's reports (20-services §5.6): their rows, redacted unless the caller may see PII, limited to the caller's
/// departments when their grant is scoped; and the background exports of more than 10,000 rows (40-data `exports`).
public struct AnalyticsExports: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public static let reports = [
        "user_activity", "scholarship_applications", "scholarships", "job_postings", "page_views", "event_attendance",
    ]
    /// Above this many rows a CSV is built in the background and a PDF is refused.
    public static let inlineLimit = 10_000

    public struct Request: Sendable, Codable {
        public let report: String
        public let days: Int
        /// nil: every department; otherwise only these departments' rows.
        public let departmentIDs: [Int64]?
        public let redacted: Bool

        public init(report: String, days: Int, departmentIDs: [Int64]?, redacted: Bool) {
            (self.report, self.days, self.departmentIDs, self.redacted) = (report, days, departmentIDs, redacted)
        }
    }

    public struct Table: Sendable {
        public let header: [String]
        public let rows: [[String]]
    }

    static func departmentFilter(_ column: String, _ ids: [Int64]?) -> String {
        guard let ids else { return "" }
        return "AND \(column) IN (\(ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ",")))"
    }

    public func count(_ request: Request) throws -> Int {
        try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM (\(query(request).sql))", arguments: query(request).arguments) ?? 0
        }
    }

    func query(_ request: Request) -> (sql: String, arguments: StatementArguments) {
        let since = Timestamp.string(from: clock().addingTimeInterval(-Double(request.days) * 86_400))
        let ids = request.departmentIDs
        switch request.report {
        case "user_activity":
            return (
                """
                SELECT u.id, u.first_name, u.last_name, u.email, u.role, u.status, u.created_at, u.last_active_at FROM users u
                WHERE u.status <> 'deleted' AND u.is_service_account = 0 AND (u.created_at >= ?1 OR u.last_active_at >= ?1)
                \(Self.departmentFilter("u.department_id", ids)) ORDER BY u.id
                """, [since]
            )
        case "scholarship_applications":
            return (
                """
                SELECT a.id, s.title, coalesce(d.name, '') AS department, u.first_name, u.last_name, u.email, a.status,
                    a.submitted_at, a.decided_at, a.awarded_amount_cents
                FROM scholarship_applications a JOIN scholarships s ON s.id = a.scholarship_id JOIN users u ON u.id = a.user_id
                LEFT JOIN departments d ON d.id = s.department_id
                WHERE a.submitted_at >= ?1 \(Self.departmentFilter("s.department_id", ids)) ORDER BY a.id
                """, [since]
            )
        case "scholarships":
            return (
                """
                SELECT s.title, s.amount_cents, s.deadline, coalesce(d.name, '') AS department,
                    (SELECT count(*) FROM scholarship_applications a WHERE a.scholarship_id = s.id AND a.submitted_at IS NOT NULL) AS applications,
                    (SELECT count(*) FROM scholarship_applications a WHERE a.scholarship_id = s.id AND a.status = 'awarded') AS awarded
                FROM scholarships s LEFT JOIN departments d ON d.id = s.department_id
                WHERE (s.created_at >= ?1 OR s.deadline >= substr(?1, 1, 10)) \(Self.departmentFilter("s.department_id", ids)) ORDER BY s.id
                """, [since]
            )
        case "job_postings":
            return (
                """
                SELECT p.title, c.name AS company, coalesce(p.location, '') AS location, p.status, p.posted_at,
                    (SELECT count(*) FROM job_applications a WHERE a.job_id = p.id) AS applications
                FROM job_postings p JOIN companies c ON c.id = p.company_id WHERE p.created_at >= ?1 ORDER BY p.id
                """, [since]
            )
        case "page_views":
            let ninety = Timestamp.string(from: clock().addingTimeInterval(-90 * 86_400))
            return (
                """
                SELECT v.page_name, v.user_id, v.occurred_at, v.ip FROM page_views v
                \(ids == nil ? "" : "JOIN users u ON u.id = v.user_id") WHERE v.occurred_at >= max(?1, ?2)
                \(Self.departmentFilter("u.department_id", ids)) ORDER BY v.id
                """, [since, ninety]
            )
        default:
            return (
                """
                SELECT e.title, e.start_time,
                    (SELECT count(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.status = 'going') AS going,
                    (SELECT count(*) FROM event_checkins c WHERE c.event_id = e.id) AS checked_in,
                    (SELECT avg(rating) FROM event_feedback f WHERE f.event_id = e.id) AS rating
                FROM events e WHERE e.start_time >= ?1 AND e.start_time <= ?2 \(Self.departmentFilter("e.department_id", ids))
                ORDER BY e.start_time
                """, [since, Timestamp.string(from: clock())]
            )
        }
    }

    /// The report's header and rows, redacted as the request says.
    public func table(_ request: Request) throws -> Table {
        let (sql, arguments) = query(request)
        let redacted = request.redacted
        func text(_ row: Row, _ column: String) -> String {
            (row[column] as DatabaseValue?).flatMap { value in
                switch value.storage {
                case .null: nil
                case .int64(let number): String(number)
                case .double(let number): String(format: "%.2f", number)
                case .string(let string): string
                case .blob: nil
                }
            } ?? ""
        }
        func name(_ row: Row) -> String {
            let (first, last) = (text(row, "first_name"), text(row, "last_name"))
            return redacted ? Redaction.name(first: first, last: last) : "\(first) \(last)"
        }
        func email(_ row: Row) -> String { redacted ? Redaction.email(text(row, "email")) : text(row, "email") }
        func dollars(_ row: Row, _ column: String) -> String {
            guard let cents = row[column] as Int64? else { return "" }
            return String(format: "%.2f", Double(cents) / 100)
        }
        let rows = try store.read { db in try Row.fetchAll(db, sql: sql, arguments: arguments) }
        switch request.report {
        case "user_activity":
            return Table(
                header: ["id", "name", "email", "role", "status", "joined", "last active"],
                rows: rows.map { row in
                    [
                        text(row, "id"), name(row), email(row), text(row, "role"), text(row, "status"), text(row, "created_at"),
                        text(row, "last_active_at"),
                    ]
                })
        case "scholarship_applications":
            return Table(
                header: [
                    "application id", "scholarship", "department", "applicant name", "email", "status", "submitted", "decision",
                    "awarded amount",
                ],
                rows: rows.map { row in
                    [
                        text(row, "id"), text(row, "title"), text(row, "department"), name(row), email(row), text(row, "status"),
                        text(row, "submitted_at"), text(row, "decided_at"), dollars(row, "awarded_amount_cents"),
                    ]
                })
        case "scholarships":
            return Table(
                header: ["title", "amount", "deadline", "department", "applications", "awarded"],
                rows: rows.map { row in
                    [
                        text(row, "title"), dollars(row, "amount_cents"), text(row, "deadline"), text(row, "department"),
                        text(row, "applications"), text(row, "awarded"),
                    ]
                })
        case "job_postings":
            return Table(
                header: ["title", "company", "location", "status", "posted", "applications"],
                rows: rows.map { row in
                    [
                        text(row, "title"), text(row, "company"), text(row, "location"), text(row, "status"), text(row, "posted_at"),
                        text(row, "applications"),
                    ]
                })
        case "page_views":
            return Table(
                header: ["page", "user id", "time", "IP"],
                rows: rows.map { row in
                    let ip = text(row, "ip")
                    return [
                        text(row, "page_name"), text(row, "user_id"), text(row, "occurred_at"),
                        redacted && !ip.isEmpty ? Redaction.ip(ip) : ip,
                    ]
                })
        default:
            return Table(
                header: ["event", "date", "going", "checked in", "mean rating"],
                rows: rows.map { row in
                    [text(row, "title"), text(row, "start_time"), text(row, "going"), text(row, "checked_in"), text(row, "rating")]
                })
        }
    }

    // MARK: Background exports

    public struct ExportRecord: Sendable {
        public let id: Int64
        public let userID: Int64
        public let status: String
        public let fileName: String?
        public let format: String
        public let content: Data?
        public let expiresAt: String
    }

    /// Creates a queued export and its job in one transaction.
    public func queue(_ request: Request, format: String, userID: Int64, filters: String, enqueue: (Int64, Database) throws -> Void) throws
        -> Int64
    {
        let now = clock()
        return try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO exports (user_id, kind, report_type, format, filters, redacted, status, expires_at, created_at)
                    VALUES (?, 'report', ?, ?, ?, ?, 'queued', ?, ?)
                    """,
                arguments: [
                    userID, request.report, format, filters, request.redacted, Timestamp.string(from: now.addingTimeInterval(48 * 3600)),
                    Timestamp.string(from: now),
                ])
            let id = db.lastInsertedRowID
            try enqueue(id, db)
            return id
        }
    }

    /// The job's work: builds the CSV and stores it, ready for 24 hours.
    public func build(exportID: Int64, request: Request) throws {
        let table = try table(request)
        let csv = Data(CSV.document(header: table.header, rows: table.rows).utf8)
        let now = clock()
        try store.write { db in
            try db.execute(
                sql: """
                    UPDATE exports SET status = 'done', content = ?, row_count = ?, file_name = ?, finished_at = ?, expires_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    csv, table.rows.count, "\(request.report)-\(ScholarshipCalendar.today(now)).csv", Timestamp.string(from: now),
                    Timestamp.string(from: now.addingTimeInterval(24 * 3600)), exportID,
                ])
        }
    }

    public func failed(exportID: Int64, error: String) throws {
        try store.write { db in
            try db.execute(
                sql: "UPDATE exports SET status = 'failed', error = ?, finished_at = ? WHERE id = ?",
                arguments: [String(error.prefix(500)), Timestamp.string(from: clock()), exportID])
        }
    }

    /// The requester's export while it has not expired; nil otherwise (another member's id is nil too).
    public func export(id: Int64, userID: Int64) throws -> ExportRecord? {
        try store.read { db in
            try Row.fetchOne(
                db, sql: "SELECT * FROM exports WHERE id = ? AND user_id = ? AND kind = 'report' AND expires_at > ?",
                arguments: [id, userID, Timestamp.string(from: clock())]
            ).map { row in
                ExportRecord(
                    id: (try row.decode(forColumn: "id")), userID: (try row.decode(forColumn: "user_id")),
                    status: (try row.decode(forColumn: "status")) ?? "failed", fileName: (try row.decode(forColumn: "file_name")),
                    format: (try row.decode(forColumn: "format")) ?? "csv", content: (try row.decode(forColumn: "content")),
                    expiresAt: (try row.decode(forColumn: "expires_at")) ?? "")
            }
        }
    }

    /// Exports past their expiry, with their files (job 2's housekeeping).
    public func deleteExpired() throws -> Int {
        try store.write { db in
            try db.execute(sql: "DELETE FROM exports WHERE expires_at <= ?", arguments: [Timestamp.string(from: clock())])
            return db.changesCount
        }
    }
}
