/// A parser for the part of TOML that `psc.toml` uses: tables (`[mail]`, `[sso.campus]`), dotted and quoted keys,
/// basic and literal strings, integers, floats, booleans, arrays and inline tables.
///
/// Written here because the one TOML package in the local mirrors depends on a package the mirrors do not carry.
/// The result is flat: every value is stored under its full dotted key (`mail.smtp_port`).
public struct TOMLParser {
    public enum Value: Equatable, Sendable {
        case string(String)
        case integer(Int)
        case float(Double)
        case boolean(Bool)
        case array([Value])
        case table([String: Value])
    }

    public struct ParseError: Error, CustomStringConvertible, Equatable {
        public let line: Int
        public let reason: String
        public var description: String { "line \(line): \(reason)" }
    }

    private var scalars: [Unicode.Scalar]
    private var index = 0
    private var line = 1

    public static func parse(_ text: String) throws(ParseError) -> [String: Value] {
        var parser = TOMLParser(scalars: Array(text.unicodeScalars))
        return try parser.document()
    }

    private init(scalars: [Unicode.Scalar]) {
        self.scalars = scalars
    }

    private var current: Unicode.Scalar? { index < scalars.count ? scalars[index] : nil }

    private func fail(_ reason: String) -> ParseError { ParseError(line: line, reason: reason) }

    private mutating func document() throws(ParseError) -> [String: Value] {
        var result: [String: Value] = [:]
        var prefix: [String] = []
        while true {
            skipBlankLinesAndComments()
            guard let scalar = current else { return result }
            if scalar == "[" {
                index += 1
                if current == "[" { throw fail("arrays of tables are not supported") }
                skipSpaces()
                prefix = try key()
                skipSpaces()
                guard current == "]" else { throw fail("expected ']' after table name") }
                index += 1
            } else {
                let path = prefix + (try key())
                skipSpaces()
                guard current == "=" else { throw fail("expected '=' after key") }
                index += 1
                skipSpaces()
                let value = try self.value()
                try store(value, at: path, in: &result)
            }
            try endOfLine()
        }
    }

    private mutating func store(_ value: Value, at path: [String], in result: inout [String: Value]) throws(ParseError) {
        if case .table(let table) = value {
            for (name, inner) in table.sorted(by: { $0.key < $1.key }) {
                try store(inner, at: path + [name], in: &result)
            }
            return
        }
        let name = path.joined(separator: ".")
        guard result[name] == nil else { throw fail("key '\(name)' is defined twice") }
        result[name] = value
    }

    private mutating func skipSpaces() {
        while let scalar = current, scalar == " " || scalar == "\t" { index += 1 }
    }

    private mutating func skipBlankLinesAndComments() {
        while let scalar = current {
            switch scalar {
            case " ", "\t", "\r": index += 1
            case "\n":
                index += 1
                line += 1
            case "#":
                while let inner = current, inner != "\n" { index += 1 }
            default: return
            }
        }
    }

    private mutating func endOfLine() throws(ParseError) {
        skipSpaces()
        if current == "#" {
            while let scalar = current, scalar != "\n" { index += 1 }
        }
        if current == "\r" { index += 1 }
        guard let scalar = current else { return }
        guard scalar == "\n" else { throw fail("unexpected text after value") }
        index += 1
        line += 1
    }

    private mutating func key() throws(ParseError) -> [String] {
        var parts: [String] = []
        while true {
            skipSpaces()
            switch current {
            case "\"": parts.append(try basicString())
            case "'": parts.append(try literalString())
            default:
                var part = ""
                while let scalar = current, scalar.properties.isASCIIHexDigit || isBareKeyScalar(scalar) {
                    part.unicodeScalars.append(scalar)
                    index += 1
                }
                guard !part.isEmpty else { throw fail("expected a key") }
                parts.append(part)
            }
            skipSpaces()
            guard current == "." else { return parts }
            index += 1
        }
    }

