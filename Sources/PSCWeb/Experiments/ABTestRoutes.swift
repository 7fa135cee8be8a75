import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// ABT-1..9 (10-api §18, rules in 20-services §2): the admins' tests with their lifecycle and results, and the
/// members' sticky variants and conversions.
struct ABTestRoutes: FeatureRoutes {
    let abTests: ABTestStore

    static let statuses = ABTestStatus.allCases.map(\.rawValue)

    static func configuration(_ text: String) -> JSONValue {
        (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .object([:])
    }

    static func body(_ test: ABTestRecord, participants: Int? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .int(test.id), "name": .string(test.name), "description": .string(test.description),
            "variant_a": configuration(test.variantA), "variant_b": configuration(test.variantB),
            "traffic_split": .decimal(test.trafficSplit, places: 2), "goals": .array(test.goals.map(JSONValue.string)),
            "primary_goal": .string(test.primaryGoal), "status": .string(test.status.rawValue),
            "winner": test.winner.map { .string($0.rawValue) } ?? .null, "started_at": test.startedAt.map(JSONValue.string) ?? .null,
            "ended_at": test.endedAt.map(JSONValue.string) ?? .null, "created_at": .string(test.createdAt),
        ]
        if let participants { body["participants"] = .int(Int64(participants)) }
        return .object(body)
    }

    static let fields: [String: FieldRule] = [
        "name": FieldRule.text(2...128).required, "description": FieldRule.text(1...1000).required,
        "variant_a": FieldRule.object.required, "variant_b": FieldRule.object.required, "traffic_split": .number(0.01...0.99),
        "goals": .texts(max: 10, each: 1...40), "primary_goal": .text(1...40),
    ]

