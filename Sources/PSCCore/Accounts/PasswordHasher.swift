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
        guard stored.hasPrefix(prefix) else { return false }
        return Bcrypt.verify(prehash(password), hash: String(stored.dropFirst(prefix.count)))
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
