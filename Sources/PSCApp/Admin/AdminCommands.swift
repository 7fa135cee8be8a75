import Foundation
import Logging
import PSCAdmin
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The server side of `psc-admin` (00-conventions §11): runs each command against the platform and writes it
/// to the audit log with the peer's uid.
public struct AdminCommands: AdminCommandHandler {
    let platform: Platform
    let background: BackgroundWork?
    let logger: Logger
    /// psc's own certificate, when it serves HTTPS (`tls reload`).
    let tls: TLSCertificates?

    public init(platform: Platform, background: BackgroundWork?, logger: Logger, tls: TLSCertificates? = nil) {
        self.platform = platform
        self.background = background
        self.logger = logger
        self.tls = tls
    }

    /// A command's own failure, answered as `{"ok": false, "error": code}`.
    struct Failure: Error {
        let code: String
        let message: String
        init(_ code: String, _ message: String) {
            self.code = code
            self.message = message
        }
    }

    /// `--flag value` pairs after a subcommand, each flag one of `allowed`; a missing value or another flag fails.
    static func options(_ args: ArraySlice<String>, allowed: [String]) throws -> [String: String] {
        var options: [String: String] = [:]
        var rest = args
        while let flag = rest.first {
            rest = rest.dropFirst()
            guard allowed.contains(flag) else {
                throw Failure("bad_arguments", "unknown option \(flag); use \(allowed.joined(separator: " or "))")
            }
            guard let value = rest.first else { throw Failure("bad_arguments", "\(flag) needs a value") }
            rest = rest.dropFirst()
            options[flag] = value
        }
        return options
    }

    static let usage: [String: String] = [
        "status": "status", "health": "health", "checkpoint": "checkpoint", "migrations": "migrations",
        "backup": "backup [DEST] | backup list | backup verify FILE", "config": "config check | config show",
        "audit": "audit verify | audit tail [N]", "monitoring": "monitoring alert-rules", "tls": "tls show | tls reload",
        "cache": "cache stats | cache clear [NAMESPACE]",
        "jobs": "jobs list [--state S] [--kind K] | show ID | retry ID | discard ID | run NAME | pause NAME | resume NAME | schedule",
    ]

    public func handle(_ request: AdminRequest, from peer: PeerCredentials) async -> AdminReply {
        let reply: AdminReply
        do {
            reply = .success(try await run(request))
        } catch let failure as Failure {
            reply = .failure(failure.code, failure.message)
        } catch let error as StoreError {
            reply = .failure("failed", error.description)
        } catch {
            logger.error("admin command failed", metadata: ["command": "\(request.command)", "error": "\(error)"])
            reply = .failure("internal", "the command failed on the server; see the server log")
        }
        let outcome: AuditEntry.Outcome = reply.ok ? .success : .failure
        _ = try? await Offload.run { self.audit(request, peer: peer, outcome: outcome, error: reply.error) }
        return reply
    }

    public func refused(_ peer: PeerCredentials) async {
        _ = try? await Offload.run { self.audit(AdminRequest(command: "(refused)"), peer: peer, outcome: .failure, error: "access_denied") }
    }

    private func audit(_ request: AdminRequest, peer: PeerCredentials, outcome: AuditEntry.Outcome, error: String?) {
        var details: [String: JSONValue] = [
            "command": .string(request.command), "args": .array(request.args.prefix(16).map { .string(String($0.prefix(256))) }),
            "uid": .int(Int64(peer.uid)), "os_user": .string(peer.userName), "pid": .int(Int64(peer.pid)),
        ]
        if let error { details["error"] = .string(error) }
        do {
            try platform.store.write { db in
                try AuditLog.append(
                    AuditEntry(
                        actorKind: .adminSocket, action: "admin_socket.command", details: details,
                        severity: error == "access_denied" ? .warning : .info, outcome: outcome),
                    in: db
                )
            }
        } catch {
            logger.error("could not write the audit record of an admin command", metadata: ["error": "\(error)"])
        }
    }

