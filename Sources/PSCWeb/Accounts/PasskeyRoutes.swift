import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// What a browser's `navigator.credentials` returns, as JSON with base64url binary fields.
struct PasskeyCredential: Decodable, Sendable {
    struct Response: Decodable, Sendable {
        let clientDataJSON: String
        let attestationObject: String?
        let authenticatorData: String?
        let signature: String?
        let userHandle: String?
        let transports: [String]?
    }
    let id: String
    let rawId: String?
    let response: Response
}

/// A ceremony id with the authenticator's answer: SEC-8, SEC-10 and the `webauthn` field of AUTH-5 and AUTH-8.
struct PasskeyAnswer: Decodable, Sendable {
    let ceremonyID: String
    let credential: PasskeyCredential

    /// The answer with its binary fields decoded; a field that is not base64url is absent, which fails verification.
    var assertion: PasskeyAssertion {
        PasskeyAssertion(
            ceremonyID: ceremonyID, credentialID: SecureToken.base64URLDecode(credential.rawId ?? credential.id),
            clientDataJSON: SecureToken.base64URLDecode(credential.response.clientDataJSON),
            authenticatorData: credential.response.authenticatorData.flatMap(SecureToken.base64URLDecode),
            signature: credential.response.signature.flatMap(SecureToken.base64URLDecode),
            userHandle: credential.response.userHandle.flatMap(SecureToken.base64URLDecode))
    }
}

/// SEC-7..13 (10-api §3): passkey registration and sign-in ceremonies with the relying-party checks of
/// 20-services §4.5, and the owner's list of passkeys.
struct PasskeyRoutes: FeatureRoutes {
    let configuration: Configuration
    let accounts: AccountStore
    let challenges: ChallengeStore
    let passkeys: PasskeyStore
    let signIn: SignInService

    func relyingParty(_ request: Request) -> RelyingParty { RelyingParty(origin: request.siteOrigin(configuration)) }

