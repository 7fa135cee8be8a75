import Foundation
import Testing

@testable import PSCCore

/// The decoding check (a real QR reader on the PNG of SEC-2) is in Tests/System; these pin the structure.
@Suite struct QRCodeTests {
    @Test(arguments: [(14, 21), (15, 25), (84, 37), (213, 57), (412, 77)])
    func smallestVersionThatFits(length: Int, size: Int) throws {
        let qr = try QRCode.encode([UInt8](repeating: 0x61, count: length))
        #expect(qr.size == size)
    }

    @Test func tooLongIsRefused() {
        #expect(throws: QRCode.Failure.self) { try QRCode.encode([UInt8](repeating: 0x61, count: 413)) }
    }

    @Test func finderPatternsAndTiming() throws {
        let qr = try QRCode.encode(Array("otpauth://totp/x".utf8))
        let m = qr.modules
        for (x, y) in [(0, 0), (qr.size - 7, 0), (0, qr.size - 7)] {
            #expect((0..<7).allSatisfy { m[y][x + $0] && m[y + 6][x + $0] && m[y + $0][x] && m[y + $0][x + 6] })
            #expect(!m[y + 1][x + 1] && m[y + 3][x + 3])
        }
        #expect((8..<(qr.size - 8)).allSatisfy { m[6][$0] == ($0 % 2 == 0) })
        #expect(m[qr.size - 8][8], "the dark module")
    }

    /// RFC example of QR error correction: "HELLO WORLD" 1-M data codewords give these 10 EC codewords.
    @Test func reedSolomonCodewords() {
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        #expect(
            ReedSolomon.remainder(data, generator: ReedSolomon.generator(degree: 10)) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test func pngIsWellFormed() throws {
        let png = try QRCode.encode(Array("abc".utf8)).png(scale: 2)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let ihdr = Array(png[8..<33])
        #expect(Array(ihdr[4..<8]) == Array("IHDR".utf8))
        #expect(Array(ihdr[8..<12]) == [0, 0, 0, 58])  // (21 + 8) × 2
        #expect(
            PNG.crc32(Array(ihdr[4..<21])) == UInt32(ihdr[21]) << 24 | UInt32(ihdr[22]) << 16 | UInt32(ihdr[23]) << 8 | UInt32(ihdr[24]))
        #expect(Array(png.suffix(8).prefix(4)) == Array("IEND".utf8))
    }
}
