import Foundation
import GRDB
import Testing

@testable import PSCStore

@Suite("Departments")
struct DepartmentStoreTests {
    @Test("fixtures load once into an empty table, and search finds by name and college")
    func fixtures() async throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let departments = DepartmentStore(store: store)
        let loaded = try departments.loadFixtures()
        #expect(loaded >= 20)
        #expect(try departments.loadFixtures() == 0)
        let all = try await departments.all()
        #expect(all.count == loaded)
        #expect(all.contains { $0.name == "Automotive Technology" && $0.college == "College of Technology" })
        #expect(try await departments.search("kelce").count == 3)
        #expect(try await departments.search("100%").isEmpty)
        #expect(try await departments.find(id: 999_999) == nil)
        try store.close()
    }

    @Test("the list query uses the college-name index")
    func queryPlan() throws {
        let directory = try TemporaryDirectory()
        let store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let plan = try store.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM departments ORDER BY college, name").map { $0["detail"] as String }
        }
        #expect(plan.joined().contains("departments_college_name"))
        try store.close()
    }
}
