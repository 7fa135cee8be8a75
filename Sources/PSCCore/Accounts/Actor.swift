/// The caller as the rules see them: who they are, their role, where they belong and what grants they hold. The
/// HTTP layer builds one from the request's identity, the admin channel from its command; the policies need no more.
public struct Actor: Sendable, Equatable {
    public let userID: Int64
    public let role: Role
    public let departmentID: Int64?
    /// The employer's company, when the actor is an employer.
    public let companyID: Int64?
    public let grants: [Grant]

    public init(userID: Int64, role: Role, departmentID: Int64? = nil, companyID: Int64? = nil, grants: [Grant] = []) {
        self.userID = userID
        self.role = role
        self.departmentID = departmentID
        self.companyID = companyID
        self.grants = grants
    }

    /// Admins and grant holders: shorter sessions and, where configured, a required second factor (00-conventions §3.1).
    public static func privileged(role: Role, grants: [Grant]) -> Bool { role == .admin || !grants.isEmpty }

    /// Whether the role or a grant gives the permission (admins hold every one).
    public func has(_ permission: Permission) -> Bool {
        role == .admin || grants.contains { $0.capability.permissions.contains(permission) }
    }

    /// Whether a grant gives the permission for this department (a grant with no department covers them all).
    public func has(_ permission: Permission, inDepartment departmentID: Int64?) -> Bool {
        grants.contains { grant in
            grant.capability.permissions.contains(permission) && (grant.departmentID == nil || grant.departmentID == departmentID)
        }
    }
}