    private func run(_ request: AdminRequest) async throws -> JSONValue {
        switch (request.command, request.args.first) {
        case ("status", nil): return try await status()
        case ("health", nil): return await health()
        default:
            // Every other command is synchronous database or file work (a backup takes seconds): off the
            // cooperative pool that serves HTTP.
            return try await Offload.run { try self.runSynchronously(request) }
        }
    }

    private func runSynchronously(_ request: AdminRequest) throws -> JSONValue {
        let args = request.args
        switch (request.command, args.first) {
        case ("checkpoint", nil): return try checkpoint()
        case ("migrations", nil): return try migrations()
        case ("backup", "list") where args.count == 1: return try backupList()
        case ("backup", "verify") where args.count == 2: return try backupVerify(args[1])
        case ("backup", nil): return try backup(to: nil)
        case ("backup", let destination?) where args.count == 1 && !["list", "verify"].contains(destination):
            return try backup(to: destination)
        case ("config", "check") where args.count == 1: return configCheck()
        case ("config", "show") where args.count == 1: return configShow()
        case ("audit", "verify") where args.count == 1: return try auditVerify()
        case ("audit", "tail") where args.count <= 2: return try auditTail(Array(args))
        case ("user", _?): return try user(Array(args))
        case ("grant", _?): return try grant(Array(args))
        case ("keys", _?): return try keys(Array(args))
        case ("flags", _?): return try flags(Array(args))
        // The Prometheus rule file of 20-services §9.4, the same text MON-9 serves.
        case ("monitoring", "alert-rules") where args.count == 1: return .string(AlertRules.yaml)
        case ("tls", "show") where args.count == 1: return try tlsState(reload: false)
        case ("tls", "reload") where args.count == 1: return try tlsState(reload: true)
        case ("jobs", _?): return try jobs(Array(args))
        case ("cache", "stats") where args.count == 1: return cacheStats()
        case ("cache", "clear") where args.count <= 2: return cacheClear(namespace: args.count == 2 ? args[1] : nil)
        default:
            if let usage = Self.usage[request.command] ?? Self.accountUsage[request.command] ?? Self.experimentUsage[request.command] {
                throw Failure("bad_arguments", "usage: psc-admin \(usage)")
            }
            throw Failure(
                "unknown_command",
                "unknown command '\(request.command)'; try: \((Array(Self.usage.keys) + Array(Self.accountUsage.keys) + Array(Self.experimentUsage.keys)).sorted().joined(separator: ", "))"
            )
        }
    }

    private func status() async throws -> JSONValue {
        let store = platform.store
        let schemaVersion = try await store.read { db in try Migrator.schemaVersion(db) }
        let report = await platform.health.report()
        return [
            "version": .string(BuildInfo.version),
            "sqlite_version": .string(store.sqliteVersion),
            "uptime_seconds": .int(Int64(Date().timeIntervalSince(platform.startedAt))),
            "database": .string(store.path),
            "database_bytes": .int(store.databaseBytes()),
            "wal_bytes": .int(store.walBytes()),
            "schema_version": .int(Int64(schemaVersion)),
            "requests_served": .int(Int64(platform.metrics.requestsServed)),
            "health": .string(report.status.rawValue),
        ]
    }

    private func health() async -> JSONValue {
        let report = await platform.health.report()
        return [
            "status": .string(report.status.rawValue),
            "timestamp": .string(Timestamp.string(from: report.checkedAt)),
            "checks": .object(Dictionary(uniqueKeysWithValues: report.checks.map { ($0.name, $0.result.json) })),
        ]
    }

    private func checkpoint() throws -> JSONValue {
        let before = platform.store.walBytes()
        let result = try platform.store.checkpoint(truncate: true)
        return [
            "mode": "TRUNCATE", "busy": .bool(result.busy), "wal_frames": .int(Int64(result.walFrames)),
            "checkpointed_frames": .int(Int64(result.checkpointedFrames)), "wal_bytes_before": .int(before),
            "wal_bytes_after": .int(platform.store.walBytes()),
        ]
    }

