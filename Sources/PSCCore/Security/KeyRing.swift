import Crypto
import Foundation
import Synchronization

/// The key ring of 20-services §4.6: AES-256-GCM keys by id, the active one for new writes, and the hash key for
/// recovery codes and lookup hashes. A JSON file, mode 0600, kept apart from the database. Copies share one state,
/// so `psc-admin keys add|activate|rotate` change the ring every store uses while the server runs.
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

    struct Keys: Sendable {
        var active: String
        var keys: [String: Data]
    }

    final class Shared: Sendable {
        let state: Mutex<Keys>
        /// The file the ring was loaded from; nil for a ring built in memory (tests), which is never written.
        let path: String?
        init(_ keys: Keys, path: String?) {
            state = Mutex(keys)
            self.path = path
        }
    }

    let shared: Shared
    public let hashKey: SymmetricKey
    let hashKeyData: Data

    public init(active: String, keys: [String: Data], hashKey: Data, path: String? = nil) throws {
        guard keys[active] != nil else { throw Failure.unknownKey(active) }
        guard keys.values.allSatisfy({ $0.count == 32 }), hashKey.count == 32 else {
            throw Failure.unreadable("(in memory)", "every key must be 32 bytes")
        }
        shared = Shared(Keys(active: active, keys: keys), path: path)
        self.hashKey = SymmetricKey(data: hashKey)
        hashKeyData = hashKey
    }

    public var active: String { shared.state.withLock { $0.active } }
    public var keyIDs: [String] { shared.state.withLock { $0.keys.keys.sorted() } }

    private func key(_ id: String) -> SymmetricKey? { shared.state.withLock { $0.keys[id] }.map { SymmetricKey(data: $0) } }

    /// Adds a new random key (not yet active) and writes the file; returns its id (`k` and the next number).
    @discardableResult
    public func addKey() throws -> String {
        try update { keys in
            let numbers = keys.keys.keys.compactMap { $0.hasPrefix("k") ? Int($0.dropFirst()) : nil }
            let id = "k\((numbers.max() ?? 0) + 1)"
            keys.keys[id] = Self.randomKey()
            return id
        }
    }

    /// Makes a key the one new values are encrypted with.
    public func activate(_ id: String) throws {
        try update { keys in
            guard keys.keys[id] != nil else { throw Failure.unknownKey(id) }
            keys.active = id
        }
    }

    /// Removes a key that is not active; the caller first checks that no stored value uses it.
    public func removeKey(_ id: String) throws {
        try update { keys in
            guard keys.keys[id] != nil else { throw Failure.unknownKey(id) }
            guard keys.active != id else { throw Failure.unreadable(id, "the active key cannot be removed") }
            keys.keys[id] = nil
        }
    }

    /// Changes the keys and writes the file atomically (mode 0600) before the change is visible.
    private func update<T>(_ change: (inout Keys) throws -> T) throws -> T {
        try shared.state.withLock { keys in
            var copy = keys
            let result = try change(&copy)
            if let path = shared.path { try Self.write(copy, hashKey: hashKeyData, to: path) }
            keys = copy
            return result
        }
    }

    static func write(_ keys: Keys, hashKey: Data, to path: String) throws {
        let document: [String: Any] = [
            "active": keys.active, "keys": keys.keys.mapValues { $0.base64EncodedString() }, "hash_key": hashKey.base64EncodedString(),
        ]
        let data = try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys])
        let temporary = path + ".tmp"
        try? FileManager.default.removeItem(atPath: temporary)
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]) else {
            throw Failure.unreadable(path, "it could not be written")
        }
        _ = rename(temporary, path)
    }

    /// Reads the ring; when it is absent and `generate` is true (development), writes a new one first.
    public static func load(path: String, generate: Bool) throws -> KeyRing {
        if !FileManager.default.fileExists(atPath: path) {
            guard generate else { throw Failure.missing(path) }
            let directory = (path as NSString).deletingLastPathComponent
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try write(Keys(active: "k1", keys: ["k1": randomKey()]), hashKey: randomKey(), to: path)
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
            return try KeyRing(active: active, keys: keys, hashKey: hash, path: path)
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
        let (active, data) = shared.state.withLock { ($0.active, $0.keys[$0.active]) }
        guard let data else { throw Failure.unknownKey(active) }
        let key = SymmetricKey(data: data)
        let sealed = try AES.GCM.seal(Data(plaintext.utf8), using: key, nonce: nonce, authenticating: Data(column.utf8))
        guard let combined = sealed.combined else { throw Failure.malformed }
        return "psc1.\(active).\(SecureToken.base64URL(combined))"
    }

    /// The binary form for large values (`upload_blobs.data`): the ASCII prefix `psc1.<key id>.` then the raw
    /// nonce ‖ ciphertext ‖ tag, so a 10 MiB file does not grow by a third in base64.
    public func seal(_ plaintext: Data, column: String) throws -> Data {
        let (active, data) = shared.state.withLock { ($0.active, $0.keys[$0.active]) }
        guard let data else { throw Failure.unknownKey(active) }
        let sealed = try AES.GCM.seal(plaintext, using: SymmetricKey(data: data), authenticating: Data(column.utf8))
        guard let combined = sealed.combined else { throw Failure.malformed }
        return Data("psc1.\(active).".utf8) + combined
    }

    public func open(_ sealed: Data, column: String) throws -> Data {
        let bytes = [UInt8](sealed.prefix(32))
        guard bytes.starts(with: Array("psc1.".utf8)), let dot = bytes.dropFirst(5).firstIndex(of: UInt8(ascii: ".")) else {
            throw Failure.malformed
        }
        let keyID = String(decoding: bytes[5..<dot], as: UTF8.self)
        guard let key = key(keyID) else { throw Failure.unknownKey(keyID) }
        do {
            let box = try AES.GCM.SealedBox(combined: sealed.dropFirst(dot + 1))
            return try AES.GCM.open(box, using: key, authenticating: Data(column.utf8))
        } catch {
            throw Failure.decryptionFailed
        }
    }

    public func decrypt(_ envelope: String, column: String) throws -> String {
        let parts = envelope.split(separator: ".", maxSplits: 2).map(String.init)
        guard parts.count == 3, parts[0] == "psc1", let combined = SecureToken.base64URLDecode(parts[2]) else { throw Failure.malformed }
        guard let key = key(parts[1]) else { throw Failure.unknownKey(parts[1]) }
        do {
            let box = try AES.GCM.SealedBox(combined: combined)
            let plain = try AES.GCM.open(box, using: key, authenticating: Data(column.utf8))
            guard let text = String(data: plain, encoding: .utf8) else { throw Failure.decryptionFailed }
            return text
        } catch {
            throw Failure.decryptionFailed
        }
    }
}
