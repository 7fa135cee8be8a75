import Foundation
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

/// The admin console's pages (50-ui §5): `/admin`, `/admin/users` and a person's page, `/admin/feature-flags`,
/// `/admin/jobs`, `/admin/audit` and `/admin/health`. Each draws what the matching API answers (the same functions,
/// the same JSON), and its forms post to that API through `account.js`, so the rules live in one place.
struct AdminPageRoutes: FeatureRoutes {
    let platform: Platform
    let scheduler: Scheduler?
    let administration: AccountAdministration
    let pages: PageRenderer

    static func admin(_ request: Request, _ context: AppRequestContext) throws -> Identity {
        let identity = try MemberPage.identity(request, context)
        guard identity.user.role == .admin else { throw APIError.forbidden("The admin console is for admins.") }
        return identity
    }

    static func options(_ values: [String], selected: String?) -> [[String: Any]] {
        values.map { ["value": $0, "label": PageWord.words($0), "selected": $0 == selected] }
    }

    /// People's names for a page, in one read (the hub's "First Last" of each id).
    static func names(_ ids: [Int64], store: Store) async throws -> [Int64: String] {
        let unique = Array(Set(ids))
        return try await store.read { db in
            try Dictionary(uniqueKeysWithValues: unique.map { id in (id, try NotificationHub.name(of: id, in: db)) })
        }
    }

