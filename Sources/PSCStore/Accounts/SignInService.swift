import Foundation
import GRDB
import PSCCore

/// Why a sign-in step was refused; the HTTP layer turns each into its status and code (10-api §2).
public enum SignInFailure: Error, Equatable, Sendable {
    case invalidCredentials
    /// The passkey's assertion did not verify against its ceremony, credential or counter.
    case passkeyRefused
    case suspended
    /// Too many failed passwords for the account (20-services §4.2).
    case throttled(retryAfter: Int)
    /// The login challenge (or a setup link) is unknown, spent or expired.
    case challengeExpired
    case invalidCode
    /// Too many wrong second-factor codes for the account (20-services §4.3).
    case codesBlocked(retryAfter: Int)
}

/// A session that a completed sign-in started.
public struct SignedInSession: Sendable {
    /// The cookie value; only its hash is stored.
    public let token: String
    public let session: SessionRecord
    public let user: UserRecord
    public let grants: [Grant]
    public let twoFactorEnabled: Bool
}

/// A WebAuthn assertion as the authenticator sent it, already base64url-decoded where it must be.
public struct PasskeyAssertion: Sendable {
    public let ceremonyID: String
    public let credentialID: Data?
    public let clientDataJSON: Data?
    public let authenticatorData: Data?
    public let signature: Data?
    public let userHandle: Data?

    public init(
        ceremonyID: String, credentialID: Data?, clientDataJSON: Data?, authenticatorData: Data?, signature: Data?, userHandle: Data?
    ) {
        self.ceremonyID = ceremonyID
        self.credentialID = credentialID
        self.clientDataJSON = clientDataJSON
        self.authenticatorData = authenticatorData
        self.signature = signature
        self.userHandle = userHandle
    }
}

/// The relying party of a ceremony (20-services §4.5): the public origin and its host.
public struct RelyingParty: Sendable {
    public let origin: String
    public let id: String

    public init(origin: String) {
        self.origin = origin
        self.id = URL(string: origin)?.host ?? "localhost"
    }
}

/// Sign-in and re-authentication (10-api AUTH-4, AUTH-5, AUTH-8, AUTH-14, AUTH-15, SEC-10): each step is one
/// function that spans the account, challenge, second-factor, passkey, session and throttle tables in one
/// transaction, so a route validates input, calls one of these and shapes the answer. Synchronous like the stores;
/// callers run them off the event loop.
public struct SignInService: Sendable {
    let store: Store
    let accounts: AccountStore
    let sessions: SessionStore
    let throttle: SignInThrottle
    let twoFactor: TwoFactorStore
    let challenges: ChallengeStore
    let passkeys: PasskeyStore
    let keyRing: KeyRing
    let securityAlert: SecurityAlertHook
    /// A sign-in cancels the account's pending deletion in its own transaction.
    let purges: PurgeScheduling

    public init(
        store: Store, accounts: AccountStore, sessions: SessionStore, throttle: SignInThrottle, twoFactor: TwoFactorStore,
        challenges: ChallengeStore, passkeys: PasskeyStore, keyRing: KeyRing, securityAlert: @escaping SecurityAlertHook,
        purges: PurgeScheduling
    ) {
        self.store = store
        self.accounts = accounts
        self.sessions = sessions
        self.throttle = throttle
        self.twoFactor = twoFactor
        self.challenges = challenges
        self.passkeys = passkeys
        self.keyRing = keyRing
        self.securityAlert = securityAlert
        self.purges = purges
    }

    // MARK: - Password first (AUTH-4)

    public enum PasswordOutcome: Sendable {
        case signedIn(SignedInSession)
        /// The password was right; the session starts after the second step (00-conventions §3.1).
        case secondFactorRequired(loginChallenge: String, methods: [String], expiresAt: String)
    }

