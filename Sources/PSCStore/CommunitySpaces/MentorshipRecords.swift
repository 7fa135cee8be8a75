import Foundation
import GRDB
import PSCCore

public struct MentorProfileRecord: Sendable, FetchableRecord {
    public let userID: Int64
    public let expertise: [String]
    public let industries: [String]
    public let bio: String?
    public let maxMentees: Int
    public let isAccepting: Bool
    public let availability: String?
    public let ratingSum: Int
    public let ratingCount: Int
    public let currentMentees: Int
    public let major: String?
    public let departmentID: Int64?

    public init(row: Row) throws {
        userID = try row.decode(forColumn: "user_id")
        expertise = JSONList.strings(try row.decode(forColumn: "expertise"))
        industries = JSONList.strings(try row.decode(forColumn: "industries"))
        bio = try row.decode(forColumn: "bio")
        maxMentees = try row.decode(forColumn: "max_mentees")
        isAccepting = try row.decode(forColumn: "is_accepting_mentees")
        availability = try row.decode(forColumn: "availability")
        ratingSum = try row.decode(forColumn: "rating_sum")
        ratingCount = try row.decode(forColumn: "rating_count")
        currentMentees = try row.decode(forColumn: "current_mentees")
        major = try row.decode(forColumn: "major")
        departmentID = try row.decode(forColumn: "department_id")
    }

    /// The mean of mentees' ratings, shown from three ratings on (one voice is not a rating).
    public var rating: Double? {
        ratingCount >= MentorshipPolicy.ratingsShown ? (Double(ratingSum) / Double(ratingCount) * 10).rounded() / 10 : nil
    }

    public var facts: MentorFacts {
        MentorFacts(
            userID: userID, industries: industries, expertise: expertise, major: major, departmentID: departmentID,
            activeMentees: currentMentees, maxMentees: maxMentees, accepting: isAccepting, rating: rating)
    }
}

public struct MentorProfileFields: Sendable {
    public var expertise: [String]
    public var industries: [String]
    public var bio: String?
    public var maxMentees: Int
    public var isAccepting: Bool
    public var availability: String?

    public init(
        expertise: [String], industries: [String] = [], bio: String? = nil, maxMentees: Int = 3, isAccepting: Bool = true,
        availability: String? = nil
    ) {
        (self.expertise, self.industries, self.bio, self.maxMentees, self.isAccepting, self.availability) =
            (expertise, industries, bio, maxMentees, isAccepting, availability)
    }
}

public struct MenteeProfileRecord: Sendable, FetchableRecord {
    public let goals: String
    public let interests: [String]
    public let preferredIndustries: [String]

    public init(row: Row) throws {
        goals = try row.decode(forColumn: "goals")
        interests = JSONList.strings(try row.decode(forColumn: "interests"))
        preferredIndustries = JSONList.strings(try row.decode(forColumn: "preferred_industries"))
    }
}

public struct MentorshipRequestRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let mentorID: Int64
    public let menteeID: Int64
    public let message: String
    public let goals: String?
    /// As every reader sees it: a pending request past its expiry is `expired`.
    public let status: String
    public let expiresAt: String
    public let respondedAt: String?
    public let responseMessage: String?
    public let createdAt: String
    public let mentorshipID: Int64?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        mentorID = try row.decode(forColumn: "mentor_id")
        menteeID = try row.decode(forColumn: "mentee_id")
        message = try row.decode(forColumn: "message")
        goals = try row.decode(forColumn: "goals")
        status = try row.decode(forColumn: "effective_status")
        expiresAt = try row.decode(forColumn: "expires_at")
        respondedAt = try row.decode(forColumn: "responded_at")
        responseMessage = try row.decode(forColumn: "response_message")
        createdAt = try row.decode(forColumn: "created_at")
        mentorshipID = try row.decode(forColumn: "mentorship_id")
    }
}

public struct MentorshipRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let mentorID: Int64
    public let menteeID: Int64
    public let status: String
    public let startedAt: String
    public let endedAt: String?
    public let sessionsCompleted: Int

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        mentorID = try row.decode(forColumn: "mentor_id")
        menteeID = try row.decode(forColumn: "mentee_id")
        status = try row.decode(forColumn: "status")
        startedAt = try row.decode(forColumn: "started_at")
        endedAt = try row.decode(forColumn: "ended_at")
        sessionsCompleted = try row.decode(forColumn: "sessions_completed")
    }

    public func other(than userID: Int64) -> Int64 { userID == mentorID ? menteeID : mentorID }
}

public struct MentorSessionRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let mentorshipID: Int64
    public let mentorID: Int64
    public let menteeID: Int64
    public let scheduledAt: String
    public let durationMinutes: Int
    public let status: String
    public let meetingLink: String?
    public let agenda: String?
    public let notes: String?
    public let actionItems: [String]
    public let sequence: Int
    public let mentorshipStatus: String
    /// Whether the reader has given feedback on it.
    public let myFeedback: Bool

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        mentorshipID = try row.decode(forColumn: "mentorship_id")
        mentorID = try row.decode(forColumn: "mentor_id")
        menteeID = try row.decode(forColumn: "mentee_id")
        scheduledAt = try row.decode(forColumn: "scheduled_at")
        durationMinutes = try row.decode(forColumn: "duration_minutes")
        status = try row.decode(forColumn: "status")
        meetingLink = try row.decode(forColumn: "meeting_link")
        agenda = try row.decode(forColumn: "agenda")
        notes = try row.decode(forColumn: "notes")
        actionItems = JSONList.strings(try row.decode(forColumn: "action_items"))
        sequence = try row.decode(forColumn: "sequence")
        mentorshipStatus = try row.decode(forColumn: "mentorship_status")
        myFeedback = try row.decode(forColumn: "my_feedback")
    }

    public var start: Date { Timestamp.date(from: scheduledAt) ?? .distantPast }
}
