import Foundation

/// A horizontal bar chart drawn on the server as inline SVG (50-ui §1: no chart library, every chart titled and
/// described, with its data table next to it on the page). Colours come from the site's CSS variables, so both
/// themes keep their contrast.
enum BarChart {
    static func svg(title: String, bars: [(label: String, value: Double)], unit: String) -> String {
        // Labels get the room their longest one needs (about 8 units a character at 14 px), the bars the rest.
        let labelWidth = min(300, max(110, Double(bars.map(\.label.count).max() ?? 0) * 8 + 8))
        let width = 370 + labelWidth
        let rowHeight = 36.0
        let height = rowHeight * Double(max(bars.count, 1)) + 8
        let maximum = max(bars.map(\.value).max() ?? 0, unit == "%" ? 100 : 1)
        let id = "chart-\(abs(title.hashValue) % 1_000_000)"
        let description = bars.map { "\($0.label): \(format($0.value))\(unit)" }.joined(separator: "; ")
        var svg = """
            <svg class="bar-chart" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-title">\(escape(title))</title><desc id="\(id)-desc">\(escape(description))</desc>
            """
        for (index, bar) in bars.enumerated() {
            let y = Double(index) * rowHeight + 4
            let length = max(0, (width - labelWidth - 70) * bar.value / maximum)
            svg += """
                <text x="0" y="\(y + 22)" class="chart-label">\(escape(bar.label))</text>\
                <rect x="\(labelWidth)" y="\(y + 6)" width="\(String(format: "%.1f", length))" height="22" class="chart-bar chart-bar-\(index % 2)"></rect>\
                <text x="\(String(format: "%.1f", labelWidth + length + 6))" y="\(y + 22)" class="chart-value">\(format(bar.value))\(escape(unit))</text>
                """
        }
        return svg + "</svg>"
    }

    static func format(_ value: Double) -> String { String(format: value.rounded() == value ? "%.0f" : "%.2f", value) }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
}
