import Crypto
import Foundation

/// Time-based one-time passwords of RFC 6238 with the parameters of 20-services §4.3: HMAC-SHA1, 6 digits, 30 s
/// steps from T0 = 0, accepted for the steps T−1, T and T+1 and only for a step newer than the last one used.
public struct TOTP: Sendable {
    public static let digits = 6
    public static let period: TimeInterval = 30
    public let secret: Data

    public init(secret: Data) { self.secret = secret }

    /// A new secret: 20 random bytes (160 bits, the size RFC 4226 recommends for SHA-1).
    public static func newSecret() -> Data {
        var generator = SystemRandomNumberGenerator()
        return Data((0..<20).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    public static func step(at date: Date) -> Int64 { Int64((date.timeIntervalSince1970 / period).rounded(.down)) }

    /// The code for a step, zero-padded to six digits.
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Data($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0f)
        let binary =
            (UInt32(mac[offset] & 0x7f) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        let value = binary % 1_000_000
        let text = String(value)
        return String(repeating: "0", count: Self.digits - text.count) + text
    }

    /// The step the code belongs to when it is within the window and newer than `lastUsedStep`; nil otherwise.
    /// Every candidate is compared in constant time so timing does not tell which step matched.
    public func matchingStep(_ code: String, at date: Date, lastUsedStep: Int64?) -> Int64? {
        let entered = code.filter { !$0.isWhitespace }
        guard entered.count == Self.digits, entered.allSatisfy(\.isASCII), entered.allSatisfy(\.isNumber) else { return nil }
        let now = Self.step(at: date)
        var found: Int64?
        for step in (now - 1)...(now + 1) where SecureToken.constantTimeEqual(self.code(step: step), entered) {
            if step > (lastUsedStep ?? Int64.min), found == nil { found = step }
        }
        return found
    }

    /// The provisioning URI authenticator apps read from the QR code.
    public static func provisioningURI(secret: Data, account: String, issuer: String = "PittState Connect") -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~@+")
        let label = account.addingPercentEncoding(withAllowedCharacters: allowed) ?? account
        let issuerText = issuer.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? issuer
        return "otpauth://totp/\(issuerText):\(label)?secret=\(Base32.encode(secret))&issuer=\(issuerText)"
            + "&algorithm=SHA1&digits=6&period=30"
    }
}

/// RFC 4648 base32 without padding, as authenticator apps expect TOTP secrets.
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567".utf8)

    public static func encode(_ data: Data) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in data {
            buffer = (buffer << 8) | UInt32(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[Int((buffer >> UInt32(bits - 5)) & 31)])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 31)]) }
        return String(decoding: output, as: UTF8.self)
    }

    public static func decode(_ text: String) -> Data? {
        var output = Data()
        var buffer: UInt32 = 0
        var bits = 0
        for character in text.uppercased().utf8 where character != UInt8(ascii: "=") {
            guard let index = alphabet.firstIndex(of: character) else { return nil }
            buffer = (buffer << 5) | UInt32(index)
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> UInt32(bits - 8)) & 0xff))
                bits -= 8
            }
        }
        return output
    }
}

/// Recovery codes of 20-services §4.4: 10 Crockford base32 characters (50 bits), shown as `XXXXX-XXXXX`.
public enum RecoveryCode {
    static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ")

    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        let characters = (0..<10).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &generator)] }
        return String(characters[0..<5]) + "-" + String(characters[5...])
    }

    /// Upper case, hyphens and spaces removed, O→0, I and L→1; nil when the result cannot be a code.
    public static func normalise(_ input: String) -> String? {
        var result = ""
        for character in input.uppercased() where character != "-" && !character.isWhitespace {
            switch character {
            case "O": result.append("0")
            case "I", "L": result.append("1")
            default: result.append(character)
            }
        }
        guard result.count == 10, result.allSatisfy({ alphabet.contains($0) }) else { return nil }
        return result
    }
}
