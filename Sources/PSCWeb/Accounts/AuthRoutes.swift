import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import PSCCore
import PSCJobs
import PSCStore

/// AUTH-1..11 (10-api §2): registration, email verification, sign-in with its second step, recent authentication,
/// sign-out and the caller's sessions.
struct AuthRoutes {
    let platform: Platform

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
        enum CodingKeys: String, CodingKey {
            case email, password, degree
            case listInDirectory = "list_in_directory"
            case firstName = "first_name", lastName = "last_name", requestedRole = "requested_role"
            case graduationYear = "graduation_year", companyName = "company_name", acceptTerms = "accept_terms"
        }
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
                responses: [201: ("Account created", nil), 409: ("Email already registered", "Error"), 422: ("Invalid fields", "Error")]),
            to: router, handler: registerAccount)
        catalog.add(
            RouteSpec(
                id: "AUTH-2", .post, "/api/v1/auth/verify-email", summary: "Verify email", tag: "Auth", limit: .own("10/h"),
                responses: [200: ("Verified", nil), 404: ("Unknown, used or expired token", "Error")]),
            to: router
        ) { request, context in
            let body = try await request.decodeJSON(as: TokenBody.self, context: context)
            let (accounts, origin) = (platform.accounts, Self.origin(request, context))
            guard let status = try await Offload.run({ try accounts.verifyEmail(token: body.token, origin: origin) }) else {
                throw APIError.notFound("This link is unknown, already used or expired; ask for a new one.")
            }
            return JSONResponse.make(["status": .string(status.rawValue)])
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-3", .post, "/api/v1/auth/verify-email/resend", summary: "Send the verification email again", tag: "Auth",
                limit: .own("3/h"),
                responses: [202: ("A new link is on its way", nil), 401: ("Not signed in", "Error"), 409: ("Already verified", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn)
            guard !identity.user.emailVerified else {
                throw APIError(.conflict, "already_verified", "This email address is already verified.")
            }
            let jobs = platform.jobs
            let request = try AccountJobs.verificationRequest(userID: identity.user.id, origin: siteOrigin(request))
            _ = try await Offload.run { try jobs.enqueue(request) }
            return Response(status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-4", .post, "/api/v1/auth/login", summary: "Sign in", tag: "Auth", limit: .own("10/min"),
                responses: [
                    200: ("Signed in", nil), 401: ("Invalid credentials or suspended", "Error"),
                    429: ("Too many attempts for this account", "Error"),
                ]),
            to: router, handler: signIn)
        catalog.add(
            RouteSpec(
                id: "AUTH-5", .post, "/api/v1/auth/login/2fa", summary: "Sign in: second step", tag: "Auth", limit: .own("10/min"),
                responses: [
                    200: ("Signed in", nil), 401: ("Wrong code, or the challenge expired", "Error"),
                    422: ("No code given", "Error"), 429: ("Code entry blocked for this account", "Error"),
                ]),
            to: router, handler: secondStep)
        catalog.add(
            RouteSpec(
                id: "AUTH-8", .post, "/api/v1/auth/reauthenticate", summary: "Confirm it is you", tag: "Auth",
                limit: .own("10/15min"),
                responses: [200: ("Recent authentication until", nil), 401: ("Wrong password or code", "Error")]),
            to: router, handler: reauthenticate)
        catalog.add(
            RouteSpec(
                id: "AUTH-6", .post, "/api/v1/auth/logout", summary: "Sign out", tag: "Auth",
                responses: [204: ("Signed out", nil), 401: ("Not signed in", "Error")]),
            to: router
        ) { request, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            let (sessions, origin) = (platform.sessions, Self.origin(request, context))
            _ = try await Offload.run {
                try sessions.revoke(id: session.id, userID: identity.user.id, reason: "logout", origin: origin)
            }
            var response = Response(status: .noContent)
            response.setCookie(expiredCookie())
            return response
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-7", .get, "/api/v1/auth/session", summary: "Current session", tag: "Auth",
                responses: [200: ("The caller's session", nil), 401: ("Not signed in", "Error")]),
            to: router
        ) { _, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            return JSONResponse.make(Self.sessionBody(identity, session: session))
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-9", .get, "/api/v1/auth/sessions", summary: "My sessions", tag: "Auth",
                responses: [200: ("Live sessions, newest first", nil), 401: ("Not signed in", "Error")]),
            to: router
        ) { _, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let sessions = platform.sessions
            let items = try await Offload.run { try sessions.sessions(userID: identity.user.id) }
            return JSONResponse.make(["items": .array(items.map { Self.sessionItem($0, current: current.id) })])
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-10", .delete, "/api/v1/auth/sessions/{id}", summary: "Revoke a session", tag: "Auth",
                responses: [204: ("Revoked", nil), 401: ("Not signed in", "Error"), 404: ("Not one of your live sessions", "Error")]),
            to: router
        ) { request, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let id = try context.positiveID(notFound: "There is no such session.")
            let (sessions, origin) = (platform.sessions, Self.origin(request, context))
            let revoked = try await Offload.run {
                try sessions.revoke(id: id, userID: identity.user.id, reason: "revoked_by_user", origin: origin)
            }
            guard revoked else { throw APIError.notFound("There is no such session.") }
            var response = Response(status: .noContent)
            if id == current.id { response.setCookie(expiredCookie()) }
            return response
        }
        catalog.add(
            RouteSpec(
                id: "AUTH-11", .post, "/api/v1/auth/sessions/revoke-others", summary: "Sign out everywhere else", tag: "Auth",
                responses: [200: ("How many were revoked", nil), 401: ("Not signed in", "Error")]),
            to: router
        ) { request, context in
            let (identity, current) = try context.requireSession(enrolling: true)
            let (sessions, origin) = (platform.sessions, Self.origin(request, context))
            let count = try await Offload.run {
                try sessions.revokeAll(userID: identity.user.id, except: current.id, reason: "revoked_by_user", origin: origin)
            }
            return JSONResponse.make(["revoked": .int(Int64(count))])
        }
    }

    // MARK: - AUTH-1

    @Sendable func registerAccount(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: Registration.self, context: context)
        let configuration = platform.configuration
        var problems: [String: [String]] = [:]
        let email = body.email.trimmingCharacters(in: .whitespacesAndNewlines)
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        if !(3...254).contains(email.count) || parts.count != 2 || parts[0].isEmpty || !parts[1].contains(".") || email.contains(" ") {
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
            let domain = parts.count == 2 ? parts[1].lowercased() : ""
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
        let (accounts, jobs, origin) = (platform.accounts, platform.jobs, Self.origin(request, context))
        let siteOrigin = siteOrigin(request)
        let listInDirectory = body.listInDirectory == true && role != .employer
        let userID: Int64
        do {
            userID = try await Offload.run {
                try accounts.register(account, origin: origin, listInDirectory: listInDirectory) { db, id in
                    try jobs.enqueue(AccountJobs.verificationRequest(userID: id, origin: siteOrigin), in: db)
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
        let platform = platform
        let (accounts, throttle) = (platform.accounts, platform.signInThrottle)
        let origin = Self.origin(request, context)
        let emailHash = platform.keyRing.lookupHash(UserRecord.normalise(email: body.email))
        let invalid = APIError(.unauthorized, "invalid_credentials", "The email or password is not right.")
        let user = try await Offload.run { try accounts.user(email: body.email) }
        guard let user, let stored = user.passwordHash else {
            // An unknown email costs the same bcrypt work as a known one (20-services §4.2).
            let password = body.password
            _ = try await Offload.run { PasswordHasher.verify(password, against: PasswordHasher.decoy) }
            try await Offload.run {
                try throttle.record(.failure, userID: user?.id, emailHash: emailHash, reason: "unknown_email", origin: origin)
            }
            throw invalid
        }
        if let wait = try await Offload.run({ try throttle.retryAfter(userID: user.id) }) {
            try await Offload.run {
                try throttle.record(.throttled, userID: user.id, emailHash: emailHash, reason: "account_throttle", origin: origin)
            }
            throw APIError.rateLimited(retryAfter: wait, "Too many failed attempts for this account; try again in \(wait) s.")
        }
        let password = body.password
        let matches = try await Offload.run { PasswordHasher.verify(password, against: stored) }
        guard matches else {
            try await Offload.run {
                try throttle.record(.failure, userID: user.id, emailHash: emailHash, reason: "wrong_password", origin: origin)
            }
            throw invalid
        }
        guard user.status.canSignIn else {
            try await Offload.run {
                try throttle.record(.failure, userID: user.id, emailHash: emailHash, reason: "account_suspended", origin: origin)
            }
            throw APIError(.unauthorized, "account_suspended", "This account is suspended.")
        }
        let remember = body.remember ?? false
        let newHash = PasswordHasher.needsRehash(stored) ? try await Offload.run { PasswordHasher.hash(password) } : nil
        let methods = try await Offload.run { try platform.store.read { db in try platform.twoFactor.methods(userID: user.id, in: db) } }
        if !methods.isEmpty {
            // Password first; the session starts only after the second step (00-conventions §3.1).
            var fields: [String: JSONValue] = ["remember": .bool(remember)]
            if let newHash { fields["new_password_hash"] = .string(newHash) }
            let data = JSONValue.object(fields)
            let challenge = try await Offload.run {
                try platform.challenges.create(.login2FA, userID: user.id, data: data, validFor: 300)
            }
            return JSONResponse.make([
                "two_factor_required": true, "login_challenge": .string(challenge.token),
                "methods": .array(methods.map(JSONValue.string)), "expires_at": .string(challenge.expiresAt),
            ])
        }
        let (token, identity) = try await Offload.run {
            try platform.store.write { db in
                try completeSignIn(
                    user: user, remember: remember, methods: ["password"], emailHash: emailHash, newPasswordHash: newHash, origin: origin,
                    in: db)
            }
        }
        return signedIn(token: token, identity: identity, remember: remember)
    }

    struct SecondStep: Decodable {
        let loginChallenge: String
        let code: String?
        let recoveryCode: String?
        let webauthn: PasskeyAnswer?
        enum CodingKeys: String, CodingKey {
            case code, webauthn
            case loginChallenge = "login_challenge", recoveryCode = "recovery_code"
        }
    }

    enum SecondStepResult: Sendable {
        case signedIn(String, Identity, remember: Bool)
        case invalid(spent: Bool)
        case expired
        case blocked(Int)
    }

    /// AUTH-5: a TOTP or recovery code completes the sign-in a password began. Five wrong codes end the challenge;
    /// the account's own code limit (20-services §4.3) applies across challenges.
    @Sendable func secondStep(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: SecondStep.self, context: context)
        if let answer = body.webauthn { return try await passkeySecondStep(answer, loginChallenge: body.loginChallenge, request, context) }
        guard let code = body.code ?? body.recoveryCode, !code.isEmpty, code.count <= 64 else {
            throw APIError.validation(["code": ["a 6-digit code or a recovery code is required"]])
        }
        let platform = platform
        let origin = Self.origin(request, context)
        let result = try await Offload.run {
            try platform.store.write { db -> SecondStepResult in
                guard let challenge = try platform.challenges.open(.login2FA, token: body.loginChallenge, in: db),
                    let userID = challenge.userID,
                    let user = try platform.accounts.user(id: userID, in: db),
                    user.status.canSignIn
                else { return .expired }
                switch try platform.twoFactor.check(userID: userID, code: code, origin: origin, in: db) {
                case .accepted(let method, _):
                    try platform.challenges.consume(challenge, in: db)
                    let remember = challenge.data["remember"]?.boolValue ?? false
                    let (token, identity) = try completeSignIn(
                        user: user, remember: remember, methods: ["password", method.rawValue], emailHash: nil,
                        newPasswordHash: challenge.data["new_password_hash"]?.stringValue, origin: origin, in: db)
                    return .signedIn(token, identity, remember: remember)
                case .rejected:
                    let spent = try platform.challenges.recordFailure(challenge, limit: 5, in: db)
                    try platform.signInThrottle.record(
                        .secondFactorFailed, userID: userID, emailHash: nil, reason: "invalid_code", origin: origin, method: "totp", in: db)
                    return .invalid(spent: spent)
                case .blocked(let wait):
                    return .blocked(wait)
                }
            }
        }
        switch result {
        case .signedIn(let token, let identity, let remember): return signedIn(token: token, identity: identity, remember: remember)
        case .invalid(spent: false): throw APIError(.unauthorized, "invalid_code", "That code is not right.")
        case .invalid(spent: true), .expired:
            throw APIError(.unauthorized, "challenge_expired", "This sign-in has expired; enter your email and password again.")
        case .blocked(let wait):
            throw APIError.rateLimited(retryAfter: wait, "Too many wrong codes for this account; try again in \(wait / 60 + 1) min.")
        }
    }

    /// AUTH-5 with a passkey assertion from SEC-9 (made with the `login_challenge`).
    func passkeySecondStep(_ answer: PasskeyAnswer, loginChallenge: String, _ request: Request, _ context: AppRequestContext) async throws
        -> Response
    {
        let platform = platform
        let expired = APIError(.unauthorized, "challenge_expired", "This sign-in has expired; enter your email and password again.")
        guard
            let userID = try await Offload.run({
                try platform.store.read { db in try platform.challenges.open(.login2FA, token: loginChallenge, in: db)?.userID }
            })
        else { throw expired }
        let origin = Self.origin(request, context)
        let (token, identity, remember) = try await PasskeyRoutes(platform: platform).verify(
            answer, for: .secondFactor(userID: userID), request: request, context: context
        ) { _, db in
            guard let challenge = try platform.challenges.open(.login2FA, token: loginChallenge, in: db), challenge.userID == userID,
                let user = try platform.accounts.user(id: userID, in: db), user.status.canSignIn
            else { throw expired }
            try platform.challenges.consume(challenge, in: db)
            let remember = challenge.data["remember"]?.boolValue ?? false
            let (token, identity) = try completeSignIn(
                user: user, remember: remember, methods: ["password", "webauthn"], emailHash: nil,
                newPasswordHash: challenge.data["new_password_hash"]?.stringValue, origin: origin, in: db)
            return (token, identity, remember)
        }
        return signedIn(token: token, identity: identity, remember: remember)
    }

    /// Starts the session of a completed sign-in inside the caller's transaction: a new session id, the attempt
    /// recorded and audited, the sign-in time (and an upgraded password hash) stored.
    func completeSignIn(
        user: UserRecord, remember: Bool, methods: [String], emailHash: Data?, newPasswordHash: String?, origin: RequestOrigin,
        in db: GRDB.Database
    ) throws -> (String, Identity) {
        let grants = try platform.accounts.grants(userID: user.id, in: db)
        let twoFactor = try platform.twoFactor.isEnabled(userID: user.id, in: db)
        let identity = Identity(
            user: user, session: nil, token: nil, grants: grants, twoFactorEnabled: twoFactor,
            twoFactorRequired: platform.configuration.requireTwoFactorForPrivileged)
        let lifetime = SessionLifetime.of(remember: remember, privileged: identity.privileged)
        let (token, session) = try platform.sessions.create(
            userID: user.id, remember: remember, lifetime: lifetime, methods: methods, origin: origin, in: db)
        try platform.signInThrottle.record(
            .success, userID: user.id, emailHash: emailHash, reason: nil, origin: origin, method: methods.joined(separator: "+"), in: db)
        try platform.accounts.recordSignIn(userID: user.id, newPasswordHash: newPasswordHash, in: db)
        // Signing in within the 30 days after asking to delete the account keeps it (USR-14).
        if try platform.jobs.cancel(uniqueKey: AccountPurge.uniqueKey(userID: user.id), in: db) {
            try AuditLog.append(
                AuditEntry(
                    actorUserID: user.id, actorKind: .user, action: "account.deletion_cancelled", targetType: "user",
                    targetID: String(user.id),
                    ipAddress: origin.ip, userAgent: origin.userAgent),
                in: db)
        }
        return (
            token,
            Identity(
                user: user, session: session, token: nil, grants: grants, twoFactorEnabled: twoFactor,
                twoFactorRequired: identity.twoFactorRequired)
        )
    }

    /// AUTH-4's success body with the new session cookie; `enrol_two_factor` tells a privileged account without a
    /// second factor that only enrolment is open to it.
    func signedIn(token: String, identity: Identity, remember: Bool) -> Response {
        guard let session = identity.session else { return Response(status: .internalServerError) }
        var response = JSONResponse.make([
            "user": Self.profile(identity.user), "csrf_token": .string(session.csrfToken),
            "session_expires_at": .string(session.expiresAt), "enrol_two_factor": .bool(identity.mustEnrolTwoFactor),
        ])
        response.setCookie(sessionCookie(token, remember: remember, lifetime: session))
        return response
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
        let platform = platform
        let origin = Self.origin(request, context)
        let wrong = APIError(.unauthorized, "invalid_credentials", "That password or code is not right.")
        if let password = body.password {
            let stored = identity.user.passwordHash
            guard try await Offload.run({ PasswordHasher.verify(password, againstOptional: stored) }) else {
                _ = try await Offload.run {
                    try platform.store.write { db in
                        try AuditLog.append(
                            .account("auth.reauthenticate", userID: identity.user.id, origin: origin, at: Date(), outcome: .failure), in: db
                        )
                    }
                }
                throw wrong
            }
        } else if let code = body.code, !code.isEmpty, code.count <= 64 {
            let outcome = try await Offload.run {
                try platform.store.write { db in try platform.twoFactor.check(userID: identity.user.id, code: code, origin: origin, in: db)
                }
            }
            switch outcome {
            case .accepted: break
            case .rejected: throw wrong
            case .blocked(let wait): throw APIError.rateLimited(retryAfter: wait, "Too many wrong codes; try again later.")
            }
        } else if let answer = body.webauthn {
            try await PasskeyRoutes(platform: platform).verify(
                answer, for: .reauthentication(userID: identity.user.id), request: request, context: context
            ) { _, _ in () }
        } else {
            throw APIError.validation(["password": ["give the password, a code or a passkey"]])
        }
        let stamp = try await Offload.run { try platform.sessions.markRecentAuth(sessionID: session.id) }
        let until = Timestamp.date(from: stamp).map { Timestamp.string(from: $0.addingTimeInterval(600)) } ?? stamp
        return JSONResponse.make(["recent_auth_until": .string(until)])
    }

    // MARK: - Shapes and cookies

    /// Where links in emails point: the public origin, or on a development instance the request's own.
    func siteOrigin(_ request: Request) -> String {
        platform.configuration.publicOrigin ?? request.head.authority.map { "http://\($0)" } ?? "http://localhost"
    }

    static func origin(_ request: Request, _ context: AppRequestContext) -> RequestOrigin {
        RequestOrigin(ip: context.remoteAddress, userAgent: request.headers[.userAgent].map { String($0.prefix(300)) })
    }

    /// The owner's view of their account (UserProfile, own fields); profile fields arrive with the profiles feature.
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
    static func sessionBody(_ identity: Identity, session: SessionRecord) -> JSONValue {
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

    /// `Secure` and the `__Host-` prefix over HTTPS; no Max-Age unless "remember me" (00-conventions §3.1).
    func sessionCookie(_ token: String, remember: Bool, lifetime session: SessionRecord) -> Cookie {
        let maxAge = remember ? Timestamp.date(from: session.absoluteExpiresAt).map { max(0, Int($0.timeIntervalSinceNow)) } : nil
        return cookie(value: token, maxAge: maxAge)
    }

    func expiredCookie() -> Cookie { cookie(value: "", maxAge: 0) }

    private func cookie(value: String, maxAge: Int?) -> Cookie {
        let secure = platform.configuration.usesTLS
        return Cookie(
            name: SessionMiddleware.cookieName(secure: secure), value: value, maxAge: maxAge, path: "/", secure: secure, httpOnly: true,
            sameSite: .lax)
    }
}