    /// Checks the password against the account's throttle and status; an unknown email costs the same bcrypt work as
    /// a known one (20-services §4.2). Every refusal is recorded with its reason.
    public func signIn(email: String, password: String, remember: Bool, origin: RequestOrigin) throws -> PasswordOutcome {
        let emailHash = keyRing.lookupHash(UserRecord.normalise(email: email))
        guard let user = try accounts.user(email: email), let stored = user.passwordHash else {
            _ = PasswordHasher.verify(password, against: PasswordHasher.decoy)
            try throttle.record(.failure, userID: nil, emailHash: emailHash, reason: "unknown_email", origin: origin)
            throw SignInFailure.invalidCredentials
        }
        if let wait = try throttle.retryAfter(userID: user.id) {
            try throttle.record(.throttled, userID: user.id, emailHash: emailHash, reason: "account_throttle", origin: origin)
            throw SignInFailure.throttled(retryAfter: wait)
        }
        guard PasswordHasher.verify(password, against: stored) else {
            try throttle.record(.failure, userID: user.id, emailHash: emailHash, reason: "wrong_password", origin: origin)
            throw SignInFailure.invalidCredentials
        }
        guard user.status.canSignIn else {
            try throttle.record(.failure, userID: user.id, emailHash: emailHash, reason: "account_suspended", origin: origin)
            throw SignInFailure.suspended
        }
        let newHash = PasswordHasher.needsRehash(stored) ? PasswordHasher.hash(password) : nil
        let methods = try store.read { db in try twoFactor.methods(userID: user.id, in: db) }
        if !methods.isEmpty {
            var fields: [String: JSONValue] = ["remember": .bool(remember)]
            if let newHash { fields["new_password_hash"] = .string(newHash) }
            let challenge = try challenges.create(.login2FA, userID: user.id, data: .object(fields), validFor: 300)
            return .secondFactorRequired(loginChallenge: challenge.token, methods: methods, expiresAt: challenge.expiresAt)
        }
        return .signedIn(
            try store.write { db in
                try start(
                    user: user, remember: remember, methods: ["password"], emailHash: emailHash, newPasswordHash: newHash, origin: origin,
                    in: db)
            })
    }

    // MARK: - The second step (AUTH-5)

    /// A TOTP or recovery code completes the sign-in a password began. Five wrong codes end the challenge; the
    /// account's own code limit applies across challenges.
    public func secondStep(loginChallenge: String, code: String, origin: RequestOrigin) throws -> SignedInSession {
        // Refusals are values, not thrown errors, so what the check recorded (failures, the block) commits.
        enum Step { case signedIn(SignedInSession), rejected(spent: Bool), blocked(Int), expired }
        let step = try store.write { db -> Step in
            guard let challenge = try challenges.open(.login2FA, token: loginChallenge, in: db), let userID = challenge.userID,
                let user = try accounts.user(id: userID, in: db), user.status.canSignIn
            else { return .expired }
            switch try twoFactor.check(userID: userID, code: code, origin: origin, in: db) {
            case .accepted(let method, _):
                return .signedIn(try finishSecondStep(challenge, user: user, method: method.rawValue, origin: origin, in: db))
            case .rejected:
                let spent = try challenges.recordFailure(challenge, limit: 5, in: db)
                try throttle.record(
                    .secondFactorFailed, userID: userID, emailHash: nil, reason: "invalid_code", origin: origin, method: "totp", in: db)
                return .rejected(spent: spent)
            case .blocked(let wait):
                return .blocked(wait)
            }
        }
        switch step {
        case .signedIn(let session): return session
        case .rejected(spent: false): throw SignInFailure.invalidCode
        case .rejected(spent: true), .expired: throw SignInFailure.challengeExpired
        case .blocked(let wait): throw SignInFailure.codesBlocked(retryAfter: wait)
        }
    }

