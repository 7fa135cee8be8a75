import Foundation
import GRDB
import PSCAdmin
import PSCStore
import Testing

/// The built `psc` started as an operator would, spoken to over real HTTP and the real admin socket.
/// One parent, serialized: the end-to-end tests wait on processes synchronously, and two at once would hold both
/// threads of the cooperative pool on a 2-core machine, starving every other test (a lease watchdog among them).
@Suite("End to end", .serialized)
enum EndToEnd {}

extension EndToEnd {
    @Suite("Server")
    struct ServerEndToEndTests {
        @Test("HTTP routes, pages, errors, metrics and OpenAPI on a real port")
        func httpSurface() throws {
            let server = try ServerProcess()
            let health = try HTTPExchange.send(port: server.port, path: "/api/v1/health")
            #expect(health.status == 200)
            #expect(["healthy", "degraded"].contains(health.json["status"] as? String))
            let departments = try HTTPExchange.send(port: server.port, path: "/api/v1/departments")
            #expect((departments.json["items"] as? [Any])?.count ?? 0 >= 20)
            let home = try HTTPExchange.send(port: server.port, path: "/")
            #expect(home.status == 200 && home.body.contains("College of Technology"))
            #expect(home.headers["content-security-policy"]?.contains("default-src 'self'") == true)
            let missingAPI = try HTTPExchange.send(port: server.port, path: "/api/v1/nope")
            #expect(missingAPI.status == 404 && missingAPI.json["error"] as? String == "not_found")
            let missingPage = try HTTPExchange.send(port: server.port, path: "/nope")
            #expect(missingPage.status == 404 && missingPage.body.contains("Page not found"))
            let wrongMethod = try HTTPExchange.send(port: server.port, method: "POST", path: "/api/v1/health")
            #expect(wrongMethod.status == 405 && wrongMethod.headers["allow"] == "GET, HEAD")
            // A method the HTTP parser does not know never reaches the router; it still gets the JSON envelope.
            let unknownMethod = try HTTPExchange.send(port: server.port, method: "BREW", path: "/api/v1/health")
            #expect(unknownMethod.status == 501 && unknownMethod.json["error"] as? String == "not_implemented")
            #expect(unknownMethod.headers["content-type"] == "application/json; charset=utf-8")
            #expect((unknownMethod.json["request_id"] as? String)?.isEmpty == false)
            #expect(try HTTPExchange.send(port: server.port, path: "/api/v1/departments").status == 200, "the server keeps serving")
            let oversized = try HTTPExchange.send(
                port: server.port, method: "POST", path: "/api/v1/departments",
                headers: ["Content-Type": "application/json"], body: Data(count: 2 << 20))
            #expect(oversized.status == 413 && oversized.json["error"] as? String == "payload_too_large")
            let metrics = try HTTPExchange.send(port: server.port, path: "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.body.contains(#"pittstate_requests_total{method="GET",route="/api/v1/health",status="200"} 1"#))
            #expect(metrics.body.contains("pittstate_health_status{check=\"database\"}"))
            // Labelled series that alerts name exist at zero from the start, not from their first use.
            for series in [
                #"pittstate_errors_total{error_type="internal",severity="error"} 0"#,
                #"pittstate_jobs_finished_total{kind="notification.deliver",outcome="dead"} 0"#,
                #"pittstate_schedule_runs_total{schedule="wal_checkpoint",outcome="failed"} 0"#,
                #"pittstate_cache_requests_total{namespace="directory",result="miss"} 0"#,
            ] {
                #expect(metrics.body.contains(series), "\(series)")
            }
            let openapi = try HTTPExchange.send(port: server.port, path: "/api/openapi.json")
            #expect(openapi.json["openapi"] as? String == "3.1.0")
            #expect(server.stop() == 0)
        }

        @Test("psc-admin status, backup, checkpoint and friends over the real socket")
        func adminCommands() throws {
            let server = try ServerProcess()
            _ = try HTTPExchange.send(port: server.port, path: "/api/v1/health")
            let status = try server.admin(["--json", "status"])
            #expect(status.status == 0, "\(status.stderr)")
            let reply = try #require(AdminReply.decode(line: Data(status.stdout.utf8)))
            guard case .object(let result) = reply.result else { Issue.record("no result"); return }
            #expect(result["schema_version"] == .int(Int64(try Migrator.embedded().latestVersion)))
            #expect(result["requests_served"] == .int(1))
            #expect(result["sqlite_version"] != nil && result["wal_bytes"] != nil && result["uptime_seconds"] != nil)

            let backup = try server.admin(["backup"])
            #expect(backup.status == 0, "\(backup.stderr)")
            #expect(backup.stdout.contains("sha256: ") && backup.stdout.contains("verified: true"))
            let file = try #require(backup.stdout.split(separator: "\n").first { $0.hasPrefix("file: ") }).dropFirst(6)
            #expect(try server.admin(["backup", "verify", String(file)]).status == 0)
            #expect(try server.admin(["backup", "list"]).stdout.contains(String(file)))
            let named = server.dataDirectory + "/named-copy.db"
            #expect(try server.admin(["backup", named]).status == 0)
            #expect(FileManager.default.fileExists(atPath: named))
            let checkpoint = try server.admin(["checkpoint"])
            #expect(checkpoint.status == 0 && checkpoint.stdout.contains("mode: TRUNCATE"))
            #expect(try server.admin(["health"]).stdout.contains("database:"))
            #expect(try server.admin(["migrations"]).stdout.contains("0001_platform.sql"))
            #expect(try server.admin(["config", "check"]).stdout.contains("valid: true"))
            #expect(try server.admin(["audit", "verify"]).stdout.contains("intact: true"))

            let unknown = try server.admin(["frobnicate"])
            #expect(unknown.status == 1 && unknown.stderr.contains("unknown command"))
            let badArguments = try server.admin(["backup", "verify"])
            #expect(badArguments.status == 1 && badArguments.stderr.contains("usage"))
            let badFile = try server.admin(["backup", "verify", "/nonexistent/file.db"])
            #expect(badFile.status == 1)
            let missing = try runCommand(Binaries.admin, ["--socket", "/nonexistent/admin.sock", "status"])
            #expect(missing.status == 3 && missing.stderr.split(separator: "\n").count == 1)

            server.stop()
            let store = try Store(path: server.databasePath)
            let audited = try store.read {
                try Int.fetchOne($0, sql: "SELECT count(*) FROM audit_log WHERE action = 'admin_socket.command'") ?? 0
            }
            #expect(audited == 13, "every command that reached the server, failed ones included")
            let uid = try store.read {
                try String.fetchOne(
                    $0, sql: "SELECT json_extract(details, '$.uid') FROM audit_log WHERE action = 'admin_socket.command' LIMIT 1")
            }
            #expect(uid == String(getuid()))
            try store.close()
        }

        @Test("malformed, mistyped and 10 MB admin lines get error answers while the server keeps serving")
        func adminBadInput() throws {
            let server = try ServerProcess()
            let descriptor = try AdminClient.connect(to: server.socketPath)
            let lines = [
                "this is not json", "[1,2,3]", #"{"command":"status"}"#, #"{"v":2,"command":"status"}"#,
                #"{"v":1,"command":5}"#, #"{"v":1,"command":"status","args":[1]}"#, #"{"v":1,"command":"status","args":"x"}"#,
            ]
            var received = ""
            for line in lines {
                _ = (line + "\n").withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
                received += readLine(descriptor)
            }
            let replies = received.split(separator: "\n").compactMap { AdminReply.decode(line: Data($0.utf8)) }
            #expect(replies.count == lines.count)
            #expect(replies.allSatisfy { !$0.ok })
            #expect(replies[3].error == "unsupported_version")
            // The same connection still works after errors.
            _ = (#"{"v":1,"command":"status"}"# + "\n").withCString { send(descriptor, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            #expect(AdminReply.decode(line: Data(readLine(descriptor).utf8))?.ok == true)
            close(descriptor)

            let big = try AdminClient.connect(to: server.socketPath)
            let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20)
            for _ in 0..<10 { _ = chunk.withUnsafeBytes { send(big, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } }
            let answer = readLine(big)
            #expect(AdminReply.decode(line: Data(answer.utf8))?.error == "line_too_long")
            close(big)

            #expect(try server.admin(["status"]).status == 0)
            #expect(try HTTPExchange.send(port: server.port, path: "/api/v1/health").status == 200)
            server.stop()
        }

        private func readLine(_ descriptor: Int32) -> String {
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while read(descriptor, &byte, 1) == 1 {
                bytes.append(byte)
                if byte == UInt8(ascii: "\n") { break }
            }
            return String(decoding: bytes, as: UTF8.self)
        }

        @Test("a peer that is not root, the service user or in psc-admin is refused")
        func refusedPeer() throws {
            guard getuid() == 0 else {
                print("skipped: refusing a peer needs a second user, and creating one needs root")
                return
            }
            let user = "pscnobody\(Int.random(in: 1000...9999))"
            let created = try runCommand("/usr/sbin/useradd", ["--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user])
            try #require(created.status == 0, "useradd failed: \(created.stderr)")
            defer { _ = try? runCommand("/usr/sbin/userdel", [user]) }
            let server = try ServerProcess()
            // Open the file modes wide so the refusal comes from the peer-credential check, not from the file system.
            chmod(server.socketPath, 0o666)
            chmod(server.dataDirectory, 0o755)
            let client = NSTemporaryDirectory() + "psc-admin-\(user)"
            try? FileManager.default.removeItem(atPath: client)
            try FileManager.default.copyItem(atPath: Binaries.admin, toPath: client)
            chmod(client, 0o755)
            defer { try? FileManager.default.removeItem(atPath: client) }
            let refused = try runCommand("/usr/sbin/runuser", ["-u", user, "--", client, "--socket", server.socketPath, "status"])
            #expect(refused.status == 4, "\(refused.stdout) \(refused.stderr)")
            #expect(refused.stderr.contains("may not use the admin socket"))
            #expect(try server.admin(["status"]).status == 0)
            server.stop()
            let store = try Store(path: server.databasePath)
            let denied = try store.read {
                try Int.fetchOne(
                    $0,
                    sql: "SELECT count(*) FROM audit_log WHERE outcome = 'failure' AND json_extract(details, '$.error') = 'access_denied'")
            }
            #expect(denied == 1)
            try store.close()
        }

        private func auditedCommands(in path: String) throws -> Int {
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? queue.close() }
            return try queue.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                #expect(try AuditLog.verify(in: db).firstBadID == nil)
                return try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action = 'admin_socket.command'") ?? 0
            }
        }

        @Test("after kill -9 mid-write the database is intact and holds every acknowledged write")
        func killNine() throws {
            let server = try ServerProcess()
            let loop = CommitLoop(socketPath: server.socketPath, seconds: 3)
            usleep(1_000_000)
            server.stop(signal: SIGKILL)
            let committed = loop.wait()
            #expect(committed > 10)
            #expect(try auditedCommands(in: server.databasePath) >= committed)
        }

        @Test("after SIGTERM the .db file alone holds every committed row")
        func gracefulStop() throws {
            let server = try ServerProcess()
            let committed = CommitLoop(socketPath: server.socketPath, seconds: 0.5).wait()
            #expect(committed > 5)
            #expect(server.stop(signal: SIGTERM) == 0)
            let copyDirectory = NSTemporaryDirectory() + "psc-copy-\(UUID().uuidString)"
            try FileManager.default.createDirectory(atPath: copyDirectory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: copyDirectory) }
            try FileManager.default.copyItem(atPath: server.databasePath, toPath: copyDirectory + "/psc.db")
            #expect(try auditedCommands(in: copyDirectory + "/psc.db") == committed)
        }

        @Test("a backup taken while commands commit is intact and a consistent prefix of the audit chain")
        func backupUnderLoad() throws {
            let server = try ServerProcess()
            let loop = CommitLoop(socketPath: server.socketPath, seconds: 1.5)
            usleep(500_000)
            let backup = try server.admin(["--json", "backup"])
            _ = loop.wait()
            #expect(backup.status == 0, "\(backup.stderr)")
            guard let reply = AdminReply.decode(line: Data(backup.stdout.utf8)), case .object(let result) = reply.result,
                case .string(let file)? = result["file"]
            else {
                Issue.record("no backup file in \(backup.stdout)")
                return
            }
            var configuration = GRDB.Configuration()
            configuration.readonly = true
            let queue = try DatabaseQueue(path: file, configuration: configuration)
            try queue.read { db in
                #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
                let (count, maximum) = (
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log") ?? 0,
                    try Int.fetchOne(db, sql: "SELECT max(id) FROM audit_log") ?? 0
                )
                #expect(count == maximum && count > 0, "ids 1...k with no gap")
                #expect(try AuditLog.verify(in: db).firstBadID == nil)
            }
            try queue.close()
            server.stop()
        }

        @Test("an edited applied migration stops start-up naming the file")
        func editedMigrationStopsStartUp() throws {
            let server = try ServerProcess()
            server.stop()
            let directory = server.dataDirectory
            let store = try Store(path: server.databasePath)
            try store.write { try $0.execute(sql: "UPDATE schema_migrations SET sha256 = 'edited' WHERE version = 2") }
            try store.close()
            let result = try runCommand(Binaries.psc, ["serve", "--data-dir", directory, "--port", "0"], timeout: 30)
            #expect(result.status != 0)
            #expect(result.stderr.contains("schema/0002_audit_log.sql"), "\(result.stderr)")
        }

        @Test("a second server on the same data directory and an unknown setting are refused with a clear message")
        func startUpRefusals() throws {
            let server = try ServerProcess()
            let second = try runCommand(Binaries.psc, ["serve", "--data-dir", server.dataDirectory, "--port", "0"], timeout: 30)
            #expect(second.status != 0 && second.stderr.contains("already running"))
            let badKey = try runCommand(
                Binaries.psc, ["serve", "--data-dir", server.dataDirectory + "-x", "--port", "0"],
                environment: ["PSC_HTTP_PROT": "1"], timeout: 30)
            #expect(badKey.status != 0 && badKey.stderr.contains("PSC_HTTP_PROT"))
            let badValue = try runCommand(
                Binaries.psc, ["serve", "--data-dir", server.dataDirectory + "-x", "--port", "99999"], timeout: 30)
            #expect(badValue.status != 0 && badValue.stderr.contains("http.port"))
            server.stop()
            let check = try runCommand(Binaries.psc, ["check", "--data-dir", server.dataDirectory])
            #expect(check.status == 0, "\(check.stdout)")
            #expect(check.stdout.contains("journal_mode=wal") && check.stdout.contains("quick_check: ok"))
            try? FileManager.default.removeItem(atPath: server.dataDirectory + "-x")
        }

        @Test("psc restore replaces the database with a backup and keeps the old one aside")
        func restore() throws {
            let server = try ServerProcess()
            let backup = try server.admin(["--json", "backup"])
            guard let reply = AdminReply.decode(line: Data(backup.stdout.utf8)), case .object(let result) = reply.result,
                case .string(let file)? = result["file"]
            else {
                Issue.record("no backup")
                return
            }
            let whileRunning = try runCommand(Binaries.psc, ["restore", "--data-dir", server.dataDirectory, file])
            #expect(whileRunning.status != 0 && whileRunning.stderr.contains("stop it"))
            server.stop()
            let restored = try runCommand(Binaries.psc, ["restore", "--data-dir", server.dataDirectory, file])
            #expect(restored.status == 0, "\(restored.stderr)")
            #expect(restored.stdout.contains("kept as"))
            let again = try ServerProcess(dataDirectory: server.dataDirectory)
            #expect(try again.admin(["audit", "verify"]).status == 0)
            again.stop()
        }
    }
}

extension EndToEnd {
    @Suite("Jobs")
    struct JobsEndToEndTests {
        @Test("psc-admin jobs: run a schedule, list, show, and clear errors for bad input")
        func adminJobs() throws {
            let server = try ServerProcess()
            let run = try server.admin(["jobs", "run", "wal_checkpoint"])
            #expect(run.status == 0, "\(run.stderr)")
            var finished = false
            for _ in 0..<200 where !finished {
                finished = try server.admin(["jobs", "list", "--state", "succeeded", "--kind", "wal_checkpoint"]).stdout.contains(
                    "wal_checkpoint")
                if !finished { usleep(50_000) }
            }
            #expect(finished)
            // A scheduled slot may fall due during the test, so the manual run's id is read from the list.
            let listed = try server.admin(["jobs", "list", "--kind", "wal_checkpoint"]).stdout
            let id = listed.components(separatedBy: "\n").first { $0.contains("id: ") }?.components(separatedBy: "id: ").last ?? "1"
            #expect(try server.admin(["jobs", "show", id]).stdout.contains("unique_key: manual:wal_checkpoint:"))
            let schedule = try server.admin(["jobs", "schedule"])
            #expect(schedule.stdout.contains("name: backup") && schedule.stdout.contains("next_slot:"))
            for bad in [
                ["jobs", "show", "abc"], ["jobs", "list", "--state", "exploded"], ["jobs", "retry", "999"], ["jobs", "run", "nope"],
                ["jobs", "pause", "nope"], ["jobs", "list", "--kind"], ["jobs", "frobnicate"],
            ] {
                let result = try server.admin(bad)
                #expect(result.status == 1, "\(bad)")
                #expect(result.stderr.split(separator: "\n").count == 1, "one line for \(bad): \(result.stderr)")
            }
            server.stop()
        }

