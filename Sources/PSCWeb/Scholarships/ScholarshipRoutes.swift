import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SCH-1..8, 30, 31 (10-api §10): the catalogue anyone may browse, matches for members, and what managers of a
/// department's scholarships write.
struct ScholarshipRoutes: FeatureRoutes {
    let scholarships: ScholarshipHub
    let profiles: ProfileStore
    let clock: @Sendable () -> Date

    static func scholarshipID(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID(notFound: "There is no such scholarship.")
    }

    /// The scholarship if the caller may see it: drafts and archived ones only to their managers.
    static func visible(_ id: Int64, _ identity: Identity?, catalogue: ScholarshipStore) async throws -> ScholarshipRecord {
        guard let record = try await Offload.run({ try catalogue.scholarship(id: id) }) else {
            throw APIError.notFound("There is no such scholarship.")
        }
        if ["draft", "archived"].contains(record.status) {
            guard let identity, ScholarshipPolicy.mayManage(identity.actor, departmentID: record.departmentID) else {
                throw APIError.notFound("There is no such scholarship.")
            }
        }
        return record
    }

    /// The scholarship if the caller manages it (404 otherwise, so drafts stay unknown).
    static func managed(_ context: AppRequestContext, _ identity: Identity, catalogue: ScholarshipStore) async throws -> ScholarshipRecord {
        let id = try scholarshipID(context)
        guard let record = try await Offload.run({ try catalogue.scholarship(id: id) }),
            ScholarshipPolicy.mayManage(identity.actor, departmentID: record.departmentID)
        else { throw APIError.notFound("There is no such scholarship.") }
        return record
    }

    static let listQuery: [QueryParameter] =
        .page() + [
            .text("q", max: 100, "Words in the title, description or provider"), .id("department_id", "One department"),
            .choice("category", ScholarshipViews.categories, "Kind of award"),
            .integer("min_amount_cents", "At least this amount"), .integer("max_amount_cents", "At most this amount"),
            .date("deadline_after", "Deadline on or after this day"), .date("deadline_before", "Deadline on or before this day"),
            .boolean("open_only", "Only open ones whose deadline has not passed (default true)"),
            .boolean("renewable", "Renewable ones, or not"), .boolean("essay_required", "With essays, or without"),
            .choice("application_method", ScholarshipViews.methods, "How one applies"), .text("cycle", max: 7, "One cycle (2026-27)"),
            .choice("sort", ["deadline", "amount", "newest", "match"], "Order (match needs a signed-in member)"),
        ]

