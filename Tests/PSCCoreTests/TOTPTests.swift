import Foundation
import PSCCore
import Testing

@Suite struct TOTPTests {
    let totp = TOTP(secret: Data("12345678901234567890".utf8))

    @Test func secretInBase32() {
        #expect(Base32.encode(totp.secret) == "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
        #expect(Base32.decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == totp.secret)
        #expect(Base32.decode("not base32!") == nil)
        #expect(Base32.encode(TOTP.newSecret()).count == 32)
    }

    @Test(arguments: [
        (59, 1, "287082"), (1_111_111_109, 37_037_036, "081804"), (1_111_111_111, 37_037_037, "050471"),
        (1_234_567_890, 41_152_263, "005924"), (2_000_000_000, 66_666_666, "279037"), (20_000_000_000, 666_666_666, "353130"),
    ])
    func rfc6238Vectors(time: Int64, step: Int64, code: String) {
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        #expect(TOTP.step(at: date) == step)
        #expect(totp.code(step: step) == code)
        #expect(totp.matchingStep(code, at: date, lastUsedStep: nil) == step)
    }

    /// The replay example of 20-services §4.3.
    @Test func replayIsRefused() {
        #expect((0...3).map { totp.code(step: $0) } == ["755224", "287082", "359152", "969429"])
        var stored: Int64? = nil
        func attempt(_ code: String, at time: TimeInterval) -> Bool {
            guard let step = totp.matchingStep(code, at: Date(timeIntervalSince1970: time), lastUsedStep: stored) else { return false }
            stored = step
            return true
        }
        #expect(attempt("287082", at: 59))
        #expect(stored == 1)
        #expect(!attempt("287082", at: 65))
        #expect(attempt("359152", at: 65))
        #expect(stored == 2)
        #expect(attempt("969429", at: 89))
        #expect(!attempt("969429", at: 95))
    }

    @Test func outsideTheWindowOrMalformed() {
        let date = Date(timeIntervalSince1970: 59)
        #expect(totp.matchingStep(totp.code(step: 3), at: date, lastUsedStep: nil) == nil)
        #expect(totp.matchingStep("28708", at: date, lastUsedStep: nil) == nil)
        #expect(totp.matchingStep("２８７０８２", at: date, lastUsedStep: nil) == nil)
        #expect(totp.matchingStep("287 082", at: date, lastUsedStep: nil) == 1)
    }

    @Test func provisioningURI() {
        let uri = TOTP.provisioningURI(secret: totp.secret, account: "ada@pittstate.edu")
        #expect(
            uri
                == "otpauth://totp/PittState%20Connect:ada@pittstate.edu?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
                + "&issuer=PittState%20Connect&algorithm=SHA1&digits=6&period=30")
    }

    @Test func recoveryCodes() {
        let code = RecoveryCode.generate()
        #expect(code.count == 11 && code.dropFirst(5).first == "-")
        #expect(RecoveryCode.normalise(code) == code.replacingOccurrences(of: "-", with: ""))
        #expect(RecoveryCode.normalise("abcde-fghjk") == "ABCDEFGHJK")
        #expect(RecoveryCode.normalise("O1IL0 xyzab") == "01110XYZAB")
        #expect(RecoveryCode.normalise("ABCDE-FGHJ") == nil)
        #expect(RecoveryCode.normalise("ABCDE-FGHJU") == nil)
    }
}
