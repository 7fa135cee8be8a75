import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// What the admin pages draw from the analytics figures: the period selector, KPI cards, charts with their data tables.
enum AnalyticsPages {
    static let periodChoices = [7, 30, 90]

    /// The period the page was asked for: 7, 30 or 90 days, 30 otherwise.
    static func period(_ request: Request) -> Int {
        request.uri.formQuery.get("days").flatMap { Int($0) }.flatMap { periodChoices.contains($0) ? $0 : nil } ?? 30
    }

    static func periods(selected: Int) -> [[String: Any]] {
        periodChoices.map { ["value": $0, "label": "Last \($0) days", "selected": $0 == selected] }
    }

    static func figure(_ value: Int?) -> String { value.map { $0.formatted() } ?? "no figure" }

    static func percent(_ part: Int, of whole: Int, places: Int = 1) -> String {
        whole == 0 ? "not enough data" : String(format: "%.\(places)f%%", Double(part) / Double(whole) * 100)
    }

    /// The `/admin` overview (50-ui): KPI cards, the user growth and daily active user lines, the content mix, top
    /// pages, API usage and the members active now.
    static func overview(_ board: Dashboard) -> [String: Any] {
        let posts = board.sum(\.posts)
        let requests = board.sum(\.apiRequests)
        let growth = board.days.map { $0?.newUsers }
        let active = board.days.map { $0?.activeUsers }
        let content: [(label: String, value: Double)] = [
            ("Posts", Double(posts)), ("Comments", Double(board.sum(\.comments))), ("Forum posts", Double(board.sum(\.forumPosts))),
            ("Events held", Double(board.sum(\.eventsHeld))), ("Jobs posted", Double(board.sum(\.jobsPosted))),
            ("Scholarships", Double(board.sum(\.scholarshipsCreated))),
        ]
        let days = board.dates.count
        return [
            "kpis": [
                ["label": "Active accounts", "value": figure(board.totalUsers)],
                ["label": "New users", "value": figure(board.sum(\.newUsers))],
                ["label": "Active users", "value": figure(board.activeUsers)],
                ["label": "Engagement rate", "value": percent(board.activeUsers, of: board.totalUsers)],
                ["label": "Posts", "value": figure(posts)], ["label": "Events held", "value": figure(board.sum(\.eventsHeld))],
                ["label": "Scholarships added", "value": figure(board.sum(\.scholarshipsCreated))],
                ["label": "Jobs posted", "value": figure(board.sum(\.jobsPosted))],
            ],
            "growthChart": LineChart.svg(title: "New users per day, last \(days) days", labels: board.dates, values: growth),
            "activeChart": LineChart.svg(title: "Daily active users, last \(days) days", labels: board.dates, values: active),
            "contentChart": BarChart.svg(title: "Content in the last \(days) days", bars: content, unit: ""),
            "series": zip(board.dates, board.days).map { date, day in
                ["date": date, "new": figure(day?.newUsers), "active": figure(day?.activeUsers)]
            },
            "content": content.map { ["label": $0.label, "value": Int($0.value)] },
            "topPages": board.topPages.map { ["name": $0.name, "views": $0.views] }, "hasTopPages": !board.topPages.isEmpty,
            "topPagesChart": BarChart.svg(
                title: "The ten most viewed pages, last \(days) days", bars: board.topPages.map { ($0.name, Double($0.views)) }, unit: ""),
            "requests": requests.formatted(),
            "meanTime": requests == 0 ? "no requests" : String(format: "%.1f ms", Double(board.sum(\.apiTimeMSSum)) / Double(requests)),
            "p95": board.p95ResponseMS.map { "\($0) ms" } ?? "fewer than 20 requests",
            "errorRate": percent(board.sum(\.apiErrors), of: requests, places: 2),
            "realTime": board.realTimeUsers == 1
                ? "1 member was active in the last five minutes."
                : "\(board.realTimeUsers.formatted()) members were active in the last five minutes.",
            "gaps": board.days.contains { $0 == nil },
        ]
    }
}
