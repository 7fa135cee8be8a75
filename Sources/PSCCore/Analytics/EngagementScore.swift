/// The engagement score of 20-services §5.3: per user, over the last 30 days, each component's count times its points,
/// capped, summed to 0..100.
public enum EngagementScore {
    public enum Component: String, CaseIterable, Sendable {
        case activeDays = "active_days", posts, comments, eventCheckins = "event_checkins", applications, connections
        case mentorshipSessions = "mentorship_sessions"

        public var points: Int {
            switch self {
            case .activeDays: 2
            case .posts: 3
            case .comments: 1
            case .eventCheckins, .applications, .mentorshipSessions: 5
            case .connections: 1
            }
        }

        public var cap: Int {
            switch self {
            case .activeDays: 30
            case .posts, .eventCheckins, .applications: 15
            case .comments, .mentorshipSessions: 10
            case .connections: 5
            }
        }
    }

    public struct Part: Sendable, Equatable {
        public let component: Component
        public let count: Int
        public let points: Int
    }

    public static let windowDays = 30

    /// The parts in the table's order and their sum; a missing count is 0.
    public static func score(_ counts: [Component: Int]) -> (score: Int, parts: [Part]) {
        let parts = Component.allCases.map { component in
            let count = max(0, counts[component] ?? 0)
            return Part(component: component, count: count, points: min(component.cap, count * component.points))
        }
        return (parts.reduce(0) { $0 + $1.points }, parts)
    }
}
