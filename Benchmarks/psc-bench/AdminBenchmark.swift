import Foundation
import GRDB
import Hummingbird
import Logging
import PSCApp
import PSCCore
import PSCStore
import PSCWeb
import Synchronization

/// Evaluating twenty flags for one request from the in-process copy with a warm cache (issue target < 20 µs in all).
func flagBenchmark() throws {
    let rounds = Int(option("--rounds", default: "1000000")) ?? 1_000_000
    let directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try Store(path: directory + "/psc.db")
    try Migrator.embedded().migrate(store)
    let flags = try FeatureFlagStore(store: store)
    let audit = AuditEntry(actorKind: .system, action: "bench")
    for index in 0..<5 {
        _ = try flags.create(
            name: "bench_flag_\(index)",
            fields: FeatureFlagFields(
                description: "bench", enabled: true, rolloutPercentage: 37.5, targetUsers: [7, 8, 9], targetRoles: [.student, .alumni]),
            by: nil, audit: audit)
    }
    let names = flags.all.map(\.name)
    precondition(names.count == 20)
    let caller = FeatureFlagRules.Caller(userID: 4242, role: .student)
    var on = 0
    for name in names where flags.isOn(name, for: caller) { on += 1 }
    let start = ContinuousClock.now
    var checksum = 0
    for round in 0..<rounds {
        let caller = FeatureFlagRules.Caller(userID: Int64(round % 50_000 + 1), role: .student)
        for name in names where flags.isOn(name, for: caller) { checksum &+= 1 }
    }
    let perRequest = seconds(since: start) / Double(rounds) * 1e6
    try store.close()
    print(
        #"{"benchmark":"flags","flags":\#(names.count),"rounds":\#(rounds),"microseconds_per_20_evaluations":\#(String(format: "%.2f", perRequest)),"#
            + #""checksum":\#(checksum),"on_for_sample_caller":\#(on)}"#)
}

/// A server's platform on a fresh directory holding the synthetic campus, as `psc seed --synthetic` makes it, with
/// rate limits and the admins' second factor off; `remove()` deletes the directory.
struct SyntheticCampus {
    let directory: String
    let platform: Platform
    let logger: Logger
    let seedSeconds: Double

    init(users: Int) throws {
        directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
        let flags = [
            "data_dir": directory, "http.port": "0", "rate_limits.enabled": "false", "demo_accounts": "false",
            "security.require_2fa_for_admins": "false",
        ]
        let configuration = try Configuration.load(flags: flags, environment: [:])
        var logger = Logger(label: "psc-bench")
        logger.logLevel = .error
        self.logger = logger
        platform = try Platform.open(configuration: configuration, sources: .init(flags: flags, configFile: nil), logger: logger)
        let seedStart = ContinuousClock.now
        _ = try CampusSeeder(store: platform.store).seed(.synthetic(users: users))
        seedSeconds = seconds(since: seedStart)
        // As `psc seed` does: the seeder's WAL would otherwise be checkpointed by the first request that writes.
        _ = try platform.store.checkpoint(truncate: true)
    }

    /// A new admin's session cookie value.
    func adminSession() throws -> String {
        let origin = RequestOrigin(ip: nil, userAgent: "psc-bench")
        let adminID = try platform.accounts.register(
            NewAccount(
                email: "bench.admin@pittstate.edu", passwordHash: nil, role: .admin, status: .active, firstName: "Bench", lastName: "Admin"),
            origin: origin)
        return try platform.sessions.create(userID: adminID, remember: false, lifetime: .standard, methods: ["password"], origin: origin).0
    }

    func remove() { try? FileManager.default.removeItem(atPath: directory) }
}

/// ADM-1 over HTTP on a synthetic campus: an admin's searches (by name and email fragments, role and status filters,
/// the first page and deeper ones) from `--clients` keep-alive connections at once; latency percentiles.
func peopleBenchmark() async throws {
    let users = Int(option("--users", default: "50000")) ?? 50_000
    let requests = Int(option("--requests", default: "4000")) ?? 4000
    let clients = Int(option("--clients", default: "8")) ?? 8
    let campus = try SyntheticCampus(users: users)
    defer { campus.remove() }
    let (platform, logger, seedSeconds) = (campus.platform, campus.logger, campus.seedSeconds)
    let token = try campus.adminSession()
    let (server, bound) = try await serveInProcess(platform, logger: logger)
    let queries = [
        "/api/v1/admin/users", "/api/v1/admin/users?q=taylor", "/api/v1/admin/users?q=morgan%20r", "/api/v1/admin/users?q=alumni.example",
        "/api/v1/admin/users?role=faculty", "/api/v1/admin/users?status=active&role=student&limit=50",
        "/api/v1/admin/users?q=jo&role=alumni",
        "/api/v1/admin/users?has_2fa=false&limit=50", "/api/v1/admin/users?q=zz-nobody",
    ].map { Array("GET \($0) HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: psc_session=\(token)\r\n\r\n".utf8) }
    final class Times: Sendable {
        let values = Mutex<[Double]>([])
        let byQuery = Mutex<[Int: [Double]]>([:])
    }
    let times = Times()
    try await withThrowingTaskGroup(of: Void.self) { group in
        for clientIndex in 0..<clients {
            group.addTask {
                try await Offload.run {
                    let client = try BlockingHTTPClient(port: bound)
                    var mine: [Double] = []
                    for index in 0..<(requests / clients) {
                        let start = ContinuousClock.now
                        let status = client.send(queries[(index + clientIndex) % queries.count])
                        precondition(status == 200, "status \(status)")
                        let elapsed = seconds(since: start) * 1000
                        mine.append(elapsed)
                        times.byQuery.withLock { $0[(index + clientIndex) % queries.count, default: []].append(elapsed) }
                    }
                    times.values.withLock { $0 += mine }
                }
            }
        }
        try await group.waitForAll()
    }
    server.cancel()
    let all = times.values.withLock { $0 }
    let byQuery = times.byQuery.withLock { $0 }
    let medians = byQuery.keys.sorted().map { String(format: "%.1f", median(byQuery[$0] ?? [0])) }.joined(separator: ",")
    func ms(_ value: Double) -> String { String(format: "%.2f", value) }
    print(
        #"{"benchmark":"people","users":\#(users),"seed_seconds":\#(String(format: "%.1f", seedSeconds)),"requests":\#(all.count),"#
            + #""clients":\#(clients),"p50_ms":\#(ms(percentile(all, 0.5))),"p90_ms":\#(ms(percentile(all, 0.9))),"p99_ms":\#(ms(percentile(all, 0.99))),"#
            + #""max_ms":\#(ms(all.max() ?? 0)),"median_ms_by_query":[\#(medians)]}"#)
}

/// "Back up now" against writers: a database of `--mb` megabytes, `--writers` threads each committing one small row
/// after another; write latency and the longest stall while idle, then while a backup runs, and the WAL's peak size.
func backupBenchmark() throws {
    let megabytes = Int(option("--mb", default: "160")) ?? 160
    let writers = Int(option("--writers", default: "4")) ?? 4
    let idleSeconds = Double(option("--idle-seconds", default: "8")) ?? 8
    let directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try Store(path: directory + "/psc.db")
    let migrator = try Migrator.embedded()
    try migrator.migrate(store)
    try store.write { db in
        try db.execute(
            sql: "CREATE TABLE bench_rows (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, body TEXT NOT NULL, created_at TEXT NOT NULL)")
    }
    let filler = String(repeating: "x", count: 3000)
    var written = 0
    while store.databaseBytes() + store.walBytes() < Int64(megabytes) << 20 {
        try store.write { db in
            for _ in 0..<2000 {
                try db.execute(sql: "INSERT INTO bench_rows (writer, body, created_at) VALUES (0, ?, '2026-01-01')", arguments: [filler])
            }
        }
        written += 2000
        if written % 20_000 == 0 { _ = try store.checkpoint(truncate: true) }
    }
    _ = try store.checkpoint(truncate: true)
    let backups = BackupService(store: store, migrator: migrator, defaultDirectory: directory + "/backups")

    struct Phase { var latencies: [Double] = []; var maxWAL: Int64 = 0 }
    func run(seconds duration: Double?, during work: (() throws -> Void)?) throws -> Phase {
        let stop = Atomic<Bool>(false)
        let collected = Mutex<[Double]>([])
        let peak = Atomic<Int64>(0)
        let group = DispatchGroup()
        for writer in 1...writers {
            group.enter()
            Thread.detachNewThread {
                var mine: [Double] = []
                while !stop.load(ordering: .relaxed) {
                    let start = ContinuousClock.now
                    try? store.write { db in
                        try db.execute(
                            sql:
                                "INSERT INTO bench_rows (writer, body, created_at) VALUES (?, 'a small row of about eighty bytes in all', '2026-01-01')",
                            arguments: [writer])
                    }
                    mine.append(seconds(since: start) * 1000)
                    let wal = store.walBytes()
                    if wal > peak.load(ordering: .relaxed) { peak.store(wal, ordering: .relaxed) }
                    Thread.sleep(forTimeInterval: 0.002)
                }
                collected.withLock { $0 += mine }
                group.leave()
            }
        }
        if let work { try work() } else { Thread.sleep(forTimeInterval: duration ?? 5) }
        stop.store(true, ordering: .relaxed)
        group.wait()
        return Phase(latencies: collected.withLock { $0 }, maxWAL: peak.load(ordering: .relaxed))
    }
    let idle = try run(seconds: idleSeconds, during: nil)
    // `--method vacuum` replays the earlier way (a TRUNCATE checkpoint, then VACUUM INTO from a reader) for comparison.
    let method = option("--method", default: "online")
    var backupSeconds = 0.0
    let during = try run(seconds: nil) {
        let start = ContinuousClock.now
        if method == "vacuum" {
            _ = try? store.checkpoint(truncate: true)
            let copy = directory + "/vacuum-copy.db"
            try store.pool.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [copy]) }
        } else {
            _ = try backups.backup(kind: "manual")
        }
        backupSeconds = seconds(since: start)
    }
    try store.close()
    func ms(_ value: Double) -> String { String(format: "%.1f", value) }
    print(
        #"{"benchmark":"backup","method":"\#(method)","database_mb":\#(megabytes),"writers":\#(writers),"backup_seconds":\#(String(format: "%.2f", backupSeconds)),"#
            + #""idle_p50_ms":\#(ms(percentile(idle.latencies, 0.5))),"idle_p99_ms":\#(ms(percentile(idle.latencies, 0.99))),"#
            + #""idle_max_ms":\#(ms(idle.latencies.max() ?? 0)),"backup_p50_ms":\#(ms(percentile(during.latencies, 0.5))),"#
            + #""backup_p99_ms":\#(ms(percentile(during.latencies, 0.99))),"backup_max_ms":\#(ms(during.latencies.max() ?? 0)),"#
            + #""writes_idle":\#(idle.latencies.count),"writes_during_backup":\#(during.latencies.count),"#
            + #""wal_peak_mb_idle":\#(idle.maxWAL >> 20),"wal_peak_mb_backup":\#(during.maxWAL >> 20)}"#)
}
