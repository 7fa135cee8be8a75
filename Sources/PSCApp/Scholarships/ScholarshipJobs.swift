import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The scholarship hub's background work: `match_recompute` for a scholarship that opened or changed its rules
/// (30-jobs §4), job 8 `deadline_reminders` (30-jobs), and the recommender's email with its single-use link.
enum ScholarshipJobs {
    static let matchKind = "match_recompute"

    struct MatchPayload: Codable, Sendable {
        let scholarshipID: Int64
        enum CodingKeys: String, CodingKey { case scholarshipID = "scholarship_id" }
    }

    static func matchRequest(scholarshipID: Int64) throws -> JobRequest {
        try JobRequest(
            kind: matchKind, queue: "default", payload: MatchPayload(scholarshipID: scholarshipID), maxAttempts: 3,
            uniqueKey: "match:s:\(scholarshipID)")
    }

    static func matchHandler(platform: Platform) -> JobHandler {
        let matches = platform.scholarships.matches
        return JobHandler(kind: matchKind, lease: .seconds(600), timeout: .seconds(540)) { job in
            let payload = try job.decodePayload(MatchPayload.self)
            _ = try await Offload.background { try matches.recompute(scholarshipID: payload.scholarshipID) }
        }
    }

    /// Job 8 at 09:00 Chicago, caught up until 21:00 the same day.
    static func reminderSchedule(platform: Platform) throws -> ScheduledJob {
        let reminders = DeadlineReminders(store: platform.store)
        return try ScheduledJob(name: "deadline_reminders", cron: "0 9 * * *", catchUp: 12 * 3600, timeout: .seconds(1200), maxAttempts: 3) {
            _ in
            let sent = try await Offload.background { try reminders.run() }
            return ["reminders": .int(Int64(sent.scholarships)), "job_reminders": .int(Int64(sent.postings))]
        }
    }

    /// The recommender's email: the letter link is made as the mail is written; nil once the request is settled.
    static func letterEmail(requestID: Int64, platform: Platform, origin: String, from: String) throws -> MailMessage? {
        guard let invitation = try platform.scholarships.applications.issueLetterToken(requestID: requestID) else { return nil }
        let link = "\(origin)/recommendations/\(invitation.token)"
        let note = invitation.message.map { "\n\nTheir note to you:\n\($0)" } ?? ""
        let text = """
            Hello \(invitation.recommenderName),

            \(invitation.studentName) asked you for a recommendation letter for “\(invitation.scholarshipTitle)” on PittState Connect.\(note)

            Upload your letter as a PDF by \(invitation.deadline) (the end of that day, Central time) here; no account is needed and the link works once:

            \(link)

            The student never sees the letter. If you do not know this student, you can ignore this email.
            """
        var paragraphs = [
            "Hello \(invitation.recommenderName),",
            "\(invitation.studentName) asked you for a recommendation letter for “\(invitation.scholarshipTitle)”.",
        ]
        if let message = invitation.message { paragraphs.append("Their note to you: \(message)") }
        paragraphs.append(
            "Upload your letter as a PDF by \(invitation.deadline) (the end of that day, Central time). No account is needed; the link works once and the student never sees the letter."
        )
        return MailMessage(
            from: from, to: invitation.recommenderEmail, subject: "Recommendation letter for \(invitation.studentName)", text: text,
            html: AccountEmails.html(
                title: "A recommendation request", paragraphs: paragraphs, link: link, button: "Upload my letter",
                footer: "You received this because a student named you as their recommender."))
    }
}