    private func isBareKeyScalar(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
            || scalar == "_" || scalar == "-"
    }

    private mutating func value() throws(ParseError) -> Value {
        guard let scalar = current else { throw fail("expected a value") }
        switch scalar {
        case "\"": return .string(try basicString())
        case "'": return .string(try literalString())
        case "[": return try array()
        case "{": return try inlineTable()
        case "t", "f": return try boolean()
        default: return try number()
        }
    }

    private mutating func basicString() throws(ParseError) -> String {
        index += 1
        var text = ""
        while let scalar = current {
            index += 1
            switch scalar {
            case "\"": return text
            case "\n": throw fail("unterminated string")
            case "\\":
                guard let escaped = current else { throw fail("unterminated string") }
                index += 1
                switch escaped {
                case "n": text += "\n"
                case "t": text += "\t"
                case "r": text += "\r"
                case "\"": text += "\""
                case "\\": text += "\\"
                case "u", "U":
                    let count = escaped == "u" ? 4 : 8
                    guard index + count <= scalars.count else { throw fail("bad unicode escape") }
                    let hex = String(String.UnicodeScalarView(scalars[index..<(index + count)]))
                    guard let code = UInt32(hex, radix: 16), let decoded = Unicode.Scalar(code) else {
                        throw fail("bad unicode escape")
                    }
                    text.unicodeScalars.append(decoded)
                    index += count
                default: throw fail("unknown escape '\\\(escaped)'")
                }
            default: text.unicodeScalars.append(scalar)
            }
        }
        throw fail("unterminated string")
    }

    private mutating func literalString() throws(ParseError) -> String {
        index += 1
        var text = ""
        while let scalar = current {
            index += 1
            if scalar == "'" { return text }
            if scalar == "\n" { break }
            text.unicodeScalars.append(scalar)
        }
        throw fail("unterminated string")
    }

    private mutating func array() throws(ParseError) -> Value {
        index += 1
        var items: [Value] = []
        while true {
            skipBlankLinesAndComments()
            if current == "]" {
                index += 1
                return .array(items)
            }
            items.append(try value())
            skipBlankLinesAndComments()
            if current == "," {
                index += 1
            } else if current != "]" {
                throw fail("expected ',' or ']' in array")
            }
        }
    }

    private mutating func inlineTable() throws(ParseError) -> Value {
        index += 1
        var table: [String: Value] = [:]
        skipSpaces()
        if current == "}" {
            index += 1
            return .table(table)
        }
        while true {
            let path = try key()
            skipSpaces()
            guard current == "=" else { throw fail("expected '=' in inline table") }
            index += 1
            skipSpaces()
            let item = try value()
            var flat: [String: Value] = [:]
            try store(item, at: path, in: &flat)
            for (name, inner) in flat {
                guard table[name] == nil else { throw fail("key '\(name)' is defined twice") }
                table[name] = inner
            }
            skipSpaces()
            if current == "}" {
                index += 1
                return .table(table)
            }
            guard current == "," else { throw fail("expected ',' or '}' in inline table") }
            index += 1
        }
    }

    private mutating func boolean() throws(ParseError) -> Value {
        let word = bareWord()
        switch word {
        case "true": return .boolean(true)
        case "false": return .boolean(false)
        default: throw fail("unknown value '\(word)'")
        }
    }

    private mutating func bareWord() -> String {
        var word = ""
        while let scalar = current, !" \t\r\n,]}#".unicodeScalars.contains(scalar) {
            word.unicodeScalars.append(scalar)
            index += 1
        }
        return word
    }

    private mutating func number() throws(ParseError) -> Value {
        let word = bareWord()
        let digits = String(word.filter { $0 != "_" })
        if let integer = Int(digits) { return .integer(integer) }
        if let float = Double(digits), digits.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }) {
            return .float(float)
        }
        throw fail(word.isEmpty ? "expected a value" : "unknown value '\(word)'")
    }
}