    /// AUTH-5 with a passkey assertion from a SEC-9 ceremony made with the `login_challenge`.
    public func passkeySecondStep(loginChallenge: String, assertion: PasskeyAssertion, party: RelyingParty, origin: RequestOrigin) throws
        -> SignedInSession
    {
        guard let userID = try loginChallengeUser(loginChallenge) else { throw SignInFailure.challengeExpired }
        return try verify(assertion, for: .secondFactor(userID: userID), party: party, origin: origin) { _, db in
            guard let challenge = try challenges.open(.login2FA, token: loginChallenge, in: db), challenge.userID == userID,
                let user = try accounts.user(id: userID, in: db), user.status.canSignIn
            else { throw SignInFailure.challengeExpired }
            return try finishSecondStep(challenge, user: user, method: "webauthn", origin: origin, in: db)
        }
    }

    /// The account a live login challenge belongs to.
    public func loginChallengeUser(_ loginChallenge: String) throws -> Int64? {
        try store.read { db in try challenges.open(.login2FA, token: loginChallenge, in: db)?.userID }
    }

    private func finishSecondStep(
        _ challenge: ChallengeStore.Challenge, user: UserRecord, method: String, origin: RequestOrigin, in db: GRDB.Database
    ) throws -> SignedInSession {
        try challenges.consume(challenge, in: db)
        return try start(
            user: user, remember: challenge.data["remember"]?.boolValue ?? false, methods: ["password", method], emailHash: nil,
            newPasswordHash: challenge.data["new_password_hash"]?.stringValue, origin: origin, in: db)
    }

    // MARK: - Passkeys (SEC-10)

    /// What an assertion is for: signing in with the passkey alone (user verification required, a ceremony made
    /// without a password step), the second step after a password, or confirming a signed-in user.
    public enum PasskeyUse: Sendable {
        case passwordless
        case secondFactor(userID: Int64)
        case reauthentication(userID: Int64)
    }

    /// SEC-10: a passkey with user verification signs in on its own (both factors, 00-conventions §3.1).
    public func passkeySignIn(assertion: PasskeyAssertion, party: RelyingParty, origin: RequestOrigin) throws -> SignedInSession {
        try verify(assertion, for: .passwordless, party: party, origin: origin) { passkey, db in
            guard let user = try accounts.user(id: passkey.userID, in: db), user.status.canSignIn else {
                throw SignInFailure.passkeyRefused
            }
            return try start(
                user: user, remember: false, methods: ["webauthn"], emailHash: nil, newPasswordHash: nil, origin: origin, in: db)
        }
    }

    /// Verifies an assertion against its ceremony (spent whatever the outcome) and applies the counter rule in
    /// `then`'s transaction. Any refusal is `passkeyRefused`.
    func verify<T>(
        _ assertion: PasskeyAssertion, for use: PasskeyUse, party: RelyingParty, origin: RequestOrigin,
        then: (PasskeyRecord, GRDB.Database) throws -> T
    ) throws -> T {
        let invalid = SignInFailure.passkeyRefused
        let ceremony = try store.write { db -> ChallengeStore.Challenge? in
            guard let challenge = try challenges.open(.webauthnLogin, token: assertion.ceremonyID, in: db) else { return nil }
            try challenges.consume(challenge, in: db)
            return challenge
        }
        guard let ceremony, let challenge = ceremony.data["challenge"]?.stringValue, let rawID = assertion.credentialID,
            let passkey = try passkeys.credential(id: rawID), passkey.flaggedAt == nil
        else { throw invalid }
        let secondFactorCeremony = ceremony.data["second_factor"]?.boolValue == true
        let expectedUser: Int64?
        var passwordless = false
        switch use {
        case .passwordless:
            // A ceremony begun for a second step cannot sign anyone in without their password.
            guard !secondFactorCeremony else { throw invalid }
            expectedUser = ceremony.userID
            passwordless = true
        case .secondFactor(let userID):
            guard secondFactorCeremony else { throw invalid }
            expectedUser = userID
        case .reauthentication(let userID): expectedUser = userID
        }
        if let expectedUser {
            guard passkey.userID == expectedUser, ceremony.userID == nil || ceremony.userID == expectedUser else { throw invalid }
        } else {
            guard let handle = assertion.userHandle, handle == passkey.userHandle else { throw invalid }
        }
        guard let clientData = assertion.clientDataJSON, let authData = assertion.authenticatorData, let signature = assertion.signature
        else { throw invalid }
        let verified: WebAuthn.AuthenticatorData
        do {
            verified = try WebAuthn.verifyAssertion(
                clientDataJSON: clientData, authenticatorData: authData, signature: signature, publicKey: passkey.publicKey,
                challenge: challenge, origin: party.origin, rpID: party.id, requireUserVerification: passwordless)
        } catch {
            throw invalid
        }
        // A refused counter is flagged and audited, so that write commits and the refusal is returned, not thrown.
        let result = try store.write { db -> T? in
            let use = try passkeys.recordUse(
                passkey, signCount: verified.signCount, backupState: verified.backupState, origin: origin, in: db)
            guard use == .accepted else { return nil }
            return try then(passkey, db)
        }
        guard let result else { throw invalid }
        return result
    }

