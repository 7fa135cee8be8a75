import Foundation
import Synchronization
import Testing

@testable import PSCCore
@testable import PSCStore

/// Sign-in, its second step, challenges, second factors and passkeys on a temporary database, through the one
/// service the routes call.
@Suite("Sign-in service")
struct SignInServiceTests {
    static let password = "correct horse battery staple"
    static let origin = RequestOrigin(ip: "203.0.113.9", userAgent: "store test")

    /// A member with a real password, the stores the service spans, and a purge schedule that records its calls.
    /// What a hook was called with, kept across the hook's calls.
    final class Recorder<Value: Sendable>: Sendable {
        let values = Mutex<[Value]>([])
        func append(_ value: Value) { values.withLock { $0.append(value) } }
        var all: [Value] { values.withLock { $0 } }
    }

    final class Fixture {
        let members: TestMembers
        let clock = TestClock()
        let keyRing: KeyRing
        let accounts: AccountStore
        let sessions: SessionStore
        let twoFactor: TwoFactorStore
        let challenges: ChallengeStore
        let passkeys: PasskeyStore
        let service: SignInService
        let alerts = Recorder<String>()
        let cancelled = Recorder<Int64>()
        var user: Int64 { members.ids[0] }

        init(pendingDeletion: Bool = false) throws {
            members = try TestMembers(1, prefix: "signin")
            let store = members.store
            keyRing = try KeyRing(
                active: "k1", keys: ["k1": Data((0..<32).map { UInt8($0) })], hashKey: Data((0..<32).map { UInt8(255 - $0) }))
            accounts = AccountStore(store: store)
            sessions = SessionStore(store: store, clock: clock.read)
            let alerts = alerts
            let alert: SecurityAlertHook = { _, _, event in alerts.append(event) }
            twoFactor = TwoFactorStore(store: store, keyRing: keyRing, alert: alert, clock: clock.read)
            challenges = ChallengeStore(store: store, keyRing: keyRing, clock: clock.read)
            passkeys = PasskeyStore(store: store, alert: alert)
            let cancelled = cancelled
            service = SignInService(
                store: store, accounts: accounts, sessions: sessions, throttle: SignInThrottle(store: store, clock: clock.read),
                twoFactor: twoFactor, challenges: challenges, passkeys: passkeys, keyRing: keyRing, securityAlert: alert,
                purges: PurgeScheduling(
                    schedule: { _, _, _ in },
                    cancel: { userID, _ in
                        cancelled.append(userID)
                        return pendingDeletion
                    }))
            let hash = PasswordHasher.hash(Self.password)
            try store.write { db in
                try accounts.setPassword(
                    userID: members.ids[0], hash: hash, action: "auth.password_set", origin: SignInServiceTests.origin, in: db)
            }
        }

        static var password: String { SignInServiceTests.password }

        /// Turns TOTP on and returns the generator and the recovery codes.
        func enrolTOTP() throws -> (TOTP, [String]) {
            let secret = try twoFactor.beginEnrolment(userID: user)
            let totp = TOTP(secret: secret)
            guard
                case .confirmed(let codes) = try twoFactor.confirm(
                    userID: user, code: totp.code(step: TOTP.step(at: clock.read())), origin: SignInServiceTests.origin)
            else { throw TwoFactorError.nothingPending }
            clock.set(clock.read().addingTimeInterval(TOTP.period))
            return (totp, codes)
        }

        func currentCode(_ totp: TOTP) -> String { totp.code(step: TOTP.step(at: clock.read())) }
    }

