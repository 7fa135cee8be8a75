import Foundation

/// A daily series drawn on the server as an inline SVG line (50-ui §1: titled and described, with its data table
/// beside it on the page). A day without a figure breaks the line, so a gap never reads as zero.
enum LineChart {
    static func svg(title: String, labels: [String], values: [Int?]) -> String {
        let (width, height, left, bottom, top) = (560.0, 200.0, 40.0, 28.0, 12.0)
        let maximum = Double(max(values.compactMap { $0 }.max() ?? 0, 1))
        let step = labels.count > 1 ? (width - left - 10) / Double(labels.count - 1) : 0
        let id = "chart-\(abs(title.hashValue) % 1_000_000)"
        let known = values.compactMap { $0 }
        let gaps = values.filter { $0 == nil }.count
        let summary =
            known.isEmpty
            ? "No figures for these days yet."
            : "From \(labels.first ?? "") to \(labels.last ?? ""): lowest \(known.min() ?? 0), highest \(known.max() ?? 0), total \(known.reduce(0, +))"
                + (gaps > 0 ? "; \(gaps) day\(gaps == 1 ? "" : "s") without figures." : ".")
        func point(_ index: Int, _ value: Int) -> String {
            let x = left + Double(index) * step
            let y = top + (height - top - bottom) * (1 - Double(value) / maximum)
            return String(format: "%.1f,%.1f", x, y)
        }
        var segments: [[String]] = [[]]
        for (index, value) in values.enumerated() {
            if let value {
                segments[segments.count - 1].append(point(index, value))
            } else if !(segments.last?.isEmpty ?? true) {
                segments.append([])
            }
        }
        var svg = """
            <svg class="line-chart" role="img" aria-labelledby="\(id)-title \(id)-desc" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">
            <title id="\(id)-title">\(BarChart.escape(title))</title><desc id="\(id)-desc">\(BarChart.escape(summary))</desc>
            <line x1="\(left)" y1="\(height - bottom)" x2="\(width - 10)" y2="\(height - bottom)" class="chart-axis"></line>\
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(height - bottom)" class="chart-axis"></line>\
            <text x="\(left - 6)" y="\(top + 5)" text-anchor="end" class="chart-label">\(Int(maximum))</text>\
            <text x="\(left - 6)" y="\(height - bottom)" text-anchor="end" class="chart-label">0</text>\
            <text x="\(left)" y="\(height - 8)" class="chart-label">\(BarChart.escape(labels.first ?? ""))</text>\
            <text x="\(width - 10)" y="\(height - 8)" text-anchor="end" class="chart-label">\(BarChart.escape(labels.last ?? ""))</text>
            """
        for segment in segments where !segment.isEmpty {
            if segment.count == 1, let only = segment.first {
                let parts = only.split(separator: ",")
                svg += "<circle cx=\"\(parts.first ?? "0")\" cy=\"\(parts.last ?? "0")\" r=\"3\" class=\"chart-point\"></circle>"
            } else {
                svg += "<polyline points=\"\(segment.joined(separator: " "))\" class=\"chart-line\"></polyline>"
            }
        }
        return svg + "</svg>"
    }
}
