import PSCCore
import PSCJobs
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
        "id": Shape.integer, "name": Shape.string, "description": Shape.string, "variant_a": Shape.freeObject,
        "variant_b": Shape.freeObject,
        "traffic_split": ["type": "number"], "goals": strings, "primary_goal": Shape.string, "status": Shape.choice(ABTestRoutes.statuses),
        "winner": ["type": ["string", "null"], "enum": ["A", "B", .null]], "started_at": Shape.nullableString,
        "ended_at": Shape.nullableString, "created_at": Shape.string,
    ]

    static let variantResults = Shape.object([
        "participants": Shape.integer, "percentage": nullableDecimal, "conversions": Shape.integer, "conversion_rate": nullableDecimal,
    ])

    static let grantShape = Shape.object([
        "id": Shape.integer, "capability": Shape.choice(PeopleAdminRoutes.capabilities), "department_id": Shape.nullableInteger,
        "expires_at": Shape.nullableString, "granted_at": Shape.string,
    ])

    static let adminUserFields: [String: JSONValue] = [
        "user": cardOrNull, "email": Shape.string, "role": Shape.choice(PeopleAdminRoutes.roles),
        "status": Shape.choice(PeopleAdminRoutes.statuses), "created_at": Shape.string, "last_active_at": Shape.nullableString,
        "two_factor_enabled": Shape.boolean, "grants": Shape.array(grantShape),
    ]

    static let auditEntry = Shape.object([
        "id": Shape.integer, "occurred_at": Shape.string, "action": Shape.string, "actor_kind": Shape.string,
        "actor_user_id": Shape.nullableInteger, "target_type": Shape.nullableString, "target_id": Shape.nullableString,
        "ip_address": Shape.nullableString, "user_agent": Shape.nullableString, "details": Shape.freeObject,
        "severity": Shape.choice(OperationsRoutes.severities), "outcome": Shape.choice(["success", "failure"]),
    ])

    static let jobFields: [String: JSONValue] = [
        "id": Shape.integer, "kind": Shape.string, "queue": Shape.string, "state": Shape.choice(Job.State.allCases.map(\.rawValue)),
        "attempts": Shape.integer, "max_attempts": Shape.integer, "run_at": Shape.string, "last_error": Shape.nullableString,
        "unique_key": Shape.nullableString, "created_at": Shape.string,
    ]

    /// One health check: its status and message with the figures of 20-services §9.1 that check reports.
    static let healthCheck: JSONValue = {
        let text: JSONValue = ["type": ["string", "null"]]
        let count: JSONValue = ["type": ["integer", "null"]]
        let figures: [String: JSONValue] = [
            "read_ms": text, "write_ms": text, "db_bytes": count, "wal_bytes": count, "sqlite_version": text,
            "lag_seconds": Shape.map(Shape.string), "available": count, "running": count, "dead_24h": count, "used_percent": text,
            "free_bytes": count, "rss_bytes": count, "limit_bytes": count, "entries": count, "bytes": count, "hit_rate": text,
        ]
        return Shape.object(
            figures.merging(["status": Shape.choice(["healthy", "degraded", "unhealthy", "unknown"]), "message": Shape.string]) {
                first, _ in
                first
            }, optional: Set(figures.keys))
    }()

    static let healthChecks = Shape.map(Shape.ref("HealthCheck"))

    static let serviceKeyFields: [String: JSONValue] = [
        "id": Shape.integer, "name": Shape.string, "prefix": Shape.string, "kind": Shape.choice(["api_key"]), "scopes": strings,
        "created_at": Shape.string, "last_used_at": Shape.nullableString, "expires_at": Shape.nullableString,
        "organization": Shape.string, "max_api_calls": Shape.integer, "api_calls_used": Shape.integer,
    ]

    static let verification = Shape.object([
        "id": Shape.integer, "user": cardOrNull, "type": Shape.choice(VerificationRoutes.types),
        "document_upload_ids": Shape.array(Shape.integer), "note": Shape.nullableString,
        "status": Shape.choice(["pending", "approved", "rejected", "expired"]), "reason": Shape.nullableString,
        "decided_at": Shape.nullableString, "expires_at": Shape.nullableString, "created_at": Shape.string,
    ])

    static let adminShapes: [String: JSONValue] = [
        "Verification": verification,
        "VerificationList": Shape.object(["items": Shape.array(Shape.ref("Verification"))]),
        "VerificationCreated": Shape.object(["id": Shape.integer, "status": Shape.choice(["pending"])]),
        "ServiceKeyList": Shape.object(["items": Shape.array(Shape.object(serviceKeyFields))]),
        "ServiceKeyCreated": Shape.object(serviceKeyFields.merging(["key": Shape.string]) { first, _ in first }),
        "HealthCheck": healthCheck,
        "AdminUser": Shape.object(adminUserFields),
        "AdminUserPage": page(of: Shape.ref("AdminUser")),
        "AdminUserDetail": Shape.object(
            adminUserFields.merging([
                "department_id": Shape.nullableInteger, "last_login_at": Shape.nullableString, "suspended_until": Shape.nullableString,
                "email_verified": Shape.boolean, "sessions": Shape.integer, "tokens": Shape.integer,
                "recent_audit": Shape.array(Shape.ref("AuditEntry")),
            ]) { first, _ in first }),
        "Invitation": Shape.object(["user_id": Shape.integer, "invitation_expires_at": Shape.string]),
        "AccountStatus": Shape.object(["id": Shape.integer, "status": Shape.choice(PeopleAdminRoutes.statuses)]),
        "GrantList": Shape.object(["items": Shape.array(grantShape)]),
        "Revoked": Shape.object(["revoked": Shape.integer]),
        "AuditEntry": auditEntry,
        "AuditEntryPage": page(of: Shape.ref("AuditEntry")),
        "AuditVerification": Shape.object([
            "valid": Shape.boolean, "checked": Shape.integer, "first_bad_id": Shape.nullableInteger, "anchor_id": Shape.nullableInteger,
        ]),
        "Job": Shape.object(jobFields),
        "JobPage": page(of: Shape.ref("Job")),
        "JobDetail": Shape.object(
            jobFields.merging([
                "payload": ["type": ["object", "array", "string"]], "finished_at": Shape.nullableString, "updated_at": Shape.string,
            ]) {
                first, _ in first
            }),
        "JobQueued": Shape.object(["job_id": Shape.integer]),
        "ScheduleList": Shape.object([
            "items": Shape.array(
                Shape.object([
                    "name": Shape.string, "cron": Shape.string, "time_zone": Shape.string, "paused": Shape.boolean,
                    "next_run_at": Shape.nullableString,
                    "last_run": [
                        "oneOf": [
                            Shape.object([
                                "slot": Shape.nullableString, "status": Shape.nullableString, "started_at": Shape.nullableString,
                                "finished_at": Shape.nullableString, "summary": ["type": ["object", "null"]], "error": Shape.nullableString,
                            ]), ["type": "null"],
                        ]
                    ],
                ]))
        ]),
        "ScheduleState": Shape.object(["name": Shape.string, "paused": Shape.boolean]),
        "BackupList": Shape.object([
            "items": Shape.array(
                Shape.object([
                    "file": Shape.string, "bytes": Shape.integer, "sha256": Shape.string, "created_at": Shape.string,
                    "kind": Shape.choice(["daily", "weekly", "monthly", "manual"]), "verified": Shape.boolean, "present": Shape.boolean,
                ]))
        ]),
        "PlatformStatus": Shape.object([
            "health": Shape.object(
                [
                    "status": Shape.choice(["healthy", "degraded", "unhealthy"]), "timestamp": Shape.string,
                    "uptime_seconds": Shape.integer,
                    "version": Shape.string, "checks": healthChecks,
                ]),
            "performance": Shape.object([
                "cpu_percent": nullableDecimal, "rss_bytes": Shape.nullableInteger, "disk": ["type": ["object", "null"]],
                "db": Shape.object([
                    "size_bytes": Shape.integer, "wal_bytes": Shape.integer, "readers": Shape.integer, "writer_queue": Shape.integer,
                ]),
                "uptime_hours": ["type": "number"],
            ]),
            "alerts": Shape.array(
                Shape.object([
                    "severity": Shape.choice(["warning", "critical"]), "service": Shape.string, "message": Shape.string,
                ])),
            "tls": [
                "oneOf": [
                    Shape.object([
                        "subject": Shape.string, "issuer": Shape.string, "not_valid_after": Shape.string, "serial": Shape.string,
                        "days_left": Shape.integer, "loaded_at": Shape.string,
                    ]),
                    ["type": "null"],
                ]
            ],
            "queue": Shape.object([
                "available": Shape.integer, "running": Shape.integer, "dead": Shape.integer, "lag_seconds": ["type": "number"],
            ]),
        ]),
    ]

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