    /// SCH-1's query into a listing; 400 for a value that does not parse or a range that is empty.
    static func listing(_ request: Request) throws -> ScholarshipStore.Listing {
        let query = QueryReader(request)
        var listing = ScholarshipStore.Listing()
        listing.text = query.text("q", max: 100)
        listing.departmentID = try query.id("department_id")
        listing.category = try query.choice("category", ScholarshipViews.categories)
        listing.minAmountCents = try query.cents("min_amount_cents")
        listing.maxAmountCents = try query.cents("max_amount_cents")
        if let low = listing.minAmountCents, let high = listing.maxAmountCents, low > high {
            throw QueryReader.invalid("min_amount_cents must not exceed max_amount_cents.")
        }
        listing.deadlineAfter = try query.date("deadline_after")
        listing.deadlineBefore = try query.date("deadline_before")
        if let after = listing.deadlineAfter, let before = listing.deadlineBefore, after > before {
            throw QueryReader.invalid("deadline_after must not be later than deadline_before.")
        }
        listing.openOnly = try query.flag("open_only") ?? true
        listing.renewable = try query.flag("renewable")
        listing.essayRequired = try query.flag("essay_required")
        listing.applicationMethod = try query.choice("application_method", ScholarshipViews.methods)
        listing.cycle = try query.cycle("cycle")
        listing.sort = try query.choice("sort", ["deadline", "amount", "newest", "match"]) ?? "deadline"
        listing.limit = try Pagination.limit(request)
        listing.offset = try query.offset
        return listing
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (catalogue, matches, clock) = (scholarships.catalogue, scholarships.matches, clock)
        catalog.add(
            RouteSpec(
                id: "SCH-1", .get, "/api/v1/scholarships", summary: "Scholarships", tag: "Scholarships", query: Self.listQuery,
                responses: [
                    200: ("A page of Scholarship (with match{status,score} when sorted by match)", "ScholarshipPage"),
                    400: ("A parameter that does not parse, or an empty range", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            var listing = try Self.listing(request)
            if listing.sort == "match" {
                guard let identity else {
                    throw APIError(.badRequest, "invalid_parameter", "sort=match needs a signed-in member.")
                }
                listing.matchFor = identity.user.id
            }
            let chosen = listing
            let found = try await Offload.run { try catalogue.list(chosen) }
            var badges: [Int64: (status: String, score: Int)] = [:]
            if let viewer = chosen.matchFor {
                badges = try await Offload.run { try matches.statuses(userID: viewer, scholarshipIDs: found.map(\.id)) }
            }
            let now = clock()
            return JSONResponse.make([
                "items": .array(
                    found.map { record in
                        var body = ScholarshipViews.body(record, now: now)
                        if chosen.matchFor != nil {
                            body["match"] =
                                badges[record.id].map { ["status": .string($0.status), "score": .int(Int64($0.score))] } ?? .null
                        }
                        return .object(body)
                    }),
                "next_cursor": found.count == chosen.limit ? OffsetCursor.next(chosen.offset + found.count) : .null,
                "limit": .int(Int64(chosen.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-6", .get, "/api/v1/scholarships/matches", summary: "My scholarship matches", tag: "Scholarships",
                access: .member(scope: "content:read"), limit: .own("60/h"),
                query: .page() + [
                    .boolean("include_ineligible", "Also the ones I do not qualify for"),
                    .choice("status", MatchResult.Status.allCases.map(\.rawValue), "One status"),
                ],
                responses: [200: ("A page of Match, best first", "MatchPage"), 400: ("A parameter that does not parse", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let query = QueryReader(request)
            var statuses = ["eligible", "needs_info"]
            if try query.flag("include_ineligible") == true { statuses.append("ineligible") }
            if let status = try query.choice("status", MatchResult.Status.allCases.map(\.rawValue)) { statuses = [status] }
            let limit = try Pagination.limit(request)
            let offset = try query.offset
            let (viewer, chosen) = (identity.user.id, statuses)
            if ScholarshipPolicy.mayApply(identity.actor) { try await Offload.run { try matches.ensureComputed(userID: viewer) } }
            let found = try await Offload.run { try matches.matches(userID: viewer, statuses: chosen, limit: limit, offset: offset) }
            return JSONResponse.make([
                "items": .array(found.map(ScholarshipViews.match)),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-2", .get, "/api/v1/scholarships/{id}", summary: "A scholarship", tag: "Scholarships",
                responses: [
                    200: ("Scholarship, with my application and match for members", "Scholarship"), 404: ("No such scholarship", "Error"),
                ]),
            to: router
        ) { _, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let record = try await Self.visible(try Self.scholarshipID(context), identity, catalogue: catalogue)
            var body = ScholarshipViews.body(record, now: clock())
            if let identity {
                let (viewer, applications) = (identity.user.id, scholarships.applications)
                let mine = try await Offload.run { try applications.application(scholarship: record, userID: viewer) }
                body["my_application"] = mine.map { .int($0.id) } ?? .null
                let result = try await Offload.run { try matches.match(userID: viewer, scholarshipID: record.id) }
                body["match"] =
                    result.map { ScholarshipViews.match(scholarship: (record.id, record.title, record.amountCents, record.deadline), $0) }
                    ?? .null
            }
            return JSONResponse.make(.object(body))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-7", .get, "/api/v1/scholarships/{id}/match", summary: "My match for a scholarship", tag: "Scholarships",
                access: .member(scope: "content:read"),
                responses: [200: ("Match with every rule explained", "Match"), 404: ("No such scholarship", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:read")
            let record = try await Self.visible(try Self.scholarshipID(context), identity, catalogue: catalogue)
            let viewer = identity.user.id
            guard let result = try await Offload.run({ try matches.match(userID: viewer, scholarshipID: record.id) }) else {
                throw APIError.notFound("There is no such scholarship.")
            }
            return JSONResponse.make(
                ScholarshipViews.match(scholarship: (record.id, record.title, record.amountCents, record.deadline), result))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-3", .post, "/api/v1/scholarships", summary: "Create a scholarship", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("30/h"), body: .object(ScholarshipFieldReader.fields(creating: true)),
                responses: [
                    201: ("Scholarship", "Scholarship"), 403: ("No manage_scholarships for that department", "Error"),
                    422: ("Invalid fields (rules checked against the grammar)", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard ScholarshipPolicy.managesAny(identity.actor) else {
                throw APIError.forbidden("Creating scholarships needs manage_scholarships.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try ScholarshipFieldReader.read(
                object, problems: problems, over: nil, today: ScholarshipCalendar.today(clock()))
            try await checkDepartment(fields.departmentID, identity)
            let audit = context.auditEntry("scholarship.created", target: ("scholarship", nil), details: ["status": .string(fields.status)])
            let creator = identity.user.id
            let id = try await Offload.run { try catalogue.create(fields, createdBy: creator, audit: audit) }
            guard let record = try await Offload.run({ try catalogue.scholarship(id: id) }) else { throw APIError.internalError }
            var response = JSONResponse.make(.object(ScholarshipViews.body(record, now: clock())), status: .created)
            response.headers[.location] = "/api/v1/scholarships/\(id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "SCH-4", .patch, "/api/v1/scholarships/{id}", summary: "Change a scholarship", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("60/h"), body: .object(ScholarshipFieldReader.fields(creating: false)),
                responses: [
                    200: ("Scholarship", "Scholarship"), 403: ("Not allowed to move it to that department", "Error"),
                    404: ("Not one you manage", "Error"),
                    409: ("Archived, or essays or letters would shrink after a submission", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await Self.managed(context, identity, catalogue: catalogue)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try ScholarshipFieldReader.read(
                object, problems: problems, over: current, today: ScholarshipCalendar.today(clock()))
            if fields.departmentID != current.departmentID { try await checkDepartment(fields.departmentID, identity) }
            let audit = context.auditEntry(
                "scholarship.updated", target: ("scholarship", current.id),
                details: ["fields": .array(object.keys.sorted().map(JSONValue.string))])
            try await Offload.run { try catalogue.update(id: current.id, fields: fields, audit: audit) }
            guard let record = try await Offload.run({ try catalogue.scholarship(id: current.id) }) else { throw APIError.notFound() }
            return JSONResponse.make(.object(ScholarshipViews.body(record, now: clock())))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-5", .delete, "/api/v1/scholarships/{id}", summary: "Archive a scholarship", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("30/h"),
                responses: [204: ("Archived; applicants in progress told", nil), 404: ("Not one you manage", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let id = try await Self.managed(context, identity, catalogue: catalogue).id
            let audit = context.auditEntry("scholarship.archived", target: ("scholarship", id))
            try await Offload.run { try catalogue.archive(id: id, audit: audit) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "SCH-8", .get, "/api/v1/scholarships/{id}/rules", summary: "A scholarship's eligibility rules", tag: "Scholarships",
                responses: [200: ("The rule document", "EligibilityDocument"), 404: ("No such scholarship", "Error")]),
            to: router
        ) { _, context in
            let identity = context.identity == nil ? nil : try context.require(.active, scope: "content:read")
            let record = try await Self.visible(try Self.scholarshipID(context), identity, catalogue: catalogue)
            return JSONResponse.make([
                "eligibility": ScholarshipViews.eligibility(record.eligibility), "schema_version": .int(Int64(Eligibility.schemaVersion)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-8", .put, "/api/v1/scholarships/{id}/rules", summary: "Replace a scholarship's eligibility rules",
                tag: "Scholarships", access: .member(scope: "manage"), limit: .own("30/h"),
                body: .object(["eligibility": FieldRule.object.required, "schema_version": .integer(1...1)]),
                responses: [
                    200: ("The rule document", "EligibilityDocument"), 404: ("Not one you manage", "Error"),
                    422: ("Not the rule grammar, or another schema_version", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let current = try await Self.managed(context, identity, catalogue: catalogue)
            let object = try await request.jsonObjectBody(context: context).object
            let parsed = Eligibility.parse(object["eligibility"] ?? NSNull())
            guard let rules = parsed.eligibility else { throw APIError.validation(["eligibility": parsed.problems]) }
            let audit = context.auditEntry("scholarship.rules_changed", target: ("scholarship", current.id))
            try await Offload.run { try catalogue.setRules(id: current.id, eligibility: rules, audit: audit) }
            return JSONResponse.make([
                "eligibility": ScholarshipViews.eligibility(rules), "schema_version": .int(Int64(Eligibility.schemaVersion)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-30", .post, "/api/v1/scholarships/rollover", summary: "Roll the catalogue over to the next cycle",
                tag: "Scholarships", access: .member(scope: "manage"), limit: .own("5/h"),
                body: .object([
                    "from_cycle": FieldRule.text(7...7).required, "to_cycle": FieldRule.text(7...7).required,
                    "department_id": FieldRule.id.nullable, "dry_run": .boolean,
                ]),
                responses: [
                    200: ("What was (or would be) copied, archived and skipped", "RolloverResult"),
                    403: ("No manage_scholarships for that scope", "Error"), 422: ("Invalid cycles", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            guard ScholarshipPolicy.managesAny(identity.actor) else { throw APIError.forbidden("Rollover needs manage_scholarships.") }
            let object = try await request.jsonObjectBody(context: context).object
            var reader = FieldReader(object)
            let from = reader.text("from_cycle", 7...7, nil, required: true)
            let to = reader.text("to_cycle", 7...7, nil, required: true)
            let department = reader.integer("department_id", 1...Int64.max, nil)
            let dryRun = reader.flag("dry_run", false)
            if let from, !ScholarshipCalendar.isCycle(from) { reader.problem("from_cycle", ScholarshipFieldReader.cycleHint) }
            if let from, let to, ScholarshipCalendar.next(cycle: from) != to {
                reader.problem("to_cycle", "must be the cycle after from_cycle")
            }
            try reader.validate()
            if identity.user.role != .admin {
                guard let department, ScholarshipPolicy.mayManage(identity.actor, departmentID: department) else {
                    throw APIError.forbidden("Name a department whose scholarships you manage.")
                }
            }
            let audit = context.auditEntry("scholarship.rollover", target: ("scholarship", nil))
            let result = try await Offload.run {
                try catalogue.rollover(from: from ?? "", to: to ?? "", departmentID: department, dryRun: dryRun, audit: audit)
            }
            return JSONResponse.make([
                "copied": .int(Int64(result.copied.count)), "archived": .int(Int64(result.archived.count)),
                "skipped": .array(result.skipped.map { ["id": .int($0.id), "reason": .string($0.reason)] }), "dry_run": .bool(dryRun),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SCH-31", .get, "/api/v1/scholarships/{id}/donors", summary: "A scholarship's donors", tag: "Scholarships",
                access: .member(scope: "manage"),
                responses: [200: ("The donors", "Donors"), 404: ("Not one you manage", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "manage")
            let record = try await Self.managed(context, identity, catalogue: catalogue)
            return JSONResponse.make(try await donorsBody(record.id, viewer: identity.user.id))
        }
        catalog.add(
            RouteSpec(
                id: "SCH-31", .put, "/api/v1/scholarships/{id}/donors", summary: "Replace a scholarship's donors", tag: "Scholarships",
                access: .member(scope: "manage"), limit: .own("30/h"), body: .object(["donors": FieldRule.objects(0...10).required]),
                responses: [200: ("The donors", "Donors"), 404: ("Not one you manage", "Error"), 422: ("Unknown people", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "manage")
            let record = try await Self.managed(context, identity, catalogue: catalogue)
            let object = try await request.jsonObjectBody(context: context).object
            var donors: [ScholarshipStore.Donor] = []
            for item in object["donors"] as? [[String: Any]] ?? [] {
                guard let id = item["user_id"].flatMap(FieldRule.wholeNumber), id > 0 else {
                    throw APIError.validation(["donors": ["each needs a user_id"]])
                }
                let fund = (item["fund_name"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
                if let fund, fund.count > 120 { throw APIError.validation(["donors": ["fund_name is at most 120 characters"]]) }
                donors.append(ScholarshipStore.Donor(userID: id, fundName: fund?.isEmpty == false ? fund : nil))
            }
            let audit = context.auditEntry(
                "scholarship.donors_changed", target: ("scholarship", record.id), details: ["count": .int(Int64(donors.count))])
            let (chosen, adder) = (donors, identity.user.id)
            try await Offload.run { try catalogue.setDonors(scholarshipID: record.id, donors: chosen, addedBy: adder, audit: audit) }
            return JSONResponse.make(try await donorsBody(record.id, viewer: identity.user.id))
        }
    }

    /// 403 unless the caller manages scholarships of that department (nil: every department, so admins and
    /// unscoped grants); 422 for a department that does not exist.
    func checkDepartment(_ departmentID: Int64?, _ identity: Identity) async throws {
        guard ScholarshipPolicy.mayManage(identity.actor, departmentID: departmentID) else {
            throw APIError.forbidden("You manage scholarships of another department.")
        }
        if let departmentID {
            let known = try await Offload.run { [profiles] in try profiles.departmentIDs() }
            guard known.contains(departmentID) else { throw APIError.validation(["department_id": ["must be an existing department"]]) }
        }
    }

    func donorsBody(_ scholarshipID: Int64, viewer: Int64) async throws -> JSONValue {
        let (catalogue, profiles) = (scholarships.catalogue, profiles)
        let donors = try await Offload.run { try catalogue.donors(scholarshipID: scholarshipID) }
        let cards = try await Offload.run { try profiles.cards(ids: donors.map(\.userID), viewer: viewer) }
        return [
            "donors": .array(
                donors.compactMap { donor in
                    cards[donor.userID].map {
                        [
                            "user": .object(ProfileViews.card($0.record, relation: $0.relation)),
                            "fund_name": ScholarshipViews.text(donor.fundName),
                        ]
                    }
                })
        ]
    }
}
