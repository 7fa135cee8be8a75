import Foundation
import PSCAdmin
import Testing

/// Finds the built `psc` and `psc-admin` beside the test bundle (both live in the same build folder).
enum Binaries {
    static var directory: String {
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (executable as NSString).deletingLastPathComponent
    }
    static var psc: String { directory + "/psc" }
    static var admin: String { directory + "/psc-admin" }
}

/// A finished command's exit status and output.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// Runs a program to completion with the environment cleaned of `PSC_*` variables.
func runCommand(_ path: String, _ arguments: [String], environment extra: [String: String] = [:], timeout: TimeInterval = 120) throws
    -> CommandResult
{
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PSC_") }
    environment.merge(extra) { _, new in new }
    process.environment = environment
    let directory = NSTemporaryDirectory() + "psc-cmd-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: directory) }
    _ = FileManager.default.createFile(atPath: directory + "/out", contents: nil)
    _ = FileManager.default.createFile(atPath: directory + "/err", contents: nil)
    process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/out"))
    process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: directory + "/err"))
    try process.run()
    let deadline = Date().addingTimeInterval(timeout)
    while process.isRunning && Date() < deadline { usleep(10_000) }
    if process.isRunning { process.terminate() }
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus,
        stdout: (try? String(contentsOfFile: directory + "/out", encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOfFile: directory + "/err", encoding: .utf8)) ?? ""
    )
}

/// A real `psc serve` on a free port and a temporary data directory.
final class ServerProcess {
    let dataDirectory: String
    let process = Process()
    private(set) var port = 0
    let logPath: String
    var socketPath: String { dataDirectory + "/admin.sock" }
    var databasePath: String { dataDirectory + "/psc.db" }

    init(dataDirectory: String? = nil, arguments: [String] = [], environment extra: [String: String] = [:]) throws {
        self.dataDirectory = dataDirectory ?? NSTemporaryDirectory() + "psc-e2e-\(UUID().uuidString.prefix(8))"
        logPath = self.dataDirectory + ".log"
        try FileManager.default.createDirectory(atPath: self.dataDirectory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.executableURL = URL(fileURLWithPath: Binaries.psc)
        // Demo accounts cost six bcrypt hashes per new database; the tests that want them pass `--demo`.
        let demo = arguments.contains("--demo")
        process.arguments =
            ["serve", "--data-dir", self.dataDirectory, "--host", "127.0.0.1", "--port", "0"] + (demo ? [] : ["--no-demo"])
            + arguments.filter { $0 != "--demo" }
        var environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PSC_") }
        environment.merge(extra) { _, new in new }
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        try process.run()
        try waitUntilListening()
    }

    private func waitUntilListening() throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let log = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = log.range(of: "is listening on http://127.0.0.1:") {
                let digits = log[range.upperBound...].prefix { $0.isNumber }
                if let port = Int(digits), FileManager.default.fileExists(atPath: socketPath) {
                    self.port = port
                    return
                }
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        throw ServerFailure(log: (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "")
    }

    struct ServerFailure: Error, CustomStringConvertible {
        let log: String
        var description: String { "psc serve did not start:\n\(log)" }
    }

    func admin(_ arguments: [String]) throws -> CommandResult {
        try runCommand(Binaries.admin, ["--socket", socketPath] + arguments)
    }

    /// Sends a signal and waits for the process to end; returns its exit status.
    @discardableResult
    func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        return process.terminationStatus
    }

    func removeFiles() {
        try? FileManager.default.removeItem(atPath: dataDirectory)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
        removeFiles()
    }
}

/// A plain HTTP/1.1 exchange over a TCP socket, so tests control every byte sent.
struct HTTPExchange {
    let status: Int
    let headers: [String: String]
    let body: String
    /// The body's bytes, for files.
    var data = Data()

    static func send(port: Int, method: String = "GET", path: String, headers: [String: String] = [:], body: Data = Data()) throws
        -> HTTPExchange
    {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw POSIXError(.EIO) }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        var allHeaders = headers
        if allHeaders["Content-Length"] == nil, !body.isEmpty || ["POST", "PUT", "PATCH"].contains(method) {
            allHeaders["Content-Length"] = String(body.count)
        }
        for (name, value) in allHeaders { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        var request = Data(head.utf8)
        request.append(body)
        _ = request.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &buffer, buffer.count)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        let text = String(decoding: received, as: UTF8.self)
        guard let split = text.range(of: "\r\n\r\n") else { return HTTPExchange(status: 0, headers: [:], body: text) }
        let lines = text[..<split.lowerBound].components(separatedBy: "\r\n")
        let status = Int(lines.first?.split(separator: " ").dropFirst().first ?? "") ?? 0
        var parsed: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                parsed[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let bodyStart = received.range(of: Data("\r\n\r\n".utf8))?.upperBound ?? received.endIndex
        let exchange = HTTPExchange(
            status: status, headers: parsed, body: String(text[split.upperBound...]), data: Data(received[bodyStart...]))
        APITranscript.shared.record(method: method, path: path, exchange: exchange)
        return exchange
    }

    var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] ?? [:] }
}

/// Runs `status` commands on a thread of its own until the time is up or the server stops answering; each
/// acknowledged reply means one committed audit row.
final class CommitLoop: @unchecked Sendable {
    private let lock = NSLock()
    private var acknowledged = 0
    private let finished = DispatchSemaphore(value: 0)

    init(socketPath: String, seconds: Double) {
        Thread.detachNewThread { [self] in
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                guard let reply = try? AdminClient.send(AdminRequest(command: "status"), socketPath: socketPath), reply.ok else { break }
                lock.lock()
                acknowledged += 1
                lock.unlock()
            }
            finished.signal()
        }
    }

    /// Waits for the loop to end and returns how many commands were acknowledged.
    func wait() -> Int {
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        return acknowledged
    }
}

/// Every `/api` exchange the end-to-end tests make, one JSON line each in `.build/api-transcript.jsonl`, for the
/// conformance test (`Tests/System/test_openapi.py`) to check against the OpenAPI document: the real answers of
/// real calls, with real ids, owners and bodies. Started afresh by each test run.
final class APITranscript: @unchecked Sendable {
    static let shared = APITranscript()
    private let lock = NSLock()
    private let file: FileHandle?

    private init() {
        let path = FileManager.default.currentDirectoryPath + "/.build/api-transcript.jsonl"
        FileManager.default.createFile(atPath: path, contents: Data())
        file = FileHandle(forWritingAtPath: path)
    }

    func record(method: String, path: String, exchange: HTTPExchange) {
        guard path.hasPrefix("/api/"), exchange.status > 0 else { return }
        let parts = path.split(separator: "?", maxSplits: 1)
        let query = parts.count > 1 ? parts[1].split(separator: "&").map { String($0.split(separator: "=")[0]) } : []
        var entry: [String: Any] = [
            "method": method, "path": String(parts[0]), "query": query, "status": exchange.status,
            "content_type": exchange.headers["content-type"] ?? "",
        ]
        if (exchange.headers["content-type"] ?? "").hasPrefix("application/json"), exchange.data.count < 1 << 20 {
            entry["body"] = try? JSONSerialization.jsonObject(with: exchange.data, options: [.fragmentsAllowed])
        }
        guard let line = try? JSONSerialization.data(withJSONObject: entry) else { return }
        lock.lock()
        defer { lock.unlock() }
        file?.write(line + Data("\n".utf8))
    }
}
