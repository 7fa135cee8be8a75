import Foundation

/// A QR code (ISO/IEC 18004) in byte mode at error-correction level M, versions 1 to 15 (up to 412 bytes: an
/// otpauth URI with the longest allowed email fits). Written here because no package in the dependency mirrors
/// renders QR codes, and the TOTP enrolment page must not send the secret to an outside service to draw one.
public struct QRCode: Sendable {
    public enum Failure: Error { case tooLong(Int) }

    /// Modules row by row; true is dark.
    public let modules: [[Bool]]
    public var size: Int { modules.count }

    /// Per version: error-correction codewords per block, and the blocks as (count, data codewords each).
    static let levelM: [(ec: Int, groups: [(Int, Int)])] = [
        (10, [(1, 16)]), (16, [(1, 28)]), (26, [(1, 44)]), (18, [(2, 32)]), (24, [(2, 43)]), (16, [(4, 27)]),
        (18, [(4, 31)]), (22, [(2, 38), (2, 39)]), (22, [(3, 36), (2, 37)]), (26, [(4, 43), (1, 44)]),
        (30, [(1, 50), (4, 51)]), (22, [(6, 36), (2, 37)]), (22, [(8, 37), (1, 38)]), (24, [(4, 40), (5, 41)]),
        (24, [(5, 41), (5, 42)]),
    ]
    static let alignment: [[Int]] = [
        [], [6, 18], [6, 22], [6, 26], [6, 30], [6, 34], [6, 22, 38], [6, 24, 42], [6, 26, 46], [6, 28, 50], [6, 30, 54],
        [6, 32, 58], [6, 34, 62], [6, 26, 46, 66], [6, 26, 48, 70],
    ]

    public static func encode(_ bytes: [UInt8]) throws -> QRCode {
        for version in 1...levelM.count {
            let table = levelM[version - 1]
            let dataCapacity = table.groups.reduce(0) { $0 + $1.0 * $1.1 }
            let countBits = version < 10 ? 8 : 16
            guard 4 + countBits + 8 * bytes.count <= 8 * dataCapacity else { continue }
            var bits = BitBuffer()
            bits.append(0b0100, count: 4)
            bits.append(bytes.count, count: countBits)
            for byte in bytes { bits.append(Int(byte), count: 8) }
            bits.append(0, count: min(4, 8 * dataCapacity - bits.count))
            bits.append(0, count: (8 - bits.count % 8) % 8)
            var data = bits.bytes
            var pad: UInt8 = 0xEC
            while data.count < dataCapacity {
                data.append(pad)
                pad = pad == 0xEC ? 0x11 : 0xEC
            }
            return QRCode(version: version, codewords: interleave(data, table: table))
        }
        throw Failure.tooLong(bytes.count)
    }

    /// Splits data into blocks, adds each block's Reed-Solomon codewords and interleaves them.
    static func interleave(_ data: [UInt8], table: (ec: Int, groups: [(Int, Int)])) -> [UInt8] {
        var blocks: [[UInt8]] = []
        var offset = 0
        for (count, length) in table.groups {
            for _ in 0..<count {
                blocks.append(Array(data[offset..<offset + length]))
                offset += length
            }
        }
        let generator = ReedSolomon.generator(degree: table.ec)
        let ecBlocks = blocks.map { ReedSolomon.remainder($0, generator: generator) }
        var result: [UInt8] = []
        for index in 0..<(blocks.map(\.count).max() ?? 0) {
            for block in blocks where index < block.count { result.append(block[index]) }
        }
        for index in 0..<table.ec {
            for block in ecBlocks { result.append(block[index]) }
        }
        return result
    }

    init(version: Int, codewords: [UInt8]) {
        let size = 17 + 4 * version
        var grid = Grid(size: size)
        grid.drawFunctionPatterns(version: version, alignment: Self.alignment[version - 1])
        grid.placeData(codewords)
        var best: (penalty: Int, grid: Grid)?
        for mask in 0..<8 {
            var candidate = grid
            candidate.applyMask(mask)
            candidate.drawFormat(mask: mask)
            let penalty = candidate.penalty()
            if best == nil || penalty < best!.penalty { best = (penalty, candidate) }
        }
        modules = best!.grid.dark
    }

