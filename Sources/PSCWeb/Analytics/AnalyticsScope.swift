import Foundation
import PSCCore
import PSCStore

/// Which departments a caller's analytics permission covers: every one for admins and grants without a department,
/// otherwise the departments of their grants (00-conventions §2: `view_analytics` "in scope").
enum AnalyticsScope: Equatable {
    case all
    case departments([Int64])
    case none

    init(_ identity: Identity, _ permission: Permission) {
        if identity.user.role == .admin {
            self = .all
            return
        }
        let grants = identity.grants.filter { $0.capability.permissions.contains(permission) }
        if grants.isEmpty {
            self = .none
        } else if grants.contains(where: { $0.departmentID == nil }) {
            self = .all
        } else {
            self = .departments(Array(Set(grants.compactMap(\.departmentID))).sorted())
        }
    }

    /// nil for every department, else the list.
    var departmentIDs: [Int64]? {
        switch self {
        case .all: nil
        case .departments(let ids): ids
        case .none: []
        }
    }

    func covers(department: Int64?) -> Bool {
        switch self {
        case .all: true
        case .departments(let ids): department.map(ids.contains) ?? false
        case .none: false
        }
    }
}