    private func migrations() throws -> JSONValue {
        let statuses = try platform.migrator.status(platform.store)
        return [
            "schema_version": .int(Int64(statuses.filter { $0.appliedAt != nil }.map(\.version).max() ?? 0)),
            "migrations": .array(
                statuses.map { status in
                    [
                        "version": .int(Int64(status.version)), "name": .string(status.name), "sha256": .string(status.sha256),
                        "applied_at": status.appliedAt.map(JSONValue.string) ?? .null,
                    ]
                }),
        ]
    }

    private func backup(to destination: String?) throws -> JSONValue {
        let result = try platform.backups.backup(to: destination, kind: "manual", actor: .adminSocket)
        return [
            "file": .string(result.file), "bytes": .int(result.bytes), "sha256": .string(result.sha256),
            "verified": .bool(result.verified),
        ]
    }

    private func backupList() throws -> JSONValue {
        let records = try platform.backups.list()
        return [
            "backups": .array(
                records.map { record in
                    [
                        "id": .int(record.id), "file": .string(record.file), "bytes": .int(record.bytes),
                        "sha256": .string(record.sha256), "kind": .string(record.kind), "verified": .bool(record.verified),
                        "created_at": .string(record.createdAt),
                        "present": .bool(FileManager.default.fileExists(atPath: record.file)),
                    ]
                })
        ]
    }

    private func backupVerify(_ file: String) throws -> JSONValue {
        let check = try platform.backups.verify(file: file)
        guard check.ok else {
            var reasons: [String] = []
            if check.integrity != "ok" { reasons.append("integrity_check: \(check.integrity)") }
            if check.schemaVersion != check.expectedSchemaVersion {
                reasons.append("schema version \(check.schemaVersion), expected \(check.expectedSchemaVersion)")
            }
            if check.manifestMatches == false { reasons.append("SHA-256 differs from its .sha256 manifest") }
            throw Failure("verify_failed", "\(file): \(reasons.joined(separator: "; "))")
        }
        return [
            "file": .string(check.file), "bytes": .int(check.bytes), "sha256": .string(check.sha256),
            "integrity": .string(check.integrity), "schema_version": .int(Int64(check.schemaVersion)),
            "manifest_matches": check.manifestMatches.map(JSONValue.bool) ?? .null, "ok": true,
        ]
    }

    private func configCheck() -> JSONValue {
        let checked = Configuration.check(flags: platform.sources.flags, configFile: platform.sources.configFile)
        return [
            "valid": .bool(checked.problems.isEmpty),
            "problems": .array(checked.problems.map(JSONValue.string)),
            "config_file": platform.sources.configFile.map(JSONValue.string) ?? .null,
        ]
    }

    private func configShow() -> JSONValue {
        [
            "keys": .object(
                Dictionary(
                    uniqueKeysWithValues: platform.configuration.redactedEntries().map {
                        ($0.key, ["value": .string($0.value), "source": .string($0.source.rawValue)] as JSONValue)
                    }))
        ]
    }

