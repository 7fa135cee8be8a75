import Foundation

/// Who is on the other end of an admin socket connection, from `SO_PEERCRED`.
public struct PeerCredentials: Sendable, Equatable {
    public let pid: Int32
    public let uid: UInt32
    public let gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Same layout as `struct ucred`, which the Glibc module does not export.
    private struct RawCredentials {
        var pid: Int32 = 0
        var uid: UInt32 = 0
        var gid: UInt32 = 0
    }

    static func of(socket descriptor: Int32) -> PeerCredentials? {
        var raw = RawCredentials()
        var length = socklen_t(MemoryLayout<RawCredentials>.size)
        guard getsockopt(descriptor, SOL_SOCKET, SO_PEERCRED, &raw, &length) == 0 else { return nil }
        return PeerCredentials(pid: raw.pid, uid: raw.uid, gid: raw.gid)
    }

    /// The user name, for the audit log; the numeric uid when it has none.
    public var userName: String {
        guard let entry = getpwuid(uid), let name = entry.pointee.pw_name else { return String(uid) }
        return String(cString: name)
    }
}

/// Who may use the admin socket: root, the user the server runs as, and members of the `psc-admin` group.
public struct AdminAccessPolicy: Sendable {
    public let serviceUID: UInt32
    public let adminGroupName: String

    public init(serviceUID: UInt32 = getuid(), adminGroupName: String = "psc-admin") {
        self.serviceUID = serviceUID
        self.adminGroupName = adminGroupName
    }

    public func allows(_ peer: PeerCredentials) -> Bool {
        if peer.uid == 0 || peer.uid == serviceUID { return true }
        guard let group = getgrnam(adminGroupName) else { return false }
        let adminGID = group.pointee.gr_gid
        if peer.gid == adminGID { return true }
        guard let entry = getpwuid(peer.uid), let name = entry.pointee.pw_name else { return false }
        var count: Int32 = 256
        var groups = [gid_t](repeating: 0, count: Int(count))
        guard getgrouplist(name, entry.pointee.pw_gid, &groups, &count) >= 0 else { return false }
        return groups.prefix(Int(count)).contains(adminGID)
    }
}