    @Test("a right password starts a session; a wrong one or an unknown email is refused the same way and recorded")
    func password() throws {
        let fixture = try Fixture()
        let email = "signin0@gus.pittstate.edu"
        #expect(throws: SignInFailure.invalidCredentials) {
            try fixture.service.signIn(email: email, password: "wrong password", remember: false, origin: Self.origin)
        }
        #expect(throws: SignInFailure.invalidCredentials) {
            try fixture.service.signIn(email: "nobody@gus.pittstate.edu", password: Self.password, remember: false, origin: Self.origin)
        }
        guard
            case .signedIn(let started) = try fixture.service.signIn(
                email: email, password: Self.password, remember: true, origin: Self.origin)
        else {
            Issue.record("a right password without a second factor must sign in")
            return
        }
        #expect(started.user.id == fixture.user)
        #expect(started.session.remember)
        #expect(try fixture.sessions.session(token: started.token)?.id == started.session.id)
        let reasons = try fixture.members.store.read { db in
            try String.fetchAll(db, sql: "SELECT coalesce(reason, outcome) FROM login_attempts ORDER BY id")
        }
        #expect(reasons == ["wrong_password", "unknown_email", "success"])
        // A sign-in asks the queue to cancel a pending deletion; none was pending, so nothing is audited.
        #expect(fixture.cancelled.all == [fixture.user])
    }

    @Test("five wrong passwords throttle the account, even for the right one")
    func throttle() throws {
        let fixture = try Fixture()
        for _ in 0..<SignInThrottle.failuresBeforeThrottle {
            _ = try? fixture.service.signIn(email: "signin0@gus.pittstate.edu", password: "wrong", remember: false, origin: Self.origin)
        }
        #expect {
            try fixture.service.signIn(email: "signin0@gus.pittstate.edu", password: Self.password, remember: false, origin: Self.origin)
        } throws: { error in
            if case SignInFailure.throttled(let wait) = error { return wait > 0 }
            return false
        }
    }

    @Test("with TOTP on, the password opens a challenge; wrong codes count, five spend it; a right code or a recovery code (once) signs in")
    func secondStep() throws {
        let fixture = try Fixture()
        let (totp, recovery) = try fixture.enrolTOTP()
        func begin() throws -> String {
            guard
                case .secondFactorRequired(let challenge, let methods, _) = try fixture.service.signIn(
                    email: "signin0@gus.pittstate.edu", password: Self.password, remember: false, origin: Self.origin)
            else { throw SignInFailure.invalidCredentials }
            #expect(methods.contains("totp"))
            return challenge
        }
        let first = try begin()
        #expect(try fixture.service.loginChallengeUser(first) == fixture.user)
        for _ in 0..<4 {
            #expect(throws: SignInFailure.invalidCode) {
                try fixture.service.secondStep(loginChallenge: first, code: "000000", origin: Self.origin)
            }
        }
        #expect(throws: SignInFailure.challengeExpired) {
            try fixture.service.secondStep(loginChallenge: first, code: "000000", origin: Self.origin)
        }
        #expect(throws: SignInFailure.challengeExpired) {
            try fixture.service.secondStep(loginChallenge: first, code: fixture.currentCode(totp), origin: Self.origin)
        }
        let second = try begin()
        let started = try fixture.service.secondStep(loginChallenge: second, code: fixture.currentCode(totp), origin: Self.origin)
        #expect(started.twoFactorEnabled)
        #expect(try JSONDecoder().decode([String].self, from: Data(started.session.authMethods.utf8)) == ["password", "totp"])
        // The challenge is spent with the sign-in.
        #expect(try fixture.service.loginChallengeUser(second) == nil)
        let third = try begin()
        #expect(try fixture.service.secondStep(loginChallenge: third, code: recovery[0], origin: Self.origin).user.id == fixture.user)
        let fourth = try begin()
        #expect(throws: SignInFailure.invalidCode) {
            try fixture.service.secondStep(loginChallenge: fourth, code: recovery[0], origin: Self.origin)
        }
    }

    @Test("a challenge expires with time, and an expired one cannot be opened")
    func challengeExpiry() throws {
        let fixture = try Fixture()
        let made = try fixture.challenges.create(.login2FA, userID: fixture.user, data: ["remember": true], validFor: 300)
        let opened = try fixture.members.store.read { db in try fixture.challenges.open(.login2FA, token: made.token, in: db) }
        #expect(opened?.data["remember"]?.boolValue == true)
        // Another purpose does not open it.
        #expect(try fixture.members.store.read { db in try fixture.challenges.open(.webauthnLogin, token: made.token, in: db) } == nil)
        fixture.clock.set(fixture.clock.read().addingTimeInterval(301))
        #expect(try fixture.service.loginChallengeUser(made.token) == nil)
    }

    @Test("re-authentication: a wrong password is audited and refused, a right one or code marks the session")
    func reauthentication() throws {
        let fixture = try Fixture()
        guard
            case .signedIn(let started) = try fixture.service.signIn(
                email: "signin0@gus.pittstate.edu", password: Self.password, remember: false, origin: Self.origin)
        else {
            Issue.record("no session")
            return
        }
        #expect(throws: SignInFailure.invalidCredentials) {
            try fixture.service.reauthenticate(
                user: started.user, sessionID: started.session.id, proof: .password("nope"), origin: Self.origin)
        }
        let failures = try fixture.members.store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM audit_log WHERE action = 'auth.reauthenticate' AND outcome = 'failure'")
        }
        #expect(failures == 1)
        fixture.clock.set(fixture.clock.read().addingTimeInterval(90))
        let stamp = try fixture.service.reauthenticate(
            user: started.user, sessionID: started.session.id, proof: .password(Self.password), origin: Self.origin)
        #expect(stamp == Timestamp.string(from: fixture.clock.read()))
        #expect(throws: SignInFailure.invalidCode) {
            try fixture.service.reauthenticate(
                user: started.user, sessionID: started.session.id, proof: .code("123456"), origin: Self.origin)
        }
    }

    @Test("a sign-in within the grace period cancels the pending deletion and audits it")
    func cancelsDeletion() throws {
        let fixture = try Fixture(pendingDeletion: true)
        _ = try fixture.service.signIn(email: "signin0@gus.pittstate.edu", password: Self.password, remember: false, origin: Self.origin)
        let audited = try fixture.members.store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM audit_log WHERE action = 'account.deletion_cancelled' AND target_id = ?",
                arguments: [String(fixture.user)])
        }
        #expect(audited == 1)
    }

    @Test("passkeys: an unknown ceremony or a flagged credential is refused; a counter that stands still is flagged and alerted")
    func passkeys() throws {
        let fixture = try Fixture()
        let credential = WebAuthn.NewCredential(
            credentialID: Data([1, 2, 3, 4]), publicKey: Data(repeating: 7, count: 65), signCount: 10, aaguid: nil, backupEligible: false,
            backupState: false)
        let handle = try fixture.passkeys.userHandle(userID: fixture.user)
        let record = try fixture.passkeys.add(
            userID: fixture.user, credential: credential, userHandle: handle, deviceName: "Laptop", transports: ["internal"],
            origin: Self.origin)
        #expect(throws: PasskeyError.alreadyRegistered) {
            try fixture.passkeys.add(
                userID: fixture.user, credential: credential, userHandle: handle, deviceName: "Again", transports: [], origin: Self.origin)
        }
        let assertion = PasskeyAssertion(
            ceremonyID: "no-such-ceremony", credentialID: credential.credentialID, clientDataJSON: Data("{}".utf8),
            authenticatorData: Data(),
            signature: Data(), userHandle: handle)
        let party = RelyingParty(origin: "https://connect.pittstate.edu")
        #expect(party.id == "connect.pittstate.edu")
        #expect(throws: SignInFailure.passkeyRefused) {
            try fixture.service.passkeySignIn(assertion: assertion, party: party, origin: Self.origin)
        }
        // The counter rule: a value that does not move forward flags the credential.
        let outcome = try fixture.members.store.write { db in
            try fixture.passkeys.recordUse(record, signCount: 10, backupState: false, origin: Self.origin, in: db)
        }
        #expect(outcome == .cloneSuspected)
        #expect(try fixture.passkeys.credential(id: credential.credentialID)?.flaggedAt != nil)
        #expect(fixture.alerts.all.contains("passkey_clone_suspected"))
        // A ceremony made now still cannot use the flagged credential.
        let ceremony = try fixture.challenges.create(
            .webauthnLogin, userID: nil, data: ["challenge": "abc", "second_factor": false], validFor: 300)
        let flagged = PasskeyAssertion(
            ceremonyID: ceremony.token, credentialID: credential.credentialID, clientDataJSON: Data("{}".utf8), authenticatorData: Data(),
            signature: Data(), userHandle: handle)
        #expect(throws: SignInFailure.passkeyRefused) {
            try fixture.service.passkeySignIn(assertion: flagged, party: party, origin: Self.origin)
        }
        // The ceremony was spent by the refused attempt.
        #expect(try fixture.members.store.read { db in try fixture.challenges.open(.webauthnLogin, token: ceremony.token, in: db) } == nil)
    }

    @Test("TOTP off needs a right code; recovery codes are replaced only for a right code")
    func twoFactorChanges() throws {
        let fixture = try Fixture()
        #expect(throws: TwoFactorError.notEnabled) {
            try fixture.twoFactor.regenerateRecoveryCodes(userID: fixture.user, code: "123456", origin: Self.origin)
        }
        let (totp, _) = try fixture.enrolTOTP()
        #expect(try fixture.twoFactor.regenerateRecoveryCodes(userID: fixture.user, code: "000000", origin: Self.origin) == nil)
        let fresh = try fixture.twoFactor.regenerateRecoveryCodes(
            userID: fixture.user, code: fixture.currentCode(totp), origin: Self.origin)
        #expect(fresh?.count == TwoFactorStore.recoveryCodeCount)
        fixture.clock.set(fixture.clock.read().addingTimeInterval(TOTP.period))
        #expect(try !fixture.twoFactor.disable(userID: fixture.user, code: "000000", origin: Self.origin))
        #expect(try fixture.twoFactor.disable(userID: fixture.user, code: fixture.currentCode(totp), origin: Self.origin))
        #expect(try !fixture.service.twoFactorEnabled(userID: fixture.user))
        #expect(try !fixture.twoFactor.disable(userID: fixture.user, code: fixture.currentCode(totp), origin: Self.origin))
    }
}