    /// Spends a registration ceremony (whatever the outcome, so a replayed answer needs a new one) and returns it when
    /// it was the user's.
    public func openRegistration(ceremonyID: String, userID: Int64) throws -> ChallengeStore.Challenge? {
        try store.write { db -> ChallengeStore.Challenge? in
            guard let challenge = try challenges.open(.webauthnRegister, token: ceremonyID, in: db), challenge.userID == userID else {
                return nil
            }
            try challenges.consume(challenge, in: db)
            return challenge
        }
    }

    // MARK: - Re-authentication (AUTH-8)

    public enum Proof: Sendable {
        case password(String)
        case code(String)
        case passkey(PasskeyAssertion, RelyingParty)
    }

    /// Confirms a signed-in user again and marks the session's recent authentication; returns the new stamp. A wrong
    /// password is audited as a failed re-authentication.
    public func reauthenticate(user: UserRecord, sessionID: Int64, proof: Proof, origin: RequestOrigin) throws -> String {
        switch proof {
        case .password(let password):
            guard PasswordHasher.verify(password, againstOptional: user.passwordHash) else {
                try store.write { db in
                    try AuditLog.append(
                        .account("auth.reauthenticate", userID: user.id, origin: origin, at: Date(), outcome: .failure), in: db)
                }
                throw SignInFailure.invalidCredentials
            }
        case .code(let code):
            try checkCode(userID: user.id, code: code, origin: origin)
        case .passkey(let assertion, let party):
            try verify(assertion, for: .reauthentication(userID: user.id), party: party, origin: origin) { _, _ in () }
        }
        return try sessions.markRecentAuth(sessionID: sessionID)
    }

    /// A second-factor code for an action (re-authentication, a password reset); accepted codes are consumed.
    public func checkCode(userID: Int64, code: String, origin: RequestOrigin) throws {
        switch try twoFactor.check(userID: userID, code: code, origin: origin) {
        case .accepted: return
        case .rejected: throw SignInFailure.invalidCode
        case .blocked(let wait): throw SignInFailure.codesBlocked(retryAfter: wait)
        }
    }

    /// What a live session or token stands on besides the user row: their grants and whether a second factor is on.
    public func standing(userID: Int64) throws -> (grants: [Grant], twoFactorEnabled: Bool) {
        try store.read { db in (try accounts.grants(userID: userID, in: db), try twoFactor.isEnabled(userID: userID, in: db)) }
    }

    public func twoFactorEnabled(userID: Int64) throws -> Bool {
        try store.read { db in try twoFactor.isEnabled(userID: userID, in: db) }
    }

    // MARK: - Passwords (AUTH-11, AUTH-14, AUTH-15)

