import Crypto
import Foundation

/// The footer link's token (20-services §8.5): `<user id>.<type>.<base64url HMAC-SHA-256 of
/// "unsubscribe:<user id>:<type>" under the key ring's hash key>`, so a link turns off exactly one type for one
/// person and cannot be made for another.
public enum UnsubscribeToken {
    public static func make(userID: Int64, type: NotificationType, key: SymmetricKey) -> String {
        "\(userID).\(type.rawValue).\(signature(userID: userID, type: type.rawValue, key: key))"
    }

    /// The user and type a token names, or nil when it is not one this key made.
    public static func read(_ token: String, key: SymmetricKey) -> (userID: Int64, type: NotificationType)? {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let user = Int64(parts[0]), user > 0, let type = NotificationType(rawValue: String(parts[1])) else {
            return nil
        }
        // Constant time, so the signature cannot be guessed byte by byte.
        guard SecureToken.constantTimeEqual(signature(userID: user, type: type.rawValue, key: key), String(parts[2])) else { return nil }
        return (user, type)
    }

    static func signature(userID: Int64, type: String, key: SymmetricKey) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: Data("unsubscribe:\(userID):\(type)".utf8), using: key)
        return SecureToken.base64URL(Data(mac))
    }
}
