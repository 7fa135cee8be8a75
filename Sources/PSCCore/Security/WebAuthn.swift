import Crypto
import Foundation

/// The relying-party checks of 20-services §4.5 as pure functions: the routes supply the stored challenge,
/// origin and credential, and store what these return.
public enum WebAuthn {
    public struct Failure: Error, Equatable, CustomStringConvertible {
        public let reason: String
        init(_ reason: String) { self.reason = reason }
        public var description: String { reason }
    }

    /// COSE algorithms offered and verified: ES256 and EdDSA (Ed25519). RS256 is not offered, since swift-crypto's
    /// RSA lives in its unstable `_CryptoExtras` module.
    public static let algorithms = [-7, -8]

    public struct AuthenticatorData: Sendable {
        public let rpIDHash: Data
        public let userPresent: Bool
        public let userVerified: Bool
        public let backupEligible: Bool
        public let backupState: Bool
        public let signCount: UInt32
        public let aaguid: Data?
        public let credentialID: Data?
        /// The COSE key exactly as the authenticator encoded it.
        public let publicKey: Data?

        public init(_ data: Data) throws {
            let bytes = [UInt8](data)
            guard bytes.count >= 37 else { throw Failure("authenticator data is too short") }
            rpIDHash = Data(bytes[0..<32])
            let flags = bytes[32]
            userPresent = flags & 0x01 != 0
            userVerified = flags & 0x04 != 0
            backupEligible = flags & 0x08 != 0
            backupState = flags & 0x10 != 0
            signCount = bytes[33..<37].reduce(0) { $0 << 8 | UInt32($1) }
            guard flags & 0x40 != 0 else {
                (aaguid, credentialID, publicKey) = (nil, nil, nil)
                return
            }
            guard bytes.count >= 55 else { throw Failure("attested credential data is too short") }
            aaguid = Data(bytes[37..<53])
            let length = Int(bytes[53]) << 8 | Int(bytes[54])
            guard length <= 1023, bytes.count >= 55 + length else { throw Failure("the credential id is too long or truncated") }
            credentialID = Data(bytes[55..<55 + length])
            var consumed = 0
            _ = try CBOR.decode(Data(bytes[(55 + length)...]), consumed: &consumed)
            publicKey = Data(bytes[(55 + length)..<(55 + length + consumed)])
        }
    }

    public struct ClientData: Sendable {
        public let type: String
        public let challenge: String
        public let origin: String

        public init(_ json: Data) throws {
            guard let object = try? JSONSerialization.jsonObject(with: json) as? [String: Any], let type = object["type"] as? String,
                let challenge = object["challenge"] as? String, let origin = object["origin"] as? String
            else { throw Failure("clientDataJSON is not valid") }
            (self.type, self.challenge, self.origin) = (type, challenge, origin)
        }
    }

    /// A verified registration: what to store.
    public struct NewCredential: Sendable {
        public let credentialID: Data
        public let publicKey: Data
        public let signCount: UInt32
        public let aaguid: Data?
        public let backupEligible: Bool
        public let backupState: Bool
    }

    /// Checks an attestation response against the ceremony's challenge (base64url), the allowed origin and rp id.
    public static func verifyRegistration(
        clientDataJSON: Data, attestationObject: Data, challenge: String, origin: String, rpID: String, requireUserVerification: Bool
    ) throws -> NewCredential {
        let client = try ClientData(clientDataJSON)
        guard client.type == "webauthn.create" else { throw Failure("clientData type is not webauthn.create") }
        guard SecureToken.constantTimeEqual(client.challenge, challenge) else { throw Failure("the challenge does not match") }
        guard client.origin == origin else { throw Failure("origin \(client.origin) is not allowed") }
        let attestation: CBOR
        do { attestation = try CBOR.decode(attestationObject) } catch { throw Failure("the attestation object does not decode") }
        guard let format = attestation["fmt"]?.textValue, let authBytes = attestation["authData"]?.bytesValue else {
            throw Failure("the attestation object lacks fmt or authData")
        }
        let auth = try AuthenticatorData(authBytes)
        guard auth.rpIDHash == Data(SHA256.hash(data: Data(rpID.utf8))) else { throw Failure("rpIdHash is not this site's") }
        guard auth.userPresent else { throw Failure("user presence flag not set") }
        guard auth.userVerified || !requireUserVerification else { throw Failure("user verification flag not set") }
        guard let credentialID = auth.credentialID, let publicKey = auth.publicKey, !credentialID.isEmpty else {
            throw Failure("no attested credential data")
        }
        let key = try PublicKey(cose: publicKey)
        let clientHash = Data(SHA256.hash(data: clientDataJSON))
        switch format {
        case "none": break
        case "packed":
            // Self attestation only: the statement is signed by the credential key itself.
            guard attestation["attStmt"]?["x5c"] == nil, let alg = attestation["attStmt"]?["alg"]?.int, alg == key.algorithm,
                let signature = attestation["attStmt"]?["sig"]?.bytesValue
            else { throw Failure("only self attestation is accepted for the packed format") }
            guard key.verify(signature: signature, over: authBytes + clientHash) else {
                throw Failure("the attestation signature does not verify")
            }
        default: throw Failure("attestation format \(format) is not accepted")
        }
        return NewCredential(
            credentialID: credentialID, publicKey: publicKey, signCount: auth.signCount, aaguid: auth.aaguid,
            backupEligible: auth.backupEligible, backupState: auth.backupState)
    }