    /// AUTH-15: sets the first password from a setup or invitation link (spent here), verifies the email the link
    /// went to, and signs the person in. Nil when the link was spent meanwhile.
    public func acceptSetupLink(purpose: String, token: String, user: UserRecord, passwordHash: String, origin: RequestOrigin) throws
        -> SignedInSession?
    {
        try store.write { db -> SignedInSession? in
            guard try accounts.consumeToken(purpose: purpose, token: token, in: db) == user.id else { return nil }
            try accounts.setPassword(userID: user.id, hash: passwordHash, action: "auth.password_set", origin: origin, in: db)
            try accounts.markEmailVerified(userID: user.id, in: db)
            // An admin's invitation needs no approval: choosing the password opens the account (ADM-4).
            if purpose == "invitation" {
                try db.execute(
                    sql: "UPDATE users SET status = 'active' WHERE id = ? AND status = 'pending_verification'", arguments: [user.id])
            }
            return try start(
                user: user, remember: false, methods: ["password"], emailHash: nil, newPasswordHash: nil, origin: origin, in: db)
        }
    }

    /// AUTH-11: a new password with a security alert, other sessions revoked when asked; returns how many were.
    public func changePassword(
        userID: Int64, keepingSession sessionID: Int64, passwordHash: String, revokeOthers: Bool, origin: RequestOrigin
    )
        throws -> Int
    {
        try store.write { db -> Int in
            try accounts.setPassword(userID: userID, hash: passwordHash, action: "auth.password_changed", origin: origin, in: db)
            try securityAlert(db, userID, "password_changed")
            guard revokeOthers else { return 0 }
            return try sessions.revokeAll(userID: userID, except: sessionID, reason: "password_changed", origin: origin, in: db)
        }
    }

    /// AUTH-14: spends the reset link, sets the password, ends every session and alerts; false when the link was
    /// spent meanwhile.
    public func resetPassword(userID: Int64, token: String, passwordHash: String, origin: RequestOrigin) throws -> Bool {
        try store.write { db -> Bool in
            guard try accounts.consumeToken(purpose: "password_reset", token: token, in: db) == userID else { return false }
            try accounts.setPassword(userID: userID, hash: passwordHash, action: "auth.password_reset", origin: origin, in: db)
            _ = try sessions.revokeAll(userID: userID, except: nil, reason: "password_reset", origin: origin, in: db)
            try securityAlert(db, userID, "password_reset")
            return true
        }
    }

    // MARK: - The session

    /// Starts the session of a completed sign-in inside the caller's transaction: a new session id, the attempt
    /// recorded and audited, the sign-in time (and an upgraded password hash) stored, a pending deletion cancelled.
    func start(
        user: UserRecord, remember: Bool, methods: [String], emailHash: Data?, newPasswordHash: String?, origin: RequestOrigin,
        in db: GRDB.Database
    ) throws -> SignedInSession {
        let grants = try accounts.grants(userID: user.id, in: db)
        let twoFactorEnabled = try twoFactor.isEnabled(userID: user.id, in: db)
        let lifetime = SessionLifetime.of(remember: remember, privileged: Actor.privileged(role: user.role, grants: grants))
        let (token, session) = try sessions.create(
            userID: user.id, remember: remember, lifetime: lifetime, methods: methods, origin: origin, in: db)
        try throttle.record(
            .success, userID: user.id, emailHash: emailHash, reason: nil, origin: origin, method: methods.joined(separator: "+"), in: db)
        try accounts.recordSignIn(userID: user.id, newPasswordHash: newPasswordHash, in: db)
        // Signing in within the 30 days after asking to delete the account keeps it (USR-14).
        if try purges.cancel(user.id, db) {
            try AuditLog.append(
                AuditEntry(
                    actorUserID: user.id, actorKind: .user, action: "account.deletion_cancelled", targetType: "user",
                    targetID: String(user.id),
                    ipAddress: origin.ip, userAgent: origin.userAgent),
                in: db)
        }
        return SignedInSession(token: token, session: session, user: user, grants: grants, twoFactorEnabled: twoFactorEnabled)
    }
}
