import Foundation

/// Removes metadata (EXIF with its GPS position, XMP, IPTC, comments, text chunks) from an uploaded image by
/// rewriting its container and keeping only what the pixels need. The image data itself is copied, not decoded:
/// no image codec is linked into the binary, and copying cannot change how the picture looks.
public enum ImageMetadataStripper {
    public enum Failure: Error, Equatable {
        case malformed
    }

    public static func strip(_ data: Data, type: SniffedType) throws -> Data {
        switch type {
        case .png: try png([UInt8](data))
        case .jpeg: try jpeg([UInt8](data))
        case .webp: try webp([UInt8](data))
        case .pdf: data
        }
    }

    /// PNG: the critical chunks and the colour chunks that change how pixels display; every other ancillary chunk
    /// (tEXt, zTXt, iTXt, eXIf, tIME…) goes.
    static let keptPNGChunks: Set<String> = ["IHDR", "PLTE", "IDAT", "IEND", "tRNS", "gAMA", "cHRM", "sRGB", "iCCP", "sBIT", "pHYs"]

    static func png(_ bytes: [UInt8]) throws -> Data {
        var output = Data(bytes[0..<8])
        var index = 8
        var sawEnd = false
        while index + 12 <= bytes.count {
            let length = ImageDimensions.bigEndian(bytes, index, 4)
            let end = index + 12 + length
            guard length >= 0, end <= bytes.count else { throw Failure.malformed }
            let name = String(decoding: bytes[index + 4..<index + 8], as: UTF8.self)
            if keptPNGChunks.contains(name) { output.append(contentsOf: bytes[index..<end]) }
            index = end
            if name == "IEND" {
                sawEnd = true
                break
            }
        }
        guard sawEnd else { throw Failure.malformed }
        return output
    }

    /// JPEG: drops APP1..APP13 and APP15 (EXIF, XMP, IPTC…) and comments before the scan; keeps APP0 (JFIF) and
    /// APP14 (Adobe, which says how colours are stored); the scan and everything after it is copied as is.
    static func jpeg(_ bytes: [UInt8]) throws -> Data {
        var output = Data([0xFF, 0xD8])
        var index = 2
        while index + 4 <= bytes.count {
            guard bytes[index] == 0xFF else { throw Failure.malformed }
            let marker = bytes[index + 1]
            if marker == 0xFF {
                index += 1
                continue
            }
            if marker == 0xDA {
                output.append(contentsOf: bytes[index...])
                return output
            }
            let length = ImageDimensions.bigEndian(bytes, index + 2, 2)
            let end = index + 2 + length
            guard length >= 2, end <= bytes.count else { throw Failure.malformed }
            let metadata = (0xE1...0xEF).contains(marker) && marker != 0xEE || marker == 0xFE
            if !metadata { output.append(contentsOf: bytes[index..<end]) }
            index = end
        }
        throw Failure.malformed
    }

    /// WebP: drops the EXIF and XMP chunks and clears their flags in VP8X; the RIFF size is rewritten.
    static func webp(_ bytes: [UInt8]) throws -> Data {
        guard bytes.count >= 12 else { throw Failure.malformed }
        var chunks: [UInt8] = []
        var index = 12
        while index + 8 <= bytes.count {
            let name = String(decoding: bytes[index..<index + 4], as: UTF8.self)
            let length = ImageDimensions.littleEndian(bytes, index + 4, 4)
            let end = index + 8 + length + (length & 1)
            guard end <= bytes.count || index + 8 + length == bytes.count else { throw Failure.malformed }
            let chunkEnd = min(end, bytes.count)
            if name != "EXIF" && name != "XMP " {
                var chunk = Array(bytes[index..<chunkEnd])
                if name == "VP8X", chunk.count > 8 { chunk[8] &= ~UInt8(0x08 | 0x04) }
                chunks += chunk
            }
            index = chunkEnd
        }
        guard index == bytes.count else { throw Failure.malformed }
        let size = UInt32(chunks.count + 4)
        var output = Data("RIFF".utf8)
        output.append(contentsOf: [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)])
        output.append(contentsOf: Array("WEBP".utf8))
        output.append(contentsOf: chunks)
        return output
    }
}
