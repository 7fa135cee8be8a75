import Crypto
import Foundation

/// A passkey authenticator played by the tests: a P-256 (or Ed25519) key from swift-crypto, with authenticator
/// data, client data and the CBOR attestation object built by hand, as a security key or phone would build them.
struct SoftwareAuthenticator {
    enum Key {
        case p256(P256.Signing.PrivateKey)
        case ed25519(Curve25519.Signing.PrivateKey)
    }

    let key: Key
    let credentialID: Data
    var counter: UInt32
    var userHandle: Data?

    init(ed25519: Bool = false, counter: UInt32 = 0) {
        key = ed25519 ? .ed25519(Curve25519.Signing.PrivateKey()) : .p256(P256.Signing.PrivateKey())
        credentialID = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) })
        self.counter = counter
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: String) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        return Data(base64Encoded: base64) ?? Data()
    }

    var coseKey: Data {
        switch key {
        case .p256(let privateKey):
            let point = privateKey.publicKey.x963Representation
            return CBORWriter.map([
                (.int(1), .int(2)), (.int(3), .int(-7)), (.int(-1), .int(1)), (.int(-2), .bytes(point[1..<33])),
                (.int(-3), .bytes(point[33..<65])),
            ])
        case .ed25519(let privateKey):
            return CBORWriter.map([
                (.int(1), .int(1)), (.int(3), .int(-8)), (.int(-1), .int(6)), (.int(-2), .bytes(privateKey.publicKey.rawRepresentation)),
            ])
        }
    }

    func sign(_ message: Data) -> Data {
        switch key {
        case .p256(let privateKey): return (try? privateKey.signature(for: message).derRepresentation) ?? Data()
        case .ed25519(let privateKey): return (try? privateKey.signature(for: message)) ?? Data()
        }
    }

    func authenticatorData(rpID: String, userVerified: Bool, attested: Bool) -> Data {
        var flags: UInt8 = 0x01 | 0x08 | 0x10  // user present, backup eligible, backed up (a synced passkey)
        if userVerified { flags |= 0x04 }
        if attested { flags |= 0x40 }
        var data = Data(SHA256.hash(data: Data(rpID.utf8)))
        data.append(flags)
        data.append(contentsOf: withUnsafeBytes(of: counter.bigEndian) { Array($0) })
        if attested {
            data.append(Data(repeating: 0, count: 16))  // AAGUID: none
            data.append(contentsOf: [UInt8(credentialID.count >> 8), UInt8(credentialID.count & 0xff)])
            data.append(credentialID)
            data.append(coseKey)
        }
        return data
    }

    static func clientData(type: String, challenge: String, origin: String) -> Data {
        Data(#"{"type":"\#(type)","challenge":"\#(challenge)","origin":"\#(origin)","crossOrigin":false}"#.utf8)
    }

    /// The `credential` of SEC-8 for creation options.
    func registration(challenge: String, origin: String, rpID: String, format: String = "none", userVerified: Bool = true) -> [String: Any]
    {
        let client = Self.clientData(type: "webauthn.create", challenge: challenge, origin: origin)
        let auth = authenticatorData(rpID: rpID, userVerified: userVerified, attested: true)
        var statement: [(CBORWriter.Item, CBORWriter.Item)] = []
        if format == "packed" {
            let alg: Int
            if case .ed25519 = key { alg = -8 } else { alg = -7 }
            statement = [(.text("alg"), .int(alg)), (.text("sig"), .bytes(sign(auth + Data(SHA256.hash(data: client)))))]
        }
        let attestation = CBORWriter.map([
            (.text("fmt"), .text(format)), (.text("attStmt"), .raw(CBORWriter.map(statement))), (.text("authData"), .bytes(auth)),
        ])
        return [
            "id": Self.base64URL(credentialID), "rawId": Self.base64URL(credentialID), "type": "public-key",
            "response": [
                "clientDataJSON": Self.base64URL(client), "attestationObject": Self.base64URL(attestation), "transports": ["internal"],
            ],
        ]
    }

    /// The `credential` of SEC-10 (or AUTH-5's `webauthn`) for request options; each use advances the counter.
    mutating func assertion(
        challenge: String, origin: String, rpID: String, userVerified: Bool = true, advance: Bool = true, tamper: Bool = false
    ) -> [String: Any] {
        if advance { counter += 1 }
        let client = Self.clientData(type: "webauthn.get", challenge: challenge, origin: origin)
        let auth = authenticatorData(rpID: rpID, userVerified: userVerified, attested: false)
        var signature = sign(auth + Data(SHA256.hash(data: client)))
        if tamper { signature[signature.count - 1] ^= 0x01 }
        var response: [String: Any] = [
            "clientDataJSON": Self.base64URL(client), "authenticatorData": Self.base64URL(auth), "signature": Self.base64URL(signature),
        ]
        if let userHandle { response["userHandle"] = Self.base64URL(userHandle) }
        return ["id": Self.base64URL(credentialID), "rawId": Self.base64URL(credentialID), "type": "public-key", "response": response]
    }
}

/// Just enough CBOR writing for attestation objects and COSE keys.
enum CBORWriter {
    indirect enum Item {
        case int(Int)
        case bytes(Data)
        case text(String)
        case raw(Data)
    }

    static func head(_ major: UInt8, _ value: UInt64) -> Data {
        switch value {
        case 0..<24: return Data([major << 5 | UInt8(value)])
        case 24..<256: return Data([major << 5 | 24, UInt8(value)])
        case 256..<65536: return Data([major << 5 | 25, UInt8(value >> 8), UInt8(value & 0xff)])
        default: return Data([major << 5 | 26] + (0..<4).reversed().map { UInt8((value >> (8 * UInt64($0))) & 0xff) })
        }
    }

    static func encode(_ item: Item) -> Data {
        switch item {
        case .int(let value): return value >= 0 ? head(0, UInt64(value)) : head(1, UInt64(-1 - value))
        case .bytes(let data): return head(2, UInt64(data.count)) + data
        case .text(let text): return head(3, UInt64(text.utf8.count)) + Data(text.utf8)
        case .raw(let data): return data
        }
    }

    static func map(_ pairs: [(Item, Item)]) -> Data {
        pairs.reduce(head(5, UInt64(pairs.count))) { $0 + encode($1.0) + encode($1.1) }
    }
}
