import Foundation
import GRDB
import PSCCore

/// An application as stored, with what its checklist needs.
public struct ScholarshipApplicationRecord: Sendable {
    public struct Essay: Sendable {
        public let index: Int
        public let text: String
        public let wordCount: Int
        public let updatedAt: String
    }

    public struct Recommendation: Sendable {
        public let id: Int64
        public let recommenderName: String
        public let status: String
        public let uploadID: Int64?
        public let receivedAt: String?
    }

    public let id: Int64
    public let scholarship: ScholarshipRecord
    public let userID: Int64
    public let cycle: String
    public let status: String
    public let answers: [String: String]
    public let transcriptUploadID: Int64?
    public let progressPercentage: Int
    public let submittedAt: String?
    public let decisionMessage: String?
    public let awardedAmountCents: Int64?
    public let decidedAt: String?
    public let awardAccepted: Bool?
    public let shareWithDonor: Bool
    public let thankYouUploadID: Int64?
    public let createdAt: String
    public let updatedAt: String
    public let essays: [Essay]
    public let recommendations: [Recommendation]

    public var lettersReceived: Int { recommendations.filter { $0.status == "received" }.count }

    public var checklist: ApplicationChecklist {
        ApplicationChecklist(
            questions: scholarship.questions, answers: answers, prompts: scholarship.prompts,
            essayWordCounts: Dictionary(uniqueKeysWithValues: essays.map { ($0.index, $0.wordCount) }),
            lettersRequired: scholarship.numRecommendations, lettersReceived: lettersReceived,
            transcriptRequired: scholarship.transcriptRequired, transcriptSubmitted: transcriptUploadID != nil)
    }

    /// The decision, once there is one (awarded, declined or waitlisted).
    public var decided: Bool { ["awarded", "declined", "waitlisted"].contains(status) }
}

