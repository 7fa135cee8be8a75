import PSCCore
import PSCStore

/// Response shapes of the operations whose answers are built field by field in their handlers: written from the
/// answers the end-to-end tests receive (`.build/api-transcript.jsonl`), and checked against every such answer by the
/// conformance test, so a handler that changes a shape fails CI until its schema says so.
extension OpenAPIDocument {
    static let accepted: JSONValue = ["type": "object", "required": ["message"], "properties": ["message": ["type": "string"]]]
    static let attendeePage: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["status", "user", "checked_in_at", "position"],
                    "properties": [
                        "status": ["type": "string"], "user": ["$ref": "#/components/schemas/UserCard"],
                        "checked_in_at": ["type": ["string", "null"]], "position": ["type": ["integer", "null"]],
                    ],
                ],
            ]
        ],
    ]
    static let auditLogPage: JSONValue = [
        "type": "object", "required": ["logs", "next_cursor", "limit"],
        "properties": [
            "logs": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": [
                        "details", "ip_address", "occurred_at", "action", "target_type", "actor_user_id", "target_id", "id", "actor_kind",
                        "user_agent", "outcome", "severity",
                    ],
                    "properties": [
                        "details": [
                            "type": "object",
                            "properties": [
                                "method": ["type": "string"], "reason": ["type": "string"], "count": ["type": "integer"],
                                "status": ["type": "string"], "role": ["type": "string"], "consent_type": ["type": "string"],
                                "version": ["type": "string"], "code": ["type": "string"],
                            ],
                        ], "ip_address": ["type": ["string", "null"]], "occurred_at": ["type": "string"], "action": ["type": "string"],
                        "target_type": ["type": ["string", "null"]], "actor_user_id": ["type": ["integer", "null"]],
                        "target_id": ["type": ["string", "null"]],
                        "id": ["type": "integer"], "actor_kind": ["type": "string"], "user_agent": ["type": ["string", "null"]],
                        "outcome": ["type": "string"], "severity": ["type": "string"],
                    ],
                ],
            ], "next_cursor": ["type": ["string", "null"]], "limit": ["type": "integer"],
        ],
    ]
    static let avatar: JSONValue = ["type": "object", "required": ["avatar_url"], "properties": ["avatar_url": ["type": "string"]]]
    static let blocked: JSONValue = [
        "type": "object", "required": ["blocked_user_id"], "properties": ["blocked_user_id": ["type": "integer"]],
    ]
    static let checkInCode: JSONValue = [
        "type": "object", "required": ["code", "check_in_url", "qr_png"],
        "properties": ["code": ["type": "string"], "check_in_url": ["type": "string"], "qr_png": ["type": "string"]],
    ]
    static let checkedIn: JSONValue = [
        "type": "object", "required": ["checked_in_at"], "properties": ["checked_in_at": ["type": "string"]],
    ]
    static let codeCheck: JSONValue = ["type": "object", "required": ["valid"], "properties": ["valid": ["type": "boolean"]]]
    static let comment: JSONValue = [
        "type": "object", "required": ["id", "content_html", "author", "post_id", "content", "created_at", "parent_id"],
        "properties": [
            "id": ["type": "integer"], "content_html": ["type": "string"], "author": ["$ref": "#/components/schemas/UserCard"],
            "post_id": ["type": "integer"], "content": ["type": "string"], "created_at": ["type": "string"],
            "parent_id": ["type": ["integer", "null"]],
        ],
    ]
    static let commentPage = page(of: "Comment")
    static let connectionAnswer: JSONValue = ["type": "object", "required": ["status"], "properties": ["status": ["type": "string"]]]
    static let connectionPage = page(of: "Connection")
    /// CON-1's entries: the other member, the state and the request's note.
    static let connection: JSONValue = [
        "type": "object", "required": ["id", "status", "created_at", "user", "note"],
        "properties": [
            "id": ["type": "integer"], "status": ["type": "string"], "created_at": ["type": "string"],
            "user": ["$ref": "#/components/schemas/UserCard"], "note": ["type": ["string", "null"]],
        ],
    ]
    /// The user of a session as sign-in and AUTH-7 answer it (`AccountBodies.profile`).
    static let sessionUser: JSONValue = [
        "type": "object",
        "required": [
            "time_zone", "degree", "id", "status", "email", "created_at", "company", "theme", "last_active_at", "first_name",
            "last_name", "role", "graduation_year", "department_id", "email_verified",
        ],
        "properties": [
            "time_zone": ["type": "string"], "degree": ["type": ["string", "null"]], "id": ["type": "integer"],
            "status": ["type": "string"], "email": ["type": "string"], "created_at": ["type": "string"],
            "company": ["type": ["string", "null"]], "theme": ["type": "string"], "last_active_at": ["type": ["string", "null"]],
            "first_name": ["type": "string"], "last_name": ["type": "string"], "role": ["type": "string"],
            "graduation_year": ["type": ["integer", "null"]], "department_id": ["type": ["integer", "null"]],
            "email_verified": ["type": "boolean"],
        ],
    ]
    /// One search result of any kind (`SearchViews`).
    static let searchHit: JSONValue = [
        "type": "object", "required": ["url", "snippet", "id", "score", "title"],
        "properties": [
            "url": ["type": "string"], "snippet": ["type": "string"], "id": ["type": "integer"], "score": ["type": "string"],
            "title": ["type": "string"],
        ],
    ]
    static let connectionRequest: JSONValue = [
        "type": "object", "required": ["id", "status"], "properties": ["id": ["type": "integer"], "status": ["type": "string"]],
    ]
    static let consentHistory: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["source", "id", "granted", "version", "consent_type", "recorded_at"],
                    "properties": [
                        "source": ["type": "string"], "id": ["type": "integer"], "granted": ["type": "boolean"],
                        "version": ["type": "string"], "consent_type": ["type": "string"], "recorded_at": ["type": "string"],
                    ],
                ],
            ]
        ],
    ]
    static let consentRecorded: JSONValue = [
        "type": "object", "required": ["success", "id", "granted", "recorded_at", "consent_type"],
        "properties": [
            "success": ["type": "boolean"], "id": ["type": "integer"], "granted": ["type": "boolean"], "recorded_at": ["type": "string"],
            "consent_type": ["type": "string"],
        ],
    ]
    static let consentState: JSONValue = [
        "type": "object", "required": ["consents"],
        "properties": [
            "consents": [
                "type": "object", "description": "The latest record of each consent type, by type",
                "additionalProperties": [
                    "type": "object", "required": ["granted", "version", "recorded_at"],
                    "properties": ["granted": ["type": "boolean"], "version": ["type": "string"], "recorded_at": ["type": "string"]],
                ],
            ]
        ],
    ]
    static let created: JSONValue = ["type": "object", "required": ["id"], "properties": ["id": ["type": "integer"]]]
    static let deletionScheduled: JSONValue = [
        "type": "object", "required": ["purge_after"], "properties": ["purge_after": ["type": "string"]],
    ]
    static let feedbackRecorded: JSONValue = [
        "type": "object", "required": ["rating", "event_id"],
        "properties": ["rating": ["type": "integer"], "event_id": ["type": "integer"]],
    ]
    static let jobApplication: JSONValue = [
        "type": "object",
        "required": [
            "job", "updated_at", "id", "resume_upload_id", "applicant", "answers", "status", "cover_letter", "resume_url", "created_at",
            "viewed_at",
        ],
        "properties": [
            "job": [
                "type": "object", "required": ["title", "company", "id"],
                "properties": [
                    "title": ["type": "string"],
                    "company": [
                        "type": "object", "required": ["id", "name"],
                        "properties": ["id": ["type": "integer"], "name": ["type": "string"]],
                    ], "id": ["type": "integer"],
                ],
            ], "updated_at": ["type": "string"], "id": ["type": "integer"], "resume_upload_id": ["type": "integer"],
            "applicant": ["$ref": "#/components/schemas/UserCard"], "answers": ["type": "object", "properties": [:]],
            "status": ["type": "string"], "cover_letter": ["type": ["string", "null"]], "resume_url": ["type": "string"],
            "created_at": ["type": "string"], "viewed_at": ["type": ["string", "null"]], "note": ["type": ["string", "null"]],
        ],
    ]
    static let jobApplicationPage = page(of: "JobApplication")
    static let likeState: JSONValue = [
        "type": "object", "required": ["like_count", "liked"],
        "properties": ["like_count": ["type": "integer"], "liked": ["type": "boolean"]],
    ]
    static let markedRead: JSONValue = ["type": "object", "required": ["marked"], "properties": ["marked": ["type": "integer"]]]
    static let newToken: JSONValue = [
        "type": "object", "required": ["token", "name", "kind", "id", "expires_at", "prefix", "scopes", "last_used_at", "created_at"],
        "properties": [
            "token": ["type": "string"], "name": ["type": "string"], "kind": ["type": "string"], "id": ["type": "integer"],
            "expires_at": ["type": "string"], "prefix": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]],
            "last_used_at": ["type": ["string", "null"]], "created_at": ["type": "string"],
        ],
    ]
    static let notificationRead: JSONValue = [
        "type": "object", "required": ["is_read", "id"], "properties": ["is_read": ["type": "boolean"], "id": ["type": "integer"]],
    ]
    static let ownProfile: JSONValue = [
        "type": "object",
        "required": [
            "industry", "directory_listed", "headline", "avatar_url", "enrollment_status", "gpa", "position", "role", "interests",
            "last_active_at", "major", "display_name", "id", "phone", "state_of_residence", "first_name", "theme", "credit_hours", "skills",
            "employer_visible", "time_zone", "privacy", "is_mentor", "bio", "company", "email", "department", "class_standing",
            "connection_status", "degree", "first_generation", "financial_need", "location", "weekly_report", "links", "last_name",
            "graduation_year",
            "status", "created_at",
        ],
        "properties": [
            "industry": ["type": ["string", "null"]], "directory_listed": ["type": "boolean"], "headline": ["type": ["string", "null"]],
            "avatar_url": ["type": ["string", "null"]], "enrollment_status": ["type": ["string", "null"]],
            "gpa": ["type": ["number", "null"]], "position": ["type": ["string", "null"]], "role": ["type": "string"],
            "interests": ["type": "array", "items": [:]], "last_active_at": ["type": "string"], "major": ["type": ["string", "null"]],
            "display_name": ["type": "string"], "id": ["type": "integer"], "phone": ["type": ["string", "null"]],
            "state_of_residence": ["type": ["string", "null"]], "first_name": ["type": "string"], "theme": ["type": "string"],
            "credit_hours": ["type": ["integer", "null"]], "skills": ["type": "array", "items": ["type": "string"]],
            "employer_visible": ["type": "boolean"], "time_zone": ["type": "string"],
            "privacy": [
                "type": "object",
                "required": [
                    "last_active_at", "phone", "email", "interests", "company", "headline", "location", "position", "industry", "bio",
                    "skills", "department", "graduation_year", "links", "degree", "major",
                ],
                "properties": [
                    "last_active_at": ["type": "string"], "phone": ["type": "string"], "email": ["type": "string"],
                    "interests": ["type": "string"], "company": ["type": "string"], "headline": ["type": "string"],
                    "location": ["type": "string"], "position": ["type": "string"], "industry": ["type": "string"],
                    "bio": ["type": "string"], "skills": ["type": "string"], "department": ["type": "string"],
                    "graduation_year": ["type": "string"], "links": ["type": "string"], "degree": ["type": "string"],
                    "major": ["type": "string"],
                ],
            ], "is_mentor": ["type": "boolean"], "bio": ["type": ["string", "null"]], "company": ["type": ["string", "null"]],
            "email": ["type": "string"],
            "department": [
                "type": ["object", "null"], "required": ["id", "name"],
                "properties": ["id": ["type": "integer"], "name": ["type": "string"]],
            ], "class_standing": ["type": ["string", "null"]], "connection_status": ["type": "string"],
            "degree": ["type": ["string", "null"]], "first_generation": ["type": ["boolean", "null"]],
            "financial_need": ["type": ["boolean", "null"]],
            "location": ["type": ["string", "null"]], "weekly_report": ["type": "boolean"],
            "links": ["type": "object", "properties": ["github": ["type": "string"]]], "last_name": ["type": "string"],
            "graduation_year": ["type": ["integer", "null"]], "status": ["type": "string"], "created_at": ["type": "string"],
        ],
    ]
    static let passkey: JSONValue = [
        "type": "object", "required": ["device_name", "id"],
        "properties": [
            "device_name": ["type": "string"], "created_at": ["type": "string"], "id": ["type": "integer"],
            "last_used_at": ["type": ["string", "null"]], "backed_up": ["type": "boolean"], "flagged": ["type": "boolean"],
        ],
    ]
    static let passkeyCreationOptions: JSONValue = [
        "type": "object", "required": ["ceremony_id", "publicKey"],
        "properties": [
            "ceremony_id": ["type": "string"],
            "publicKey": [
                "type": "object",
                "required": [
                    "authenticatorSelection", "attestation", "excludeCredentials", "pubKeyCredParams", "timeout", "user", "rp", "challenge",
                ],
                "properties": [
                    "authenticatorSelection": [
                        "type": "object", "required": ["residentKey", "userVerification"],
                        "properties": ["residentKey": ["type": "string"], "userVerification": ["type": "string"]],
                    ], "attestation": ["type": "string"],
                    "excludeCredentials": [
                        "type": "array",
                        "items": [
                            "type": "object", "required": ["type", "id"],
                            "properties": ["type": ["type": "string"], "id": ["type": "string"]],
                        ],
                    ],
                    "pubKeyCredParams": [
                        "type": "array",
                        "items": [
                            "type": "object", "required": ["alg", "type"],
                            "properties": ["alg": ["type": "integer"], "type": ["type": "string"]],
                        ],
                    ], "timeout": ["type": "integer"],
                    "user": [
                        "type": "object", "required": ["displayName", "name", "id"],
                        "properties": ["displayName": ["type": "string"], "name": ["type": "string"], "id": ["type": "string"]],
                    ],
                    "rp": [
                        "type": "object", "required": ["name", "id"], "properties": ["name": ["type": "string"], "id": ["type": "string"]],
                    ], "challenge": ["type": "string"],
                ],
            ],
        ],
    ]
    static let passkeyList: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": ["items": ["type": "array", "items": ["$ref": "#/components/schemas/Passkey"]]],
    ]
    static let passkeyRequestOptions: JSONValue = [
        "type": "object", "required": ["publicKey", "ceremony_id"],
        "properties": [
            "publicKey": [
                "type": "object", "required": ["challenge", "allowCredentials", "rpId", "userVerification", "timeout"],
                "properties": [
                    "challenge": ["type": "string"],
                    "allowCredentials": [
                        "type": "array",
                        "items": [
                            "type": "object", "required": ["type", "id"],
                            "properties": ["type": ["type": "string"], "id": ["type": "string"]],
                        ],
                    ], "rpId": ["type": "string"], "userVerification": ["type": "string"], "timeout": ["type": "integer"],
                ],
            ], "ceremony_id": ["type": "string"],
        ],
    ]
    static let passwordChanged: JSONValue = ["type": "object", "required": ["revoked"], "properties": ["revoked": ["type": "integer"]]]
    static let passwordReset: JSONValue = ["type": "object", "required": ["success"], "properties": ["success": ["type": "boolean"]]]
    static let privacySettings: JSONValue = [
        "type": "object", "required": ["directory_listed", "employer_visible", "privacy"],
        "properties": [
            "directory_listed": ["type": "boolean"], "employer_visible": ["type": "boolean"],
            "privacy": [
                "type": "object",
                "required": [
                    "position", "links", "bio", "interests", "location", "headline", "email", "department", "phone", "major",
                    "last_active_at", "skills", "degree", "graduation_year", "industry", "company",
                ],
                "properties": [
                    "position": ["type": "string"], "links": ["type": "string"], "bio": ["type": "string"], "interests": ["type": "string"],
                    "location": ["type": "string"], "headline": ["type": "string"], "email": ["type": "string"],
                    "department": ["type": "string"], "phone": ["type": "string"], "major": ["type": "string"],
                    "last_active_at": ["type": "string"], "skills": ["type": "string"], "degree": ["type": "string"],
                    "graduation_year": ["type": "string"], "industry": ["type": "string"], "company": ["type": "string"],
                ],
            ],
        ],
    ]
    static let rSVP: JSONValue = [
        "type": "object", "required": ["position", "status"],
        "properties": ["position": ["type": ["integer", "null"]], "status": ["type": "string"]],
    ]
    static let recentAuth: JSONValue = [
        "type": "object", "required": ["recent_auth_until"], "properties": ["recent_auth_until": ["type": "string"]],
    ]
    static let recoveryCodes: JSONValue = [
        "type": "object", "required": ["recovery_codes"], "properties": ["recovery_codes": ["type": "array", "items": ["type": "string"]]],
    ]
    static let registered: JSONValue = [
        "type": "object", "required": ["verification_sent", "user_id", "status"],
        "properties": ["verification_sent": ["type": "boolean"], "user_id": ["type": "integer"], "status": ["type": "string"]],
    ]
    static let revoked: JSONValue = ["type": "object", "required": ["revoked"], "properties": ["revoked": ["type": "integer"]]]
    static var searchResults: JSONValue {
        let kinds = SearchStore.types
        let hits: JSONValue = ["type": "array", "items": ["$ref": "#/components/schemas/SearchHit"]]
        return [
            "type": "object", "required": ["next_cursor", "query", "counts", "results"],
            "properties": [
                "next_cursor": ["type": ["string", "null"]], "query": ["type": "string"],
                "counts": [
                    "type": "object", "properties": .object(Dictionary(uniqueKeysWithValues: kinds.map { ($0, ["type": "integer"]) })),
                ],
                "results": ["type": "object", "properties": .object(Dictionary(uniqueKeysWithValues: kinds.map { ($0, hits) }))],
            ],
        ]
    }
    static let sessionInfo: JSONValue = [
        "type": "object",
        "required": [
            "enrol_two_factor", "expires_at", "grants", "recent_auth_at", "csrf_token", "user", "permissions", "two_factor_enabled",
        ],
        "properties": [
            "enrol_two_factor": ["type": "boolean"], "expires_at": ["type": "string"],
            "grants": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["expires_at", "capability", "department_id"],
                    "properties": [
                        "expires_at": ["type": "string"], "capability": ["type": "string"], "department_id": ["type": ["integer", "null"]],
                    ],
                ],
            ], "recent_auth_at": ["type": "string"], "csrf_token": ["type": "string"],
            "user": ["$ref": "#/components/schemas/SessionUser"], "permissions": ["type": "array", "items": ["type": "string"]],
            "two_factor_enabled": ["type": "boolean"],
        ],
    ]
    static let sessionList: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": [
                "type": "array",
                "items": [
                    "type": "object",
                    "required": ["user_agent", "remember", "ip", "id", "last_seen_at", "expires_at", "current", "created_at"],
                    "properties": [
                        "user_agent": ["type": ["string", "null"]], "remember": ["type": "boolean"], "ip": ["type": "string"],
                        "id": ["type": "integer"], "last_seen_at": ["type": "string"], "expires_at": ["type": "string"],
                        "current": ["type": "boolean"], "created_at": ["type": "string"],
                    ],
                ],
            ]
        ],
    ]
    static let signIn: JSONValue = [
        "type": "object",
        "properties": [
            "enrol_two_factor": ["type": "boolean"], "session_expires_at": ["type": "string"], "csrf_token": ["type": "string"],
            "user": ["$ref": "#/components/schemas/SessionUser"], "expires_at": ["type": "string"],
            "methods": ["type": "array", "items": ["type": "string"]],
            "two_factor_required": ["type": "boolean"], "login_challenge": ["type": "string"],
        ],
    ]
    static let suggestionList: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["user", "reasons"],
                    "properties": [
                        "user": ["$ref": "#/components/schemas/UserCard"], "reasons": ["type": "array", "items": ["type": "string"]],
                    ],
                ],
            ]
        ],
    ]
    static let suggestions: JSONValue = [
        "type": "object", "required": ["suggestions"],
        "properties": [
            "suggestions": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["id", "title", "url", "type"],
                    "properties": [
                        "id": ["type": "integer"], "title": ["type": "string"], "url": ["type": "string"], "type": ["type": "string"],
                    ],
                ],
            ]
        ],
    ]
    static let tokenList: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": [
            "items": [
                "type": "array",
                "items": [
                    "type": "object", "required": ["name", "expires_at", "kind", "id", "prefix", "scopes", "last_used_at", "created_at"],
                    "properties": [
                        "name": ["type": "string"], "expires_at": ["type": "string"], "kind": ["type": "string"], "id": ["type": "integer"],
                        "prefix": ["type": "string"], "scopes": ["type": "array", "items": ["type": "string"]],
                        "last_used_at": ["type": ["string", "null"]], "created_at": ["type": "string"],
                    ],
                ],
            ]
        ],
    ]
    static let twoFactorDisabled: JSONValue = ["type": "object", "required": ["enabled"], "properties": ["enabled": ["type": "boolean"]]]
    static let twoFactorEnabled: JSONValue = [
        "type": "object", "required": ["enabled", "recovery_codes", "backup_codes"],
        "properties": [
            "enabled": ["type": "boolean"], "recovery_codes": ["type": "array", "items": ["type": "string"]],
            "backup_codes": ["type": "array", "items": ["type": "string"]],
        ],
    ]
    static let twoFactorEnrolment: JSONValue = [
        "type": "object", "required": ["qr_code", "success", "otpauth_uri", "qr_code_svg", "secret"],
        "properties": [
            "qr_code": ["type": "string"], "success": ["type": "boolean"], "otpauth_uri": ["type": "string"],
            "qr_code_svg": ["type": "string"], "secret": ["type": "string"],
        ],
    ]
    static let twoFactorStatus: JSONValue = [
        "type": "object", "required": ["enrolled_at", "enabled", "passkeys", "pending_enrolment", "recovery_codes_remaining"],
        "properties": [
            "enrolled_at": ["type": ["string", "null"]], "enabled": ["type": "boolean"], "passkeys": ["type": "integer"],
            "pending_enrolment": ["type": "boolean"], "recovery_codes_remaining": ["type": "integer"],
        ],
    ]
    static let unreadCount: JSONValue = [
        "type": "object", "required": ["unread_count"], "properties": ["unread_count": ["type": "integer"]],
    ]
    static let upload: JSONValue = [
        "type": "object", "required": ["id", "sha256", "url", "bytes", "content_type", "kind"],
        "properties": [
            "id": ["type": "integer"], "sha256": ["type": "string"], "url": ["type": "string"], "bytes": ["type": "integer"],
            "content_type": ["type": "string"], "kind": ["type": "string"],
        ],
    ]
    static let userCardList: JSONValue = [
        "type": "object", "required": ["items"],
        "properties": ["items": ["type": "array", "items": ["$ref": "#/components/schemas/UserCard"]]],
    ]
    static let userCardPage = page(of: "DirectoryCard")
    /// DIR-1's entries: a UserCard with where the member works.
    static var directoryCard: JSONValue {
        guard case .object(var card)? = schemas["UserCard"], case .object(var properties)? = card["properties"] else { return [:] }
        for name in ["company", "position", "industry"] { properties[name] = ["type": ["string", "null"]] }
        card["properties"] = .object(properties)
        return .object(card)
    }
    static let userProfile: JSONValue = [
        "type": "object",
        "required": [
            "major", "email", "display_name", "phone", "company", "graduation_year", "id", "gpa", "last_active_at", "role", "skills",
            "first_name", "connection_status", "links", "avatar_url", "location", "interests", "degree", "department", "position",
            "industry", "bio", "is_mentor", "status", "created_at", "headline", "last_name",
        ],
        "properties": [
            "major": ["type": ["string", "null"]], "email": ["type": ["string", "null"]], "display_name": ["type": "string"],
            "phone": ["type": ["string", "null"]], "company": ["type": ["string", "null"]],
            "graduation_year": ["type": ["integer", "null"]], "id": ["type": "integer"], "gpa": ["type": ["number", "null"]],
            "last_active_at": ["type": ["string", "null"]], "role": ["type": "string"],
            "skills": ["type": "array", "items": ["type": "string"]], "first_name": ["type": "string"],
            "connection_status": ["type": "string"], "links": ["type": "object", "properties": ["github": ["type": "string"]]],
            "avatar_url": ["type": ["string", "null"]], "location": ["type": ["string", "null"]],
            "interests": ["type": "array", "items": [:]], "degree": ["type": ["string", "null"]],
            "department": ["type": ["object", "null"]], "position": ["type": ["string", "null"]], "industry": ["type": ["string", "null"]],
            "bio": ["type": ["string", "null"]], "is_mentor": ["type": "boolean"], "status": ["type": "string"],
            "created_at": ["type": "string"], "headline": ["type": ["string", "null"]], "last_name": ["type": "string"],
        ],
    ]
    static let verified: JSONValue = ["type": "object", "required": ["status"], "properties": ["status": ["type": "string"]]]
    static let withdrawn: JSONValue = [
        "type": "object", "required": ["id", "status"], "properties": ["id": ["type": "integer"], "status": ["type": "string"]],
    ]
    static let observedShapes: [String: JSONValue] = [
        "Accepted": accepted, "AttendeePage": attendeePage, "AuditLogPage": auditLogPage, "Avatar": avatar, "Blocked": blocked,
        "CheckInCode": checkInCode, "CheckedIn": checkedIn, "CodeCheck": codeCheck, "Comment": comment, "CommentPage": commentPage,
        "ConnectionAnswer": connectionAnswer, "ConnectionPage": connectionPage, "ConnectionRequest": connectionRequest,
        "ConsentHistory": consentHistory, "ConsentRecorded": consentRecorded, "ConsentState": consentState, "Created": created,
        "DeletionScheduled": deletionScheduled, "FeedbackRecorded": feedbackRecorded, "JobApplication": jobApplication,
        "JobApplicationPage": jobApplicationPage, "LikeState": likeState, "MarkedRead": markedRead, "NewToken": newToken,
        "NotificationRead": notificationRead, "OwnProfile": ownProfile, "Passkey": passkey,
        "PasskeyCreationOptions": passkeyCreationOptions, "PasskeyList": passkeyList, "PasskeyRequestOptions": passkeyRequestOptions,
        "PasswordChanged": passwordChanged, "PasswordReset": passwordReset, "PrivacySettings": privacySettings, "RSVP": rSVP,
        "RecentAuth": recentAuth, "RecoveryCodes": recoveryCodes, "Registered": registered, "Revoked": revoked,
        "SearchResults": searchResults, "SessionInfo": sessionInfo, "SessionList": sessionList, "SignIn": signIn,
        "SuggestionList": suggestionList, "Suggestions": suggestions, "TokenList": tokenList, "TwoFactorDisabled": twoFactorDisabled,
        "TwoFactorEnabled": twoFactorEnabled, "TwoFactorEnrolment": twoFactorEnrolment, "TwoFactorStatus": twoFactorStatus,
        "UnreadCount": unreadCount, "Upload": upload, "UserCardList": userCardList, "DirectoryPage": userCardPage,
        "DirectoryCard": directoryCard, "Connection": connection, "SessionUser": sessionUser, "SearchHit": searchHit,
        "UserProfile": userProfile, "Verified": verified, "Withdrawn": withdrawn,
    ]
}