    /// A verified assertion: the authenticator data's counter and flags, for the counter rule and storage.
    public static func verifyAssertion(
        clientDataJSON: Data, authenticatorData: Data, signature: Data, publicKey: Data, challenge: String, origin: String, rpID: String,
        requireUserVerification: Bool
    ) throws -> AuthenticatorData {
        let client = try ClientData(clientDataJSON)
        guard client.type == "webauthn.get" else { throw Failure("clientData type is not webauthn.get") }
        guard SecureToken.constantTimeEqual(client.challenge, challenge) else { throw Failure("the challenge does not match") }
        guard client.origin == origin else { throw Failure("origin \(client.origin) is not allowed") }
        let auth = try AuthenticatorData(authenticatorData)
        guard auth.rpIDHash == Data(SHA256.hash(data: Data(rpID.utf8))) else { throw Failure("rpIdHash is not this site's") }
        guard auth.userPresent else { throw Failure("user presence flag not set") }
        guard auth.userVerified || !requireUserVerification else { throw Failure("user verification flag not set") }
        let key = try PublicKey(cose: publicKey)
        guard key.verify(signature: signature, over: authenticatorData + Data(SHA256.hash(data: clientDataJSON))) else {
            throw Failure("the signature does not verify")
        }
        return auth
    }

    public enum CounterDecision: Equatable, Sendable {
        case accept(store: UInt32)
        /// The authenticator may have been cloned.
        case refuse
    }

    /// The sign-counter rule of 20-services §4.5: 0 → 0 is fine (synced passkeys), otherwise it must grow.
    public static func counter(stored: UInt32, received: UInt32) -> CounterDecision {
        if stored == 0, received == 0 { return .accept(store: 0) }
        return received > stored ? .accept(store: received) : .refuse
    }

    /// A COSE public key (RFC 9053): EC2 P-256 with ES256, or OKP Ed25519 with EdDSA.
    public struct PublicKey {
        public let algorithm: Int
        let verifier: (Data, Data) -> Bool

        public init(cose: Data) throws {
            let key: CBOR
            do { key = try CBOR.decode(cose) } catch { throw Failure("the COSE key does not decode") }
            guard let kty = key[1]?.int, let alg = key[3]?.int, WebAuthn.algorithms.contains(alg) else {
                throw Failure("the key algorithm is not one offered")
            }
            algorithm = alg
            switch (kty, alg) {
            case (2, -7):
                guard key[-1]?.int == 1, let x = key[-2]?.bytesValue, let y = key[-3]?.bytesValue, x.count == 32, y.count == 32,
                    let publicKey = try? P256.Signing.PublicKey(x963Representation: Data([0x04]) + x + y)
                else { throw Failure("the ES256 key is not a P-256 point") }
                verifier = { signature, message in
                    guard let parsed = try? P256.Signing.ECDSASignature(derRepresentation: signature) else { return false }
                    return publicKey.isValidSignature(parsed, for: message)
                }
            case (1, -8):
                guard key[-1]?.int == 6, let x = key[-2]?.bytesValue,
                    let publicKey = try? Curve25519.Signing.PublicKey(rawRepresentation: x)
                else { throw Failure("the EdDSA key is not an Ed25519 key") }
                verifier = { signature, message in publicKey.isValidSignature(signature, for: message) }
            default: throw Failure("key type \(kty) does not match algorithm \(alg)")
            }
        }

        public func verify(signature: Data, over message: Data) -> Bool { verifier(signature, message) }
    }
}