/// Applying for scholarships (SCH-9..20, 27..29): one application per student, scholarship and cycle, its checklist
/// kept in `progress_percentage`; essays, letters and transcripts; submission and withdrawal; the essay library and
/// the general application, whose write recomputes the student's matches in the same transaction.
public struct ScholarshipApplicationStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date
    let matches: ScholarshipMatchStore
    let uploads: UploadStore

    public init(store: Store, matches: ScholarshipMatchStore, uploads: UploadStore, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.matches = matches
        self.uploads = uploads
        self.clock = clock
    }

    /// Recommendation links are sent as a delivery of this batch (the request's id follows the colon).
    public static let letterBatch = "recommendation"

    public func application(id: Int64) throws -> ScholarshipApplicationRecord? { try store.read { db in try application(id: id, in: db) } }

    static func application(id: Int64, in db: GRDB.Database) throws -> ScholarshipApplicationRecord? {
        guard let row = try Row.fetchOne(db, sql: "SELECT * FROM scholarship_applications WHERE id = ?", arguments: [id]),
            let scholarship = try ScholarshipRecord.fetchOne(
                db, sql: ScholarshipRecord.selectSQL + " WHERE s.id = ?", arguments: [try row.decode(forColumn: "scholarship_id") as Int64])
        else { return nil }
        let essays = try Row.fetchAll(
            db,
            sql: "SELECT prompt_index, text, word_count, updated_at FROM application_essays WHERE application_id = ? ORDER BY prompt_index",
            arguments: [id]
        ).map {
            ScholarshipApplicationRecord.Essay(
                index: try $0.decode(forColumn: "prompt_index"), text: try $0.decode(forColumn: "text"),
                wordCount: try $0.decode(forColumn: "word_count"), updatedAt: try $0.decode(forColumn: "updated_at"))
        }
        let letters = try Row.fetchAll(
            db,
            sql: """
                SELECT id, recommender_name, status, upload_id, received_at FROM recommendation_requests
                WHERE application_id = ? AND status <> 'cancelled' ORDER BY id
                """, arguments: [id]
        ).map {
            ScholarshipApplicationRecord.Recommendation(
                id: try $0.decode(forColumn: "id"), recommenderName: try $0.decode(forColumn: "recommender_name"),
                status: try $0.decode(forColumn: "status"), uploadID: try $0.decode(forColumn: "upload_id"),
                receivedAt: try $0.decode(forColumn: "received_at"))
        }
        return ScholarshipApplicationRecord(
            id: id, scholarship: scholarship, userID: try row.decode(forColumn: "user_id"), cycle: try row.decode(forColumn: "cycle"),
            status: try row.decode(forColumn: "status"),
            answers: ScholarshipJSON.answers(try row.decode(forColumn: "answers")),
            transcriptUploadID: try row.decode(forColumn: "transcript_upload_id"),
            progressPercentage: try row.decode(forColumn: "progress_percentage"), submittedAt: try row.decode(forColumn: "submitted_at"),
            decisionMessage: try row.decode(forColumn: "decision_message"),
            awardedAmountCents: try row.decode(forColumn: "awarded_amount_cents"), decidedAt: try row.decode(forColumn: "decided_at"),
            awardAccepted: try row.decode(forColumn: "award_accepted"),
            shareWithDonor: try row.decode(forColumn: "share_with_donor"),
            thankYouUploadID: try row.decode(forColumn: "thank_you_upload_id"), createdAt: try row.decode(forColumn: "created_at"),
            updatedAt: try row.decode(forColumn: "updated_at"), essays: essays, recommendations: letters)
    }

    func application(id: Int64, in db: GRDB.Database) throws -> ScholarshipApplicationRecord? { try Self.application(id: id, in: db) }

    /// Keeps `progress_percentage` in step with the checklist after any change to the application or its scholarship.
    static func refreshProgress(applicationID: Int64, in db: GRDB.Database) throws {
        guard let application = try application(id: applicationID, in: db) else { return }
        try db.execute(
            sql: "UPDATE scholarship_applications SET progress_percentage = ? WHERE id = ?",
            arguments: [application.checklist.progressPercentage, applicationID])
    }

    static func refreshProgress(scholarshipID: Int64, in db: GRDB.Database) throws {
        for id in try Int64.fetchAll(
            db, sql: "SELECT id FROM scholarship_applications WHERE scholarship_id = ? AND status = 'in_progress'",
            arguments: [scholarshipID])
        {
            try refreshProgress(applicationID: id, in: db)
        }
    }

    /// SCH-9: the existing application of this cycle, or a new one with the general application's answers copied.
    public func start(scholarshipID: Int64, userID: Int64) throws -> (id: Int64, created: Bool) {
        try store.write { db in
            guard
                let scholarship = try ScholarshipRecord.fetchOne(
                    db, sql: ScholarshipRecord.selectSQL + " WHERE s.id = ?", arguments: [scholarshipID]),
                scholarship.status != "draft"
            else { throw ScholarshipError.notFound }
            if let id = try Self.applicationID(scholarshipID: scholarshipID, userID: userID, cycle: scholarship.cycle, in: db) {
                return (id, false)
            }
            guard scholarship.applicationMethod == "internal" else { throw ScholarshipError.notInternal }
            guard scholarship.status == "open" else { throw ScholarshipError.notOpen }
            guard !ScholarshipCalendar.isPast(deadline: scholarship.deadline, at: clock()) else { throw ScholarshipError.deadlinePassed }
            let general = ScholarshipJSON.answers(
                try String.fetchOne(db, sql: "SELECT answers FROM general_applications WHERE user_id = ?", arguments: [userID]))
            let keys = Set(scholarship.questions.map(\.key))
            let copied = general.filter { keys.contains($0.key) }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO scholarship_applications (scholarship_id, user_id, cycle, status, answers, progress_percentage, created_at, updated_at)
                    VALUES (?, ?, ?, 'in_progress', ?, 0, ?, ?)
                    """, arguments: [scholarshipID, userID, scholarship.cycle, ScholarshipJSON.text(copied), stamp, stamp])
            let id = db.lastInsertedRowID
            try Self.refreshProgress(applicationID: id, in: db)
            return (id, true)
        }
    }

    /// The student's application to the scholarship in that cycle (one at most, by the unique index).
    static func applicationID(scholarshipID: Int64, userID: Int64, cycle: String, in db: GRDB.Database) throws -> Int64? {
        try Int64.fetchOne(
            db, sql: "SELECT id FROM scholarship_applications WHERE scholarship_id = ? AND user_id = ? AND cycle = ?",
            arguments: [scholarshipID, userID, cycle])
    }

    /// The student's application to this scholarship in its current cycle, if they started one.
    public func application(scholarship: ScholarshipRecord, userID: Int64) throws -> ScholarshipApplicationRecord? {
        try store.read { db in
            try Self.applicationID(scholarshipID: scholarship.id, userID: userID, cycle: scholarship.cycle, in: db).flatMap {
                try Self.application(id: $0, in: db)
            }
        }
    }

    /// SCH-10: the caller's applications, newest first.
    public func applications(userID: Int64, status: String?, limit: Int, offset: Int) throws -> [ScholarshipApplicationRecord] {
        try store.read { db in
            try Int64.fetchAll(
                db,
                sql: """
                    SELECT id FROM scholarship_applications WHERE user_id = ? AND (?2 IS NULL OR status = ?2)
                    ORDER BY updated_at DESC, id DESC LIMIT ? OFFSET ?
                    """, arguments: [userID, status, limit, offset]
            ).compactMap { try application(id: $0, in: db) }
        }
    }

    /// The application, if it is the caller's and still a draft; throws otherwise.
    func draft(_ id: Int64, owner: Int64, in db: GRDB.Database) throws -> ScholarshipApplicationRecord {
        guard let application = try application(id: id, in: db), application.userID == owner else { throw ScholarshipError.notFound }
        guard application.status == "in_progress" else { throw ScholarshipError.submitted }
        guard application.scholarship.status != "archived" else { throw ScholarshipError.notOpen }
        return application
    }

    func touch(_ id: Int64, in db: GRDB.Database) throws {
        try db.execute(
            sql: "UPDATE scholarship_applications SET updated_at = ? WHERE id = ?", arguments: [Timestamp.string(from: clock()), id])
        try Self.refreshProgress(applicationID: id, in: db)
    }

    /// SCH-12: answers merged over the current ones; keys must be the scholarship's questions; an empty text clears.
    public func setAnswers(_ id: Int64, owner: Int64, answers: [String: String]) throws {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            let keys = Set(application.scholarship.questions.map(\.key))
            let unknown = answers.keys.filter { !keys.contains($0) }.sorted()
            if !unknown.isEmpty { throw ScholarshipError.unknownKeys(unknown) }
            var merged = application.answers
            for (key, value) in answers {
                let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
                merged[key] = trimmed.isEmpty ? nil : trimmed
            }
            try db.execute(
                sql: "UPDATE scholarship_applications SET answers = ? WHERE id = ?", arguments: [ScholarshipJSON.text(merged), id])
            try touch(id, in: db)
        }
    }

    /// SCH-13: one essay of the application, typed or copied from the caller's library.
    public func putEssay(_ id: Int64, owner: Int64, index: Int, text: String?, libraryEssayID: Int64?) throws -> (
        wordCount: Int, withinLimits: Bool
    ) {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            // A comparison, not a range: a scholarship without prompts would make `1...0`, which traps.
            guard index >= 1, index <= application.scholarship.prompts.count else { throw ScholarshipError.notFound }
            var body = text
            if let libraryEssayID {
                guard
                    let content = try String.fetchOne(
                        db, sql: "SELECT content FROM essays WHERE id = ? AND user_id = ?", arguments: [libraryEssayID, owner])
                else { throw ScholarshipError.invalid(["essay_id": ["must be one of your essays"]]) }
                body = content
            }
            guard let body, !body.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ScholarshipError.invalid(["text": ["is required"]])
            }
            let words = WordCount.of(body)
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO application_essays (application_id, prompt_index, text, word_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
                    ON CONFLICT (application_id, prompt_index) DO UPDATE SET text = excluded.text, word_count = excluded.word_count,
                        updated_at = excluded.updated_at
                    """, arguments: [id, index, body, words, stamp, stamp])
            try touch(id, in: db)
            return (words, application.scholarship.prompts[index - 1].accepts(words: words))
        }
    }

    /// SCH-14: asks a recommender; the email with the upload link is queued in the same transaction (its token is
    /// made when the email is written, so none waits in the queue).
    public func requestRecommendation(
        _ id: Int64, owner: Int64, ownEmail: String, name: String, email: String, relationship: String?, message: String?
    ) throws -> Int64 {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            guard email.lowercased() != ownEmail.lowercased() else {
                throw ScholarshipError.invalid(["recommender_email": ["must not be your own address"]])
            }
            guard application.scholarship.numRecommendations > 0,
                application.recommendations.count < application.scholarship.numRecommendations
            else { throw ScholarshipError.tooManyLetters }
            guard !ScholarshipCalendar.isPast(deadline: application.scholarship.deadline, at: clock()) else {
                throw ScholarshipError.deadlinePassed
            }
            let stamp = Timestamp.string(from: clock())
            let expires = ScholarshipCalendar.deadlineInstant(application.scholarship.deadline) ?? clock()
            try db.execute(
                sql: """
                    INSERT INTO recommendation_requests (application_id, recommender_name, recommender_email, relationship, message, token_hash,
                        status, expires_at, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, 'requested', ?, ?)
                    """,
                arguments: [
                    id, name, email, relationship, message, SecureToken.sha256(SecureToken.random()), Timestamp.string(from: expires),
                    stamp,
                ])
            let requestID = db.lastInsertedRowID
            try db.execute(
                sql: """
                    INSERT INTO deliveries (user_id, channel, purpose, batch_id, priority, status, attempts, queued_at)
                    VALUES (?, 'email', 'operational', ?, 'high', 'queued', 0, ?)
                    """, arguments: [owner, "\(Self.letterBatch):\(requestID)", stamp])
            try store.outbox.enqueue([DeliveryJob(deliveryID: db.lastInsertedRowID, channel: .email, priority: .high, runAt: nil)], in: db)
            try touch(id, in: db)
            return requestID
        }
    }

    /// What the recommendation email needs, with a fresh single-use token; nil once the request is settled.
    public struct LetterInvitation: Sendable {
        public let token: String
        public let recommenderName: String
        public let recommenderEmail: String
        public let studentName: String
        public let scholarshipTitle: String
        public let deadline: String
        public let message: String?
    }

    public func issueLetterToken(requestID: Int64) throws -> LetterInvitation? {
        try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT r.recommender_name, r.recommender_email, r.message, r.expires_at, u.first_name || ' ' || u.last_name AS student,
                            s.title, s.deadline
                        FROM recommendation_requests r JOIN scholarship_applications a ON a.id = r.application_id
                            JOIN users u ON u.id = a.user_id JOIN scholarships s ON s.id = a.scholarship_id
                        WHERE r.id = ? AND r.status = 'requested' AND r.expires_at > ?
                        """, arguments: [requestID, Timestamp.string(from: clock())])
            else { return nil }
            let token = SecureToken.random()
            try db.execute(
                sql: "UPDATE recommendation_requests SET token_hash = ? WHERE id = ?", arguments: [SecureToken.sha256(token), requestID])
            return LetterInvitation(
                token: token, recommenderName: try row.decode(forColumn: "recommender_name"),
                recommenderEmail: try row.decode(forColumn: "recommender_email"),
                studentName: try row.decode(forColumn: "student"), scholarshipTitle: try row.decode(forColumn: "title"),
                deadline: try row.decode(forColumn: "deadline"), message: try row.decode(forColumn: "message"))
        }
    }

    /// SCH-15: the link is voided; a received letter stays.
    public func cancelRecommendation(_ id: Int64, owner: Int64, requestID: Int64) throws {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            guard let letter = application.recommendations.first(where: { $0.id == requestID }) else { throw ScholarshipError.notFound }
            guard letter.status == "requested" else { throw ScholarshipError.letterReceived }
            try db.execute(
                sql: "UPDATE recommendation_requests SET status = 'cancelled', token_hash = ? WHERE id = ?",
                arguments: [SecureToken.sha256(SecureToken.random()), requestID])
            try touch(id, in: db)
        }
    }

    public struct LetterRequest: Sendable {
        public let id: Int64
        public let applicationID: Int64
        public let applicantID: Int64
        public let studentName: String
        public let scholarshipTitle: String
        public let deadline: String
        public let status: String
        public let recommenderName: String
    }

    /// SCH-16: the request a token opens (even after it was used, so the recommender sees "received").
    public func letterRequest(token: String) throws -> LetterRequest? {
        try store.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT r.id, r.application_id, a.user_id, r.status, r.recommender_name,
                        u.first_name || ' ' || u.last_name AS student, s.title, s.deadline
                    FROM recommendation_requests r JOIN scholarship_applications a ON a.id = r.application_id
                        JOIN users u ON u.id = a.user_id JOIN scholarships s ON s.id = a.scholarship_id
                    WHERE r.token_hash = ? AND r.status <> 'cancelled'
                    """, arguments: [SecureToken.sha256(token)]
            ).map {
                LetterRequest(
                    id: try $0.decode(forColumn: "id"), applicationID: try $0.decode(forColumn: "application_id"),
                    applicantID: try $0.decode(forColumn: "user_id"), studentName: try $0.decode(forColumn: "student"),
                    scholarshipTitle: try $0.decode(forColumn: "title"), deadline: try $0.decode(forColumn: "deadline"),
                    status: try $0.decode(forColumn: "status"), recommenderName: try $0.decode(forColumn: "recommender_name"))
            }
        }
    }

    /// SCH-17: the letter is stored sealed, attached to its request; the student is told one arrived, never what it says.
    public func receiveLetter(token: String, pdf: Data, originalName: String?, recommenderName: String?) throws {
        try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT r.id, r.status, r.application_id, a.user_id, a.status AS application_status, s.title, s.deadline
                        FROM recommendation_requests r JOIN scholarship_applications a ON a.id = r.application_id
                            JOIN scholarships s ON s.id = a.scholarship_id
                        WHERE r.token_hash = ? AND r.status <> 'cancelled'
                        """, arguments: [SecureToken.sha256(token)])
            else { throw ScholarshipError.notFound }
            let (requestID, applicationID, applicant): (Int64, Int64, Int64) = (
                try row.decode(forColumn: "id"), try row.decode(forColumn: "application_id"), try row.decode(forColumn: "user_id")
            )
            guard try row.decode(forColumn: "status") as String == "requested" else { throw ScholarshipError.letterReceived }
            guard !ScholarshipCalendar.isPast(deadline: try row.decode(forColumn: "deadline"), at: clock()) else {
                throw ScholarshipError.deadlinePassed
            }
            let upload = try uploads.create(
                ownerID: applicant, kind: "recommendation", contentType: "application/pdf", data: pdf, originalName: originalName,
                attachedTo: ("recommendation_requests", requestID), in: db)
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    UPDATE recommendation_requests SET status = 'received', upload_id = ?, received_at = ?,
                        recommender_name = coalesce(?, recommender_name) WHERE id = ?
                    """, arguments: [upload.id, stamp, recommenderName, requestID])
            try touch(applicationID, in: db)
            try hub.notify(
                applicant,
                Notice(
                    .applicationStatus, title: "A recommendation letter arrived",
                    message: "A letter for your application to “\(try row.decode(forColumn: "title") as String)” was received.",
                    link: "/applications/\(applicationID)", data: ["application_id": String(applicationID)]), in: db)
        }
    }

    /// SCH-18: the transcript, one of the caller's own unattached `transcript` uploads.
    public func setTranscript(_ id: Int64, owner: Int64, uploadID: Int64) throws {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            guard try UploadStore.attach(uploadID, owner: owner, kind: "transcript", to: "scholarship_applications", id, in: db) else {
                throw ScholarshipError.badUpload("upload_id")
            }
            if let previous = application.transcriptUploadID, previous != uploadID {
                try db.execute(sql: "UPDATE uploads SET attached_type = NULL, attached_id = NULL WHERE id = ?", arguments: [previous])
            }
            try db.execute(sql: "UPDATE scholarship_applications SET transcript_upload_id = ? WHERE id = ?", arguments: [uploadID, id])
            try touch(id, in: db)
        }
    }

    /// SCH-19: every checklist item done and the deadline not passed; the application is then locked.
    public func submit(_ id: Int64, owner: Int64) throws {
        try store.write { db in
            let application = try draft(id, owner: owner, in: db)
            guard !ScholarshipCalendar.isPast(deadline: application.scholarship.deadline, at: clock()) else {
                throw ScholarshipError.deadlinePassed
            }
            let checklist = application.checklist
            guard checklist.isComplete else { throw ScholarshipError.incomplete(checklist.unfinished) }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql:
                    "UPDATE scholarship_applications SET status = 'submitted', submitted_at = ?, updated_at = ?, progress_percentage = 100 WHERE id = ?",
                arguments: [stamp, stamp, id])
            try hub.notify(
                owner,
                Notice(
                    .applicationSubmitted, title: "Application submitted",
                    message: "Your application to “\(application.scholarship.title)” is in. Decisions are shared here.",
                    link: "/applications/\(id)", data: ["application_id": String(id)]), in: db)
        }
    }

    /// SCH-20: before a decision and before the deadline.
    public func withdraw(_ id: Int64, owner: Int64) throws {
        try store.write { db in
            guard let application = try application(id: id, in: db), application.userID == owner else { throw ScholarshipError.notFound }
            guard !application.decided, application.status != "withdrawn" else { throw ScholarshipError.alreadyDecided }
            guard !ScholarshipCalendar.isPast(deadline: application.scholarship.deadline, at: clock()) else {
                throw ScholarshipError.deadlinePassed
            }
            try db.execute(
                sql: "UPDATE scholarship_applications SET status = 'withdrawn', updated_at = ? WHERE id = ?",
                arguments: [Timestamp.string(from: clock()), id])
        }
    }

    /// SCH-27: accepting (or not) an award, with a thank-you letter and the donor-sharing choice.
    public func answerAward(_ id: Int64, owner: Int64, accept: Bool, thankYouUploadID: Int64?, shareWithDonor: Bool?) throws
        -> ScholarshipApplicationRecord
    {
        try store.write { db in
            guard let application = try Self.application(id: id, in: db), application.userID == owner else {
                throw ScholarshipError.notFound
            }
            guard application.status == "awarded" else { throw ScholarshipError.notAwarded }
            if let thankYouUploadID {
                guard
                    try UploadStore.attach(
                        thankYouUploadID, owner: owner, kind: "document", to: "scholarship_applications.thank_you", id, in: db)
                else { throw ScholarshipError.badUpload("thank_you_upload_id") }
            }
            try db.execute(
                sql: """
                    UPDATE scholarship_applications SET award_accepted = ?, thank_you_upload_id = coalesce(?, thank_you_upload_id),
                        share_with_donor = coalesce(?, share_with_donor), updated_at = ? WHERE id = ?
                    """, arguments: [accept, thankYouUploadID, shareWithDonor, Timestamp.string(from: clock()), id])
            guard let answered = try Self.application(id: id, in: db) else { throw ScholarshipError.notFound }
            return answered
        }
    }

    // MARK: The general application (SCH-29) and the essay library (SCH-28)

    public func generalApplication(userID: Int64) throws -> (answers: [String: String], updatedAt: String?) {
        try store.read { db in
            let row = try Row.fetchOne(
                db, sql: "SELECT answers, updated_at FROM general_applications WHERE user_id = ?", arguments: [userID])
            return (
                ScholarshipJSON.answers(try row?.decode(String.self, forColumn: "answers")),
                try row?.decode(String.self, forColumn: "updated_at")
            )
        }
    }

    /// Replaces the answers and recomputes the student's matches in the same write.
    public func setGeneralApplication(userID: Int64, answers: [String: String]) throws -> String {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO general_applications (user_id, answers, created_at, updated_at) VALUES (?, ?, ?, ?)
                    ON CONFLICT (user_id) DO UPDATE SET answers = excluded.answers, updated_at = excluded.updated_at
                    """, arguments: [userID, ScholarshipJSON.text(answers), stamp, stamp])
            try matches.recompute(userID: userID, in: db)
            return stamp
        }
    }

    public struct LibraryEssay: Sendable {
        public let id: Int64
        public let title: String
        public let prompt: String?
        public let content: String
        public let wordCount: Int
        public let isPublic: Bool
        public let updatedAt: String
    }

    static func libraryEssay(_ row: Row) throws -> LibraryEssay {
        LibraryEssay(
            id: try row.decode(forColumn: "id"), title: try row.decode(forColumn: "title"), prompt: try row.decode(forColumn: "prompt"),
            content: try row.decode(forColumn: "content"), wordCount: try row.decode(forColumn: "word_count"),
            isPublic: try row.decode(forColumn: "is_public"), updatedAt: try row.decode(forColumn: "updated_at"))
    }

    public func essays(userID: Int64) throws -> [LibraryEssay] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM essays WHERE user_id = ? ORDER BY updated_at DESC, id DESC", arguments: [userID]).map(
                Self.libraryEssay)
        }
    }

    public func essay(id: Int64, owner: Int64) throws -> LibraryEssay? {
        try store.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM essays WHERE id = ? AND user_id = ?", arguments: [id, owner]).map {
                try Self.libraryEssay($0)
            }
        }
    }

    /// At most this many essays per person.
    public static let libraryLimit = 200

    public func saveEssay(id: Int64?, owner: Int64, title: String, prompt: String?, content: String, isPublic: Bool) throws -> LibraryEssay
    {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            let words = WordCount.of(content)
            if let id {
                try db.execute(
                    sql:
                        "UPDATE essays SET title = ?, prompt = ?, content = ?, word_count = ?, is_public = ?, updated_at = ? WHERE id = ? AND user_id = ?",
                    arguments: [title, prompt, content, words, isPublic, stamp, id, owner])
                guard db.changesCount == 1 else { throw ScholarshipError.notFound }
            } else {
                let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM essays WHERE user_id = ?", arguments: [owner]) ?? 0
                guard count < Self.libraryLimit else {
                    throw ScholarshipError.invalid(["title": ["your library holds \(Self.libraryLimit) essays; delete one first"]])
                }
                try db.execute(
                    sql:
                        "INSERT INTO essays (user_id, title, prompt, content, word_count, is_public, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [owner, title, prompt, content, words, isPublic, stamp, stamp])
            }
            let saved = id ?? db.lastInsertedRowID
            return try Row.fetchOne(db, sql: "SELECT * FROM essays WHERE id = ?", arguments: [saved]).map { try Self.libraryEssay($0) }!
        }
    }

    public func deleteEssay(id: Int64, owner: Int64) throws {
        try store.write { db in
            try db.execute(sql: "DELETE FROM essays WHERE id = ? AND user_id = ?", arguments: [id, owner])
            guard db.changesCount == 1 else { throw ScholarshipError.notFound }
        }
    }
}
