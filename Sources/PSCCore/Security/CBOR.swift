import Foundation

/// The subset of CBOR (RFC 8949) WebAuthn uses: integers, byte and text strings, arrays, maps, booleans and null,
/// definite lengths only. Written here because the attestation object and COSE keys are the only CBOR the platform
/// reads and no package in the dependency mirrors decodes it.
public indirect enum CBOR: Sendable, Equatable, Hashable {
    case unsigned(UInt64)
    case negative(Int64)
    case bytes(Data)
    case text(String)
    case array([CBOR])
    case map([CBOR: CBOR])
    case bool(Bool)
    case null

    public enum Failure: Error, Equatable { case truncated, unsupported(UInt8), tooDeep, trailingBytes }

    /// Decodes one item; `consumed` tells how many bytes it took (authenticator data carries a COSE key followed
    /// by extensions).
    public static func decode(_ data: Data, consumed: inout Int) throws -> CBOR {
        var reader = Reader(bytes: [UInt8](data))
        let value = try reader.item(depth: 0)
        consumed = reader.offset
        return value
    }

    public static func decode(_ data: Data) throws -> CBOR {
        var consumed = 0
        let value = try decode(data, consumed: &consumed)
        guard consumed == data.count else { throw Failure.trailingBytes }
        return value
    }

    public subscript(key: CBOR) -> CBOR? {
        if case .map(let members) = self { return members[key] }
        return nil
    }
    public subscript(key: String) -> CBOR? { self[.text(key)] }
    public subscript(key: Int) -> CBOR? { self[key >= 0 ? .unsigned(UInt64(key)) : .negative(Int64(key))] }

    public var int: Int? {
        switch self {
        case .unsigned(let value): value <= UInt64(Int.max) ? Int(value) : nil
        case .negative(let value): Int(value)
        default: nil
        }
    }
    public var bytesValue: Data? {
        if case .bytes(let data) = self { return data }
        return nil
    }
    public var textValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    struct Reader {
        let bytes: [UInt8]
        var offset = 0

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw Failure.truncated }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func take(_ count: Int) throws -> [UInt8] {
            guard count >= 0, offset + count <= bytes.count else { throw Failure.truncated }
            defer { offset += count }
            return Array(bytes[offset..<offset + count])
        }

        mutating func argument(_ info: UInt8) throws -> UInt64 {
            switch info {
            case 0..<24: return UInt64(info)
            case 24: return UInt64(try byte())
            case 25, 26, 27:
                let width = 1 << Int(info - 24)
                return try take(width).reduce(0) { $0 << 8 | UInt64($1) }
            default: throw Failure.unsupported(info)
            }
        }

        mutating func length(_ info: UInt8) throws -> Int {
            let value = try argument(info)
            guard value <= UInt64(bytes.count - offset) else { throw Failure.truncated }
            return Int(value)
        }

        mutating func item(depth: Int) throws -> CBOR {
            guard depth < 16 else { throw Failure.tooDeep }
            let initial = try byte()
            let (major, info) = (initial >> 5, initial & 0x1f)
            switch major {
            case 0: return .unsigned(try argument(info))
            case 1:
                let value = try argument(info)
                guard value < UInt64(Int64.max) else { throw Failure.unsupported(initial) }
                return .negative(-1 - Int64(value))
            case 2: return .bytes(Data(try take(try length(info))))
            case 3:
                guard let text = String(bytes: try take(try length(info)), encoding: .utf8) else { throw Failure.unsupported(initial) }
                return .text(text)
            case 4:
                let count = try length(info)
                return .array(try (0..<count).map { _ in try item(depth: depth + 1) })
            case 5:
                let count = try length(info)
                var members: [CBOR: CBOR] = [:]
                for _ in 0..<count {
                    let key = try item(depth: depth + 1)
                    members[key] = try item(depth: depth + 1)
                }
                return .map(members)
            case 7:
                switch info {
                case 20: return .bool(false)
                case 21: return .bool(true)
                case 22: return .null
                default: throw Failure.unsupported(initial)
                }
            default: throw Failure.unsupported(initial)
            }
        }
    }
}
