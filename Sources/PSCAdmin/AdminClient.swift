import Foundation

/// The client side of the admin channel, used by `psc-admin` and the end-to-end tests.
public enum AdminClient {
    public enum Failure: Error, CustomStringConvertible {
        case socketMissing(String)
        case cannotConnect(String, String)
        case badReply(String)
        public var description: String {
            switch self {
            case .socketMissing(let path): return "no admin socket at \(path); is psc serve running? (use --socket PATH)"
            case .cannotConnect(let path, let reason): return "cannot connect to \(path): \(reason)"
            case .badReply(let reason): return "the server's reply could not be read: \(reason)"
            }
        }
    }

    /// Sends one request and waits for its reply line.
    public static func send(_ request: AdminRequest, socketPath: String, timeoutSeconds: Int = 600) throws -> AdminReply {
        guard FileManager.default.fileExists(atPath: socketPath) else { throw Failure.socketMissing(socketPath) }
        let descriptor = try connect(to: socketPath)
        defer { close(descriptor) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        AdminSocketServer.write(request.encoded(), to: descriptor)
        var received = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while !received.contains(UInt8(ascii: "\n")) {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard count > 0 else {
                if received.isEmpty { throw Failure.badReply("the server closed the connection without answering") }
                break
            }
            received.append(contentsOf: chunk[0..<count])
        }
        let line = received.prefix { $0 != UInt8(ascii: "\n") }
        guard let reply = AdminReply.decode(line: Data(line)) else { throw Failure.badReply("not a reply object") }
        return reply
    }

    /// A connected socket, for tests that speak the raw protocol.
    public static func connect(to socketPath: String) throws -> Int32 {
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard descriptor >= 0 else { throw Failure.cannotConnect(socketPath, String(cString: strerror(errno))) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(socketPath.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else {
            close(descriptor)
            throw Failure.cannotConnect(socketPath, "path too long")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            raw.copyBytes(from: bytes)
            raw[bytes.count] = 0
        }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard result == 0 else {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            throw Failure.cannotConnect(socketPath, reason)
        }
        return descriptor
    }

    /// Where `psc-admin` connects without `--socket`: `PSC_ADMIN_SOCKET`, else `admin.sock` in `PSC_DATA_DIR`,
    /// else `./data/admin.sock` when it exists, else the installed `/run/psc/admin.sock`.
    public static func defaultSocketPath(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let path = environment["PSC_ADMIN_SOCKET"], !path.isEmpty { return path }
        if let directory = environment["PSC_DATA_DIR"], !directory.isEmpty {
            return (directory as NSString).appendingPathComponent("admin.sock")
        }
        let development = "./data/admin.sock"
        if FileManager.default.fileExists(atPath: development) { return development }
        let installed = "/run/psc/admin.sock"
        return FileManager.default.fileExists(atPath: installed) ? installed : development
    }
}