    /// ABT-2's fields over `current` (ABT-4 changes any of them), with the variant objects at most 16 KiB each.
    static func read(_ reader: inout FieldReader, over current: ABTestFields?) -> ABTestFields {
        let name = reader.text("name", 2...128, current?.name, required: true) ?? ""
        let description = reader.text("description", 1...1000, current?.description, required: true) ?? ""
        func variant(_ key: String, _ existing: String?) -> String {
            guard let value = reader.object[key] else {
                if existing == nil { reader.problem(key, "is required") }
                return existing ?? "{}"
            }
            guard value is [String: Any], let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys]),
                data.count <= 16 * 1024
            else {
                reader.problem(key, "must be a JSON object of at most 16 KiB")
                return existing ?? "{}"
            }
            return String(decoding: data, as: UTF8.self)
        }
        let variantA = variant("variant_a", current?.variantA)
        let variantB = variant("variant_b", current?.variantB)
        let split = reader.number("traffic_split", 0.01...0.99, current?.trafficSplit ?? 0.5) ?? 0.5
        var goals = reader.strings("goals", maxCount: 10, eachLength: 1...40, current?.goals ?? ["conversion"])
        if goals.isEmpty || !goals.allSatisfy(ABTestRules.isGoal) {
            reader.problem("goals", "must be 1 to 10 names of lowercase letters, digits or underscores")
            goals = current?.goals ?? ["conversion"]
        }
        let primary = reader.text("primary_goal", 1...40, goals.contains(current?.primaryGoal ?? "") ? current?.primaryGoal : goals.first)
        if let primary, !goals.contains(primary) { reader.problem("primary_goal", "must be one of the goals") }
        return ABTestFields(
            name: name, description: description, variantA: variantA, variantB: variantB, trafficSplit: split, goals: goals,
            primaryGoal: primary ?? goals.first)
    }

    static func failure(_ error: ExperimentError) -> APIError {
        switch error {
        case .notFound: APIError.notFound("There is no such test.")
        case .conflict(let code, let message): APIError(.conflict, code, message)
        }
    }

    /// The ABT-9 answer for a goal: counts, shares and rates as percentages, the statistics rounded only here.
    static func results(_ test: ABTestRecord, goal: String, counts: (a: ABTestRules.Counts, b: ABTestRules.Counts)) -> JSONValue {
        let total = counts.a.participants + counts.b.participants
        func variant(_ counts: ABTestRules.Counts) -> JSONValue {
            [
                "participants": .int(Int64(counts.participants)),
                "percentage": total == 0 ? .null : .decimal(Double(counts.participants) / Double(total) * 100, places: 2),
                "conversions": .int(Int64(counts.conversions)),
                "conversion_rate": counts.rate.map { .decimal($0 * 100, places: 2) } ?? .null,
            ]
        }
        let stats = ABTestRules.results(a: counts.a, b: counts.b)
        func four(_ value: Double?) -> JSONValue { value.map { .decimal(ABTestRules.rounded($0, 4), places: 4) } ?? .null }
        return [
            "test_id": .int(test.id), "name": .string(test.name), "status": .string(test.status.rawValue),
            "started_at": test.startedAt.map(JSONValue.string) ?? .null, "ended_at": test.endedAt.map(JSONValue.string) ?? .null,
            "winner": test.winner.map { .string($0.rawValue) } ?? .null, "total_participants": .int(Int64(total)),
            "variant_a": variant(counts.a), "variant_b": variant(counts.b), "goal": .string(goal), "difference": four(stats.difference),
            "ci95": stats.ci95.map { ["low": four($0.low), "high": four($0.high)] } ?? .null, "z": four(stats.z),
            "p_value": four(stats.pValue), "significant": .bool(stats.significant),
            "suggested_winner": stats.suggestedWinner.map { .string($0.rawValue) } ?? .null,
            "warning": stats.warning.map(JSONValue.string) ?? .null,
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let abTests = abTests
        catalog.add(
            RouteSpec(
                id: "ABT-1", .get, "/api/v1/ab-tests", summary: "The A/B tests, newest first", tag: "A/B tests",
                access: .member(scope: "admin"), query: [.choice("status", Self.statuses, "Only tests in this status")],
                responses: [200: ("The tests with their participants", "ABTestList"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let status = try QueryReader(request).choice("status", Self.statuses).flatMap(ABTestStatus.init(rawValue:))
            let found = try await Offload.run { try abTests.list(status: status) }
            return JSONResponse.make(["tests": .array(found.map { Self.body($0.test, participants: $0.participants) })])
        }
        catalog.add(
            RouteSpec(
                id: "ABT-2", .post, "/api/v1/ab-tests", summary: "Create a test (draft)", tag: "A/B tests", access: .member(scope: "admin"),
                limit: .own("5/h"), body: .object(Self.fields),
                responses: [
                    201: ("Created as a draft", "ABTestCreated"), 403: ("Not an admin", "Error"), 409: ("The name is taken", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.admin, scope: "admin")
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let fields = Self.read(&reader, over: nil)
            try reader.validate()
            let audit = context.auditEntry("ab_test.created", target: ("ab_test", nil), severity: .warning)
            do {
                let test = try await Offload.run { try abTests.create(fields, by: identity.user.id, audit: audit) }
                var body = Self.body(test).objectValue ?? [:]
                body["message"] = "A/B test created"
                return JSONResponse.make(.object(body), status: .created)
            } catch let error as ExperimentError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ABT-3", .get, "/api/v1/ab-tests/{id}", summary: "One test", tag: "A/B tests", access: .member(scope: "admin"),
                responses: [200: ("The test", "ABTest"), 403: ("Not an admin", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            guard let test = try await Offload.run({ try abTests.test(id: id) }) else { throw APIError.notFound("There is no such test.") }
            return JSONResponse.make(Self.body(test))
        }
        catalog.add(
            RouteSpec(
                id: "ABT-4", .patch, "/api/v1/ab-tests/{id}", summary: "Change a draft test", tag: "A/B tests",
                access: .member(scope: "admin"), limit: .own("10/h"), body: .object(Self.fields.mapValues(\.optional)),
                responses: [
                    200: ("Changed", "ABTest"), 403: ("Not an admin", "Error"), 409: ("Not a draft, or the name is taken", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            guard let current = try await Offload.run({ try abTests.test(id: id) }) else {
                throw APIError.notFound("There is no such test.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let fields = Self.read(&reader, over: ABTestFields(current))
            try reader.validate()
            let audit = context.auditEntry("ab_test.updated", target: ("ab_test", id), severity: .warning)
            do {
                return JSONResponse.make(
                    Self.body(try await Offload.run { try abTests.update(id: id, change: { _ in fields }, audit: audit) }))
            } catch let error as ExperimentError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ABT-4", .delete, "/api/v1/ab-tests/{id}", summary: "Delete a draft test", tag: "A/B tests",
                access: .member(scope: "admin"), limit: .own("10/h"),
                responses: [204: ("Deleted", nil), 403: ("Not an admin", "Error"), 409: ("Not a draft", "Error")]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            let audit = context.auditEntry("ab_test.deleted", target: ("ab_test", id), severity: .warning)
            do {
                try await Offload.run { try abTests.delete(id: id, audit: audit) }
            } catch let error as ExperimentError { throw Self.failure(error) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "ABT-5", .post, "/api/v1/ab-tests/{id}/start", summary: "Start a draft test", tag: "A/B tests",
                access: .member(scope: "admin"),
                responses: [
                    200: ("Running", "ABTest"), 403: ("Not an admin", "Error"), 409: ("Running or completed (no restart)", "Error"),
                ]),
            to: router
        ) { _, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            let audit = context.auditEntry("ab_test.started", target: ("ab_test", id), severity: .warning)
            do {
                return JSONResponse.make(Self.body(try await Offload.run { try abTests.start(id: id, audit: audit) }))
            } catch let error as ExperimentError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ABT-6", .post, "/api/v1/ab-tests/{id}/stop", summary: "Stop a running test, choosing a winner or none",
                tag: "A/B tests", access: .member(scope: "admin"), body: .object(["winner": .choice(["A", "B"])]),
                responses: [200: ("Completed", "ABTest"), 403: ("Not an admin", "Error"), 409: ("Not running", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            // The body is optional: an empty one stops without a winner.
            var reader = try await request.optionalFieldReader(context: context)
            let winner = reader.choice("winner", ["A", "B"], nil).flatMap(ABVariant.init(rawValue:))
            try reader.validate()
            let audit = context.auditEntry("ab_test.stopped", target: ("ab_test", id), severity: .warning)
            do {
                return JSONResponse.make(
                    Self.body(try await Offload.run { try abTests.stop(id: id, winner: winner, audit: audit) }))
            } catch let error as ExperimentError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "ABT-7", .get, "/api/v1/ab-tests/{id}/variant", summary: "The caller's variant (assigned on first call)",
                tag: "A/B tests", access: .member(scope: "content:read"),
                responses: [200: ("The variant and its configuration", "ABTestVariant")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:read")
            let id = try context.positiveID(notFound: "There is no such test.")
            guard let found = try await Offload.run({ try abTests.variant(testID: id, userID: identity.user.id) }) else {
                throw APIError.notFound("There is no such test.")
            }
            return JSONResponse.make([
                "test_id": .int(id), "variant": .string(found.variant.rawValue), "assigned_at": .string(found.assignedAt),
                "config": Self.configuration(found.test.configuration(found.variant)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "ABT-8", .post, "/api/v1/ab-tests/{id}/convert", summary: "Record the caller's conversion for a goal",
                tag: "A/B tests", access: .member(scope: "content:write"), limit: .own("120/h"),
                body: .object(["goal": .text(1...40)]),
                responses: [200: ("Recorded, or already counted", "ABTestConversion"), 409: ("The test is not running", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try context.positiveID(notFound: "There is no such test.")
            var reader = try await request.optionalFieldReader(context: context)
            let goal = reader.text("goal", 1...40, nil)
            try reader.validate()
            do {
                let outcome = try await Offload.run { try abTests.convert(testID: id, userID: identity.user.id, goal: goal) }
                return JSONResponse.make(["recorded": .bool(outcome == .recorded)])
            } catch let error as ExperimentError {
                if error == .notFound { throw APIError.notFound("You are not in this test, or it has no such goal.") }
                throw Self.failure(error)
            }
        }
        catalog.add(
            RouteSpec(
                id: "ABT-9", .get, "/api/v1/ab-tests/{id}/results", summary: "Results for a goal with the z-test", tag: "A/B tests",
                access: .member(scope: "admin"), query: [.text("goal", max: 40, "The goal (default the primary goal)")],
                responses: [200: ("The results", "ABTestResults"), 403: ("Not an admin", "Error")]),
            to: router
        ) { request, context in
            _ = try context.require(.admin, scope: "admin")
            let id = try context.positiveID(notFound: "There is no such test.")
            guard let test = try await Offload.run({ try abTests.test(id: id) }) else { throw APIError.notFound("There is no such test.") }
            let goal = QueryReader(request).text("goal", max: 40) ?? test.primaryGoal
            guard test.goals.contains(goal) else { throw APIError.notFound("This test has no goal named \(goal).") }
            let counts = try await Offload.run { try abTests.counts(testID: id, goal: goal) }
            return JSONResponse.make(Self.results(test, goal: goal, counts: counts))
        }
    }
}
