import Crypto
import Foundation
import HummingbirdBcrypt

/// Password storage of 20-services §4.1: bcrypt over base64(SHA-256(NFC password)), so bcrypt's 72-byte limit
/// never truncates a long passphrase, stored as `$psc-bcrypt-sha256$v=1$` + the bcrypt string. Hashing is slow
/// on purpose: call it off the event loop (``Offload``).
public enum PasswordHasher {
    public static let prefix = "$psc-bcrypt-sha256$v=1$"
    public static let cost: UInt8 = 12

    public static func hash(_ password: String, cost: UInt8 = PasswordHasher.cost) -> String {
        prefix + Bcrypt.hash(prehash(password), cost: max(10, cost))
    }

    public static func verify(_ password: String, against stored: String) -> Bool {
        if stored.hasPrefix(legacyPrefix) { return verifyLegacy(password, against: stored) }
        guard stored.hasPrefix(prefix) else { return false }
        return Bcrypt.verify(prehash(password), hash: String(stored.dropFirst(prefix.count)))
    }

    /// For an account that may have no password (created by an admin, not yet set up): false without one, after
    /// the same bcrypt work as with one, so the answer's timing tells nothing.
    public static func verify(_ password: String, againstOptional stored: String?) -> Bool {
        let matches = verify(password, against: stored ?? decoy)
        return matches && stored != nil
    }

    /// Hashes imported from the earlier implementation: `pbkdf2:sha256:<iterations>$<salt>$<hex>`, PBKDF2-HMAC-SHA256
    /// of the password with the salt's text, 32 bytes. Verified once, then replaced (``needsRehash`` is true).
    static let legacyPrefix = "pbkdf2:sha256:"

    static func verifyLegacy(_ password: String, against stored: String) -> Bool {
        let parts = stored.dropFirst(legacyPrefix.count).split(separator: "$", omittingEmptySubsequences: false)
        guard parts.count == 3, let iterations = Int(parts[0]), (1...5_000_000).contains(iterations), parts[2].count == 64 else {
            return false
        }
        let derived = pbkdf2SHA256(password: Data(password.utf8), salt: Data(parts[1].utf8), iterations: iterations)
        let expected = derived.map { String(format: "%02x", $0) }.joined()
        return SecureToken.constantTimeEqual(expected, parts[2].lowercased())
    }

    /// PBKDF2 (RFC 8018) with HMAC-SHA-256 and a 32-byte output: one block.
    static func pbkdf2SHA256(password: Data, salt: Data, iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: password)
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + Data([0, 0, 0, 1]), using: key))
        var result = block
        for _ in 1..<iterations {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in 0..<result.count { result[index] ^= block[index] }
        }
        return result
    }

    /// True when the stored hash used a lower cost than today's: it is replaced at the next successful sign-in.
    public static func needsRehash(_ stored: String) -> Bool {
        guard stored.hasPrefix(prefix) else { return true }
        // `$2b$12$…`: the cost is the third field.
        let fields = stored.dropFirst(prefix.count).split(separator: "$")
        guard fields.count >= 2, let storedCost = UInt8(fields[1]) else { return true }
        return storedCost < cost
    }

    /// A stored hash for no password, verified against when the email is unknown so that both cost the same.
    public static let decoy: String = hash(SecureToken.random())

    static func prehash(_ password: String) -> String {
        Data(SHA256.hash(data: Data(password.precomposedStringWithCanonicalMapping.utf8))).base64EncodedString()
    }
}
