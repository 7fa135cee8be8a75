import Foundation

/// A tabular report as a PDF file (20-services §5.6): US Letter landscape, the title, the generation time, the
/// filters, every row, and "Page n of m" on each page. Written here rather than taken from a library because the
/// approved Swift server libraries have no PDF writer and the report needs only text: PDF 1.4 with the standard
/// Helvetica fonts (no embedding), one content stream per page.
public enum PDFReport {
    static let pageWidth = 792.0
    static let pageHeight = 612.0
    static let margin = 36.0
    static let fontSize = 8.0
    static let lineHeight = 11.0

    public static func document(title: String, generated: String, filters: String, header: [String], rows: [[String]]) -> Data {
        // Each column is as wide as its longest cell allows (at most 40 characters), sharing the page's width;
        // Helvetica at 8 pt averages about 4.4 pt a character, and a cell is cut to fit its column.
        let needs = header.indices.map { column in
            Double(min(40, max(4, ([header[column]] + rows.map { column < $0.count ? $0[column] : "" }).map(\.count).max() ?? 4)))
        }
        let total = max(needs.reduce(0, +), 1)
        let widths = needs.map { (pageWidth - 2 * margin) * $0 / total }
        let offsets = widths.indices.map { index in margin + widths[..<index].reduce(0, +) }
        let characters = widths.map { max(3, Int($0 / 4.4) - 1) }
        let firstPageTop = pageHeight - margin - 58
        let otherPageTop = pageHeight - margin - 14
        let bottom = margin + 20
        let firstCapacity = max(1, Int((firstPageTop - bottom) / lineHeight))
        let otherCapacity = max(1, Int((otherPageTop - bottom) / lineHeight))
        var pages: [[[String]]] = [Array(rows.prefix(firstCapacity))]
        var next = min(firstCapacity, rows.count)
        while next < rows.count {
            pages.append(Array(rows[next..<min(next + otherCapacity, rows.count)]))
            next += otherCapacity
        }
        var streams: [String] = []
        for (index, pageRows) in pages.enumerated() {
            var text = ""
            var y = index == 0 ? firstPageTop : otherPageTop
            if index == 0 {
                text += line(title, x: margin, y: pageHeight - margin - 12, font: "F2", size: 14)
                text += line("Generated \(generated)", x: margin, y: pageHeight - margin - 30, font: "F1", size: 9)
                text += line("Filters: \(filters)", x: margin, y: pageHeight - margin - 42, font: "F1", size: 9)
            }
            for (column, name) in header.enumerated() {
                text += line(cut(name, characters[column]), x: offsets[column], y: y, font: "F2", size: fontSize)
            }
            y -= lineHeight
            for row in pageRows {
                for (column, cell) in row.enumerated() where column < header.count {
                    text += line(cut(cell, characters[column]), x: offsets[column], y: y, font: "F1", size: fontSize)
                }
                y -= lineHeight
            }
            if rows.isEmpty && index == 0 { text += line("No rows.", x: margin, y: y, font: "F1", size: fontSize) }
            text += line("Page \(index + 1) of \(pages.count)", x: pageWidth - margin - 60, y: margin, font: "F1", size: 8)
            streams.append(text)
        }
        return assemble(streams)
    }

    static func cut(_ text: String, _ limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit - 1)) + "…"
    }

    static func line(_ text: String, x: Double, y: Double, font: String, size: Double) -> String {
        "BT /\(font) \(format(size)) Tf \(format(x)) \(format(y)) Td (\(escape(text))) Tj ET\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }

    /// A PDF literal string in WinAnsi: backslash and parentheses escaped, characters outside Latin-1 as `?`, and
    /// Latin-1 characters as octal escapes so the file stays ASCII.
    static func escape(_ text: String) -> String {
        var escaped = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": escaped += "\\\\"
            case "(": escaped += "\\("
            case ")": escaped += "\\)"
            case "…": escaped += "\\205"
            case "\u{2013}", "\u{2014}": escaped += "\\226"
            case _ where scalar.value >= 32 && scalar.value < 127: escaped.unicodeScalars.append(scalar)
            case _ where scalar.value >= 160 && scalar.value < 256: escaped += "\\" + String(scalar.value, radix: 8)
            default: escaped += "?"
            }
        }
        return escaped
    }

    /// Objects: 1 catalog, 2 pages, 3 and 4 the fonts, then a page and its content per page; then the xref table.
    static func assemble(_ streams: [String]) -> Data {
        var objects: [String] = []
        let pageIDs = streams.indices.map { 5 + $0 * 2 }
        objects.append("<< /Type /Catalog /Pages 2 0 R >>")
        objects.append("<< /Type /Pages /Kids [\(pageIDs.map { "\($0) 0 R" }.joined(separator: " "))] /Count \(streams.count) >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
        objects.append("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
        for (index, stream) in streams.enumerated() {
            objects.append(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 \(Int(pageWidth)) \(Int(pageHeight))] "
                    + "/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents \(pageIDs[index] + 1) 0 R >>")
            objects.append("<< /Length \(stream.utf8.count) >>\nstream\n\(stream)endstream")
        }
        var output = "%PDF-1.4\n"
        var offsets: [Int] = []
        for (index, object) in objects.enumerated() {
            offsets.append(output.utf8.count)
            output += "\(index + 1) 0 obj\n\(object)\nendobj\n"
        }
        let xref = output.utf8.count
        output += "xref\n0 \(objects.count + 1)\n0000000000 65535 f \n"
        for offset in offsets { output += String(format: "%010d 00000 n \n", offset) }
        output += "trailer\n<< /Size \(objects.count + 1) /Root 1 0 R >>\nstartxref\n\(xref)\n%%EOF\n"
        return Data(output.utf8)
    }
}
