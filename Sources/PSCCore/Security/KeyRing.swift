import Crypto
import Foundation

/// The key ring of 20-services §4.6: AES-256-GCM keys by id, the active one for new writes, and the hash key for
/// recovery codes and lookup hashes. A JSON file, mode 0600, kept apart from the database.
public struct KeyRing: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case missing(String)
        case unreadable(String, String)
        case unknownKey(String)
        case malformed
        case decryptionFailed

        public var description: String {
            switch self {
            case .missing(let path): "the key ring \(path) does not exist; production never generates one (install.sh does)"
            case .unreadable(let path, let why): "the key ring \(path) cannot be used: \(why)"
            case .unknownKey(let id): "no key '\(id)' in the key ring"
            case .malformed: "the value is not a psc1 envelope"
            case .decryptionFailed: "the value does not decrypt with its key and column"
            }
        }
    }

    public let active: String
    let keys: [String: SymmetricKey]
    public let hashKey: SymmetricKey

    public init(active: String, keys: [String: Data], hashKey: Data) throws {
        guard keys[active] != nil else { throw Failure.unknownKey(active) }
        guard keys.values.allSatisfy({ $0.count == 32 }), hashKey.count == 32 else {
            throw Failure.unreadable("(in memory)", "every key must be 32 bytes")
        }
        self.active = active
        self.keys = keys.mapValues { SymmetricKey(data: $0) }
        self.hashKey = SymmetricKey(data: hashKey)
    }

    public var keyIDs: [String] { keys.keys.sorted() }

    /// Reads the ring; when it is absent and `generate` is true (development), writes a new one first.
    public static func load(path: String, generate: Bool) throws -> KeyRing {
        if !FileManager.default.fileExists(atPath: path) {
            guard generate else { throw Failure.missing(path) }
            let document: [String: Any] = [
                "active": "k1", "keys": ["k1": randomKey().base64EncodedString()], "hash_key": randomKey().base64EncodedString(),
            ]
            let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: path, contents: data, attributes: [.posixPermissions: 0o600]) else {
                throw Failure.unreadable(path, "it could not be written")
            }
        }
        guard let data = FileManager.default.contents(atPath: path),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let active = object["active"] as? String, let encoded = object["keys"] as? [String: String],
            let hash = (object["hash_key"] as? String).flatMap({ Data(base64Encoded: $0) })
        else { throw Failure.unreadable(path, "expected {\"active\", \"keys\": {id: base64}, \"hash_key\"}") }
        var keys: [String: Data] = [:]
        for (id, text) in encoded {
            guard id.range(of: "^[a-z0-9]{1,16}$", options: .regularExpression) != nil, let key = Data(base64Encoded: text) else {
                throw Failure.unreadable(path, "key '\(id)' is not a valid id with a base64 value")
            }
            keys[id] = key
        }
        do {
            return try KeyRing(active: active, keys: keys, hashKey: hash)
        } catch let failure as Failure {
            throw Failure.unreadable(path, "\(failure)")
        }
    }

    static func randomKey() -> Data { SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) } }

    /// HMAC-SHA-256 under the hash key: recovery codes and lookup hashes (never reversible).
    public func lookupHash(_ text: String) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: hashKey))
    }

    /// `psc1.<key id>.<base64url(nonce ‖ ciphertext ‖ tag)>`, bound to `<table>.<column>` as additional data.
    public func encrypt(_ plaintext: String, column: String, nonce: AES.GCM.Nonce = AES.GCM.Nonce()) throws -> String {
        guard let key = keys[active] else { throw Failure.unknownKey(active) }
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: key, nonce: nonce, authenticating: Data(column.utf8))
        guard let combined = sealed.combined else { throw Failure.malformed }
        return "psc1.\(active).\(SecureToken.base64URL(combined))"
    }

    public func decrypt(_ envelope: String, column: String) throws -> String {
        let parts = envelope.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "psc1", let combined = Self.base64URLDecode(parts[2]) else { throw Failure.malformed }
        guard let key = keys[parts[1]] else { throw Failure.unknownKey(parts[1]) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(column.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw Failure.decryptionFailed }
            return text
        } catch {
            throw Failure.decryptionFailed
        }
    }

    static func base64URLDecode(_ text: String) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}
