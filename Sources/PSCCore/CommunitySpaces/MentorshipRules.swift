import Foundation

/// The limits and timings of mentorship (10-api §16).
public enum MentorshipPolicy {
    /// Mentors are alumni, faculty or staff.
    public static let mentorRoles: Set<Role> = [.alumni, .faculty, .staff]
    public static func mayMentor(_ role: Role) -> Bool { mentorRoles.contains(role) }
    /// Pending requests a mentee may have at a time.
    public static let pendingLimit = 3
    /// A request expires this long after it was made.
    public static let requestLifetime: TimeInterval = 72 * 3600
    /// Session reminders go 24 hours and 1 hour before.
    public static let reminderOffsets: [Int] = [86_400, 3_600]
    /// A mentor's rating is shown from this many ratings.
    public static let ratingsShown = 3

    /// A request's status as every read and rule sees it: pending past its expiry reads `expired` even before the
    /// expiry job has recorded it.
    public static func effectiveStatus(_ stored: String, expiresAt: Date, now: Date) -> String {
        stored == "pending" && now >= expiresAt ? "expired" : stored
    }
}

/// What recommendations compare (MNT-2): the mentor's side.
public struct MentorFacts: Sendable {
    public let userID: Int64
    public let industries: [String]
    public let expertise: [String]
    public let major: String?
    public let departmentID: Int64?
    public let activeMentees: Int
    public let maxMentees: Int
    public let accepting: Bool
    public let rating: Double?

    public init(
        userID: Int64, industries: [String], expertise: [String], major: String?, departmentID: Int64?, activeMentees: Int,
        maxMentees: Int, accepting: Bool, rating: Double?
    ) {
        (self.userID, self.industries, self.expertise, self.major, self.departmentID) = (userID, industries, expertise, major, departmentID)
        (self.activeMentees, self.maxMentees, self.accepting, self.rating) = (activeMentees, maxMentees, accepting, rating)
    }

    public var hasRoom: Bool { accepting && activeMentees < maxMentees }
}

/// What recommendations compare: the mentee's side.
public struct MenteeFacts: Sendable {
    public let industries: [String]
    public let goals: String
    public let interests: [String]
    public let major: String?
    public let departmentID: Int64?

    public init(industries: [String], goals: String, interests: [String], major: String?, departmentID: Int64?) {
        (self.industries, self.goals, self.interests, self.major, self.departmentID) = (industries, goals, interests, major, departmentID)
    }
}

/// Ranking mentors for a mentee (10-api §16): shared industry 3 points, each area of expertise found in the goals
/// or interests 2 (at most 6), same major 2, same department 1; only mentors with room; ties by rating, then the
/// fewest active mentees, then the lower id so the order is stable.
public enum MentorRanking {
    public struct Ranked: Sendable {
        public let mentor: MentorFacts
        public let points: Int
        public let reasons: [String]
    }

    static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil).trimmingCharacters(in: .whitespaces)
    }

    public static func score(_ mentor: MentorFacts, for mentee: MenteeFacts) -> Ranked {
        var points = 0
        var reasons: [String] = []
        let wanted = Set(mentee.industries.map(folded))
        if let shared = mentor.industries.first(where: { wanted.contains(folded($0)) }) {
            points += 3
            reasons.append("Works in \(shared)")
        }
        let goals = folded(mentee.goals)
        let interests = Set(mentee.interests.map(folded))
        var expertisePoints = 0
        for area in mentor.expertise where expertisePoints < 6 {
            let key = folded(area)
            guard !key.isEmpty, interests.contains(key) || goals.contains(key) else { continue }
            expertisePoints += 2
            reasons.append("Knows \(area)")
        }
        points += expertisePoints
        if let major = mentee.major, let theirs = mentor.major, folded(major) == folded(theirs), !folded(major).isEmpty {
            points += 2
            reasons.append("Same major: \(theirs)")
        }
        if let department = mentee.departmentID, department == mentor.departmentID {
            points += 1
            reasons.append("Same department")
        }
        return Ranked(mentor: mentor, points: points, reasons: reasons)
    }

    public static func rank(_ mentors: [MentorFacts], for mentee: MenteeFacts, limit: Int) -> [Ranked] {
        mentors.filter(\.hasRoom).map { score($0, for: mentee) }
            .sorted { left, right in
                if left.points != right.points { return left.points > right.points }
                let (a, b) = (left.mentor.rating ?? 0, right.mentor.rating ?? 0)
                if a != b { return a > b }
                if left.mentor.activeMentees != right.mentor.activeMentees { return left.mentor.activeMentees < right.mentor.activeMentees }
                return left.mentor.userID < right.mentor.userID
            }
            .prefix(max(0, limit)).map { $0 }
    }
}
