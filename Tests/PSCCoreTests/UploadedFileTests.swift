import Foundation
import Testing

@testable import PSCCore

@Suite("Uploaded files")
struct UploadedFileTests {
    /// A JPEG's frame: SOI, APP0 (JFIF), APP1 (EXIF with a GPS tag), COM, SOF0 of 640×480, SOS and scan bytes, EOI.
    static func jpeg() -> Data {
        func segment(_ marker: UInt8, _ payload: [UInt8]) -> [UInt8] {
            let length = payload.count + 2
            return [0xFF, marker, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
        }
        var bytes: [UInt8] = [0xFF, 0xD8]
        bytes += segment(0xE0, Array("JFIF\u{0}".utf8) + [1, 1, 0, 0, 1, 0, 1, 0, 0])
        bytes += segment(0xE1, Array("Exif\u{0}\u{0}GPSLatitude 37.41".utf8))
        bytes += segment(0xFE, Array("taken by a phone".utf8))
        bytes += segment(0xC0, [8, 0x01, 0xE0, 0x02, 0x80, 1, 1, 0x11, 0])
        bytes += segment(0xDA, [1, 1, 0, 0, 0x3F, 0]) + [0x12, 0x34, 0xFF, 0x00, 0x56]
        bytes += [0xFF, 0xD9]
        return Data(bytes)
    }

    /// A WebP with VP8X flags for EXIF and XMP, an EXIF chunk, a VP8L image of 300×200 and an XMP chunk.
    static func webp() -> Data {
        func chunk(_ name: String, _ payload: [UInt8]) -> [UInt8] {
            let count = payload.count
            return Array(name.utf8) + [UInt8(count & 0xFF), UInt8(count >> 8 & 0xFF), 0, 0] + payload + (count % 2 == 1 ? [0] : [])
        }
        let (width, height) = (300 - 1, 200 - 1)
        let bits = width | height << 14
        var body: [UInt8] = Array("WEBP".utf8)
        body += chunk(
            "VP8X", [0x08 | 0x04, 0, 0, 0, UInt8(width & 0xFF), UInt8(width >> 8), 0, UInt8(height & 0xFF), UInt8(height >> 8), 0])
        body += chunk("EXIF", Array("GPS 37.41N".utf8))
        body += chunk(
            "VP8L", [0x2F, UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24 & 0xFF), 0, 0])
        body += chunk("XMP ", Array("<x:xmpmeta/>".utf8))
        let size = body.count
        return Data(Array("RIFF".utf8) + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), 0] + body)
    }

    @Test("types are read from the bytes, whatever the name says")
    func sniffing() {
        #expect(SniffedType.sniff(Self.jpeg()) == .jpeg)
        #expect(SniffedType.sniff(Self.webp()) == .webp)
        #expect(SniffedType.sniff(Data("%PDF-1.7\n".utf8)) == .pdf)
        #expect(SniffedType.sniff(Data("<svg xmlns=…>".utf8)) == nil)
        #expect(SniffedType.sniff(Data("GIF89a".utf8)) == nil, "GIF is not among the accepted types")
        #expect(SniffedType.sniff(Data()) == nil)
    }

    @Test("dimensions come from the headers")
    func dimensions() {
        #expect(ImageDimensions.of(Self.jpeg(), type: .jpeg).map { [$0.width, $0.height] } == [640, 480])
        #expect(ImageDimensions.of(Self.webp(), type: .webp).map { [$0.width, $0.height] } == [300, 200])
        #expect(ImageDimensions.of(Data([0xFF, 0xD8, 0xFF]), type: .jpeg) == nil)
    }

    @Test("JPEG: EXIF and comments go; JFIF, the frame and the scan stay byte for byte")
    func jpegStripping() throws {
        let original = Self.jpeg()
        let clean = try ImageMetadataStripper.strip(original, type: .jpeg)
        #expect(clean.range(of: Data("Exif".utf8)) == nil && clean.range(of: Data("phone".utf8)) == nil)
        #expect(clean.range(of: Data("JFIF".utf8)) != nil)
        #expect(clean.suffix(9) == original.suffix(9), "the scan data is copied as is")
        #expect(ImageDimensions.of(clean, type: .jpeg).map { [$0.width, $0.height] } == [640, 480])
        #expect(throws: ImageMetadataStripper.Failure.self) {
            try ImageMetadataStripper.strip(Data([0xFF, 0xD8, 0x00, 0x01]), type: .jpeg)
        }
    }

    @Test("WebP: EXIF and XMP chunks and their flags go; the RIFF size is right")
    func webpStripping() throws {
        let clean = try ImageMetadataStripper.strip(Self.webp(), type: .webp)
        #expect(clean.range(of: Data("EXIF".utf8)) == nil && clean.range(of: Data("xmpmeta".utf8)) == nil)
        let bytes = [UInt8](clean)
        let size = Int(bytes[4]) | Int(bytes[5]) << 8 | Int(bytes[6]) << 16 | Int(bytes[7]) << 24
        #expect(size == bytes.count - 8)
        #expect(bytes[20] & 0x0C == 0, "VP8X no longer claims EXIF or XMP")
        #expect(ImageDimensions.of(clean, type: .webp).map { [$0.width, $0.height] } == [300, 200])
    }

    @Test("PNG: a truncated file is refused rather than stored half")
    func truncatedPNG() {
        let truncated = Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13]) + Data("IHDR".utf8)
        #expect(throws: ImageMetadataStripper.Failure.self) { try ImageMetadataStripper.strip(truncated, type: .png) }
    }

    @Test("sealed blobs open only with their column's additional data and survive a new active key")
    func sealedBlobs() throws {
        let ring = try KeyRing(active: "k1", keys: ["k1": Data(0..<32)], hashKey: Data(repeating: 7, count: 32))
        let file = Data((0..<100_000).map { UInt8($0 % 251) })
        let sealed = try ring.seal(file, column: "upload_blobs.data")
        #expect(sealed.starts(with: Array("psc1.k1.".utf8)))
        #expect(sealed.count == file.count + 8 + 12 + 16, "prefix, nonce and tag only: no base64 growth")
        #expect(try ring.open(sealed, column: "upload_blobs.data") == file)
        #expect(throws: KeyRing.Failure.self) { try ring.open(sealed, column: "users.phone") }
        var tampered = sealed
        tampered[tampered.count - 1] ^= 1
        #expect(throws: KeyRing.Failure.self) { try ring.open(tampered, column: "upload_blobs.data") }
        let newKey = try ring.addKey()
        try ring.activate(newKey)
        #expect(try ring.open(sealed, column: "upload_blobs.data") == file, "old keys still open what they sealed")
    }
}
