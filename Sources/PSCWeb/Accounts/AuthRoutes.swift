import Foundation
import HTTPTypes
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

/// AUTH-1..11 (10-api §2): registration, email verification, sign-in with its second step, recent authentication,
/// sign-out and the caller's sessions.
struct AuthRoutes: FeatureRoutes {
    let configuration: Configuration
    let hub: NotificationHub
    let accounts: AccountStore
    let sessions: SessionStore
    let signIn: SignInService

    struct Registration: Decodable {
        let email: String
        let password: String
        let firstName: String
        let lastName: String
        let requestedRole: String?
        let graduationYear: Int?
        let degree: String?
        let companyName: String?
        let acceptTerms: Bool
        /// Asked on the sign-up form: list me in the directory (and grant the FERPA directory consent it needs).
        let listInDirectory: Bool?
    }

    struct SignIn: Decodable {
        let email: String
        let password: String
        let remember: Bool?
    }

    struct TokenBody: Decodable { let token: String }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "AUTH-1", .post, "/api/v1/auth/register", summary: "Register", tag: "Auth", limit: .own("5/h"),
                body: .json(
                    Registration.self,
                    fields: [
                        "email": FieldRule.text(3...254).required, "password": FieldRule.text(8...128).required,
                        "first_name": FieldRule.text(1...60).required, "last_name": FieldRule.text(1...60).required,
                        "requested_role": .choice(["student", "alumni", "employer"]), "degree": .text(max: 120),
                        "company_name": .text(2...120), "graduation_year": .integer(1903...2100),
                    ]),
                responses: [
                    201: ("Account created", "Registered"), 409: ("Email already registered", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router, handler: registerAccount)
        catalog.add(
            RouteSpec(
                id: "AUTH-2", .post, "/api/v1/auth/verify-email", summary: "Verify email", tag: "Auth", limit: .own("10/h"),
                body: .json(TokenBody.self),
                responses: [
                    422: ("Invalid fields", "Error"), 200: ("Verified", "Verified"), 404: ("Unknown, used or expired token", "Error"),
                ]),
            to: router
        ) { request, context in
            let body = try await request.decodeJSON(as: TokenBody.self, context: context)
            let (accounts, origin) = (accounts, request.origin(context))
            guard let status = try await Offload.run({ try accounts.verifyEmail(token: body.token, origin: origin) }) else {
                throw APIError.notFound("This link is unknown, already used or expired; ask for a new one.")
            }
            return JSONResponse.make(["status": .string(status.rawValue)])
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-3", .post, "/api/v1/auth/verify-email/resend", summary: "Send the verification email again", tag: "Auth",
                access: .session,
                limit: .own("3/h"),
                responses: [
                    202: ("A new link is on its way (no body)", nil), 409: ("Already verified", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn)
            guard !identity.user.emailVerified else {
                throw APIError(.conflict, "already_verified", "This email address is already verified.")
            }
            let (hub, user, notice) = (hub, identity.user.id, AccountNotices.verification(origin: request.siteOrigin(configuration)))
            _ = try await Offload.run { try hub.store.write { db in try hub.notify(user, notice, in: db) } }
            return Response(status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-4", .post, "/api/v1/auth/login", summary: "Sign in", tag: "Auth", limit: .own("10/min"),
                body: .json(SignIn.self),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("Signed in", "SignIn"), 401: ("Invalid credentials or suspended", "Error"),
                    429: ("Too many attempts for this account", "Error"),
                ]),
            to: router, handler: signIn)
        catalog.add(
            RouteSpec(
                id: "AUTH-5", .post, "/api/v1/auth/login/2fa", summary: "Sign in: second step", tag: "Auth", limit: .own("10/min"),
                body: .json(SecondStep.self),
                responses: [
                    200: ("Signed in", "SignIn"), 401: ("Wrong code, or the challenge expired", "Error"),
                    422: ("No code given", "Error"), 429: ("Code entry blocked for this account", "Error"),
                ]),
            to: router, handler: secondStep)
        catalog.add(
            RouteSpec(
                id: "AUTH-8", .post, "/api/v1/auth/reauthenticate", summary: "Confirm it is you", tag: "Auth", access: .session,
                limit: .own("10/15min"),
                body: .json(Reauthentication.self),
                responses: [
                    422: ("Invalid fields", "Error"), 200: ("Recent authentication until", "RecentAuth"),
                    401: ("Wrong password or code", "Error"),
                ]),
            to: router, handler: reauthenticate)
        catalog.add(
            RouteSpec(
                id: "AUTH-6", .post, "/api/v1/auth/logout", summary: "Sign out", tag: "Auth", access: .session,
                responses: [204: ("Signed out", nil)]),
            to: router
        ) { request, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            let (sessions, origin) = (sessions, request.origin(context))
            _ = try await Offload.run {
                try sessions.revoke(id: session.id, userID: identity.user.id, reason: "logout", origin: origin)
            }
            var response = Response(status: .noContent)
            response.setCookie(SessionCookie(configuration).expired())
            return response
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-7", .get, "/api/v1/auth/session", summary: "Current session", tag: "Auth", access: .session,
                responses: [200: ("The caller's session", "SessionInfo")]),
            to: router
        ) { _, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            return JSONResponse.make(AccountBodies.session(identity, session: session))
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-9", .get, "/api/v1/auth/sessions", summary: "My sessions", tag: "Auth", access: .session,
                responses: [200: ("Live sessions, newest first", "SessionList")]),
            to: router
        ) { _, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let sessions = sessions
            let items = try await Offload.run { try sessions.sessions(userID: identity.user.id) }
            return JSONResponse.make(["items": .array(items.map { AccountBodies.sessionItem($0, current: current.id) })])
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-10", .delete, "/api/v1/auth/sessions/{id}", summary: "Revoke a session", tag: "Auth", access: .session,
                responses: [204: ("Revoked", nil), 404: ("Not one of your live sessions", "Error")]),
            to: router
        ) { request, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let id = try context.positiveID(notFound: "There is no such session.")
            let (sessions, origin) = (sessions, request.origin(context))
            let revoked = try await Offload.run {
                try sessions.revoke(id: id, userID: identity.user.id, reason: "revoked_by_user", origin: origin)
            }
            guard revoked else { throw APIError.notFound("There is no such session.") }
            var response = Response(status: .noContent)
            if id == current.id { response.setCookie(SessionCookie(configuration).expired()) }
            return response
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-11", .post, "/api/v1/auth/sessions/revoke-others", summary: "Sign out everywhere else", tag: "Auth",
                access: .session,
                responses: [200: ("How many were revoked", "Revoked")]),
            to: router
        ) { request, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let (sessions, origin) = (sessions, request.origin(context))
            let count = try await Offload.run {
                try sessions.revokeAll(userID: identity.user.id, except: current.id, reason: "revoked_by_user", origin: origin)
            }
            return JSONResponse.make(["revoked": .int(Int64(count))])
        }
    }

    // MARK: - AUTH-1

    @Sendable func registerAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Registration.self, context: context)
        let configuration = configuration
        var problems: [String: [String]] = [:]
        let email = body.email.trimmingCharacters(in: .whitespacesAndNewlines)
        if !EmailAddress.isValid(email) {
            problems["email", default: []].append("is not an email address")
        }
        let first = body.firstName.trimmingCharacters(in: .whitespaces)
        let last = body.lastName.trimmingCharacters(in: .whitespaces)
        if !(1...60).contains(first.count) { problems["first_name", default: []].append("must be 1 to 60 characters") }
        if !(1...60).contains(last.count) { problems["last_name", default: []].append("must be 1 to 60 characters") }
        if !body.acceptTerms { problems["accept_terms", default: []].append("must be accepted") }
        let role = Role(rawValue: body.requestedRole ?? "student")
        switch role {
        case .student:
            let domain = email.split(separator: "@").last.map { $0.lowercased() } ?? ""
            if !configuration.list("registration.student_domains").contains(domain) {
                problems["email", default: []].append("must be a campus address to register as a student")
            }
        case .alumni:
            let year = Calendar(identifier: .gregorian).component(.year, from: Date())
            if !(1903...year).contains(body.graduationYear ?? 0) {
                problems["graduation_year", default: []].append("must be between 1903 and \(year)")
            }
            if !(1...120).contains(body.degree?.trimmingCharacters(in: .whitespaces).count ?? 0) {
                problems["degree", default: []].append("is required, at most 120 characters")
            }
        case .employer:
            if !(2...120).contains(body.companyName?.trimmingCharacters(in: .whitespaces).count ?? 0) {
                problems["company_name", default: []].append("must be 2 to 120 characters")
            }
        default:
            problems["requested_role", default: []].append("must be student, alumni or employer")
        }
        if let problem = PasswordPolicy.problem(body.password, email: email, firstName: first, lastName: last) {
            problems["password", default: []].append(problem)
        }
        guard problems.isEmpty, let role else { throw APIError.validation(problems) }

        let password = body.password
        let hash = try await Offload.run { PasswordHasher.hash(password) }
        let account = NewAccount(
            email: email, passwordHash: hash, role: role, status: .pendingVerification, firstName: first, lastName: last,
            graduationYear: role == .alumni ? body.graduationYear : nil, degree: role == .alumni ? body.degree : nil,
            company: role == .employer ? body.companyName?.trimmingCharacters(in: .whitespaces) : nil)
        let (accounts, hub, origin) = (accounts, hub, request.origin(context))
        let siteOrigin = request.siteOrigin(configuration)
        let listInDirectory = body.listInDirectory == true && role != .employer
        let userID: Int64
        do {
            userID = try await Offload.run {
                try accounts.register(account, origin: origin, listInDirectory: listInDirectory) { db, id in
                    try hub.notify(id, AccountNotices.verification(origin: siteOrigin), in: db)
                }
            }
        } catch AccountError.emailTaken {
            throw APIError(.conflict, "already_exists", "An account with this email already exists; sign in or reset the password.")
        }
        return JSONResponse.make(
            ["user_id": .int(userID), "status": .string(AccountStatus.pendingVerification.rawValue), "verification_sent": true],
            status: .created)
    }

    // MARK: - AUTH-4, AUTH-5

    @Sendable func signIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SignIn.self, context: context)
        let (service, origin, remember) = (signIn, request.origin(context), body.remember ?? false)
        let outcome = try await Offload.run {
            try service.signIn(email: body.email, password: body.password, remember: remember, origin: origin)
        }
        switch outcome {
        case .signedIn(let started):
            return AccountBodies.signedIn(started, configuration)
        case .secondFactorRequired(let challenge, let methods, let expiresAt):
            return JSONResponse.make([
                "two_factor_required": true, "login_challenge": .string(challenge),
                "methods": .array(methods.map(JSONValue.string)), "expires_at": .string(expiresAt),
            ])
        }
    }

    struct SecondStep: Decodable {
        let loginChallenge: String
        let code: String?
        let recoveryCode: String?
        let webauthn: PasskeyAnswer?
    }

    /// AUTH-5: a TOTP or recovery code, or a passkey, completes the sign-in a password began.
    @Sendable func secondStep(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SecondStep.self, context: context)
        let (service, origin) = (signIn, request.origin(context))
        if let answer = body.webauthn {
            let (assertion, party) = (answer.assertion, RelyingParty(origin: request.siteOrigin(configuration)))
            let started = try await Offload.run {
                try service.passkeySecondStep(loginChallenge: body.loginChallenge, assertion: assertion, party: party, origin: origin)
            }
            return AccountBodies.signedIn(started, configuration)
        }
        guard let code = body.code ?? body.recoveryCode, !code.isEmpty, code.count <= 64 else {
            throw APIError.validation(["code": ["a 6-digit code or a recovery code is required"]])
        }
        let started = try await Offload.run { try service.secondStep(loginChallenge: body.loginChallenge, code: code, origin: origin) }
        return AccountBodies.signedIn(started, configuration)
    }

    // MARK: - AUTH-8

    struct Reauthentication: Decodable {
        let password: String?
        let code: String?
        let webauthn: PasskeyAnswer?
    }

    @Sendable func reauthenticate(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, session) = try context.requireSession(enrolling: true)
        let body = try await request.decodeJSON(as: Reauthentication.self, context: context)
        let proof: SignInService.Proof
        if let password = body.password {
            proof = .password(password)
        } else if let code = body.code, !code.isEmpty, code.count <= 64 {
            proof = .code(code)
        } else if let answer = body.webauthn {
            proof = .passkey(answer.assertion, RelyingParty(origin: request.siteOrigin(configuration)))
        } else {
            throw APIError.validation(["password": ["give the password, a code or a passkey"]])
        }
        let (service, origin) = (signIn, request.origin(context))
        let stamp: String
        do {
            stamp = try await Offload.run {
                try service.reauthenticate(user: identity.user, sessionID: session.id, proof: proof, origin: origin)
            }
        } catch SignInFailure.invalidCredentials, SignInFailure.invalidCode {
            throw APIError(.unauthorized, "invalid_credentials", "That password or code is not right.")
        }
        let until = Timestamp.date(from: stamp).map { Timestamp.string(from: $0.addingTimeInterval(600)) } ?? stamp
        return JSONResponse.make(["recent_auth_until": .string(until)])
    }

    // MARK: - Shapes and cookies

    /// The owner's view of their account (UserProfile, own fields); profile fields arrive with the profiles feature.
}
