import Foundation
import Hummingbird
import Logging
import PSCApp
import PSCCore
import PSCStore
import PSCWeb
import Synchronization

/// A keep-alive HTTP/1.1 client on a blocking socket, so the benchmark measures the server, not a client library.
final class BlockingHTTPClient {
    let descriptor: Int32
    var buffer = [UInt8](repeating: 0, count: 1 << 16)

    init(port: Int) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    deinit { close(descriptor) }

    /// Sends one request and reads the whole response (by Content-Length); returns the status code.
    func send(_ request: [UInt8]) -> Int {
        _ = request.withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var received: [UInt8] = []
        while true {
            let count = recv(descriptor, &buffer, buffer.count, 0)
            guard count > 0 else { return 0 }
            received.append(contentsOf: buffer[0..<count])
            guard let headerEnd = Self.find([13, 10, 13, 10], in: received) else { continue }
            let head = String(decoding: received[0..<headerEnd], as: UTF8.self)
            let length =
                head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
                .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
            if received.count >= headerEnd + 4 + length { return Int(head.split(separator: " ")[1]) ?? 0 }
        }
    }

    static func find(_ needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for index in 0...(haystack.count - needle.count) where Array(haystack[index..<index + needle.count]) == needle { return index }
        return nil
    }
}

/// The shipped application on a loopback port chosen by the system; cancel the task to stop it.
func serveInProcess(_ platform: Platform, logger: Logger) async throws -> (task: Task<Void, any Error>, port: Int) {
    let port = Mutex<Int?>(nil)
    let application = try buildApplication(platform: platform, logger: logger, accessLog: AccessLogSink(enabled: false)) { bound in
        port.withLock { $0 = bound }
    }
    let server = Task { try await application.runService() }
    while true {
        if let bound = port.withLock({ $0 }) { return (server, bound) }
        try await Task.sleep(for: .milliseconds(20))
    }
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
func percentile(_ values: [Double], _ p: Double) -> Double { values.sorted()[min(values.count - 1, Int(Double(values.count) * p))] }

/// The cost of authentication on a GET: the same route (DEP-1, the department list) with a session cookie and
/// without, alternating on one keep-alive connection; then password sign-ins per second with the shipped bcrypt cost.
func authBenchmark() async throws {
    let requests = Int(option("--requests", default: "20000")) ?? 20_000
    let signIns = Int(option("--sign-ins", default: "40")) ?? 40
    let directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let flags = ["data_dir": directory, "http.port": "0", "rate_limits.enabled": "false", "demo_accounts": "false"]
    let configuration = try Configuration.load(flags: flags, environment: [:])
    var logger = Logger(label: "psc-bench")
    logger.logLevel = .error
    let platform = try Platform.open(configuration: configuration, sources: .init(flags: flags, configFile: nil), logger: logger)
    let password = "correct horse battery staple"
    let hash = PasswordHasher.hash(password)
    let email = "bench.user@gus.pittstate.edu"
    let userID = try platform.accounts.register(
        NewAccount(
            email: email, passwordHash: hash, role: .student, status: .active, firstName: "Bench", lastName: "User", emailVerified: true),
        origin: RequestOrigin(ip: nil, userAgent: "psc-bench"))
    let (token, _) = try platform.sessions.create(
        userID: userID, remember: false, lifetime: .standard, methods: ["password"], origin: RequestOrigin(ip: nil, userAgent: "psc-bench"))

    let (server, bound) = try await serveInProcess(platform, logger: logger)

    let anonymous = Array("GET /api/v1/departments HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    let signedIn = Array("GET /api/v1/departments HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: psc_session=\(token)\r\n\r\n".utf8)
    let (anonymousTimes, signedInTimes) = try await Offload.run {
        let client = try BlockingHTTPClient(port: bound)
        for _ in 0..<2000 {
            precondition(client.send(anonymous) == 200 && client.send(signedIn) == 200)
        }
        var anonymousTimes: [Double] = []
        var signedInTimes: [Double] = []
        for index in 0..<requests {
            let request = index % 2 == 0 ? anonymous : signedIn
            let start = ContinuousClock.now
            let status = client.send(request)
            let elapsed = seconds(since: start) * 1000
            precondition(status == 200)
            if index % 2 == 0 { anonymousTimes.append(elapsed) } else { signedInTimes.append(elapsed) }
        }
        return (anonymousTimes, signedInTimes)
    }

    let body = Array(#"{"email":"\#(email)","password":"\#(password)"}"#.utf8)
    let login =
        Array(
            "POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8)
        + body
    let loginStart = ContinuousClock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for _ in 0..<2 {
            group.addTask {
                try await Offload.run {
                    let client = try BlockingHTTPClient(port: bound)
                    for _ in 0..<(signIns / 2) { precondition(client.send(login) == 200) }
                }
            }
        }
        try await group.waitForAll()
    }
    let loginSeconds = seconds(since: loginStart)
    server.cancel()

    func ms(_ value: Double) -> String { String(format: "%.3f", value) }
    print(
        #"{"benchmark":"auth","requests_each":\#(anonymousTimes.count),"anonymous_median_ms":\#(ms(median(anonymousTimes))),"#
            + #""signed_in_median_ms":\#(ms(median(signedInTimes))),"overhead_median_ms":\#(ms(median(signedInTimes) - median(anonymousTimes))),"#
            + #""anonymous_p90_ms":\#(ms(percentile(anonymousTimes, 0.9))),"signed_in_p90_ms":\#(ms(percentile(signedInTimes, 0.9))),"#
            + #""bcrypt_cost":12,"sign_ins":\#(signIns),"sign_ins_per_second":\#(String(format: "%.1f", Double(signIns) / loginSeconds))}"#)
}
