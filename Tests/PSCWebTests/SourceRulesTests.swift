import Foundation
import Testing

/// Rules the compiler cannot check but a campus-wide outage taught: a row's non-optional subscript traps the whole
/// process on a NULL, so rows are read with `decode(forColumn:)`, which throws into a 500 instead.
@Suite("Source rules")
struct SourceRulesTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources")

    static func swiftFiles() -> [URL] {
        let walker = FileManager.default.enumerator(at: sources, includingPropertiesForKeys: nil)
        return (walker?.allObjects as? [URL] ?? []).filter { $0.pathExtension == "swift" }
    }

    /// Every name a row is bound to (`let event = try Row.fetchOne(…)`, `for row in …`), so a read through any of
    /// them is checked, not only those called `row`.
    static func rowVariableNames(_ files: [URL]) throws -> Set<String> {
        let binding = try NSRegularExpression(pattern: #"(?:let|var) (\w+) = try Row\.fetch"#)
        var names: Set<String> = ["row"]
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for match in binding.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let range = Range(match.range(at: 1), in: text) { names.insert(String(text[range])) }
            }
        }
        return names.subtracting(["rows", "cursor", "window"])
    }

    @Test("no database row is read through the trapping subscript, and no try! touches anything but a literal pattern")
    func noTrappingReads() throws {
        let files = Self.swiftFiles()
        #expect(files.count > 50, "the sources were found")
        let rowNames = try Self.rowVariableNames(files)
        #expect(rowNames.isSuperset(of: ["row", "event", "last", "user"]), "the rows' names were found: \(rowNames.sorted())")
        let alternatives = (rowNames.sorted() + ["rows\\.\\w+", "\\$0", "\\$1"]).joined(separator: "|")
        let rowSubscript = try NSRegularExpression(pattern: #"(?<![A-Za-z0-9_.])("# + alternatives + #")\??\[\"[a-z_0-9]+\"\]"#)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOf: file, encoding: .utf8)
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let code = String(line.split(separator: "//", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
                let range = NSRange(code.startIndex..., in: code)
                if rowSubscript.firstMatch(in: code, range: range) != nil {
                    found.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
                if code.contains("try!") && !code.contains("NSRegularExpression(pattern: #\"") {
                    found.append("\(file.lastPathComponent):\(number + 1): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
        #expect(found.isEmpty, "\(found.joined(separator: "\n"))")
    }

    /// The OpenAPI document and the `405 Allow` lists are built from the route catalog; a route added to the router
    /// any other way would be served without being documented, checked, limited or access-declared.
    @Test("routes reach the router only through the route catalog")
    func routesOnlyThroughTheCatalog() throws {
        let direct = try NSRegularExpression(pattern: #"\b(?:router|group)\.(?:get|post|put|patch|delete|head|on|group)\("#)
        var offenders: [String] = []
        for file in Self.swiftFiles() where file.lastPathComponent != "RouteCatalog.swift" {
            let text = try String(contentsOf: file, encoding: .utf8)
            if direct.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) != nil { offenders.append(file.lastPathComponent) }
        }
        #expect(offenders.isEmpty, "routes added outside RouteCatalog.add: \(offenders)")
    }
}
