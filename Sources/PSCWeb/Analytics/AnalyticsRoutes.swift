import Foundation
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

extension AnalyticsError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .unknownDepartment: APIError.notFound("There is no such department.")
        case .unknownCompany: APIError.notFound("There is no such company.")
        }
    }
}

/// ANL-1..11 (10-api §19): figures from stored rows only (20-services §5), each route checking the caller's analytics
/// scope; ANL-3's exports redact PII unless the caller holds `export_data` with recent authentication.
struct AnalyticsRoutes: FeatureRoutes {
    let analytics: AnalyticsStore
    let exports: AnalyticsExports
    let jobs: JobQueue
    let cache: LRUCache
    let profiles: ProfileStore
    let usage: UsageRecorder

    static let days = QueryParameter("days", ["type": "integer", "minimum": 1, "maximum": 365], "How many days back")

    static func days(_ request: Request, default value: Int) throws -> Int {
        try QueryReader(request).integer("days", 1...365) ?? value
    }

    /// ANL-1's audience: admins and holders of `view_analytics` for every department.
    static func seesUniversity(_ identity: Identity) -> Bool { AnalyticsScope(identity, .viewAnalytics) == .all }

    /// Whether the caller may see unredacted PII: `export_data`, with a recent password check for browser sessions.
    static func mayUnredact(_ identity: Identity) -> Bool {
        guard identity.has(.exportData) else { return false }
        guard let session = identity.session else { return true }
        return AppRequestContext.recentlyAuthenticated(session)
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (analytics, exports, jobs, cache, profiles, usage) = (analytics, exports, jobs, cache, profiles, usage)
        catalog.add(
            RouteSpec(
                id: "ANL-1", .get, "/api/v1/analytics/dashboard", summary: "The admin dashboard's figures", tag: "Analytics",
                access: .member(scope: "analytics:read"), query: [Self.days],
                responses: [200: ("The dashboard", "AnalyticsDashboard"), 403: ("Not an admin or analyst for every department", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            guard Self.seesUniversity(identity) else {
                throw APIError.forbidden("The dashboard is for admins and holders of view analytics for every department.")
            }
            let days = try Self.days(request, default: 30)
            let key = "ANL-1:\(days):\(ScholarshipCalendar.today(Date()))"
            let body = try await cache.value(namespace: CachedResponses.analytics, key: key, ttl: 300) {
                let board = try await Offload.run { try analytics.dashboard(days: days) }
                let bytes = AnalyticsViews.dashboard(board).canonicalBytes
                return (value: bytes, bytes: bytes.count)
            }
            return JSONResponse.make(bytes: body)
        }
        catalog.add(
            RouteSpec(
                id: "ANL-2", .get, "/api/v1/analytics/department/{id}", summary: "A department's scorecard", tag: "Analytics",
                access: .member(scope: "analytics:read"), query: [Self.days],
                responses: [
                    200: ("The scorecard", "DepartmentScorecard"), 403: ("No analytics rights for this department", "Error"),
                    404: ("No such department", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let id = try context.positiveID(notFound: "There is no such department.")
            let days = try Self.days(request, default: 30)
            let card = try await Offload.run { try analytics.department(id: id, days: days) }
            let member = [.faculty, .staff].contains(identity.user.role) && identity.user.departmentID == id
            guard AnalyticsScope(identity, .viewAnalytics).covers(department: id) || member else {
                throw APIError.forbidden("You have no analytics rights for this department.")
            }
            return JSONResponse.make(AnalyticsViews.department(card))
        }
        catalog.add(
            RouteSpec(
                id: "ANL-3", .get, "/api/v1/analytics/export/{report_type}", summary: "Export a report as CSV or PDF", tag: "Analytics",
                access: .member(scope: "analytics:read"), limit: .own("10/h"),
                query: [
                    .choice("format", ["csv", "pdf"], "csv (default) or pdf"), Self.days,
                    .id("department_id", "Only this department's rows"),
                ],
                responses: [
                    200: ("The report as a file", "text/csv|application/pdf"),
                    202: ("Being built; fetch it from ANL-3's exports", "ExportQueued"),
                    403: ("Not allowed to run reports, or not for that department", "Error"), 404: ("No such report", "Error"),
                    422: ("Unknown format, or too many rows for a PDF", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let report = context.parameters.get("report_type") ?? ""
            guard AnalyticsExports.reports.contains(report) else {
                throw APIError.notFound("There is no such report. Reports: \(AnalyticsExports.reports.joined(separator: ", ")).")
            }
            let scope = AnalyticsScope(identity, .accessReports)
            guard scope != .none else { throw APIError.forbidden("Reports are run by holders of the access reports permission.") }
            let format = request.uri.formQuery.get("format").map { String($0) } ?? "csv"
            guard ["csv", "pdf"].contains(format) else { throw APIError.validation(["format": ["must be csv or pdf"]]) }
            let days = try Self.days(request, default: 30)
            let department = try QueryReader(request).id("department_id")
            if let department, !scope.covers(department: department) {
                throw APIError.forbidden("You may not run reports for that department.")
            }
            let departments = department.map { [$0] } ?? scope.departmentIDs
            let redacted = !Self.mayUnredact(identity)
            let exportRequest = AnalyticsExports.Request(report: report, days: days, departmentIDs: departments, redacted: redacted)
            let rows = try await Offload.run { try exports.count(exportRequest) }
            var details: [String: JSONValue] = [
                "report": .string(report), "format": .string(format), "days": .int(Int64(days)),
                "department_id": department.map(JSONValue.int) ?? .null, "rows": .int(Int64(rows)), "redacted": .bool(redacted),
            ]
            let filters = "days=\(days)" + (department.map { ", department_id=\($0)" } ?? "") + (redacted ? ", PII redacted" : "")
            if rows > AnalyticsExports.inlineLimit {
                guard format == "csv" else {
                    throw APIError.validation(["format": ["a PDF holds at most 10,000 rows; this report has \(rows): ask for csv"]])
                }
                let audit = context.auditEntry("export.run", target: ("export", nil), details: details, severity: .warning)
                let filtersJSON = String(decoding: try JSONEncoder().encode(details), as: UTF8.self)
                let id = try await Offload.run {
                    try exports.queue(exportRequest, format: format, userID: identity.user.id, filters: filtersJSON) { id, db in
                        _ = try jobs.enqueue(try AnalyticsJobs.exportRequest(exportID: id, request: exportRequest), in: db)
                        var entry = audit
                        entry.targetID = String(id)
                        _ = try AuditLog.append(entry, in: db)
                    }
                }
                return JSONResponse.make(
                    ["id": .int(id), "status": "queued", "rows": .int(Int64(rows)), "url": .string("/api/v1/analytics/exports/\(id)")],
                    status: .accepted)
            }
            let table = try await Offload.run { try exports.table(exportRequest) }
            details["rows"] = .int(Int64(table.rows.count))
            let audit = context.auditEntry("export.run", target: ("report", nil), details: details, severity: .warning)
            try await analytics.store.write { db in _ = try AuditLog.append(audit, in: db) }
            let date = ScholarshipCalendar.today(Date())
            if format == "pdf" {
                let title = report.replacingOccurrences(of: "_", with: " ").capitalized + " report"
                let pdf = PDFReport.document(
                    title: title, generated: TimeInWords.words(Timestamp.string(from: Date())), filters: filters, header: table.header,
                    rows: table.rows)
                return Self.file(Array(pdf), type: "application/pdf", name: "\(report)-\(date).pdf")
            }
            return Self.file(
                Array(CSV.document(header: table.header, rows: table.rows).utf8), type: "text/csv; charset=utf-8",
                name: "\(report)-\(date).csv")
        }
        catalog.add(
            RouteSpec(
                id: "ANL-3", .get, "/api/v1/analytics/exports/{id}", summary: "A report built in the background", tag: "Analytics",
                access: .member(scope: "analytics:read"),
                responses: [
                    200: ("The file", "text/csv"), 202: ("Not ready yet", "ExportQueued"),
                    404: ("No such export of yours, or expired", "Error"),
                    409: ("The export failed", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let id = try context.positiveID(notFound: "There is no such export.")
            guard let export = try await Offload.run({ try exports.export(id: id, userID: identity.user.id) }) else {
                throw APIError.notFound("There is no such export.")
            }
            switch export.status {
            case "done":
                return Self.file(
                    Array(export.content ?? Data()), type: "text/csv; charset=utf-8", name: export.fileName ?? "export-\(id).csv")
            case "failed": throw APIError(.conflict, "export_failed", "The export could not be built; run it again.")
            default:
                return JSONResponse.make(
                    ["id": .int(id), "status": .string(export.status), "url": .string("/api/v1/analytics/exports/\(id)")], status: .accepted
                )
            }
        }
        catalog.add(
            RouteSpec(
                id: "ANL-4", .get, "/api/v1/analytics/insights", summary: "What changed lately, in sentences", tag: "Analytics",
                access: .member(scope: "analytics:read"), query: [Self.days], responses: [200: ("The sentences", "Insights")]),
            to: router
        ) { request, context in
            _ = try context.require(.active, scope: "analytics:read")
            let days = try Self.days(request, default: 7)
            let body = try await cache.value(namespace: CachedResponses.analytics, key: "ANL-4:\(days)", ttl: 3600) {
                let sentences = try await Offload.run { try analytics.insights(days: days) }
                let bytes = JSONValue.object([
                    "insights": .array(sentences.map(JSONValue.string)), "generated_at": .string(Timestamp.string(from: Date())),
                ]).canonicalBytes
                return (value: bytes, bytes: bytes.count)
            }
            return JSONResponse.make(bytes: body)
        }
        catalog.add(
            RouteSpec(
                id: "ANL-5", .get, "/api/v1/analytics/predict/churn/{user_id}", summary: "A member's churn prediction", tag: "Analytics",
                access: .member(scope: "analytics:read"), limit: .own("60/h"),
                responses: [
                    200: ("The prediction", "ChurnPrediction"), 403: ("Not an admin or analyst", "Error"),
                    404: ("No such member in your scope", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let scope = AnalyticsScope(identity, .viewAnalytics)
            guard scope != .none else { throw APIError.forbidden("Predictions are for admins and holders of view analytics.") }
            let id = try context.positiveID("user_id", notFound: "There is no such member.")
            guard try await Self.inScope(id, scope, store: analytics.store),
                let prediction = try await Offload.run({ try analytics.churnPrediction(userID: id) })
            else { throw APIError.notFound("There is no such member.") }
            return JSONResponse.make(AnalyticsViews.prediction(prediction))
        }
        catalog.add(
            RouteSpec(
                id: "ANL-6", .get, "/api/v1/analytics/engagement/{user_id}", summary: "A member's engagement score", tag: "Analytics",
                access: .member(scope: "analytics:read"),
                responses: [200: ("The score and its parts", "EngagementScore"), 404: ("No such member, or not yours to see", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let id = try context.positiveID("user_id", notFound: "There is no such member.")
            let scope = AnalyticsScope(identity, .viewAnalytics)
            var allowed = id == identity.user.id
            if !allowed && scope != .none { allowed = try await Self.inScope(id, scope, store: analytics.store) }
            guard allowed, let result = try await Offload.run({ try analytics.engagement(userID: id) })
            else { throw APIError.notFound("There is no such member.") }
            let components = Dictionary(
                uniqueKeysWithValues: result.parts.map { part in
                    (
                        part.component.rawValue,
                        [
                            "count": .int(Int64(part.count)), "points": .int(Int64(part.points)), "cap": .int(Int64(part.component.cap)),
                        ] as JSONValue
                    )
                })
            return JSONResponse.make([
                "user_id": .int(id), "score": .int(Int64(result.score)), "components": .object(components),
                "window_days": .int(Int64(EngagementScore.windowDays)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "ANL-7", .get, "/api/v1/analytics/university", summary: "University figures with their reasons", tag: "Analytics",
                access: .member(scope: "analytics:read"), query: [Self.days],
                responses: [200: ("The figures", "UniversityFigures"), 403: ("Not an admin or analyst", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let scope = AnalyticsScope(identity, .viewAnalytics)
            guard scope != .none else { throw APIError.forbidden("University figures are for admins and holders of view analytics.") }
            let days = try Self.days(request, default: 30)
            // A department-scoped holder sees the figures of their (first) department's members.
            let department = scope.departmentIDs?.first
            let figures = try await Offload.run { try analytics.university(days: days, departmentID: department) }
            return JSONResponse.make(
                .object(Dictionary(uniqueKeysWithValues: figures.figures.map { ($0.name, AnalyticsViews.figure($0.figure)) })))
        }
        catalog.add(
            RouteSpec(
                id: "ANL-8", .get, "/api/v1/analytics/employers/{company_id}", summary: "An employer's posting figures", tag: "Analytics",
                access: .member(scope: "analytics:read"), query: [Self.days],
                responses: [
                    200: ("The figures", "EmployerAnalytics"), 403: ("Not a member of the company with the analytics benefit", "Error"),
                    404: ("No such company", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let id = try context.positiveID("company_id", notFound: "There is no such company.")
            let days = try Self.days(request, default: 30)
            let figures = try await Offload.run { try analytics.employer(companyID: id, days: days) }
            // The `analytics` benefit comes with employer subscriptions (10-api §24), which are not built yet: until
            // then only `manage_partnerships` holders read these figures.
            guard identity.has(.managePartnerships) else {
                throw APIError.forbidden("Employer analytics come with the analytics benefit of a subscription.")
            }
            return JSONResponse.make([
                "postings": .int(Int64(figures.postings)), "views": .int(Int64(figures.views)),
                "applications": .int(Int64(figures.applications)),
                "application_rate": AnalyticsViews.number(figures.applicationRate, places: 1),
                "median_days_to_fill": AnalyticsViews.number(figures.medianDaysToFill, places: 1),
                "applicants_by_major": .object(figures.applicantsByMajor.mapValues { .int(Int64($0)) }),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "ANL-9", .post, "/api/v1/analytics/track", summary: "Record a screen another client showed", tag: "Analytics",
                access: .anyone, limit: .own("120/min"),
                body: .object([
                    "page_name": FieldRule.text(max: 100).required, "object_id": .integer(1...Int64.max), "referrer": .text(max: 300),
                ]),
                responses: [204: ("Recorded", nil)]),
            to: router
        ) { request, context in
            var reader = try await request.optionalFieldReader(context: context)
            let name = reader.text("page_name", 1...100, nil, required: true) ?? ""
            if !name.isEmpty && !PageName.isValid(name) { reader.problem("page_name", "use only a-z, 0-9, _ and .") }
            let object = reader.integer("object_id", 1...Int64.max, nil)
            let referrer = reader.text("referrer", 0...300, nil)
            try reader.validate()
            usage.record(
                PageView(
                    pageName: name, objectID: object, userID: context.identity?.user.id, ip: nil, userAgent: request.headers[.userAgent],
                    referrer: referrer, occurredAt: Date()))
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "ANL-10", .get, "/api/v1/analytics/models", summary: "The churn model's versions", tag: "Analytics",
                access: .member(scope: "analytics:read"),
                responses: [200: ("Versions, newest first", "ModelList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "analytics:read")
            let models = try await Offload.run { try analytics.models() }
            return JSONResponse.make(["items": .array(models.map(AnalyticsViews.model))])
        }
        catalog.add(
            RouteSpec(
                id: "ANL-11", .get, "/api/v1/analytics/churn", summary: "Stored churn predictions, riskiest first", tag: "Analytics",
                access: .member(scope: "analytics:read"),
                query: .page() + [
                    .choice("risk_level", ChurnModel.Risk.allCases.map(\.rawValue), "Only this risk"),
                    .id("department_id", "Only this department"),
                ],
                responses: [200: ("A page of predictions", "ChurnPage"), 403: ("Not an admin or analyst for that department", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "analytics:read")
            let scope = AnalyticsScope(identity, .viewAnalytics)
            guard scope != .none else { throw APIError.forbidden("Predictions are for admins and holders of view analytics.") }
            let query = QueryReader(request)
            let risk = try query.choice("risk_level", ChurnModel.Risk.allCases.map(\.rawValue)).flatMap(ChurnModel.Risk.init(rawValue:))
            let department = try query.id("department_id")
            if let department, !scope.covers(department: department) {
                throw APIError.forbidden("You have no analytics rights for that department.")
            }
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let departments = department.map { [$0] } ?? scope.departmentIDs
            let page = try await Offload.run {
                try analytics.churnList(risk: risk, departmentIDs: departments, offset: offset, limit: limit)
            }
            let cards = try await CommunityViews.cards(page.map(\.userID), viewer: identity.user.id, profiles: profiles)
            return JSONResponse.make([
                "items": .array(
                    page.map { prediction in
                        [
                            "user": cards[prediction.userID] ?? .null,
                            "churn_probability": AnalyticsViews.number(prediction.probability, places: 4),
                            "risk_level": .string(prediction.risk.rawValue), "method": .string(prediction.method),
                            "model_version": prediction.modelVersion.map(JSONValue.string) ?? .null,
                            "predicted_at": .string(prediction.predictedAt),
                        ]
                    }),
                "next_cursor": page.count == limit ? OffsetCursor.next(offset + page.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
    }

    /// Whether the member belongs to the caller's analytics scope.
    static func inScope(_ userID: Int64, _ scope: AnalyticsScope, store: Store) async throws -> Bool {
        guard case .departments(let ids) = scope else { return scope == .all }
        let department = try await store.read { db in
            try Int64?.fetchOne(db, sql: "SELECT department_id FROM users WHERE id = ?", arguments: [userID])
        }
        return department.flatMap { $0 }.map(ids.contains) ?? false
    }

    static func file(_ bytes: [UInt8], type: String, name: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.contentDisposition] = "attachment; filename=\"\(name)\""
        headers[.cacheControl] = "no-store"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
