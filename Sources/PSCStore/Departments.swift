import Foundation
import GRDB
import PSCCore

/// A college department (40-data §2.1).
public struct Department: Sendable, Equatable, FetchableRecord {
    public var id: Int64
    public var name: String
    public var college: String?
    public var description: String?
    public var chairName: String?
    public var email: String?
    /// Active members who chose this department.
    public var memberCount: Int
    public var createdAt: String
    public var updatedAt: String

    /// Reads the columns directly: the Decodable path was the slowest part of the department list.
    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        college = try row.decode(forColumn: "college")
        description = try row.decode(forColumn: "description")
        chairName = try row.decode(forColumn: "chair_name")
        email = try row.decode(forColumn: "email")
        memberCount = try row.decode(forColumn: "member_count") ?? 0
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}

/// Reads and seeds departments.
public struct DepartmentStore: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Counted from the `users_department` index; the department answers are cached for minutes, so a count may
    /// trail a member's change of department by that long.
    static let memberCountSQL =
        "(SELECT count(*) FROM users u WHERE u.department_id = d.id AND u.status = 'active') AS member_count"

    /// Every department, by college then name.
    public func all() async throws -> [Department] {
        try await store.read { db in
            try Department.fetchAll(
                db.cachedStatement(sql: "SELECT d.*, \(Self.memberCountSQL) FROM departments d ORDER BY college, name")
            )
        }
    }

    /// Every department's id and name, by name: what event bodies and the department select need, without counting
    /// anyone (the counts read every member; on 50,000 members they were most of an events page's time).
    public func names() async throws -> [(id: Int64, name: String)] {
        try await store.read { db in
            try Row.fetchAll(db.cachedStatement(sql: "SELECT id, name FROM departments ORDER BY name")).map {
                (id: try $0.decode(Int64.self, forColumn: "id"), name: try $0.decode(String.self, forColumn: "name"))
            }
        }
    }

    public func find(id: Int64) async throws -> Department? {
        try await store.read { db in
            try Department.fetchOne(
                db.cachedStatement(sql: "SELECT d.*, \(Self.memberCountSQL) FROM departments d WHERE id = ?"), arguments: [id])
        }
    }

    struct Fixture: Decodable {
        struct Entry: Decodable {
            let name: String
            let college: String?
            let description: String?
            let chair_name: String?
            let email: String?
        }
        let departments: [Entry]
    }

    /// Loads `fixtures/departments.json` (embedded) into an empty table, once; returns how many rows it added.
    @discardableResult
    public func loadFixtures(now: Date = Date()) throws -> Int {
        guard let text = EmbeddedFixtures.files["departments.json"] else { return 0 }
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(text.utf8))
        let stamp = Timestamp.string(from: now)
        return try store.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM departments") == 0 else { return 0 }
            for entry in fixture.departments {
                try db.execute(
                    sql: """
                        INSERT INTO departments (name, college, description, chair_name, email, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [entry.name, entry.college, entry.description, entry.chair_name, entry.email, stamp, stamp]
                )
            }
            return fixture.departments.count
        }
    }
}

extension DepartmentStore {
    /// Departments whose name, college or description contains the text (case-insensitive), by name.
    /// The global search issue replaces this with the FTS5 index.
    public func search(_ text: String) async throws -> [Department] {
        let pattern = LikePattern.containing(text)
        return try await store.read { db in
            try Department.fetchAll(
                db,
                sql: """
                    SELECT * FROM departments
                    WHERE name LIKE ?1 ESCAPE '\\' OR college LIKE ?1 ESCAPE '\\' OR description LIKE ?1 ESCAPE '\\'
                    ORDER BY name LIMIT 50
                    """,
                arguments: [pattern]
            )
        }
    }
}
