import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// SEC-1..6 (10-api §3): TOTP enrolment with its QR code, confirmation, code checks, turning it off and new
/// recovery codes. Only a browser session reaches them (00-conventions §3.2).
struct TwoFactorRoutes: FeatureRoutes {
    let sessions: SessionStore
    let twoFactor: TwoFactorStore

    struct CodeBody: Decodable { let code: String? }
    struct TokenBody: Decodable { let token: String? }
    struct DisableBody: Decodable {
        let password: String?
        let code: String?
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        catalog.add(
            RouteSpec(
                id: "SEC-1", .get, "/api/v1/security/2fa/status", summary: "Two-factor status", tag: "Security", access: .session,
                responses: [200: ("Status", "TwoFactorStatus")]),
            to: router
        ) { _, context in
            let (identity, _) = try context.requireSession(enrolling: true)
            let twoFactor = twoFactor
            let status = try await Offload.run { try twoFactor.status(userID: identity.user.id) }
            return JSONResponse.make([
                "enabled": .bool(status.enabled), "enrolled_at": status.enrolledAt.map(JSONValue.string) ?? .null,
                "recovery_codes_remaining": .int(Int64(status.recoveryCodesRemaining)), "passkeys": .int(Int64(status.passkeys)),
                "pending_enrolment": .bool(status.pendingEnrolment),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-2", .post, "/api/v1/security/2fa/enable", summary: "Start TOTP enrolment", tag: "Security", access: .session,
                limit: .own("5/h"),
                responses: [
                    200: ("Secret, otpauth URI and QR code", "TwoFactorEnrolment"), 403: ("Recent authentication required", "Error"),
                    409: ("Already enabled", "Error"),
                ]),
            to: router
        ) { _, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            try context.requireRecentAuth(session)
            let twoFactor = twoFactor
            let secret: Data
            do {
                secret = try await Offload.run { try twoFactor.beginEnrolment(userID: identity.user.id) }
            } catch TwoFactorError.alreadyEnabled {
                throw APIError(.conflict, "already_exists", "Two-factor authentication is already on.")
            }
            let uri = TOTP.provisioningURI(secret: secret, account: identity.user.email)
            let qr = try await Offload.run { try QRCode.encode(Array(uri.utf8)) }
            return JSONResponse.make([
                "success": true, "secret": .string(Base32.encode(secret)), "otpauth_uri": .string(uri),
                "qr_code": .string(qr.png(scale: 6).base64EncodedString()), "qr_code_svg": .string(qr.svg()),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-3", .post, "/api/v1/security/2fa/confirm", summary: "Confirm TOTP enrolment", tag: "Security", access: .session,
                limit: .own("5/min"),
                body: .json(CodeBody.self),
                responses: [
                    200: ("Enabled, with recovery codes", "TwoFactorEnabled"), 401: ("Wrong code", "Error"),
                    409: ("Nothing pending", "Error"),
                    422: ("No code", "Error"),
                ]),
            to: router
        ) { request, context in
            let (identity, _) = try context.requireSession(enrolling: true)
            let body = try await request.decodeJSON(as: CodeBody.self, context: context)
            guard let code = body.code, code.count == 6, code.allSatisfy({ $0.isASCII && $0.isNumber }) else {
                throw APIError.validation(["code": ["must be the 6-digit code from the app"]])
            }
            let codes = try await confirm(userID: identity.user.id, code: code, origin: request.origin(context))
            guard let codes else { throw APIError(.unauthorized, "invalid_code", "That code is not right; check the app's clock.") }
            return JSONResponse.make(
                [
                    "enabled": true, "recovery_codes": .array(codes.map(JSONValue.string)),
                    "backup_codes": .array(codes.map(JSONValue.string)),
                ])
        }
        catalog.add(
            RouteSpec(
                id: "SEC-4", .post, "/api/v1/security/2fa/verify", summary: "Check a code", tag: "Security", access: .session,
                limit: .own("5/min, 20/h"),
                body: .json(TokenBody.self),
                responses: [200: ("Whether the code is valid", "CodeCheck"), 422: ("No token", "Error")]),
            to: router
        ) { request, context in
            let (identity, _) = try context.requireSession(enrolling: true)
            let body = try await request.decodeJSON(as: TokenBody.self, context: context)
            guard let token = body.token?.trimmingCharacters(in: .whitespaces), !token.isEmpty, token.count <= 64 else {
                throw APIError.validation(["token": ["is required"]])
            }
            let origin = request.origin(context)
            let twoFactor = twoFactor
            let status = try await Offload.run { try twoFactor.status(userID: identity.user.id) }
            if status.pendingEnrolment {
                // While enrolment is pending a valid code confirms it (the earlier client's flow).
                let codes = try await confirm(userID: identity.user.id, code: token, origin: origin)
                guard let codes else { return JSONResponse.make(["valid": false]) }
                return JSONResponse.make(["valid": true, "recovery_codes": .array(codes.map(JSONValue.string))])
            }
            let outcome = try await Offload.run { try twoFactor.check(userID: identity.user.id, code: token, origin: origin) }
            switch outcome {
            case .accepted(_, let remaining):
                var body: [String: JSONValue] = ["valid": true]
                if let remaining { body["recovery_codes_remaining"] = .int(Int64(remaining)) }
                return JSONResponse.make(.object(body))
            case .rejected: return JSONResponse.make(["valid": false])
            case .blocked(let wait): throw APIError.rateLimited(retryAfter: wait, "Too many wrong codes; try again later.")
            }
        }
        catalog.add(
            RouteSpec(
                id: "SEC-5", .post, "/api/v1/security/2fa/disable", summary: "Turn two-factor off", tag: "Security", access: .session,
                limit: .own("5/h"),
                body: .json(DisableBody.self),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("Disabled", "TwoFactorDisabled"), 401: ("Wrong password or code", "Error"),
                    403: ("Recent authentication required", "Error"),
                ]),
            to: router, handler: disable)
        catalog.add(
            RouteSpec(
                id: "SEC-6", .post, "/api/v1/security/2fa/recovery-codes", summary: "New recovery codes", tag: "Security", access: .session,
                limit: .own("3/h"),
                body: .json(CodeBody.self),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("Ten new codes", "RecoveryCodes"), 401: ("Wrong code", "Error"), 403: ("Recent authentication required", "Error"),
                    409: ("Two-factor is off", "Error"),
                ]),
            to: router
        ) { request, context in
            let (identity, session) = try context.requireSession(enrolling: true)
            try context.requireRecentAuth(session)
            let body = try await request.decodeJSON(as: CodeBody.self, context: context)
            guard let code = body.code, !code.isEmpty, code.count <= 64 else { throw APIError.validation(["code": ["is required"]]) }
            let origin = request.origin(context)
            let twoFactor = twoFactor
            let codes: [String]?
            do {
                codes = try await Offload.run {
                    try twoFactor.regenerateRecoveryCodes(userID: identity.user.id, code: code, origin: origin)
                }
            } catch TwoFactorError.notEnabled {
                throw APIError(.conflict, "invalid_state", "Two-factor authentication is off; there are no recovery codes to replace.")
            }
            guard let codes else { throw APIError(.unauthorized, "invalid_code", "That code is not right.") }
            return JSONResponse.make(["recovery_codes": .array(codes.map(JSONValue.string))])
        }
    }