    static func percent(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0) } ?? "none yet" }

    static func bytes(_ value: Int64) -> String {
        ByteCountFormatter.string(fromByteCount: value, countStyle: .file)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        registerOverview(router, catalog)
        registerPeople(router, catalog)
        registerFlags(router, catalog)
        registerOperations(router, catalog)
    }

    // MARK: - /admin

    private func registerOverview(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (platform, administration, pages) = (platform, administration, pages)
        MemberPage.register(router, catalog, "PAGE-ADMIN", "/admin", "The admin console's overview") { request, context in
            let identity = try Self.admin(request, context)
            let status = try await OperationsRoutes.status(platform)
            let pending = try await Offload.run {
                try administration.people(.init(status: .pendingApproval), limit: 10, offset: 0)
            }
            let backups = try await Offload.run { try platform.backups.list() }
            let health = status["health"]
            let days = AnalyticsPages.period(request)
            let analytics = platform.analytics
            let board = try await Offload.run { try analytics.dashboard(days: days) }
            return HTMLResponse.make(
                pages.render(
                    "admin-home",
                    [
                        "overview": AnalyticsPages.overview(board), "periods": AnalyticsPages.periods(selected: days), "days": days,
                        "overall": health?["status"]?.stringValue ?? "unknown",
                        "healthy": health?["status"]?.stringValue == "healthy",
                        "checks": Self.checks(health),
                        "alerts": status["alerts"]?.templateValue ?? [], "hasAlerts": !(status["alerts"]?.arrayValue ?? []).isEmpty,
                        "queue": status["queue"]?.templateValue ?? [:],
                        "lastBackup": backups.first.map {
                            ["created_at": $0.createdAt, "size": Self.bytes($0.bytes), "verified": $0.verified]
                        } as Any,
                        "pending": pending.map { person in
                            [
                                "id": Int(person.user.id), "name": "\(person.user.firstName) \(person.user.lastName)",
                                "email": person.user.email,
                                "role": person.user.role.rawValue, "created_at": person.user.createdAt,
                            ] as [String: Any]
                        },
                        "hasPending": !pending.isEmpty,
                    ], request: request, identity: identity))
        }
    }

    static func checks(_ health: JSONValue?) -> [[String: Any]] {
        guard case .object(let checks)? = health?["checks"] else { return [] }
        return checks.keys.sorted().map { name in
            let check = checks[name]?.objectValue ?? [:]
            let figures = check.filter { $0.key != "status" && $0.key != "message" }.sorted { $0.key < $1.key }.map { key, value in
                ["name": PageWord.words(key), "value": Self.figure(value)]
            }
            let state = check["status"]?.stringValue ?? "unknown"
            return [
                "name": PageWord.words(name), "status": state, "message": check["message"]?.stringValue ?? "",
                "badge": state == "healthy" ? "badge-good" : state == "unhealthy" ? "badge-urgent" : "badge-info", "figures": figures,
            ]
        }
    }

    /// A check's figure as words: a number or text as it is, a map as "name value" pairs, a missing one said so.
    static func figure(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .int(let number): String(number)
        case .decimal(let text): text
        case .bool(let flag): flag ? "yes" : "no"
        case .object(let members): members.keys.sorted().map { "\($0) \(figure(members[$0] ?? .null))" }.joined(separator: ", ")
        case .array(let items): items.map(figure).joined(separator: ", ")
        case .null: "not known"
        }
    }

    // MARK: - /admin/users

    private func registerPeople(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (platform, administration, pages) = (platform, administration, pages)
        MemberPage.register(router, catalog, "PAGE-ADMIN-USERS", "/admin/users", "People") { request, context in
            let identity = try MemberPage.identity(request, context)
            let isAdmin = identity.user.role == .admin
            let readsEveryone = isAdmin || identity.has(.verifyUsers)
            guard readsEveryone || identity.has(.approveEmployers) else {
                throw APIError.forbidden("People administration needs the admin role or the verify users permission.")
            }
            let form = request.uri.formQuery
            let query = form.get("q").map { String($0.prefix(100)) }
            let role = form.get("role").map { String($0) }.flatMap(Role.init(rawValue:))
            let status = form.get("status").map { String($0) }.flatMap(AccountStatus.init(rawValue:))
            let offset = Int(form.get("page").flatMap { Int($0) }.map { max(0, $0 - 1) * 50 } ?? 0)
            var filter = AccountAdministration.PeopleFilter(query: query, role: role, status: status)
            if !readsEveryone { filter.role = .employer }
            let found = try await Offload.run { [filter] in try administration.people(filter, limit: 51, offset: offset) }
            let pendingFilter = AccountAdministration.PeopleFilter(role: readsEveryone ? nil : .employer, status: .pendingApproval)
            let pending = try await Offload.run { try administration.people(pendingFilter, limit: 50, offset: 0) }
            let departments = try await platform.departments.names()
            let keys = isAdmin ? try await Offload.run { try platform.apiTokens.serviceKeys() } : []
            let reviewable = VerificationRoutes.reviewable(identity)
            let verifications =
                reviewable.isEmpty ? [] : try await Offload.run { try VerificationStore(store: platform.store).pending(types: reviewable) }
            let verifiers = try await Self.names(verifications.map(\.userID), store: platform.store)
            let page = offset / 50 + 1
            func row(_ person: AccountAdministration.Person) -> [String: Any] {
                let user = person.user
                return [
                    "id": Int(user.id), "name": "\(user.firstName) \(user.lastName)", "email": user.email, "role": user.role.rawValue,
                    "status": user.status.rawValue, "created_at": user.createdAt, "last_active_at": user.lastActiveAt as Any,
                    "twoFactor": person.twoFactorEnabled,
                    "grants": person.grants.isEmpty
                        ? nil as String? : person.grants.map { PageWord.words($0.capability) }.joined(separator: ", "),
                    "mayDecide": user.role == .employer ? identity.has(.approveEmployers) : identity.has(.verifyUsers),
                ]
            }
            func link(_ page: Int) -> String {
                var items = ["page=\(page)"]
                if let query { items.append("q=" + (query.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")) }
                if let role { items.append("role=\(role.rawValue)") }
                if let status { items.append("status=\(status.rawValue)") }
                return "/admin/users?" + items.joined(separator: "&")
            }
            return HTMLResponse.make(
                pages.render(
                    "admin-users",
                    [
                        "people": found.prefix(50).map(row), "hasPeople": !found.isEmpty, "pending": pending.map(row),
                        "hasPending": !pending.isEmpty, "q": query ?? "",
                        "roles": Self.options(PeopleAdminRoutes.roles, selected: role?.rawValue),
                        "statuses": Self.options(PeopleAdminRoutes.statuses, selected: status?.rawValue), "isAdmin": isAdmin,
                        "inviteRoles": Self.options(PeopleAdminRoutes.roles, selected: "staff"),
                        "departments": departments.map { ["id": Int($0.id), "name": $0.name] },
                        "previous": page > 1 ? link(page - 1) : nil as String?, "next": found.count > 50 ? link(page + 1) : nil as String?,
                        "employersOnly": !readsEveryone,
                        "keys": keys.map { key -> [String: Any] in
                            [
                                "id": Int(key.record.id), "name": key.record.name, "organization": key.organization,
                                "prefix": key.record.prefix,
                                "used": key.callsUsed, "max": key.maxCalls, "scopes": key.record.scopes.joined(separator: ", "),
                                "expires_at": key.record.expiresAt as Any, "last_used_at": key.record.lastUsedAt as Any,
                            ]
                        },
                        "hasKeys": !keys.isEmpty,
                        "keyScopes": ServiceKeyRoutes.scopes.map { ["value": $0] },
                        "reviewsVerifications": !reviewable.isEmpty, "hasVerifications": !verifications.isEmpty,
                        "verifications": verifications.map { record -> [String: Any] in
                            [
                                "id": Int(record.id), "userID": Int(record.userID), "name": verifiers[record.userID] ?? "A member",
                                "type": PageWord.words(record.type), "note": record.note as Any, "created_at": record.createdAt,
                                "documents": record.documentIDs.enumerated().map { ["id": Int($1), "number": $0 + 1] },
                            ]
                        },
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-ADMIN-USER", "/admin/users/{id}", "One person") { request, context in
            let identity = try MemberPage.identity(request, context)
            let isAdmin = identity.user.role == .admin
            guard isAdmin || identity.has(.verifyUsers) || identity.has(.approveEmployers) else {
                throw APIError.forbidden("People administration needs the admin role or the verify users permission.")
            }
            let id = try context.positiveID(notFound: "There is no such person.")
            guard let detail = try await Offload.run({ try administration.detail(userID: id, auditLimit: 30) }),
                isAdmin || identity.has(.verifyUsers) || detail.person.user.role == .employer
            else { throw APIError.notFound("There is no such person.") }
            let user = detail.person.user
            let departments = try await platform.departments.names()
            let departmentName = departments.first { $0.id == user.departmentID }?.name
            return HTMLResponse.make(
                pages.render(
                    "admin-user",
                    [
                        "id": Int(user.id), "name": "\(user.firstName) \(user.lastName)", "email": user.email, "role": user.role.rawValue,
                        "status": user.status.rawValue, "created_at": user.createdAt, "last_login_at": user.lastLoginAt as Any,
                        "last_active_at": user.lastActiveAt as Any, "suspended_until": user.suspendedUntil as Any,
                        "department": departmentName as Any, "twoFactor": detail.person.twoFactorEnabled, "sessions": detail.sessions,
                        "tokens": detail.tokens, "suspended": user.status == .suspended, "active": user.status == .active,
                        "pendingApproval": user.status == .pendingApproval, "isAdmin": isAdmin, "self": user.id == identity.user.id,
                        "roles": Self.options(PeopleAdminRoutes.roles, selected: user.role.rawValue),
                        "capabilities": Self.options(PeopleAdminRoutes.capabilities, selected: nil),
                        "departments": departments.map { ["id": Int($0.id), "name": $0.name] },
                        "grants": detail.person.grants.map { grant in
                            [
                                "id": Int(grant.id), "capability": PageWord.words(grant.capability),
                                "department": departments.first { $0.id == grant.departmentID }?.name ?? "Every department",
                                "expires_at": grant.expiresAt as Any, "granted_at": grant.grantedAt,
                            ] as [String: Any]
                        },
                        "hasGrants": !detail.person.grants.isEmpty,
                        "audit": detail.audit.map { entry in
                            [
                                "id": entry["id"]?.intValue.map { Int($0) } ?? 0, "occurred_at": entry["occurred_at"]?.stringValue ?? "",
                                "action": entry["action"]?.stringValue ?? "", "severity": entry["severity"]?.stringValue ?? "info",
                                "outcome": entry["outcome"]?.stringValue ?? "",
                            ] as [String: Any]
                        },
                        "hasAudit": !detail.audit.isEmpty,
                    ], request: request, identity: identity))
        }
    }

    // MARK: - /admin/feature-flags

    private func registerFlags(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (platform, pages) = (platform, pages)
        let (flags, abTests) = (platform.experiments.flags, platform.experiments.abTests)
        MemberPage.register(router, catalog, "PAGE-ADMIN-FLAGS", "/admin/feature-flags", "Feature flags and A/B tests") {
            request, context in
            let identity = try Self.admin(request, context)
            let form = request.uri.formQuery
            let testsTab = form.get("tab") == "tests"
            var data: [String: Any] = ["testsTab": testsTab, "flagsTab": !testsTab]
            if testsTab {
                let status = form.get("status").map { String($0) }.flatMap(ABTestStatus.init(rawValue:))
                let tests = try await Offload.run { try abTests.list(status: status) }
                data["statusFilters"] = (["all"] + ABTestRoutes.statuses).map { value in
                    [
                        "label": PageWord.words(value),
                        "href": value == "all" ? "/admin/feature-flags?tab=tests" : "/admin/feature-flags?tab=tests&status=\(value)",
                        "current": (status?.rawValue ?? "all") == value,
                    ] as [String: Any]
                }
                data["tests"] = tests.map { entry -> [String: Any] in
                    let test = entry.test
                    return [
                        "id": Int(test.id), "name": test.name, "description": test.description, "status": test.status.rawValue,
                        "participants": entry.participants, "started_at": test.startedAt as Any, "ended_at": test.endedAt as Any,
                        "winner": test.winner?.rawValue as Any, "draft": test.status == .draft, "running": test.status == .running,
                        "completed": test.status == .completed, "variantA": test.variantA, "variantB": test.variantB,
                        "split": String(format: "%.2f", test.trafficSplit), "goals": test.goals.joined(separator: ", "),
                        "primaryGoal": test.primaryGoal,
                        "badge": test.status == .running ? "badge-good" : test.status == .draft ? "badge-muted" : "badge-info",
                    ]
                }
                data["hasTests"] = !tests.isEmpty
                if let id = form.get("results").flatMap({ Int64($0) }), let test = try await Offload.run({ try abTests.test(id: id) }) {
                    let goal = form.get("goal").map { String($0) }.flatMap { test.goals.contains($0) ? $0 : nil } ?? test.primaryGoal
                    let counts = try await Offload.run { try abTests.counts(testID: id, goal: goal) }
                    data["results"] = Self.resultsView(test, goal: goal, counts: counts)
                }
            } else {
                let query = form.get("q").map { String($0.prefix(100)) }
                let state = form.get("state").map { String($0) }.flatMap { ["enabled", "disabled"].contains($0) ? $0 : nil }
                let found = flags.list(query: query, state: state)
                let names = try await Self.names(found.compactMap(\.updatedBy), store: platform.store)
                data["q"] = query ?? ""
                data["states"] = Self.options(["all", "enabled", "disabled"], selected: state ?? "all")
                data["flags"] = found.map { flag -> [String: Any] in
                    [
                        "name": flag.name, "description": flag.description, "enabled": flag.enabled,
                        "rollout": String(
                            format: flag.rolloutPercentage.rounded() == flag.rolloutPercentage ? "%.0f" : "%.2f", flag.rolloutPercentage),
                        "rolloutValue": flag.rolloutPercentage,
                        "roles": flag.targetRoles.map { PageWord.words($0.rawValue) }.joined(separator: ", "),
                        "hasRoles": !flag.targetRoles.isEmpty, "users": flag.targetUsers.count, "hasUsers": !flag.targetUsers.isEmpty,
                        "userIDs": flag.targetUsers.map(String.init).joined(separator: ", "),
                        "updated_at": flag.updatedAt, "updatedBy": flag.updatedBy.flatMap { names[$0] } as Any,
                        "confirmOff": flag.enabled && flag.rolloutPercentage >= 100,
                        "roleChoices": PeopleAdminRoutes.roles.map { role in
                            ["value": role, "label": PageWord.words(role), "checked": flag.targetRoles.map(\.rawValue).contains(role)]
                                as [String: Any]
                        },
                        "who": Self.whoGetsIt(flag),
                    ]
                }
                data["hasFlags"] = !found.isEmpty
                data["filtered"] = query != nil || state != nil
                data["roleChoices"] = PeopleAdminRoutes.roles.map { ["value": $0, "label": PageWord.words($0)] }
            }
            return HTMLResponse.make(pages.render("admin-flags", data, request: request, identity: identity))
        }
    }

    /// The "who gets this" sentence of the flag dialog, following the rules of 20-services §1.
    static func whoGetsIt(_ flag: FeatureFlag) -> String {
        guard flag.enabled else { return "Nobody: the flag is off." }
        var parts: [String] = []
        if !flag.targetUsers.isEmpty {
            parts.append("\(flag.targetUsers.count) named \(flag.targetUsers.count == 1 ? "person" : "people")")
        }
        let audience =
            flag.targetRoles.isEmpty
            ? "everyone signed in"
            : "people whose role is " + flag.targetRoles.map { PageWord.words($0.rawValue).lowercased() }.joined(separator: " or ")
        let share = flag.rolloutPercentage >= 100 ? audience : "about \(percent(flag.rolloutPercentage)) of \(audience)"
        parts.append(share)
        let anonymous =
            flag.rolloutPercentage >= 100 && flag.targetUsers.isEmpty && flag.targetRoles.isEmpty
            ? "; visitors who are not signed in too" : "; not visitors who are not signed in"
        return parts.joined(separator: ", and ") + anonymous + "."
    }

    /// The results panel: counts, rates, the difference with its interval, the verdict, and an SVG bar chart with a
    /// data table beside it (50-ui §1: every chart has its table).
    static func resultsView(_ test: ABTestRecord, goal: String, counts: (a: ABTestRules.Counts, b: ABTestRules.Counts)) -> [String: Any] {
        let stats = ABTestRules.results(a: counts.a, b: counts.b)
        func rate(_ value: Double?) -> String { value.map { String(format: "%.2f%%", $0 * 100) } ?? "no participants" }
        let total = counts.a.participants + counts.b.participants
        func share(_ n: Int) -> String { total == 0 ? "none" : String(format: "%.1f%%", Double(n) / Double(total) * 100) }
        let verdict: String
        if stats.significant {
            verdict = "Variant \(stats.suggestedWinner?.rawValue ?? "?") converts better (p < 0.05 with at least 30 people per variant)."
        } else if let warning = stats.warning {
            verdict = warning
        } else if stats.pValue == nil {
            verdict = "Nobody has converted yet, or everybody has, so there is nothing to compare."
        } else {
            verdict = "The difference could be chance (p ≥ 0.05)."
        }
        let chart = BarChart.svg(
            title: "Conversion rate by variant for \(goal)",
            bars: [("Variant A", (counts.a.rate ?? 0) * 100), ("Variant B", (counts.b.rate ?? 0) * 100)], unit: "%")
        return [
            "id": Int(test.id), "name": test.name, "goal": goal,
            "goals": test.goals.map { ["value": $0, "selected": $0 == goal] as [String: Any] },
            "rows": [
                [
                    "variant": "A", "participants": counts.a.participants, "share": share(counts.a.participants),
                    "conversions": counts.a.conversions, "rate": rate(counts.a.rate),
                ],
                [
                    "variant": "B", "participants": counts.b.participants, "share": share(counts.b.participants),
                    "conversions": counts.b.conversions, "rate": rate(counts.b.rate),
                ],
            ] as [[String: Any]],
            "difference": stats.difference.map { String(format: "%+.2f percentage points", $0 * 100) } ?? "not known yet",
            "interval": stats.ci95.map { String(format: "%+.2f to %+.2f points", $0.low * 100, $0.high * 100) } ?? "not known yet",
            "pValue": stats.pValue.map { String(format: "%.4f", $0) } ?? "not known yet", "verdict": verdict,
            "significant": stats.significant, "chart": chart, "running": test.status == .running,
        ]
    }

    // MARK: - /admin/jobs, /admin/audit, /admin/health

    private func registerOperations(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let (platform, scheduler, pages) = (platform, scheduler, pages)
        MemberPage.register(router, catalog, "PAGE-ADMIN-JOBS", "/admin/jobs", "Jobs, schedules and backups") { request, context in
            let identity = try Self.admin(request, context)
            let form = request.uri.formQuery
            let state = form.get("state").map { String($0) }.flatMap(Job.State.init(rawValue:))
            let kind = form.get("kind").map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 }
            // The queue's figures alone: the page does not need the health checks that MON-3 runs.
            let queue = try await OperationsRoutes.queueFigures(platform.jobs)
            let found = try await Offload.run { try platform.jobs.list(state: state, kind: kind, limit: 100) }
            let schedules = try await Offload.run { try scheduler?.statuses() ?? [] }
            let backups = try await Offload.run { try platform.backups.list() }
            var detail: Any? = nil
            if let id = form.get("job").flatMap({ Int64($0) }), let job = try await Offload.run({ try platform.jobs.find(id: id) }) {
                let masked = OperationsRoutes.job(job, detail: true)
                let payload = masked["payload"].map { String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self) } ?? ""
                detail = [
                    "id": Int(job.id), "kind": job.kind, "state": job.state.rawValue, "payload": payload,
                    "last_error": job.lastError as Any,
                ]
            }
            return HTMLResponse.make(
                pages.render(
                    "admin-jobs",
                    [
                        "depth": Job.State.allCases.map { ["state": $0.rawValue, "count": queue.depth[$0] ?? 0] as [String: Any] },
                        "lag": String(format: "%.1f", queue.lag),
                        "states": Self.options(Job.State.allCases.map(\.rawValue), selected: state?.rawValue), "kind": kind ?? "",
                        "jobs": found.map { job -> [String: Any] in
                            [
                                "id": Int(job.id), "kind": job.kind, "queue": job.queue, "state": job.state.rawValue,
                                "attempts": job.attempts,
                                "max_attempts": job.maxAttempts, "run_at": job.runAt, "last_error": job.lastError as Any,
                                "retryable": [.dead, .failed, .cancelled].contains(job.state),
                                "discardable": [.available, .failed].contains(job.state),
                            ]
                        },
                        "hasJobs": !found.isEmpty, "detail": detail as Any,
                        "schedules": schedules.compactMap { $0.templateValue }, "hasScheduler": scheduler != nil,
                        "backups": backups.prefix(20).map { record -> [String: Any] in
                            [
                                "file": (record.file as NSString).lastPathComponent, "size": Self.bytes(record.bytes),
                                "sha256": record.sha256,
                                "created_at": record.createdAt, "kind": record.kind, "verified": record.verified,
                                "present": FileManager.default.fileExists(atPath: record.file),
                            ]
                        },
                        "hasBackups": !backups.isEmpty,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-ADMIN-AUDIT", "/admin/audit", "The audit log") { request, context in
            let identity = try Self.admin(request, context)
            let form = request.uri.formQuery
            func text(_ name: String) -> String? { form.get(name).map { String($0.prefix(64)) }.flatMap { $0.isEmpty ? nil : $0 } }
            func day(_ name: String, end: Bool) -> String? {
                guard let value = text(name), value.count == 10, ScholarshipCalendar.parts(value) != nil else { return nil }
                return value + (end ? "T23:59:59.999Z" : "T00:00:00.000Z")
            }
            let userID = text("user_id").flatMap { Int64($0) }
            let severity = text("severity").flatMap { OperationsRoutes.severities.contains($0) ? $0 : nil }
            let filter = AuditLog.Filter(
                userID: userID, actionPrefix: text("action"), severity: severity, from: day("from", end: false), to: day("to", end: true))
            let page = max(1, form.get("page").flatMap { Int($0) } ?? 1)
            let rows = try await platform.store.read { db in try AuditLog.search(filter, limit: 51, offset: (page - 1) * 50, in: db) }
            var query = request.uri.query ?? ""
            query = query.split(separator: "&").filter { !$0.hasPrefix("page=") }.joined(separator: "&")
            return HTMLResponse.make(
                pages.render(
                    "admin-audit",
                    [
                        "entries": rows.prefix(50).map { entry -> [String: Any] in
                            let details =
                                entry["details"].map {
                                    String(decoding: (try? JSONEncoder().encode($0)) ?? Data(), as: UTF8.self)
                                } ?? "{}"
                            return [
                                "id": Int(entry["id"]?.intValue ?? 0), "occurred_at": entry["occurred_at"]?.stringValue ?? "",
                                "action": entry["action"]?.stringValue ?? "",
                                "actor": entry["actor_user_id"]?.intValue.map { "person #\($0)" }
                                    ?? PageWord.words(entry["actor_kind"]?.stringValue ?? "system"),
                                "target": [entry["target_type"]?.stringValue, entry["target_id"]?.stringValue].compactMap { $0 }.joined(
                                    separator: " "),
                                "severity": entry["severity"]?.stringValue ?? "info", "outcome": entry["outcome"]?.stringValue ?? "",
                                "ip": entry["ip_address"]?.stringValue as Any, "details": details,
                            ]
                        },
                        "hasEntries": !rows.isEmpty, "user_id": userID.map { String($0) } ?? "", "action": text("action") ?? "",
                        "from": text("from") ?? "", "to": text("to") ?? "",
                        "severities": Self.options(OperationsRoutes.severities, selected: severity),
                        "csv": "/api/v1/admin/audit-logs?format=csv"
                            + [
                                userID.map { "user_id=\($0)" },
                                text("action").map { "action=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") },
                                severity.map { "severity=\($0)" }, filter.from.map { "from=\($0)" }, filter.to.map { "to=\($0)" },
                            ]
                            .compactMap { $0 }.map { "&" + $0 }.joined(),
                        "previous": page > 1 ? "/admin/audit?\(query)&page=\(page - 1)" : nil as String?,
                        "next": rows.count > 50 ? "/admin/audit?\(query)&page=\(page + 1)" : nil as String?,
                    ], request: request, identity: identity))
        }
        MemberPage.register(router, catalog, "PAGE-ADMIN-HEALTH", "/admin/health", "System health") { request, context in
            let identity = try Self.admin(request, context)
            let status = try await OperationsRoutes.status(platform)
            let health = status["health"]
            let performance = status["performance"]
            let requests = platform.metrics.requestSummary()
            return HTMLResponse.make(
                pages.render(
                    "admin-health",
                    [
                        "overall": health?["status"]?.stringValue ?? "unknown", "healthy": health?["status"]?.stringValue == "healthy",
                        "checks": Self.checks(health), "version": health?["version"]?.stringValue ?? "",
                        "uptime": performance?["uptime_hours"]?.templateValue ?? "",
                        "cpu": performance?["cpu_percent"]?.templateValue as Any,
                        "rss": (performance?["rss_bytes"]?.intValue).map(Self.bytes) as Any,
                        "dbSize": Self.bytes(platform.store.databaseBytes()), "walSize": Self.bytes(platform.store.walBytes()),
                        "sqlite": platform.store.sqliteVersion, "requests": requests.total, "errors": requests.errors,
                        "errorRate": requests.total == 0
                            ? "no requests yet" : String(format: "%.2f%%", Double(requests.errors) / Double(requests.total) * 100),
                        "alerts": status["alerts"]?.templateValue ?? [], "hasAlerts": !(status["alerts"]?.arrayValue ?? []).isEmpty,
                        "usesTLS": platform.configuration.usesTLS,
                        "certificate": platform.certificate.certificates.map { certificates -> [String: Any] in
                            let loaded = certificates.loaded
                            return [
                                "subject": loaded.subject, "issuer": loaded.issuer,
                                "expires": Timestamp.string(from: loaded.notValidAfter), "daysLeft": Int(loaded.daysLeft().rounded(.down)),
                                "expiring": loaded.daysLeft() < 14, "serial": loaded.serial,
                                "loadedAt": Timestamp.string(from: loaded.loadedAt),
                            ]
                        } as Any,
                    ], request: request, identity: identity))
        }
    }
}