    private func jobs(_ args: [String]) throws -> JSONValue {
        let queue = platform.jobs
        func id(_ text: String) throws -> Int64 {
            guard let id = Int64(text), id > 0 else { throw Failure("bad_arguments", "'\(text)' is not a job id") }
            return id
        }
        switch (args[0], args.count) {
        case ("list", _):
            let options = try Self.options(args.dropFirst(), allowed: ["--state", "--kind"])
            var state: Job.State?
            if let value = options["--state"] {
                guard let parsed = Job.State(rawValue: value) else {
                    throw Failure(
                        "bad_arguments", "unknown state '\(value)'; states: \(Job.State.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                state = parsed
            }
            let kind = options["--kind"]
            return ["jobs": .array(try queue.list(state: state, kind: kind).map(Self.summary))]
        case ("show", 2):
            guard let job = try queue.find(id: try id(args[1])) else { throw Failure("not_found", "no job \(args[1])") }
            var detail = Self.summary(job)
            if case .object(var fields) = detail {
                fields["payload"] = .string(job.payload)
                fields["lease_owner"] = job.leaseOwner.map(JSONValue.string) ?? .null
                fields["lease_expires_at"] = job.leaseExpiresAt.map(JSONValue.string) ?? .null
                fields["max_attempts"] = .int(Int64(job.maxAttempts))
                fields["unique_key"] = job.uniqueKey.map(JSONValue.string) ?? .null
                detail = .object(fields)
            }
            return detail
        case ("retry", 2):
            let jobID = try id(args[1])
            guard try queue.retry(id: jobID) else {
                throw Failure("invalid_state", "job \(jobID) does not exist or is not dead, failed or cancelled")
            }
            return ["retried": .int(jobID)]
        case ("discard", 2):
            let jobID = try id(args[1])
            guard try queue.discard(id: jobID) else {
                throw Failure("invalid_state", "job \(jobID) does not exist or has already finished")
            }
            return ["discarded": .int(jobID)]
        case ("run", 2):
            guard let background, let jobID = try background.scheduler.runNow(args[1]) else {
                throw Failure("not_found", "no schedule named '\(args[1])'")
            }
            return ["enqueued": .int(jobID), "schedule": .string(args[1])]
        case ("pause", 2), ("resume", 2):
            let pause = args[0] == "pause"
            guard let background else { throw Failure("unavailable", "background work is not running") }
            if try background.scheduler.setPaused(args[1], pause) { return ["schedule": .string(args[1]), "paused": .bool(pause)] }
            if background.workers.setPaused(args[1], pause) { return ["queue": .string(args[1]), "paused": .bool(pause)] }
            throw Failure("not_found", "no schedule or queue named '\(args[1])'")
        case ("schedule", 1):
            guard let background else { throw Failure("unavailable", "background work is not running") }
            return [
                "schedules": .array(try background.scheduler.overview()),
                "paused_queues": .array(background.workers.pausedQueues.sorted().map(JSONValue.string)),
            ]
        default:
            throw Failure("bad_arguments", "usage: psc-admin \(Self.usage["jobs"]!)")
        }
    }

    static func summary(_ job: Job) -> JSONValue {
        [
            "id": .int(job.id), "kind": .string(job.kind), "queue": .string(job.queue), "state": .string(job.state.rawValue),
            "attempts": .int(Int64(job.attempts)), "run_at": .string(job.runAt), "created_at": .string(job.createdAt),
            "last_error": job.lastError.map(JSONValue.string) ?? .null,
        ]
    }

    private func cacheStats() -> JSONValue {
        let stats = platform.cache.stats
        let lookups = stats.hits + stats.misses
        return [
            "entries": .int(Int64(stats.entries)), "bytes": .int(Int64(stats.bytes)), "hits": .int(Int64(stats.hits)),
            "misses": .int(Int64(stats.misses)), "evictions": .int(Int64(stats.evictions)),
            // No lookups yet means no rate, not a rate of zero.
            "hit_rate": lookups == 0 ? .null : .string(String(format: "%.3f", Double(stats.hits) / Double(lookups))),
        ]
    }

    private func cacheClear(namespace: String?) -> JSONValue {
        if let namespace {
            platform.cache.invalidate(namespace: namespace)
        } else {
            platform.cache.removeAll()
        }
        return ["cleared": .string(namespace ?? "all")]
    }

    private func auditVerify() throws -> JSONValue {
        let result = try platform.store.read { db in try AuditLog.verify(in: db) }
        guard result.firstBadID == nil else {
            throw Failure("chain_broken", "the audit chain breaks at id \(result.firstBadID!)")
        }
        return ["rows_checked": .int(Int64(result.rowsChecked)), "intact": true]
    }

    /// The certificate in use, after loading the files again for `reload`; a file that does not load is refused and
    /// the certificate in use stays.
    func tlsState(reload: Bool) throws -> JSONValue {
        guard let tls else { throw Failure("tls_not_configured", "psc serves plain HTTP: http.tls_certificate_file is not set") }
        let loaded: TLSCertificates.Loaded
        if reload {
            do {
                loaded = try tls.reload()
            } catch {
                throw Failure("tls_reload_failed", "\(error); the certificate in use stays")
            }
            logger.info("TLS certificate reloaded", metadata: ["serial": "\(loaded.serial)"])
        } else {
            loaded = tls.loaded
        }
        return TLSState.json(loaded)
    }
}
