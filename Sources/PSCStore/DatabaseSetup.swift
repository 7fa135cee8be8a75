import Foundation
import GRDB

/// Brings a database to the latest schema and, when it was brand new, loads the fixtures; shared by
/// `psc serve` and `psc migrate` so both leave the same database behind.
public enum DatabaseSetup {
    public struct Outcome: Sendable {
        public let applied: [Migration]
        /// True when the database had no schema before.
        public let created: Bool
        public let departmentsLoaded: Int
    }

    public static func prepare(_ store: Store, migrator: Migrator) throws -> Outcome {
        let previousVersion = try store.read { db in try Migrator.schemaVersion(db) }
        let applied = try migrator.migrate(store)
        let loaded = previousVersion == 0 ? try DepartmentStore(store: store).loadFixtures() : 0
        return Outcome(applied: applied, created: previousVersion == 0, departmentsLoaded: loaded)
    }
}