    struct RegistrationOptions: Decodable {
        let deviceName: String?
    }
    struct LoginOptions: Decodable {
        let email: String?
        let loginChallenge: String?
    }
    struct Rename: Decodable { let deviceName: String }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SEC-7", .post, "/api/v1/security/webauthn/register/options", summary: "Start adding a passkey", tag: "Security",
                access: .session,
                limit: .own("10/h"),
                body: .json(
                    RegistrationOptions.self, fields: ["device_name": .text(1...60)]),
                responses: [
                    200: ("Creation options", "PasskeyCreationOptions"), 403: ("Recent authentication required", "Error"),
                    422: ("Bad device name", "Error"),
                ]),
            to: router, handler: registrationOptions)
        catalog.add(
            RouteSpec(
                id: "SEC-8", .post, "/api/v1/security/webauthn/register", summary: "Add a passkey", tag: "Security", access: .session,
                limit: .own("10/h"),
                body: .json(PasskeyAnswer.self),
                responses: [
                    201: ("Added", "Passkey"), 409: ("Credential already registered", "Error"),
                    422: ("A check failed", "Error"),
                ]),
            to: router, handler: registerPasskey)
        catalog.add(
            RouteSpec(
                id: "SEC-9", .post, "/api/v1/auth/webauthn/login/options", summary: "Start a passkey sign-in", tag: "Auth",
                limit: .own("20/min"), body: .json(LoginOptions.self),
                responses: [422: ("Invalid fields", "Error"), 200: ("Request options", "PasskeyRequestOptions")]),
            to: router, handler: loginOptions)
        catalog.add(
            RouteSpec(
                id: "SEC-10", .post, "/api/v1/auth/webauthn/login", summary: "Sign in with a passkey", tag: "Auth", limit: .own("20/min"),
                body: .json(PasskeyAnswer.self),
                responses: [422: ("Invalid fields", "Error"), 200: ("Signed in", "SignIn"), 401: ("Not accepted", "Error")]),
            to: router, handler: passkeySignIn)
        catalog.add(
            RouteSpec(
                id: "SEC-11", .get, "/api/v1/security/webauthn/credentials", summary: "My passkeys", tag: "Security", access: .session,
                responses: [200: ("Passkeys", "PasskeyList")]),
            to: router
        ) { _, context in
            let (identity, _) = try context.requireSession(enrolling: true)
            let passkeys = passkeys
            let items = try await Offload.run { try passkeys.credentials(userID: identity.user.id) }
            return JSONResponse.make(["items": .array(items.map(Self.body))])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-12", .patch, "/api/v1/security/webauthn/credentials/{id}", summary: "Rename a passkey", tag: "Security",
                access: .session,
                body: .json(
                    Rename.self, fields: ["device_name": FieldRule.text(1...60).required]),
                responses: [
                    200: ("Renamed", "Passkey"), 404: ("Not yours", "Error"), 422: ("Bad name", "Error"),
                ]),
            to: router
        ) { request, context in
            let (identity, _) = try context.requireSession(enrolling: true)
            let id = try Self.id(context)
            let body = try await request.decodeJSON(as: Rename.self, context: context)
            let name = body.deviceName.trimmingCharacters(in: .whitespaces)
            guard (1...60).contains(name.count) else { throw APIError.validation(["device_name": ["must be 1 to 60 characters"]]) }
            let passkeys = passkeys
            guard try await Offload.run({ try passkeys.rename(id: id, userID: identity.user.id, to: name) }) else {
                throw APIError.notFound("There is no such passkey.")
            }
            return JSONResponse.make(["id": .int(id), "device_name": .string(name)])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-13", .delete, "/api/v1/security/webauthn/credentials/{id}", summary: "Remove a passkey", tag: "Security",
                access: .session,
                responses: [
                    204: ("Removed", nil), 403: ("Recent authentication required", "Error"),
                    404: ("Not yours", "Error"),
                ]),
            to: router
        ) { request, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            try context.requireRecentAuth(session)
            let id = try Self.id(context)
            let (passkeys, origin) = (passkeys, request.origin(context))
            guard try await Offload.run({ try passkeys.remove(id: id, userID: identity.user.id, origin: origin) }) else {
                throw APIError.notFound("There is no such passkey.")
            }
            return Response(status: .noContent)
        }
    }

    static func id(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such passkey.") }

    static func body(_ passkey: PasskeyRecord) -> JSONValue {
        [
            "id": .int(passkey.id), "device_name": passkey.deviceName.map(JSONValue.string) ?? .null,
            "created_at": .string(passkey.createdAt),
            "last_used_at": passkey.lastUsedAt.map(JSONValue.string) ?? .null, "backed_up": .bool(passkey.backedUp),
            "flagged": .bool(passkey.flaggedAt != nil),
        ]
    }

    // MARK: - Registration

    @Sendable func registrationOptions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, session) = try context.requireSession(enrolling: true)
        try context.requireRecentAuth(session)
        let body = try await request.decodeJSON(as: RegistrationOptions.self, context: context)
        let name = (body.deviceName ?? "Passkey").trimmingCharacters(in: .whitespaces)
        guard (1...60).contains(name.count) else { throw APIError.validation(["device_name": ["must be 1 to 60 characters"]]) }
        let party = relyingParty(request)
        let user = identity.user
        let (handle, existing) = try await Offload.run {
            (try passkeys.userHandle(userID: user.id), try passkeys.credentials(userID: user.id))
        }
        let challenge = SecureToken.random()
        let data: JSONValue = [
            "challenge": .string(challenge), "device_name": .string(name), "user_handle": .string(SecureToken.base64URL(handle)),
        ]
        let ceremony = try await Offload.run {
            try challenges.create(.webauthnRegister, userID: user.id, data: data, validFor: 300)
        }
        let options: JSONValue = [
            "challenge": .string(challenge), "rp": ["id": .string(party.id), "name": "PittState Connect"],
            "user": [
                "id": .string(SecureToken.base64URL(handle)), "name": .string(user.email),
                "displayName": .string("\(user.firstName) \(user.lastName)"),
            ],
            "pubKeyCredParams": .array(WebAuthn.algorithms.map { ["type": "public-key", "alg": .int(Int64($0))] }),
            "timeout": 300_000, "attestation": "none",
            "authenticatorSelection": ["residentKey": "preferred", "userVerification": "preferred"],
            "excludeCredentials": .array(existing.map { ["type": "public-key", "id": .string(SecureToken.base64URL($0.credentialID))] }),
        ]
        return JSONResponse.make(["ceremony_id": .string(ceremony.token), "publicKey": options])
    }

    @Sendable func registerPasskey(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, _) = try context.requireSession(enrolling: true)
        let body = try await request.decodeJSON(as: PasskeyAnswer.self, context: context)
        let party = relyingParty(request)
        // The challenge is spent whatever the outcome: a replayed or retried answer needs a new ceremony.
        let (service, userID) = (signIn, identity.user.id)
        let ceremony = try await Offload.run { try service.openRegistration(ceremonyID: body.ceremonyID, userID: userID) }
        let refused = { (why: String) in APIError(.unprocessableContent, "validation_failed", "The passkey was not accepted: \(why).") }
        guard let ceremony, let challenge = ceremony.data["challenge"]?.stringValue,
            let handle = ceremony.data["user_handle"]?.stringValue.flatMap(SecureToken.base64URLDecode)
        else { throw refused("this ceremony is unknown, used or expired; start again") }
        guard let clientData = SecureToken.base64URLDecode(body.credential.response.clientDataJSON),
            let attestation = body.credential.response.attestationObject.flatMap(SecureToken.base64URLDecode)
        else { throw refused("the response is not base64url") }
        let credential: WebAuthn.NewCredential
        do {
            credential = try WebAuthn.verifyRegistration(
                clientDataJSON: clientData, attestationObject: attestation, challenge: challenge, origin: party.origin, rpID: party.id,
                requireUserVerification: false)
        } catch let failure as WebAuthn.Failure {
            throw refused(failure.reason)
        }
        let name = ceremony.data["device_name"]?.stringValue ?? "Passkey"
        let transports = (body.credential.response.transports ?? []).prefix(8).map { String($0.prefix(20)) }
        let origin = request.origin(context)
        do {
            let record = try await Offload.run {
                try passkeys.add(
                    userID: identity.user.id, credential: credential, userHandle: handle, deviceName: name, transports: transports,
                    origin: origin)
            }
            var response = JSONResponse.make(
                ["id": .int(record.id), "device_name": .string(name), "created_at": .string(record.createdAt)], status: .created)
            response.headers[.location] = "/api/v1/security/webauthn/credentials/\(record.id)"
            return response
        } catch PasskeyError.alreadyRegistered {
            throw APIError(.conflict, "already_exists", "This passkey is already registered.")
        }
    }

    // MARK: - Sign-in

    @Sendable func loginOptions(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: LoginOptions.self, context: context)
        let party = relyingParty(request)
        let loginChallenge = body.loginChallenge
        let userID: Int64? = try await Offload.run {
            if let token = loginChallenge {
                return try signIn.loginChallengeUser(token)
            }
            return try body.email.flatMap { try accounts.user(email: $0)?.id }
        }
        if loginChallenge != nil, userID == nil {
            throw APIError(.unauthorized, "challenge_expired", "This sign-in has expired; enter your email and password again.")
        }
        let credentials = try await Offload.run { try userID.map { try passkeys.credentials(userID: $0) } ?? [] }
        let challenge = SecureToken.random()
        var data: [String: JSONValue] = ["challenge": .string(challenge), "second_factor": .bool(loginChallenge != nil)]
        if let userID { data["user_id"] = .int(userID) }
        let ceremonyData = JSONValue.object(data)
        let ceremony = try await Offload.run {
            try challenges.create(.webauthnLogin, userID: userID, data: ceremonyData, validFor: 300)
        }
        // Without a password first the passkey must verify the user: it stands for both factors.
        let options: JSONValue = [
            "challenge": .string(challenge), "rpId": .string(party.id), "timeout": 300_000,
            "userVerification": loginChallenge == nil ? "required" : "preferred",
            "allowCredentials": .array(credentials.map { ["type": "public-key", "id": .string(SecureToken.base64URL($0.credentialID))] }),
        ]
        return JSONResponse.make(["ceremony_id": .string(ceremony.token), "publicKey": options])
    }

    /// SEC-10: a passkey with user verification signs in on its own (both factors, 00-conventions §3.1).
    @Sendable func passkeySignIn(_ request: Request, context: AppRequestContext) async throws -> Response {
        let body = try await request.decodeJSON(as: PasskeyAnswer.self, context: context)
        let (service, party, origin) = (signIn, relyingParty(request), request.origin(context))
        let started = try await Offload.run { try service.passkeySignIn(assertion: body.assertion, party: party, origin: origin) }
        return AccountBodies.signedIn(started, configuration)
    }
}
