import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The JSON shapes of the account API (10-api §2): the caller's profile, the session (AUTH-7), a session in the
/// list (AUTH-9), and the answer of every step that signs someone in (AUTH-4, AUTH-5, AUTH-15, SEC-10).
enum AccountBodies {
    /// The success body with the new session cookie; `enrol_two_factor` tells a privileged account without a second
    /// factor that only enrolment is open to it.
    static func signedIn(_ started: SignedInSession, _ configuration: Configuration) -> Response {
        let identity = Identity(
            user: started.user, session: started.session, token: nil, grants: started.grants, twoFactorEnabled: started.twoFactorEnabled,
            twoFactorRequired: configuration.requireTwoFactorForPrivileged)
        var response = JSONResponse.make([
            "user": profile(started.user), "csrf_token": .string(started.session.csrfToken),
            "session_expires_at": .string(started.session.expiresAt), "enrol_two_factor": .bool(identity.mustEnrolTwoFactor),
        ])
        response.setCookie(SessionCookie(configuration).started(started.token, session: started.session))
        return response
    }

    static func profile(_ user: UserRecord) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(user.id), "email": .string(user.email), "first_name": .string(user.firstName),
            "last_name": .string(user.lastName), "role": .string(user.role.rawValue), "status": .string(user.status.rawValue),
            "email_verified": .bool(user.emailVerified), "department_id": user.departmentID.map(JSONValue.int) ?? .null,
            "graduation_year": user.graduationYear.map { .int(Int64($0)) } ?? .null, "degree": text(user.degree),
            "company": text(user.company), "time_zone": .string(user.timeZone), "theme": .string(user.theme),
            "created_at": .string(user.createdAt), "last_active_at": text(user.lastActiveAt),
        ]
    }

    /// AUTH-7's body.
    static func session(_ identity: Identity, session: SessionRecord) -> JSONValue {
        var permissions = Set(identity.grants.flatMap(\.capability.permissions).map(\.rawValue))
        if identity.user.role == .admin { permissions = Set(Permission.allCases.map(\.rawValue)) }
        return [
            "user": profile(identity.user),
            "grants": .array(
                identity.grants.map {
                    [
                        "capability": .string($0.capability.rawValue), "department_id": $0.departmentID.map(JSONValue.int) ?? .null,
                        "expires_at": $0.expiresAt.map(JSONValue.string) ?? .null,
                    ]
                }),
            "permissions": .array(permissions.sorted().map(JSONValue.string)), "csrf_token": .string(session.csrfToken),
            "two_factor_enabled": .bool(identity.twoFactorEnabled), "enrol_two_factor": .bool(identity.mustEnrolTwoFactor),
            "recent_auth_at": session.recentAuthAt.map(JSONValue.string) ?? .null, "expires_at": .string(session.expiresAt),
        ]
    }

    /// One Session of AUTH-9.
    static func sessionItem(_ session: SessionRecord, current: Int64) -> JSONValue {
        [
            "id": .int(session.id), "current": .bool(session.id == current), "ip": session.ip.map(JSONValue.string) ?? .null,
            "user_agent": session.userAgent.map(JSONValue.string) ?? .null, "created_at": .string(session.createdAt),
            "last_seen_at": session.lastSeenAt.map(JSONValue.string) ?? .null, "expires_at": .string(session.expiresAt),
            "remember": .bool(session.remember),
        ]
    }
}