    /// An SVG drawing with a 4-module quiet zone, one path, crisp at any size.
    public func svg(moduleSize: Int = 4) -> String {
        let total = size + 8
        var path = ""
        for (y, row) in modules.enumerated() {
            for (x, dark) in row.enumerated() where dark { path += "M\(x + 4) \(y + 4)h1v1h-1z" }
        }
        return """
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 \(total) \(total)" width="\(total * moduleSize)" \
            height="\(total * moduleSize)" shape-rendering="crispEdges" role="img" aria-label="QR code">\
            <rect width="\(total)" height="\(total)" fill="#fff"/><path fill="#000" d="\(path)"/></svg>
            """
    }

    /// A 1-bit greyscale PNG with a 4-module quiet zone.
    public func png(scale: Int) -> Data {
        let pixels = (size + 8) * scale
        var rows: [[Bool]] = []
        for y in 0..<pixels {
            let moduleY = y / scale - 4
            rows.append(
                (0..<pixels).map { x in
                    let moduleX = x / scale - 4
                    guard (0..<size).contains(moduleY), (0..<size).contains(moduleX) else { return false }
                    return modules[moduleY][moduleX]
                })
        }
        return PNG.blackAndWhite(rows)
    }
}

/// Bits appended most significant first.
struct BitBuffer {
    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    mutating func append(_ value: Int, count length: Int) {
        for shift in stride(from: length - 1, through: 0, by: -1) {
            if count % 8 == 0 { bytes.append(0) }
            if (value >> shift) & 1 == 1 { bytes[count / 8] |= 0x80 >> UInt8(count % 8) }
            count += 1
        }
    }
}

/// Reed-Solomon codewords over GF(256) with the QR polynomial x⁸+x⁴+x³+x²+1.
enum ReedSolomon {
    static let (exp, log): ([UInt8], [Int]) = {
        var exp = [UInt8](repeating: 0, count: 512)
        var log = [Int](repeating: 0, count: 256)
        var value = 1
        for power in 0..<255 {
            exp[power] = UInt8(value)
            log[value] = power
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        for power in 255..<512 { exp[power] = exp[power - 255] }
        return (exp, log)
    }()

    static func multiply(_ a: UInt8, _ b: UInt8) -> UInt8 {
        a == 0 || b == 0 ? 0 : exp[log[Int(a)] + log[Int(b)]]
    }

    /// The coefficients of ∏(x − αⁱ) for i in 0..<degree, highest power first, without the leading 1.
    static func generator(degree: Int) -> [UInt8] {
        var poly: [UInt8] = [1]
        for power in 0..<degree {
            var next = [UInt8](repeating: 0, count: poly.count + 1)
            for (index, coefficient) in poly.enumerated() {
                next[index] ^= coefficient
                next[index + 1] ^= multiply(coefficient, exp[power])
            }
            poly = next
        }
        return Array(poly.dropFirst())
    }

    static func remainder(_ data: [UInt8], generator: [UInt8]) -> [UInt8] {
        var remainder = [UInt8](repeating: 0, count: generator.count)
        for byte in data {
            let factor = byte ^ remainder[0]
            remainder.removeFirst()
            remainder.append(0)
            for index in 0..<generator.count { remainder[index] ^= multiply(generator[index], factor) }
        }
        return remainder
    }
}

/// The module grid while it is drawn: which modules are dark and which belong to function patterns.
struct Grid {
    let size: Int
    var dark: [[Bool]]
    var reserved: [[Bool]]

    init(size: Int) {
        self.size = size
        dark = Array(repeating: Array(repeating: false, count: size), count: size)
        reserved = dark
    }

    mutating func set(_ x: Int, _ y: Int, _ value: Bool) {
        dark[y][x] = value
        reserved[y][x] = true
    }

    mutating func drawFunctionPatterns(version: Int, alignment: [Int]) {
        for index in 0..<size {
            set(6, index, index % 2 == 0)
            set(index, 6, index % 2 == 0)
        }
        for (cx, cy) in [(3, 3), (size - 4, 3), (3, size - 4)] {
            for dy in -4...4 {
                for dx in -4...4 {
                    let (x, y) = (cx + dx, cy + dy)
                    guard (0..<size).contains(x), (0..<size).contains(y) else { continue }
                    let distance = max(abs(dx), abs(dy))
                    set(x, y, distance != 2 && distance != 4)
                }
            }
        }
        for cy in alignment {
            for cx in alignment {
                let corner = (cx == 6 && cy == 6) || (cx == 6 && cy == alignment.last!) || (cx == alignment.last! && cy == 6)
                guard !corner else { continue }
                for dy in -2...2 {
                    for dx in -2...2 { set(cx + dx, cy + dy, max(abs(dx), abs(dy)) != 1) }
                }
            }
        }
        drawFormat(mask: 0)  // reserves the format areas; redrawn for the chosen mask
        if version >= 7 {
            var remainder = version
            for _ in 0..<12 { remainder = (remainder << 1) ^ ((remainder >> 11) * 0x1F25) }
            let bits = version << 12 | remainder
            for index in 0..<18 {
                let bit = (bits >> index) & 1 == 1
                let (a, b) = (size - 11 + index % 3, index / 3)
                set(a, b, bit)
                set(b, a, bit)
            }
        }
    }

