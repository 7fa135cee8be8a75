import Foundation
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

/// AUTH-12..15 (10-api §2): change the password, ask for a reset link, reset with it, and set the first password
/// from an admin's setup link or an invitation.
struct PasswordRoutes: FeatureRoutes {
    let configuration: Configuration
    let rateLimiter: SlidingWindowLimiter
    let hub: NotificationHub
    let keyRing: KeyRing
    let accounts: AccountStore
    let signIn: SignInService

    struct Change: Decodable {
        let currentPassword: String
        let newPassword: String
        let revokeOtherSessions: Bool?
    }

    struct Forgot: Decodable { let email: String }

    struct Reset: Decodable {
        let token: String
        let newPassword: String
        let code: String?
    }

    struct Acceptance: Decodable {
        let token: String
        let password: String
    }

    /// AUTH-13 also allows 3 an hour per email address, whoever asks (10-api §2).
    static let perEmail = [RateLimitRule(count: 3, window: 3600)]

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "AUTH-12", .post, "/api/v1/auth/password/change", summary: "Change the password", tag: "Auth", access: .session,
                limit: .own("5/h"),
                body: .json(Change.self),
                responses: [200: ("Changed", "PasswordChanged"), 401: ("Wrong current password", "Error"), 422: ("Policy", "Error")]),
            to: router, handler: change)
        catalog.add(
            RouteSpec(
                id: "AUTH-13", .post, "/api/v1/auth/password/forgot", summary: "Email a reset link", tag: "Auth", limit: .own("3/h"),
                body: .json(
                    Forgot.self, fields: ["email": FieldRule.text(1...254).required]),
                responses: [202: ("A link is sent when the account exists", "Accepted"), 422: ("No email", "Error")]),
            to: router, handler: forgot)
        catalog.add(
            RouteSpec(
                id: "AUTH-14", .post, "/api/v1/auth/password/reset", summary: "Reset the password", tag: "Auth", limit: .own("5/h"),
                body: .json(Reset.self),
                responses: [
                    200: ("Reset; every session signed out", "PasswordReset"), 401: ("Wrong or missing two-factor code", "Error"),
                    404: ("Unknown, used or expired link", "Error"), 422: ("Policy", "Error"),
                ]),
            to: router, handler: reset)
        catalog.add(
            RouteSpec(
                id: "AUTH-15", .post, "/api/v1/auth/invitations/accept", summary: "Accept a setup link or invitation", tag: "Auth",
                limit: .own("5/h"),
                body: .json(Acceptance.self),
                responses: [200: ("Signed in", "SignIn"), 404: ("Unknown, used or expired link", "Error"), 422: ("Policy", "Error")]),
            to: router, handler: accept)
    }

    /// AUTH-15: the first password of an account an admin created; the reply signs the person in.
    @Sendable func accept(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Acceptance.self, context: context)
        let gone = APIError.notFound("This link is unknown, already used or expired; ask an admin for a new one.")
        let owner = try await Offload.run {
            try accounts.tokenOwner(purpose: "setup", token: body.token).map { ("setup", $0) }
                ?? accounts.tokenOwner(purpose: "invitation", token: body.token).map { ("invitation", $0) }
        }
        guard let (purpose, userID) = owner, let user = try await Offload.run({ try accounts.user(id: userID) }),
            user.status.canSignIn
        else { throw gone }
        if let problem = PasswordPolicy.problem(body.password, email: user.email, firstName: user.firstName, lastName: user.lastName) {
            throw APIError.validation(["password": [problem]])
        }
        let password = body.password
        let hash = try await Offload.run { PasswordHasher.hash(password) }
        let (service, origin) = (signIn, request.origin(context))
        let started = try await Offload.run {
            try service.acceptSetupLink(purpose: purpose, token: body.token, user: user, passwordHash: hash, origin: origin)
        }
        guard let started else { throw gone }
        return AccountBodies.signedIn(started, configuration)
    }

    @Sendable func change(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, session) = try context.requireSession()
        let body = try await request.decodeJSON(as: Change.self, context: context)
        let user = identity.user
        if let problem = PasswordPolicy.problem(body.newPassword, email: user.email, firstName: user.firstName, lastName: user.lastName) {
            throw APIError.validation(["new_password": [problem]])
        }
        let (current, new) = (body.currentPassword, body.newPassword)
        let stored = user.passwordHash
        guard try await Offload.run({ PasswordHasher.verify(current, againstOptional: stored) }) else {
            throw APIError(.unauthorized, "invalid_credentials", "The current password is not right.")
        }
        let hash = try await Offload.run { PasswordHasher.hash(new) }
        let (service, origin, revokeOthers) = (signIn, request.origin(context), body.revokeOtherSessions ?? true)
        let revoked = try await Offload.run {
            try service.changePassword(
                userID: user.id, keepingSession: session.id, passwordHash: hash, revokeOthers: revokeOthers, origin: origin)
        }
        return JSONResponse.make(["revoked": .int(Int64(revoked))])
    }

    @Sendable func forgot(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Forgot.self, context: context)
        let email = body.email.trimmingCharacters(in: .whitespaces)
        guard (3...254).contains(email.count), email.contains("@") else {
            throw APIError.validation(["email": ["is not an email address"]])
        }
        let key = "AUTH-13|email:" + keyRing.lookupHash(UserRecord.normalise(email: email)).base64EncodedString()
        let limited = configuration.boolean("rate_limits.enabled")
        let allowed = !limited || (rateLimiter.check(key: key, rules: Self.perEmail)?.allowed ?? true)
        let origin = request.siteOrigin(configuration)
        // The reply is the same whether or not the account exists, and whether or not the email limit was reached.
        if allowed, let user = try await Offload.run({ try accounts.user(email: email) }), user.status != .deleted {
            let hub = hub
            _ = try await Offload.run {
                try hub.store.write { db in try hub.notify(user.id, AccountNotices.passwordReset(origin: origin), in: db) }
            }
        }
        return JSONResponse.make(["message": "If an account uses this address, a reset link is on its way."], status: .accepted)
    }

    @Sendable func reset(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Reset.self, context: context)
        let origin = request.origin(context)
        let gone = APIError.notFound("This reset link is unknown, already used or expired; ask for a new one.")
        guard let userID = try await Offload.run({ try accounts.tokenOwner(purpose: "password_reset", token: body.token) }),
            let user = try await Offload.run({ try accounts.user(id: userID) })
        else { throw gone }
        if let problem = PasswordPolicy.problem(body.newPassword, email: user.email, firstName: user.firstName, lastName: user.lastName) {
            throw APIError.validation(["new_password": [problem]])
        }
        // With two-factor on, the emailed link alone is not enough (10-api AUTH-14).
        let service = signIn
        if try await Offload.run({ try service.twoFactorEnabled(userID: userID) }) {
            guard let code = body.code, !code.isEmpty, code.count <= 64 else {
                throw APIError(.unauthorized, "invalid_code", "This account has two-factor authentication; enter a code too.")
            }
            try await Offload.run { try service.checkCode(userID: userID, code: code, origin: origin) }
        }
        let newPassword = body.newPassword
        let hash = try await Offload.run { PasswordHasher.hash(newPassword) }
        let token = body.token
        let done = try await Offload.run { try service.resetPassword(userID: userID, token: token, passwordHash: hash, origin: origin) }
        guard done else { throw gone }
        return JSONResponse.make(["success": true])
    }
}
