import Dispatch
import Foundation
import Synchronization

/// What the server does with each admin request. Implementations audit every command with the peer's uid.
public protocol AdminCommandHandler: Sendable {
    func handle(_ request: AdminRequest, from peer: PeerCredentials) async -> AdminReply
    /// A peer the access policy refused; it gets one error line and the connection is closed.
    func refused(_ peer: PeerCredentials) async
}

/// The Unix-socket admin channel (ARCHITECTURE §1).
///
/// Written on plain POSIX sockets rather than SwiftNIO because it must read `SO_PEERCRED` from each accepted
/// socket, which NIO does not expose; connections are few and short, so one thread each is cheap. A bad or
/// oversized line only ever affects its own connection.
public final class AdminSocketServer: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case pathTooLong(String)
        case system(String, Int32)
        public var description: String {
            switch self {
            case .pathTooLong(let path): return "admin socket path is too long for a Unix socket: \(path)"
            case .system(let call, let code): return "admin socket \(call) failed: \(String(cString: strerror(code)))"
            }
        }
    }

    public let path: String
    private let policy: AdminAccessPolicy
    private let handler: any AdminCommandHandler
    private let groupName: String
    private let state = Mutex<(listener: Int32, stopping: Bool, connections: Int)>((-1, false, 0))
    private let finished = DispatchSemaphore(value: 0)
    static let maximumConnections = 16

    public init(
        path: String, policy: AdminAccessPolicy = AdminAccessPolicy(), handler: any AdminCommandHandler, groupName: String = "psc-admin"
    ) {
        self.path = path
        self.policy = policy
        self.handler = handler
        self.groupName = groupName
    }

    /// Binds, sets mode 0660 (group `psc-admin` when it exists) and starts accepting on a thread of its own.
    public func start() throws {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        let bytes = Array(path.utf8)
        guard bytes.count < capacity else { throw Failure.pathTooLong(path) }
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true) }
        // The instance lock guarantees no other server owns this path, so a leftover socket is stale.
        unlink(path)
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.system("socket", errno) }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else {
            let code = errno
            close(descriptor)
            throw Failure.system("bind", code)
        }
        if let group = getgrnam(groupName) { _ = chown(path, uid_t.max, group.pointee.gr_gid) }
        chmod(path, 0o660)
        guard listen(descriptor, 16) == 0 else {
            let code = errno
            close(descriptor)
            throw Failure.system("listen", code)
        }
        state.withLock { $0.listener = descriptor }
        let thread = Thread { [self] in acceptLoop(descriptor) }
        thread.name = "psc-admin-accept"
        thread.start()
    }

    /// Stops accepting and removes the socket file; connections in progress finish their current line.
    public func stop() {
        let wasRunning = state.withLock { state -> Bool in
            guard !state.stopping, state.listener >= 0 else { return false }
            state.stopping = true
            return true
        }
        guard wasRunning else { return }
        finished.wait()
        unlink(path)
    }

    private func acceptLoop(_ listener: Int32) {
        defer {
            close(listener)
            finished.signal()
        }
        while !state.withLock({ $0.stopping }) {
            var poller = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else { continue }
            _ = fcntl(connection, F_SETFD, FD_CLOEXEC)
            let admitted = state.withLock { state -> Bool in
                guard state.connections < Self.maximumConnections else { return false }
                state.connections += 1
                return true
            }
            guard admitted else {
                Self.write(AdminReply.failure("busy", "too many admin connections; try again").encoded(), to: connection)
                close(connection)
                continue
            }
            let thread = Thread { [self] in
                serve(connection)
                close(connection)
                state.withLock { $0.connections -= 1 }
            }
            thread.name = "psc-admin-connection"
            thread.start()
        }
    }

    private func serve(_ connection: Int32) {
        var timeout = timeval(tv_sec: 300, tv_usec: 0)
        setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        guard let peer = PeerCredentials.of(socket: connection) else { return }
        guard policy.allows(peer) else {
            blocking { await self.handler.refused(peer) }
            Self.write(
                AdminReply.failure(
                    "access_denied",
                    "user \(peer.userName) (uid \(peer.uid)) may not use the admin socket; ask to be added to the psc-admin group"
                ).encoded(), to: connection)
            return
        }
        var pending = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(connection, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            pending.append(contentsOf: chunk[0..<count])
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
                guard line.count <= AdminProtocol.maximumLineBytes else {
                    Self.write(Self.tooLong.encoded(), to: connection)
                    return
                }
                let reply: AdminReply
                switch AdminRequest.decode(line: Data(line)) {
                case .failure(let error): reply = error
                case .success(let request): reply = blocking { await self.handler.handle(request, from: peer) }
                }
                guard Self.write(reply.encoded(), to: connection) else { return }
            }
            if pending.count > AdminProtocol.maximumLineBytes {
                Self.write(Self.tooLong.encoded(), to: connection)
                return
            }
        }
    }

    private static let tooLong = AdminReply.failure(
        "line_too_long", "request lines are limited to \(AdminProtocol.maximumLineBytes) bytes; the connection is closed"
    )

    @discardableResult
    static func write(_ data: Data, to connection: Int32) -> Bool {
        data.withUnsafeBytes { raw -> Bool in
            var offset = 0
            while offset < raw.count {
                let written = send(connection, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if written <= 0 { return false }
                offset += written
            }
            return true
        }
    }

    /// Runs async handler work from a connection thread; the thread is not part of the cooperative pool, so
    /// waiting here never starves it.
    private func blocking<T: Sendable>(_ body: @escaping @Sendable () async -> T) -> T {
        let box = Mutex<T?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            let value = await body()
            box.withLock { $0 = value }
            done.signal()
        }
        done.wait()
        return box.withLock { $0! }
    }
}
