import Foundation
import Hummingbird
import NIOCore
import PSCCore
import PSCJobs
import PSCStore

/// MON-3..9 (10-api §21) and the audit log's GOV-16 and GOV-17: what an operator needs from the browser instead of
/// a shell. The queue, the schedules and the backups are the same objects `psc-admin jobs` and `backup` use.
struct OperationsRoutes: FeatureRoutes {
    let platform: Platform
    /// The running server's scheduler; nil where none runs (router tests), when schedules answer 503.
    let scheduler: Scheduler?

    /// Payload keys whose values never leave the server, at any depth.
    static let secretWords = ["token", "secret", "password", "key", "code", "authorization", "signature"]

    static func masked(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members):
            return .object(
                Dictionary(
                    uniqueKeysWithValues: members.map { key, member in
                        let secret = secretWords.contains { key.lowercased().contains($0) }
                        return (key, secret && member != .null ? .string("***") : masked(member))
                    }))
        case .array(let items): return .array(items.map(masked))
        default: return value
        }
    }

    static func job(_ job: Job, detail: Bool = false) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .int(job.id), "kind": .string(job.kind), "queue": .string(job.queue), "state": .string(job.state.rawValue),
            "attempts": .int(Int64(job.attempts)), "max_attempts": .int(Int64(job.maxAttempts)), "run_at": .string(job.runAt),
            "last_error": job.lastError.map(JSONValue.string) ?? .null, "unique_key": job.uniqueKey.map(JSONValue.string) ?? .null,
            "created_at": .string(job.createdAt),
        ]
        if detail {
            let payload = (try? JSONDecoder().decode(JSONValue.self, from: Data(job.payload.utf8))) ?? .string("(not JSON)")
            body["payload"] = masked(payload)
            body["finished_at"] = job.finishedAt.map(JSONValue.string) ?? .null
            body["updated_at"] = .string(job.updatedAt)
        }
        return .object(body)
    }

    static let severities = ["info", "warning", "critical"]

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (platform, scheduler) = (platform, scheduler)
        let jobs = platform.jobs
        catalog.add(
            RouteSpec(
                id: "MON-3", .get, "/api/v1/status", summary: "Health, performance, alerts and the queue", tag: "Monitoring",
                access: .member(scope: "admin"),
                responses: [200: ("The platform's state", "PlatformStatus"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            return JSONResponse.make(try await Self.status(platform))
        }
        catalog.add(
            RouteSpec(
                id: "MON-4", .get, "/api/v1/admin/queue/jobs", summary: "Jobs, newest first", tag: "Monitoring",
                access: .member(scope: "admin"),
                query: .page() + [
                    .choice("state", Job.State.allCases.map(\.rawValue), "Only jobs in this state"),
                    .text("kind", max: 64, "Only this kind"),
                ],
                responses: [200: ("A page of jobs", "JobPage"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let query = QueryReader(request)
            let state = try query.choice("state", Job.State.allCases.map(\.rawValue)).flatMap(Job.State.init(rawValue:))
            let kind = query.text("kind", max: 64)
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let found = try await Offload.run { try jobs.list(state: state, kind: kind, limit: limit, offset: offset) }
            return JSONResponse.make([
                "items": .array(found.map { Self.job($0) }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "MON-5", .get, "/api/v1/admin/queue/jobs/{id}", summary: "One job, secrets masked", tag: "Monitoring",
                access: .member(scope: "admin"), responses: [200: ("The job", "JobDetail"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such job.")
            guard let job = try await Offload.run({ try jobs.find(id: id) }) else { throw APIError.notFound("There is no such job.") }
            return JSONResponse.make(Self.job(job, detail: true))
        }
        for action in ["retry", "discard"] {
            catalog.add(
                RouteSpec(
                    id: "MON-5", .post, "/api/v1/admin/queue/jobs/{id}/\(action)",
                    summary: action == "retry" ? "Run a dead, failed or cancelled job again now" : "Cancel a job that has not finished",
                    tag: "Monitoring", access: .member(scope: "admin"), limit: .own("60/h"),
                    responses: [
                        200: ("The job after it", "JobDetail"), 403: ("Not an admin", "Error"), 409: ("Not in a state for it", "Error"),
                    ]),
                to: router
            ) { _, context in
                _ = try context.require(.admin, scope: "admin")
                let id = try context.positiveID(notFound: "There is no such job.")
                guard let job = try await Offload.run({ try jobs.find(id: id) }) else { throw APIError.notFound("There is no such job.") }
                if job.state == .running { throw APIError(.conflict, "invalid_state", "The job is running; wait for it to finish.") }
                let done = try await Offload.run { action == "retry" ? try jobs.retry(id: id) : try jobs.discard(id: id) }
                guard done else {
                    throw APIError(
                        .conflict, "invalid_state",
                        action == "retry" ? "Only a dead, failed or cancelled job runs again." : "The job has already finished.")
                }
                let audit = context.auditEntry(
                    "job.\(action)", target: ("job", id), details: ["kind": .string(job.kind)], severity: .warning)
                try await platform.store.write { db in _ = try AuditLog.append(audit, in: db) }
                guard let after = try await Offload.run({ try jobs.find(id: id) }) else { throw APIError.notFound("There is no such job.") }
                return JSONResponse.make(Self.job(after, detail: true))
            }
        }
        catalog.add(
            RouteSpec(
                id: "MON-6", .get, "/api/v1/admin/schedules", summary: "The schedules with their next and last runs", tag: "Monitoring",
                access: .member(scope: "admin"),
                responses: [
                    200: ("The schedules", "ScheduleList"), 403: ("Not an admin", "Error"), 503: ("No scheduler runs here", "Error"),
                ]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let scheduler = try Self.running(scheduler)
            return JSONResponse.make(["items": .array(try await Offload.run { try scheduler.statuses() })])
        }
        catalog.add(
            RouteSpec(
                id: "MON-7", .post, "/api/v1/admin/schedules/{name}/run", summary: "Run a schedule now", tag: "Monitoring",
                access: .member(scope: "admin"), limit: .own("10/h"),
                responses: [
                    202: ("Queued", "JobQueued"), 403: ("Not an admin", "Error"), 404: ("No such schedule", "Error"),
                    409: ("A run of it is active", "Error"), 503: ("No scheduler runs here", "Error"),
                ]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let scheduler = try Self.running(scheduler)
            let name = context.parameters.get("name") ?? ""
            let jobID = try await Self.runNow(name, scheduler: scheduler, context: context, store: platform.store)
            return JSONResponse.make(["job_id": .int(jobID)], status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "MON-7", .patch, "/api/v1/admin/schedules/{name}", summary: "Pause or resume a schedule", tag: "Monitoring",
                access: .member(scope: "admin"), limit: .own("10/h"), body: .object(["paused": FieldRule.boolean.required]),
                responses: [
                    200: ("The schedule", "ScheduleState"), 403: ("Not an admin", "Error"), 404: ("No such schedule", "Error"),
                    503: ("No scheduler runs here", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let scheduler = try Self.running(scheduler)
            let name = context.parameters.get("name") ?? ""
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let paused = reader.flag("paused", false)
            if object["paused"] == nil { reader.problem("paused", "is required") }
            try reader.validate()
            guard try await Offload.run({ try scheduler.setPaused(name, paused) }) else {
                throw APIError.notFound("There is no schedule named \(name).")
            }
            let audit = context.auditEntry(
                paused ? "schedule.paused" : "schedule.resumed", target: ("schedule", nil), severity: .warning
            ).withTarget(name)
            try await platform.store.write { db in _ = try AuditLog.append(audit, in: db) }
            return JSONResponse.make(["name": .string(name), "paused": .bool(paused)])
        }
        catalog.add(
            RouteSpec(
                id: "MON-8", .get, "/api/v1/admin/backups", summary: "Backups with size, checksum and verification", tag: "Monitoring",
                access: .member(scope: "admin"),
                responses: [200: ("The backups, newest first", "BackupList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let records = try await Offload.run { try platform.backups.list() }
            return JSONResponse.make(["items": .array(records.map(Self.backup))])
        }
        catalog.add(
            RouteSpec(
                id: "MON-8", .post, "/api/v1/admin/backups", summary: "Back up now (a backup job)", tag: "Monitoring",
                access: .member(scope: "admin"), limit: .own("5/h"),
                responses: [
                    202: ("Queued", "JobQueued"), 403: ("Not an admin", "Error"), 409: ("A backup is running", "Error"),
                    503: ("No scheduler runs here", "Error"),
                ]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let scheduler = try Self.running(scheduler)
            let jobID = try await Self.runNow("backup", scheduler: scheduler, context: context, store: platform.store)
            return JSONResponse.make(["job_id": .int(jobID)], status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "MON-9", .get, "/api/v1/monitoring/alert-rules", summary: "Prometheus alert rules (YAML)", tag: "Monitoring",
                access: .member(scope: "admin"), responses: [200: ("A Prometheus rule file", nil), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            var headers = HTTPFields()
            headers[.contentType] = "text/yaml; charset=utf-8"
            headers[.contentDisposition] = "attachment; filename=\"psc-alert-rules.yml\""
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: AlertRules.yaml)))
        }
        catalog.add(
            RouteSpec(
                id: "GOV-16", .get, "/api/v1/admin/audit-logs", summary: "The audit log, filtered; CSV with format=csv", tag: "Monitoring",
                access: .member(scope: "admin"),
                query: .page() + [
                    .id("user_id", "By or about this person"), .text("action", max: 64, "Action prefix, like flag."),
                    .choice("severity", Self.severities, "Severity"), .instant("from", "From this time"), .instant("to", "Until this time"),
                    .choice("format", ["json", "csv"], "csv: the filtered rows as an attachment"),
                ],
                responses: [200: ("A page of entries, or a CSV file", "AuditEntryPage|text/csv"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let query = QueryReader(request)
            func instant(_ name: String) throws -> String? {
                guard let text = query.text(name, max: 40) else { return nil }
                guard let date = Timestamp.parse(text) else { throw QueryReader.invalid("\(name) must be an RFC 3339 time.") }
                return Timestamp.string(from: date)
            }
            let filter = AuditLog.Filter(
                userID: try query.id("user_id"), actionPrefix: query.text("action", max: 64),
                severity: try query.choice("severity", Self.severities), from: try instant("from"), to: try instant("to"))
            if try query.choice("format", ["json", "csv"]) == "csv" {
                let rows = try await platform.store.read { db in try AuditLog.search(filter, limit: 100_000, offset: 0, in: db) }
                let audit = context.auditEntry(
                    "export.run", target: ("audit_log", nil), details: ["rows": .int(Int64(rows.count)), "format": "csv"],
                    severity: .warning)
                try await platform.store.write { db in _ = try AuditLog.append(audit, in: db) }
                return Self.csv(rows)
            }
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let rows = try await platform.store.read { db in try AuditLog.search(filter, limit: limit, offset: offset, in: db) }
            return JSONResponse.make([
                "items": .array(rows), "next_cursor": rows.count == limit ? OffsetCursor.next(offset + rows.count) : .null,
                "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "GOV-17", .post, "/api/v1/admin/audit-logs/verify", summary: "Verify the audit chain", tag: "Monitoring",
                access: .member(scope: "admin"), limit: .own("5/h"), body: .object(["from_id": .id]),
                responses: [200: ("The verification", "AuditVerification"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            var reader = try await request.optionalFieldReader(context: context)
            let start = reader.integer("from_id", 1...Int64.max, 1) ?? 1
            try reader.validate()
            let (result, anchor) = try await platform.store.read { db in
                (
                    try AuditLog.verify(in: db, fromID: start),
                    try Int64.fetchOne(db, sql: "SELECT id FROM audit_log WHERE id < ? ORDER BY id DESC LIMIT 1", arguments: [start])
                )
            }
            return JSONResponse.make([
                "valid": .bool(result.firstBadID == nil), "checked": .int(Int64(result.rowsChecked)),
                "first_bad_id": result.firstBadID.map(JSONValue.int) ?? .null, "anchor_id": anchor.map(JSONValue.int) ?? .null,
            ])
        }
    }

    static func running(_ scheduler: Scheduler?) throws -> Scheduler {
        guard let scheduler else { throw APIError(.serviceUnavailable, "unavailable", "Background work is not running in this process.") }
        return scheduler
    }

    /// Queues a schedule's run (unique per minute), refusing while one is queued or running; audited.
    static func runNow(_ name: String, scheduler: Scheduler, context: AppRequestContext, store: Store) async throws -> Int64 {
        guard scheduler.schedules.contains(where: { $0.name == name }) else {
            throw APIError.notFound("There is no schedule named \(name).")
        }
        if try await Offload.run({ try scheduler.isActive(name) }) {
            throw APIError(.conflict, "conflict", "A run of \(name) is already queued or running.")
        }
        guard let jobID = try await Offload.run({ try scheduler.runNow(name) }) else {
            throw APIError.notFound("There is no schedule named \(name).")
        }
        let audit = context.auditEntry("schedule.run", target: ("schedule", nil), details: ["job_id": .int(jobID)], severity: .warning)
            .withTarget(name)
        try await store.write { db in _ = try AuditLog.append(audit, in: db) }
        return jobID
    }

    static func backup(_ record: BackupRecord) -> JSONValue {
        [
            "file": .string((record.file as NSString).lastPathComponent), "bytes": .int(record.bytes), "sha256": .string(record.sha256),
            "created_at": .string(record.createdAt), "kind": .string(record.kind), "verified": .bool(record.verified),
            "present": .bool(FileManager.default.fileExists(atPath: record.file)),
        ]
    }

    static func csv(_ rows: [JSONValue]) -> Response {
        let columns = [
            "id", "occurred_at", "actor_kind", "actor_user_id", "action", "target_type", "target_id", "severity", "outcome", "ip_address",
        ]
        func cell(_ value: JSONValue?) -> String {
            switch value {
            case .string(let text): text
            case .int(let number): String(number)
            case .bool(let flag): flag ? "true" : "false"
            default: ""
            }
        }
        let table = rows.map { entry in
            columns.map { column in cell(entry[column]) }
                + [entry["details"].map { String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self) } ?? ""]
        }
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"audit-log-\(Timestamp.string(from: Date()).prefix(10)).csv\""
        return Response(
            status: .ok, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: CSV.document(header: columns + ["details"], rows: table))))
    }

    /// The queue by state, the largest lag over the standard queues, and the jobs dead in the last day.
    static func queueFigures(_ jobs: JobQueue) async throws -> (depth: [Job.State: Int], lag: Double, dead: Int) {
        try await Offload.run {
            let depth = try jobs.depthByState()
            let lag = try JobWorkers.Configuration.standard.concurrency.keys.map { try jobs.lagSeconds(queue: $0) }.max() ?? 0
            return (depth, lag, try jobs.deadSince(Date().addingTimeInterval(-86400)))
        }
    }

    /// MON-3: the detailed health, process and database figures, alerts from the checks, and the queue.
    static func status(_ platform: Platform) async throws -> JSONValue {
        let report = await platform.health.report()
        let store = platform.store
        let (depth, lag, dead) = try await Self.queueFigures(platform.jobs)
        var disk: JSONValue = .null
        if let check = report.checks.first(where: { $0.name == "disk" }) { disk = .object(check.result.figures) }
        let alerts: [JSONValue] = report.checks.compactMap { check in
            guard check.result.status == .degraded || check.result.status == .unhealthy else { return nil }
            return [
                "severity": .string(check.result.status == .unhealthy ? "critical" : "warning"), "service": .string(check.name),
                "message": .string(check.result.message),
            ]
        }
        return [
            "health": MonitoringRoutes.detailed(report, platform: platform),
            "performance": [
                "cpu_percent": platform.process.cpuPercent.map { .decimal($0, places: 1) } ?? .null,
                "rss_bytes": ProcessSampler.residentBytes().map(JSONValue.int) ?? .null, "disk": disk,
                "db": [
                    "size_bytes": .int(store.databaseBytes()), "wal_bytes": .int(store.walBytes()),
                    "readers": .int(Int64(store.readerConnections)), "writer_queue": .int(Int64(store.writerQueueDepth)),
                ],
                "uptime_hours": .decimal(Date().timeIntervalSince(platform.startedAt) / 3600, places: 2),
            ],
            "alerts": .array(alerts),
            "tls": platform.certificate.certificates.map { TLSState.json($0.loaded) } ?? .null,
            "queue": [
                "available": .int(Int64(depth[.available] ?? 0)), "running": .int(Int64(depth[.running] ?? 0)),
                "dead": .int(Int64(dead)), "lag_seconds": .decimal(lag, places: 1),
            ],
        ]
    }
}