    /// Format bits for level M (00) and the mask, with their BCH code and the fixed XOR of the standard.
    mutating func drawFormat(mask: Int) {
        let data = (0b00 << 3) | mask
        var remainder = data
        for _ in 0..<10 { remainder = (remainder << 1) ^ ((remainder >> 9) * 0x537) }
        let bits = ((data << 10) | remainder) ^ 0x5412
        func bit(_ index: Int) -> Bool { (bits >> index) & 1 == 1 }
        for index in 0...5 { set(8, index, bit(index)) }
        set(8, 7, bit(6))
        set(8, 8, bit(7))
        set(7, 8, bit(8))
        for index in 9..<15 { set(14 - index, 8, bit(index)) }
        for index in 0..<8 { set(size - 1 - index, 8, bit(index)) }
        for index in 8..<15 { set(8, size - 15 + index, bit(index)) }
        set(8, size - 8, true)
    }

    /// The codewords' bits in the standard's two-column zigzag from the bottom right, skipping column 6.
    mutating func placeData(_ codewords: [UInt8]) {
        var bitIndex = 0
        let totalBits = codewords.count * 8
        var right = size - 1
        while right >= 1 {
            if right == 6 { right = 5 }
            for vertical in 0..<size {
                for column in 0..<2 {
                    let x = right - column
                    let upward = (right + 1) & 2 == 0
                    let y = upward ? size - 1 - vertical : vertical
                    guard !reserved[y][x] else { continue }
                    if bitIndex < totalBits {
                        dark[y][x] = (codewords[bitIndex >> 3] >> (7 - UInt8(bitIndex & 7))) & 1 == 1
                        bitIndex += 1
                    }
                }
            }
            right -= 2
        }
    }

    mutating func applyMask(_ mask: Int) {
        for y in 0..<size {
            for x in 0..<size where !reserved[y][x] {
                let flip: Bool
                switch mask {
                case 0: flip = (x + y) % 2 == 0
                case 1: flip = y % 2 == 0
                case 2: flip = x % 3 == 0
                case 3: flip = (x + y) % 3 == 0
                case 4: flip = (x / 3 + y / 2) % 2 == 0
                case 5: flip = x * y % 2 + x * y % 3 == 0
                case 6: flip = (x * y % 2 + x * y % 3) % 2 == 0
                default: flip = ((x + y) % 2 + x * y % 3) % 2 == 0
                }
                if flip { dark[y][x].toggle() }
            }
        }
    }

    /// The four penalty rules of the standard, used to choose the mask.
    func penalty() -> Int {
        var total = 0
        let columns = (0..<size).map { x in (0..<size).map { dark[$0][x] } }
        for line in dark + columns {
            var run = 1
            for index in 1..<size {
                if line[index] == line[index - 1] {
                    run += 1
                    if index == size - 1, run >= 5 { total += run - 2 }
                } else {
                    if run >= 5 { total += run - 2 }
                    run = 1
                }
            }
            let pattern: [Bool] = [true, false, true, true, true, false, true]
            for start in 0...(size - 7) where Array(line[start..<start + 7]) == pattern {
                let before = (max(0, start - 4)..<start).allSatisfy { !line[$0] } && start >= 4
                let after = (start + 7..<min(size, start + 11)).allSatisfy { !line[$0] } && start + 11 <= size
                if before || after { total += 40 }
            }
        }
        for y in 0..<(size - 1) {
            for x in 0..<(size - 1) {
                let value = dark[y][x]
                if dark[y][x + 1] == value, dark[y + 1][x] == value, dark[y + 1][x + 1] == value { total += 3 }
            }
        }
        let darkCount = dark.reduce(0) { $0 + $1.filter { $0 }.count }
        let percent = darkCount * 100 / (size * size)
        total += abs(percent - 50) / 5 * 10
        return total
    }
}