        @Test("a job left running by a killed server is run again after the restart; queued jobs survive")
        func atLeastOnceAfterKill() throws {
            let server = try ServerProcess()
            server.stop(signal: SIGKILL)
            // What kill -9 leaves behind: one job mid-run with a lease that has since expired, one never started.
            let store = try Store(path: server.databasePath)
            try store.write { db in
                for (state, lease) in [("running", "2020-01-01T00:00:00.000Z"), ("available", nil)] as [(String, String?)] {
                    try db.execute(
                        sql: """
                            INSERT INTO jobs (queue, kind, payload, priority, run_at, state, attempts, max_attempts, lease_owner, lease_expires_at,
                                created_at, updated_at)
                            VALUES ('maintenance', 'wal_checkpoint', '{"schedule":"wal_checkpoint","slot":"manual:test"}', 0,
                                '2020-01-01T00:00:00.000Z', ?, ?, 3, ?, ?, '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')
                            """,
                        arguments: [state, state == "running" ? 1 : 0, lease.map { _ in "12345:maintenance:0" }, lease])
                }
            }
            try store.close()
            let again = try ServerProcess(dataDirectory: server.dataDirectory)
            var states: [String] = []
            for _ in 0..<200 {
                states = try Store.readOnlyStates(again.databasePath)
                if states == ["succeeded", "succeeded"] { break }
                usleep(50_000)
            }
            #expect(states == ["succeeded", "succeeded"])
            again.stop()
        }
    }
}

extension EndToEnd.JobsEndToEndTests {
    @Test("kill -9 while backups run: after the restart every job has run and none is lost")
    func killNineWithJobsRunning() throws {
        let server = try ServerProcess()
        let count = 40
        // Queued straight into the table: `psc-admin jobs run` allows one manual run a minute.
        let store = try Store(path: server.databasePath)
        try store.write { db in
            for index in 0..<count {
                try db.execute(
                    sql: """
                        INSERT INTO jobs (queue, kind, payload, priority, run_at, state, attempts, max_attempts, created_at, updated_at)
                        VALUES ('maintenance', 'backup', ?, 0, '2020-01-01T00:00:00.000Z', 'available', 0, 3,
                            '2020-01-01T00:00:00.000Z', '2020-01-01T00:00:00.000Z')
                        """,
                    arguments: [#"{"schedule":"backup","slot":"manual:kill-test-\#(index)"}"#])
            }
        }
        try store.close()
        // An enqueue through the server wakes the maintenance workers, which then claim the backups in batches.
        #expect(try server.admin(["jobs", "run", "wal_checkpoint"]).status == 0)
        var sawRunning = false
        for _ in 0..<2000 where !sawRunning {
            sawRunning = try Store.readOnlyStates(server.databasePath).contains("running")
            if !sawRunning { usleep(2_000) }
        }
        #expect(sawRunning, "the backups started")
        server.stop(signal: SIGKILL)
        let interrupted = try Store.readOnlyStates(server.databasePath).filter { $0 == "running" }.count
        #expect(interrupted > 0, "jobs were mid-run when the server was killed")

        let again = try ServerProcess(dataDirectory: server.dataDirectory)
        var states: [String] = []
        for _ in 0..<600 {
            states = try Store.readOnlyStates(again.databasePath)
            if states.count == count + 1 && states.allSatisfy({ $0 == "succeeded" }) { break }
            usleep(50_000)
        }
        #expect(states.count == count + 1, "no job was lost")
        #expect(states.allSatisfy { $0 == "succeeded" }, "\(states)")
        let rerun = try Store.readOnlyAttempts(again.databasePath).filter { $0 >= 2 }.count
        #expect(rerun >= interrupted, "the interrupted jobs ran again")
        again.stop()
    }
}

extension Store {
    /// The attempts of every job, read-only.
    static func readOnlyAttempts(_ path: String) throws -> [Int] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read {
            try Int.fetchAll($0, sql: "SELECT attempts FROM jobs WHERE json_extract(payload, '$.slot') LIKE 'manual:%' ORDER BY id")
        }
    }

    /// The states of the jobs the test queued by hand (slot `manual:…`), read without disturbing the running server
    /// (a read-only connection). A scheduled slot that falls due while the test runs is left out.
    static func readOnlyStates(_ path: String) throws -> [String] {
        var configuration = GRDB.Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read {
            try String.fetchAll($0, sql: "SELECT state FROM jobs WHERE json_extract(payload, '$.slot') LIKE 'manual:%' ORDER BY id")
        }
    }
}
