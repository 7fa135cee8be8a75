import Foundation
import Testing

@testable import PSCCore

/// The ceremony checks run end to end with a software authenticator (EndToEndTests); these pin the parsers.
@Suite struct WebAuthnTests {
    @Test func cborDecodesWhatWebAuthnUses() throws {
        // {1: 2, 3: -7, -1: 1, -2: h'0102', "fmt": "none", "ok": true, "list": [null, false]}
        let bytes: [UInt8] = [
            0xA7, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21, 0x42, 0x01, 0x02, 0x63, 0x66, 0x6D, 0x74, 0x64, 0x6E, 0x6F, 0x6E, 0x65,
            0x62, 0x6F, 0x6B, 0xF5, 0x64, 0x6C, 0x69, 0x73, 0x74, 0x82, 0xF6, 0xF4,
        ]
        let value = try CBOR.decode(Data(bytes))
        #expect(value[1]?.int == 2 && value[3]?.int == -7 && value[-1]?.int == 1)
        #expect(value[-2]?.bytesValue == Data([1, 2]))
        #expect(value["fmt"]?.textValue == "none" && value["ok"] == .bool(true))
        #expect(value["list"] == .array([.null, .bool(false)]))
    }

    @Test func cborRefusesTruncatedIndefiniteAndTrailing() {
        #expect(throws: CBOR.Failure.truncated) { try CBOR.decode(Data([0x43, 0x01])) }
        #expect(throws: CBOR.Failure.self) { try CBOR.decode(Data([0x5F, 0x41, 0x00, 0xFF])) }
        #expect(throws: CBOR.Failure.trailingBytes) { try CBOR.decode(Data([0x01, 0x02])) }
        #expect(throws: CBOR.Failure.tooDeep) { try CBOR.decode(Data([UInt8](repeating: 0x81, count: 40) + [0x01])) }
        #expect(throws: CBOR.Failure.truncated) { try CBOR.decode(Data([0x5B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])) }
    }

    @Test(
        "the sign-counter table of 20-services §4.5",
        arguments: [
            (0, 0, WebAuthn.CounterDecision.accept(store: 0)), (0, 3, .accept(store: 3)), (5, 6, .accept(store: 6)), (5, 5, .refuse),
            (5, 0, .refuse),
        ] as [(UInt32, UInt32, WebAuthn.CounterDecision)])
    func counterRule(stored: UInt32, received: UInt32, decision: WebAuthn.CounterDecision) {
        #expect(WebAuthn.counter(stored: stored, received: received) == decision)
    }

    @Test func authenticatorDataFlagsAndBounds() throws {
        var bytes = [UInt8](repeating: 0, count: 37)
        bytes[32] = 0x01 | 0x04 | 0x08
        bytes[36] = 9
        let parsed = try WebAuthn.AuthenticatorData(Data(bytes))
        #expect(parsed.userPresent && parsed.userVerified && parsed.backupEligible && !parsed.backupState && parsed.signCount == 9)
        #expect(parsed.credentialID == nil)
        #expect(throws: WebAuthn.Failure.self) { try WebAuthn.AuthenticatorData(Data(bytes.prefix(36))) }
        bytes[32] |= 0x40
        #expect(throws: WebAuthn.Failure.self) { try WebAuthn.AuthenticatorData(Data(bytes)) }
    }

    @Test func coseKeysOfOtherAlgorithmsAreRefused() {
        // {1: 3 (RSA), 3: -257}
        #expect(throws: WebAuthn.Failure.self) { try WebAuthn.PublicKey(cose: Data([0xA2, 0x01, 0x03, 0x03, 0x39, 0x01, 0x00])) }
    }
}
