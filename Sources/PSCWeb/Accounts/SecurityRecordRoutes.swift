import Foundation
import GRDB
import Hummingbird
import PSCCore
import PSCStore

/// SEC-14..17 (10-api §3): the caller's own security events and consent records. Tokens with `profile:read`
/// (reads) or `profile:write` (SEC-15) reach them too.
struct SecurityRecordRoutes {
    let platform: Platform

    static let consentTypes = [
        "terms", "privacy", "ferpa_directory", "marketing_email", "sms", "analytics", "ai_processing", "employer_visibility",
    ]
    /// The version recorded when the client does not name one.
    static let currentConsentVersion = "1"

    struct Consent: Decodable {
        let consentType: String
        let granted: Bool
        let version: String?
        enum CodingKeys: String, CodingKey {
            case granted, version
            case consentType = "consent_type"
        }
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SEC-14", .get, "/api/v1/security/audit-logs", summary: "My security events", tag: "Security",
                responses: [200: ("Events where the caller is actor or target, newest first", nil), 401: ("Not signed in", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let page = try Pagination(request, defaultLimit: 50)
            let store = platform.store
            let (logs, lastID) = try await Offload.run {
                try store.read { db -> ([JSONValue], Int64?) in
                    let rows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, occurred_at, action, actor_kind, actor_user_id, target_type, target_id, ip_address, user_agent,
                                details, severity, outcome
                            FROM audit_log
                            WHERE (actor_user_id = ?1 OR (target_type = 'user' AND target_id = ?2)) AND id < ?3
                            ORDER BY id DESC LIMIT ?4
                            """,
                        arguments: [identity.user.id, String(identity.user.id), page.lastID ?? Int64.max, page.limit])
                    return (try rows.map(AuditLog.entryJSON), try rows.last?.decode(forColumn: "id"))
                }
            }
            return JSONResponse.make([
                "logs": .array(logs), "next_cursor": page.nextCursor(lastID: lastID, count: logs.count),
                "limit": .int(Int64(page.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-15", .post, "/api/v1/security/consent", summary: "Record a consent", tag: "Security", limit: .own("30/h"),
                responses: [201: ("Recorded", nil), 422: ("Unknown type or bad version", "Error")]),
            to: router, handler: record)
        catalog.add(
            RouteSpec(
                id: "SEC-16", .get, "/api/v1/security/consent", summary: "My current consents", tag: "Security",
                responses: [200: ("The latest record of each type", nil)]),
            to: router
        ) { _, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let store = platform.store
            let consents = try await Offload.run {
                try store.read { db -> [String: JSONValue] in
                    // The latest by (recorded_at, id) wins (20-services §4.8).
                    let rows = try Row.fetchAll(
                        db,
                        sql: """
                            SELECT consent_type, granted, version, recorded_at FROM consent_records c
                            WHERE user_id = ?1 AND id = (
                                SELECT id FROM consent_records WHERE user_id = ?1 AND consent_type = c.consent_type
                                ORDER BY recorded_at DESC, id DESC LIMIT 1)
                            """,
                        arguments: [identity.user.id])
                    var consents: [String: JSONValue] = [:]
                    for row in rows {
                        consents[try row.decode(forColumn: "consent_type")] = [
                            "granted": .bool(try row.decode(forColumn: "granted")),
                            "version": .string(try row.decode(forColumn: "version")),
                            "recorded_at": .string(try row.decode(forColumn: "recorded_at")),
                        ]
                    }
                    return consents
                }
            }
            return JSONResponse.make(["consents": .object(consents)])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-17", .get, "/api/v1/security/consent/history", summary: "My consent history", tag: "Security",
                responses: [200: ("Every record, newest first", nil), 422: ("Unknown type", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let type = request.uri.formQuery.get("consent_type").map { String($0) }
            if let type, !Self.consentTypes.contains(type) { throw APIError.validation(["consent_type": ["is not a consent type"]]) }
            let store = platform.store
            let items = try await Offload.run {
                try store.read { db -> [JSONValue] in
                    try Row.fetchAll(
                        db,
                        sql: """
                            SELECT id, consent_type, granted, version, recorded_at, source FROM consent_records
                            WHERE user_id = ? AND (?2 IS NULL OR consent_type = ?2) ORDER BY recorded_at DESC, id DESC
                            """,
                        arguments: [identity.user.id, type]
                    ).map { row -> JSONValue in
                        [
                            "id": .int(try row.decode(forColumn: "id")), "consent_type": .string(try row.decode(forColumn: "consent_type")),
                            "granted": .bool(try row.decode(forColumn: "granted")),
                            "version": .string(try row.decode(forColumn: "version")),
                            "recorded_at": .string(try row.decode(forColumn: "recorded_at")),
                            "source": (try row.decode(forColumn: "source") as String?).map(JSONValue.string) ?? .null,
                        ]
                    }
                }
            }
            return JSONResponse.make(["items": .array(items)])
        }
    }

    @Sendable func record(_ request: Request, context: AppRequestContext) async throws -> Response {
        let identity = try context.require(.signedIn, scope: "profile:write")
        let body = try await request.decodeJSON(as: Consent.self, context: context)
        var problems: [String: [String]] = [:]
        if !Self.consentTypes.contains(body.consentType) {
            problems["consent_type"] = ["must be one of \(Self.consentTypes.joined(separator: ", "))"]
        }
        let version = body.version?.trimmingCharacters(in: .whitespaces) ?? Self.currentConsentVersion
        if !(1...20).contains(version.count) { problems["version"] = ["must be 1 to 20 characters"] }
        guard problems.isEmpty else { throw APIError.validation(problems) }
        let origin = AuthRoutes.origin(request, context)
        let store = platform.store
        let now = Date()
        let stamp = Timestamp.string(from: now)
        let id = try await Offload.run {
            try store.write { db -> Int64 in
                try db.execute(
                    sql: """
                        INSERT INTO consent_records (user_id, consent_type, granted, version, recorded_at, ip, user_agent, source, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'user', ?)
                        """,
                    arguments: [identity.user.id, body.consentType, body.granted, version, stamp, origin.ip, origin.userAgent, stamp])
                let id = db.lastInsertedRowID
                try AuditLog.append(
                    .account(
                        body.granted ? "consent.granted" : "consent.revoked", userID: identity.user.id, origin: origin, at: now,
                        details: ["consent_type": .string(body.consentType), "version": .string(version)], severity: .info),
                    in: db)
                return id
            }
        }
        return JSONResponse.make(
            [
                "success": true, "id": .int(id), "consent_type": .string(body.consentType), "granted": .bool(body.granted),
                "recorded_at": .string(stamp),
            ], status: .created)
    }
}
