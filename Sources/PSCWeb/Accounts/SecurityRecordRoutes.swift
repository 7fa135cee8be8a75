import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SEC-14..17 (10-api §3): the caller's own security events and consent records. Tokens with `profile:read`
/// (reads) or `profile:write` (SEC-15) reach them too.
struct SecurityRecordRoutes: FeatureRoutes {
    let securityRecords: SecurityRecordStore

    static let consentTypes = [
        "terms", "privacy", "ferpa_directory", "marketing_email", "sms", "analytics", "ai_processing", "employer_visibility",
    ]
    /// The version recorded when the client does not name one.
    static let currentConsentVersion = "1"

    struct Consent: Decodable {
        let consentType: String
        let granted: Bool
        let version: String?
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SEC-14", .get, "/api/v1/security/audit-logs", summary: "My security events", tag: "Security",
                access: .member(scope: "profile:read"),
                query: .page(defaultLimit: 50),
                responses: [
                    200: ("Events where the caller is actor or target, newest first", "AuditLogPage")
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let page = try Pagination(request, defaultLimit: 50)
            let (records, user) = (securityRecords, identity.user.id)
            let (logs, lastID) = try await Offload.run { try records.auditPage(userID: user, beforeID: page.lastID, limit: page.limit) }
            return JSONResponse.make([
                "logs": .array(logs), "next_cursor": page.nextCursor(lastID: lastID, count: logs.count),
                "limit": .int(Int64(page.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-15", .post, "/api/v1/security/consent", summary: "Record a consent", tag: "Security",
                access: .member(scope: "profile:write"), limit: .own("30/h"),
                body: .json(
                    Consent.self,
                    fields: [
                        "consent_type": FieldRule.choice(SecurityRecordRoutes.consentTypes).required, "version": .text(1...20),
                    ]),
                responses: [
                    201: ("Recorded", "ConsentRecorded"), 422: ("Unknown type or bad version", "Error"),
                ]),
            to: router, handler: record)
        catalog.add(
            RouteSpec(
                id: "SEC-16", .get, "/api/v1/security/consent", summary: "My current consents", tag: "Security",
                access: .member(scope: "profile:read"),
                responses: [200: ("The latest record of each type", "ConsentState")]),
            to: router
        ) { _, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let (records, user) = (securityRecords, identity.user.id)
            let consents = try await Offload.run { try records.currentConsents(userID: user) }
            return JSONResponse.make(["consents": .object(consents)])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-17", .get, "/api/v1/security/consent/history", summary: "My consent history", tag: "Security",
                access: .member(scope: "profile:read"),
                query: [.text("consent_type", max: 40, "One kind of consent")],
                responses: [
                    200: ("Every record, newest first", "ConsentHistory"), 422: ("Unknown type", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "profile:read")
            let type = request.uri.formQuery.get("consent_type").map { String($0) }
            if let type, !Self.consentTypes.contains(type) { throw APIError.validation(["consent_type": ["is not a consent type"]]) }
            let (records, user) = (securityRecords, identity.user.id)
            let items = try await Offload.run { try records.consentHistory(userID: user, type: type) }
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
        let origin = request.origin(context)
        let (records, user) = (securityRecords, identity.user.id)
        let now = Date()
        let stamp = Timestamp.string(from: now)
        let id = try await Offload.run {
            try records.recordConsent(
                userID: user, type: body.consentType, granted: body.granted, version: version, origin: origin, at: now)
        }
        return JSONResponse.make(
            [
                "success": true, "id": .int(id), "consent_type": .string(body.consentType), "granted": .bool(body.granted),
                "recorded_at": .string(stamp),
            ], status: .created)
    }
}
