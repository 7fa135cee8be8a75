import Foundation
import PSCCore

@testable import PSCStore

/// A migrated database in a fresh temporary directory, with active members registered through the real account store.
struct TestMembers {
    let directory: TemporaryDirectory
    let store: Store
    let ids: [Int64]

    /// `role(index)` gives each member's role; `listed` lists them in the directory with the FERPA consent.
    init(_ count: Int, prefix: String, listed: Bool = false, role: (Int) -> Role = { _ in .student }) throws {
        directory = try TemporaryDirectory()
        store = try Store(path: directory.file("psc.db"))
        try Migrator.embedded().migrate(store)
        let accounts = AccountStore(store: store)
        ids = try (0..<count).map { index in
            try accounts.register(
                NewAccount(
                    email: "\(prefix)\(index)@gus.pittstate.edu", passwordHash: "x", role: role(index), status: .active,
                    firstName: "\(prefix.uppercased())\(index)", lastName: "Test"),
                origin: RequestOrigin(ip: nil, userAgent: nil), listInDirectory: listed)
        }
    }
}
