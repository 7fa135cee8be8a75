import Crypto
import Foundation
import Testing

@testable import PSCCore

@Suite("Passwords")
struct PasswordTests {
    @Test(
        "the policy's worked examples for Jordan Lee, jordan.lee@gus.pittstate.edu (20-services §4.1)",
        arguments: [
            ("short", false), ("password1", false), ("Gorillas2026!", false), ("jordan.lee99", false),
            ("correct horse battery staple", true), ("Pittsburg State Gus 1903", true), (String(repeating: "a", count: 129), false),
        ])
    func policyExamples(candidate: String, accepted: Bool) {
        let problem = PasswordPolicy.problem(candidate, email: "jordan.lee@gus.pittstate.edu", firstName: "Jordan", lastName: "Lee")
        #expect((problem == nil) == accepted, "\(candidate): \(problem ?? "accepted")")
    }

    @Test("each refusal says why")
    func reasons() {
        func problem(_ password: String) -> String? {
            PasswordPolicy.problem(password, email: "jordan.lee@gus.pittstate.edu", firstName: "Jordan", lastName: "Lee")
        }
        #expect(problem("short")?.contains("8 to 128") == true)
        #expect(problem("PASSWORD1")?.contains("common") == true, "the common list ignores case")
        #expect(problem("Gorillas2026!")?.contains("university") == true)
        #expect(problem("Jordan!!")?.contains("name") == true)
        #expect(PasswordPolicy.commonPasswords.count == 10_000)
    }

    @Test("length counts Unicode scalars after NFC, so a decomposed accent counts once")
    func lengthAfterNFC() {
        let decomposed = "cafe\u{301}cafe\u{301}"  // 10 scalars as typed, 8 after NFC
        #expect(PasswordPolicy.problem(decomposed, email: "a@b.c", firstName: "A", lastName: "B") == nil)
        #expect(PasswordPolicy.problem("🦍🦍🦍🦍🦍🦍🦍🦍", email: "a@b.c", firstName: "A", lastName: "B") == nil)
    }

    @Test("hashes carry the scheme prefix, verify only the right password, and low costs are flagged for rehash")
    func hashing() {
        let stored = PasswordHasher.hash("correct horse battery staple", cost: 10)
        #expect(stored.hasPrefix("$psc-bcrypt-sha256$v=1$$2"))
        #expect(PasswordHasher.verify("correct horse battery staple", against: stored))
        #expect(!PasswordHasher.verify("correct horse battery stapler", against: stored))
        #expect(PasswordHasher.needsRehash(stored), "cost 10 is below today's 12")
        #expect(!PasswordHasher.verify("x", against: "pbkdf2:sha256:600000$salt$hash"), "unknown schemes never verify")
        // Past bcrypt's 72 bytes the pre-hash keeps every character significant.
        let long = String(repeating: "b", count: 100)
        let longHash = PasswordHasher.hash(long, cost: 10)
        #expect(!PasswordHasher.verify(String(repeating: "b", count: 99) + "c", against: longHash))
    }

    @Test("secure tokens are 43 base64url characters and differ every time")
    func tokens() {
        let a = SecureToken.random()
        #expect(a.count == 43)
        #expect(a.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(a != SecureToken.random())
        #expect(SecureToken.sha256(a).count == 32)
    }
}

@Suite("Key ring")
struct KeyRingTests {
    @Test("the spec's AES-GCM vector, bound to its column (20-services §4.6)")
    func vector() throws {
        let ring = try KeyRing(active: "k1", keys: ["k1": Data(0..<32)], hashKey: Data(repeating: 7, count: 32))
        let nonce = try AES.GCM.Nonce(data: Data(0..<12))
        let envelope = try ring.encrypt("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", column: "totp_credentials.secret", nonce: nonce)
        #expect(envelope == "psc1.k1.AAECAwQFBgcICQoLAEeMX4KrgE3KGKTf4KYyPMST3XC3NR0qfz7W0UwmSuOHUf83ODYkMm495Ia6aXa9")
        #expect(try ring.decrypt(envelope, column: "totp_credentials.secret") == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(throws: KeyRing.Failure.self) { try ring.decrypt(envelope, column: "users.phone") }
        #expect(throws: KeyRing.Failure.self) { try ring.decrypt("psc1.k9.AAAA", column: "users.phone") }
    }

    @Test("a development ring is generated once with mode 0600 and read back; production never generates one")
    func generation() throws {
        let path = NSTemporaryDirectory() + "psc-keyring-\(UUID().uuidString)/keyring.json"
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        #expect(throws: KeyRing.Failure.self) { try KeyRing.load(path: path, generate: false) }
        let ring = try KeyRing.load(path: path, generate: true)
        let again = try KeyRing.load(path: path, generate: false)
        #expect(ring.lookupHash("x") == again.lookupHash("x"))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }
}

@Suite("Legacy password hashes")
struct LegacyPasswordTests {
    /// RFC 7914 §11's PBKDF2-HMAC-SHA256 vector ("passwd", "salt", 1 iteration), first 32 bytes.
    @Test func pbkdf2Vector() {
        let derived = PasswordHasher.pbkdf2SHA256(password: Data("passwd".utf8), salt: Data("salt".utf8), iterations: 1)
        #expect(derived.map { String(format: "%02x", $0) }.joined() == "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc")
    }

    /// A hash in the earlier implementation's format verifies once and is marked for replacement.
    @Test func earlierImplementationHash() {
        let hex = PasswordHasher.pbkdf2SHA256(password: Data("old password here".utf8), salt: Data("Xy12".utf8), iterations: 1000)
            .map { String(format: "%02x", $0) }.joined()
        let stored = "pbkdf2:sha256:1000$Xy12$" + hex
        #expect(PasswordHasher.verify("old password here", against: stored))
        #expect(!PasswordHasher.verify("old password hera", against: stored))
        #expect(PasswordHasher.needsRehash(stored))
        #expect(!PasswordHasher.verify("x", against: "pbkdf2:sha256:abc$salt$00"))
    }
}
