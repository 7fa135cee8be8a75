import Testing

@testable import PSCCore

@Suite("TOML parser")
struct TOMLParserTests {
    @Test("tables, dotted keys and every value kind become flat dotted keys")
    func parsesTheSubset() throws {
        let parsed = try TOMLParser.parse(
            """
            # comment
            environment = "production"
            durability = 'full'
            [http]
            port = 8_443
            cors_origins = ["https://a.example", "https://b.example",]
            [mail]
            starttls = "off" # trailing comment
            [sso.campus]
            client_id = "abc\\u00e9"
            inline = { x = 1, y.z = true }
            ratio = 0.5
            """
        )
        #expect(parsed["environment"] == .string("production"))
        #expect(parsed["durability"] == .string("full"))
        #expect(parsed["http.port"] == .integer(8443))
        #expect(parsed["http.cors_origins"] == .array([.string("https://a.example"), .string("https://b.example")]))
        #expect(parsed["mail.starttls"] == .string("off"))
        #expect(parsed["sso.campus.client_id"] == .string("abcé"))
        #expect(parsed["sso.campus.inline.x"] == .integer(1))
        #expect(parsed["sso.campus.inline.y.z"] == .boolean(true))
        #expect(parsed["sso.campus.ratio"] == .float(0.5))
    }

    @Test(
        "errors name the line",
        arguments: [
            ("a = \"unterminated\n", 1),
            ("a = 1\nb = what\n", 2),
            ("a = 1\na = 2\n", 2),
            ("[t\nx = 1", 1),
            ("a = 1 b = 2", 1),
        ])
    func reportsTheLine(text: String, line: Int) {
        #expect(throws: TOMLParser.ParseError.self) { try TOMLParser.parse(text) }
        do {
            _ = try TOMLParser.parse(text)
        } catch {
            #expect(error.line == line)
        }
    }
}
