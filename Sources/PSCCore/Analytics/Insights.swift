import Foundation

/// The insight sentences of 20-services §5.5, in their order, each only when its condition holds.
public enum Insights {
    public struct Figures: Sendable {
        public var days: Int
        public var newUsers = 0
        public var activeUsers = 0
        public var totalUsers = 0
        public var posts = 0
        public var scholarshipsAdded = 0
        public var jobsPosted = 0
        public var applications = 0
        public var previousApplications = 0
        public var closingSoon = 0
        public var inProgressClosingSoon = 0

        public init(days: Int) { self.days = days }
    }

    static func plural(_ count: Int, _ one: String, _ many: String) -> String { "\(count) \(count == 1 ? one : many)" }

    public static func sentences(_ figures: Figures) -> [String] {
        let days = figures.days
        let window = days == 1 ? "the last day" : "the last \(days) days"
        var sentences: [String] = []
        if figures.newUsers > 0 {
            sentences.append("\(plural(figures.newUsers, "new user", "new users")) joined in \(window).")
        }
        if figures.totalUsers > 0 {
            let rate = Double(figures.activeUsers) / Double(figures.totalUsers) * 100
            sentences.append("\(String(format: "%.1f", rate))% of users were active in \(window).")
        } else {
            sentences.append("Not enough data for an engagement rate yet.")
        }
        if figures.posts > 0 {
            sentences.append("\(plural(figures.posts, "post was", "posts were")) created in \(window).")
        }
        if figures.scholarshipsAdded > 0 {
            sentences.append("\(plural(figures.scholarshipsAdded, "new scholarship was", "new scholarships were")) added.")
        }
        if figures.jobsPosted > 0 {
            sentences.append("\(plural(figures.jobsPosted, "job was", "jobs were")) posted.")
        }
        if figures.applications > 0, figures.previousApplications > 0 {
            let change = abs(Double(figures.applications - figures.previousApplications)) / Double(figures.previousApplications) * 100
            let direction = figures.applications >= figures.previousApplications ? "up" : "down"
            let noun = plural(figures.applications, "scholarship application was", "scholarship applications were")
            let previous = days == 1 ? "the previous day" : "the previous \(days) days"
            sentences.append("\(noun) submitted, \(direction) \(String(format: "%.1f", change))% on \(previous).")
        }
        if figures.closingSoon > 0 {
            let closing = figures.closingSoon == 1 ? "1 scholarship closes" : "\(figures.closingSoon) scholarships close"
            let progress = plural(figures.inProgressClosingSoon, "application", "applications")
            sentences.append("\(closing) in the next 7 days with \(progress) still in progress.")
        }
        return sentences
    }
}