    /// Confirms a pending enrolment: the codes, or nil for a wrong code.
    private func confirm(userID: Int64, code: String, origin: RequestOrigin) async throws -> [String]? {
        let twoFactor = twoFactor
        do {
            switch try await Offload.run({ try twoFactor.confirm(userID: userID, code: code, origin: origin) }) {
            case .confirmed(let codes): return codes
            case .refused(.blocked(let wait)): throw APIError.rateLimited(retryAfter: wait, "Too many wrong codes; try again later.")
            case .refused: return nil
            }
        } catch TwoFactorError.nothingPending {
            throw APIError(.conflict, "invalid_state", "There is no enrolment waiting for confirmation; start again.")
        } catch TwoFactorError.alreadyEnabled {
            throw APIError(.conflict, "invalid_state", "Two-factor authentication is already on.")
        }
    }

    /// SEC-5: the password and a current code, then TOTP and recovery codes go and the other sessions end.
    @Sendable func disable(_ request: Request, context: AppRequestContext) async throws -> Response {
        let (identity, session) = try context.requireSession(enrolling: true)
        try context.requireRecentAuth(session)
        let body = try await request.decodeJSON(as: DisableBody.self, context: context)
        var problems: [String: [String]] = [:]
        if (body.password ?? "").isEmpty { problems["password"] = ["is required"] }
        if (body.code ?? "").isEmpty || (body.code?.count ?? 0) > 64 { problems["code"] = ["is required"] }
        guard problems.isEmpty, let password = body.password, let code = body.code else { throw APIError.validation(problems) }
        let stored = identity.user.passwordHash
        let wrong = APIError(.unauthorized, "invalid_credentials", "The password or code is not right.")
        guard try await Offload.run({ PasswordHasher.verify(password, againstOptional: stored) }) else {
            throw wrong
        }
        let origin = request.origin(context)
        let (twoFactor, sessions) = (twoFactor, sessions)
        let disabled = try await Offload.run { try twoFactor.disable(userID: identity.user.id, code: code, origin: origin) }
        guard disabled else { throw wrong }
        _ = try await Offload.run {
            try sessions.revokeAll(userID: identity.user.id, except: session.id, reason: "two_factor_disabled", origin: origin)
        }
        return JSONResponse.make(["enabled": false])
    }
}
