import PSCCore
import PSCStore

/// The response shapes of feature flags, A/B tests and the admin console (10-api §18, §21, §22).
extension OpenAPIDocument {
    static let nullableDecimal: JSONValue = ["type": ["number", "null"]]

    static let flagFields: [String: JSONValue] = [
        "name": Shape.string, "description": Shape.string, "enabled": Shape.boolean, "rollout_percentage": ["type": "number"],
        "target_users": Shape.array(Shape.integer), "target_roles": Shape.array(Shape.choice(FeatureFlagRoutes.roles)),
        "updated_at": Shape.string, "updated_by": Shape.nullableInteger,
    ]

    static let abTestFields: [String: JSONValue] = [
        "id": Shape.integer, "name": Shape.string, "description": Shape.string, "variant_a": Shape.freeObject, "variant_b": Shape.freeObject,
        "traffic_split": ["type": "number"], "goals": strings, "primary_goal": Shape.string, "status": Shape.choice(ABTestRoutes.statuses),
        "winner": ["type": ["string", "null"], "enum": ["A", "B", .null]], "started_at": Shape.nullableString,
        "ended_at": Shape.nullableString, "created_at": Shape.string,
    ]

    static let variantResults = Shape.object([
        "participants": Shape.integer, "percentage": nullableDecimal, "conversions": Shape.integer, "conversion_rate": nullableDecimal,
    ])

    static let experimentShapes: [String: JSONValue] = [
        "FlagEvaluations": Shape.object(["user_id": Shape.nullableInteger, "flags": Shape.map(Shape.boolean)]),
        "FlagCheck": Shape.object([
            "flag": Shape.string, "enabled": Shape.boolean, "reason": Shape.choice(FlagReason.allCases.map(\.rawValue)),
        ]),
        "Flag": Shape.object(flagFields),
        "FlagSaved": Shape.object(flagFields.merging(["message": Shape.string]) { first, _ in first }),
        "FlagList": Shape.object(["items": Shape.array(Shape.ref("Flag"))]),
        "ABTest": Shape.object(abTestFields),
        "ABTestCreated": Shape.object(abTestFields.merging(["message": Shape.string]) { first, _ in first }),
        "ABTestList": Shape.object([
            "tests": Shape.array(Shape.object(abTestFields.merging(["participants": Shape.integer]) { first, _ in first }))
        ]),
        "ABTestVariant": Shape.object([
            "test_id": Shape.integer, "variant": Shape.choice(["A", "B"]), "assigned_at": Shape.string, "config": Shape.freeObject,
        ]),
        "ABTestConversion": Shape.object(["recorded": Shape.boolean]),
        "ABTestResults": Shape.object([
            "test_id": Shape.integer, "name": Shape.string, "status": Shape.choice(ABTestRoutes.statuses),
            "started_at": Shape.nullableString, "ended_at": Shape.nullableString,
            "winner": ["type": ["string", "null"], "enum": ["A", "B", .null]], "total_participants": Shape.integer,
            "variant_a": variantResults, "variant_b": variantResults, "goal": Shape.string, "difference": nullableDecimal,
            "ci95": ["oneOf": [Shape.object(["low": ["type": "number"], "high": ["type": "number"]]), ["type": "null"]]],
            "z": nullableDecimal, "p_value": nullableDecimal, "significant": Shape.boolean,
            "suggested_winner": ["type": ["string", "null"], "enum": ["A", "B", .null]], "warning": Shape.nullableString,
        ]),
    ]
}
