import Foundation
import GRDB
import PSCCore

/// Deleting an account (USR-14): the request signs the person out everywhere and schedules the purge 30 days
/// later; signing in before then cancels it. The purge keeps the `users` row, anonymised (40-data: people are
/// never hard-deleted, so every foreign key stays valid), and removes or anonymises what the person made or left
/// behind, in one transaction, keeping every counter equal to the rows it counts.
public struct AccountPurge: Sendable {
    public static let grace: TimeInterval = 30 * 86400
    public static let jobKind = "account_purge"

    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public static func uniqueKey(userID: Int64) -> String { "purge:\(userID)" }

    /// USR-14 as one transaction: sessions and tokens end, the request is audited and the purge is scheduled after the
    /// grace period. Returns when the purge will run.
    public func requestDeletion(userID: Int64, origin: RequestOrigin, scheduling: PurgeScheduling) throws -> Date {
        let runAt = clock().addingTimeInterval(Self.grace)
        try store.write { db in
            try request(userID: userID, origin: origin, in: db)
            try scheduling.schedule(userID, runAt, db)
        }
        return runAt
    }

    /// USR-14, inside the caller's transaction (which also enqueues the purge job): sessions and tokens end at once.
    public func request(userID: Int64, origin: RequestOrigin, in db: GRDB.Database) throws {
        let stamp = Timestamp.string(from: clock())
        try db.execute(
            sql: "UPDATE sessions SET revoked_at = ?, revoked_reason = 'account_deletion' WHERE user_id = ? AND revoked_at IS NULL",
            arguments: [stamp, userID])
        try db.execute(sql: "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", arguments: [stamp, userID])
        try AuditLog.append(
            AuditEntry(
                occurredAt: clock(), actorUserID: userID, actorKind: .user, action: "account.deletion_requested", targetType: "user",
                targetID: String(userID), ipAddress: origin.ip, userAgent: origin.userAgent,
                details: ["purge_after": .string(Timestamp.string(from: clock().addingTimeInterval(Self.grace)))], severity: .warning),
            in: db)
    }

    /// What one purge removed, for the job's summary and the audit record.
    public struct Outcome: Sendable, Equatable {
        public var posts = 0
        public var comments = 0
        public var likes = 0
        public var connections = 0
        public var rsvps = 0
        public var uploads = 0
        public var applications = 0
        public init() {}
    }

    /// The purge itself. Idempotent: a second run finds an anonymised account and nothing of theirs left.
    public func purge(userID: Int64) throws -> Outcome {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            var outcome = Outcome()
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ?", arguments: [userID]) == true else { return outcome }

            // Likes and comments on other people's posts, with the posts' counters.
            try db.execute(
                sql: """
                    UPDATE posts SET like_count = like_count - 1 WHERE id IN (SELECT post_id FROM post_likes WHERE user_id = ?)
                        AND author_id <> ?1
                    """, arguments: [userID])
            try db.execute(sql: "DELETE FROM post_likes WHERE user_id = ?", arguments: [userID])
            outcome.likes = db.changesCount
            try db.execute(
                sql: """
                    UPDATE posts SET comment_count = comment_count - (SELECT count(*) FROM comments c WHERE c.post_id = posts.id
                        AND c.author_id = ?1 AND c.deleted_at IS NULL)
                    WHERE id IN (SELECT post_id FROM comments WHERE author_id = ?1 AND deleted_at IS NULL)
                    """, arguments: [userID])
            // Replies by others may point at these comments, so they stay as empty, deleted rows.
            try db.execute(
                sql: "UPDATE comments SET content = '', deleted_at = ? WHERE author_id = ? AND (deleted_at IS NULL OR content <> '')",
                arguments: [stamp, userID])
            outcome.comments = db.changesCount

            // Their posts go, with the likes and comments on them; reports about them are closed.
            let posts = try Int64.fetchAll(db, sql: "SELECT id FROM posts WHERE author_id = ?", arguments: [userID])
            for post in posts {
                try db.execute(
                    sql: """
                        UPDATE content_reports SET status = 'resolved', resolution = 'author account deleted', resolved_at = ?
                        WHERE status = 'open' AND ((target_type = 'post' AND target_id = ?)
                            OR (target_type = 'comment' AND target_id IN (SELECT id FROM comments WHERE post_id = ?2)))
                        """, arguments: [stamp, post])
                // Replies point at comments of the same post; unlink them so the cascade can remove the thread.
                try db.execute(sql: "UPDATE comments SET parent_id = NULL WHERE post_id = ?", arguments: [post])
                try db.execute(sql: "DELETE FROM posts WHERE id = ?", arguments: [post])
            }
            outcome.posts = posts.count

            // Connections and blocks in both directions.
            try db.execute(sql: "DELETE FROM connections WHERE requester_id = ?1 OR addressee_id = ?1", arguments: [userID])
            outcome.connections = db.changesCount
            try db.execute(sql: "DELETE FROM blocks WHERE blocker_id = ?1 OR blocked_id = ?1", arguments: [userID])

            // Places at events that have not started are given up; the first in line moves up, as in EVT-7.
            let places = try Int64.fetchAll(
                db,
                sql: """
                    SELECT r.event_id FROM event_rsvps r JOIN events e ON e.id = r.event_id
                    WHERE r.user_id = ? AND (e.start_time > ? OR r.status = 'waitlisted')
                    """, arguments: [userID, stamp])
            let events = EventStore(store: store, clock: clock)
            for eventID in places { try events.leave(eventID: eventID, userID: userID, in: db) }
            outcome.rsvps = places.count
            try db.execute(sql: "UPDATE event_feedback SET comment = NULL WHERE user_id = ?", arguments: [userID])

            // Applications (their résumés are theirs), then every file they uploaded.
            try db.execute(sql: "DELETE FROM job_applications WHERE user_id = ?", arguments: [userID])
            outcome.applications = db.changesCount
            // Scholarship applications go with their essays, letters and reviews; so do the essay library, the
            // general application, matches, and places on committees and donor lists.
            try db.execute(sql: "DELETE FROM scholarship_applications WHERE user_id = ?", arguments: [userID])
            outcome.applications += db.changesCount
            for table in ["essays", "general_applications", "scholarship_match_results", "scholarship_reviewers", "scholarship_donors"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [userID])
            }
            // Forum writing: their posts are emptied and hidden (replies may answer them), their threads hidden; votes,
            // follows and view marks go. Webinar places not yet used are given up; mentoring ends, and their
            // mentor and mentee profiles, pending requests and feedback comments go with it.
            try db.execute(
                sql: "UPDATE forum_posts SET content = '', deleted_at = coalesce(deleted_at, ?) WHERE author_id = ?",
                arguments: [stamp, userID])
            try db.execute(
                sql: "UPDATE forum_threads SET deleted_at = coalesce(deleted_at, ?) WHERE author_id = ?", arguments: [stamp, userID])
            for table in ["forum_votes", "forum_subscriptions", "forum_thread_views"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [userID])
            }
            try db.execute(
                sql: """
                    UPDATE webinars SET registered_count = max(0, registered_count - 1)
                    WHERE scheduled_at > ?1 AND id IN (SELECT webinar_id FROM webinar_registrations WHERE user_id = ?2)
                    """, arguments: [stamp, userID])
            try db.execute(
                sql:
                    "DELETE FROM webinar_registrations WHERE user_id = ? AND webinar_id IN (SELECT id FROM webinars WHERE scheduled_at > ?)",
                arguments: [userID, stamp])
            try db.execute(
                sql:
                    "UPDATE mentorship_requests SET status = 'withdrawn', responded_at = ?1 WHERE status = 'pending' AND ?2 IN (mentor_id, mentee_id)",
                arguments: [stamp, userID])
            try db.execute(
                sql: """
                    UPDATE mentorship_sessions SET status = 'cancelled', sequence = sequence + 1, updated_at = ?1
                    WHERE status = 'scheduled' AND mentorship_id IN (SELECT id FROM mentorships WHERE ?2 IN (mentor_id, mentee_id))
                    """, arguments: [stamp, userID])
            try db.execute(
                sql: """
                    UPDATE mentorships SET status = 'ended', ended_at = ?1, end_reason = 'account deleted'
                    WHERE status = 'active' AND ?2 IN (mentor_id, mentee_id)
                    """, arguments: [stamp, userID])
            try db.execute(sql: "UPDATE mentorship_feedback SET comment = NULL WHERE author_id = ?", arguments: [userID])
            for table in ["mentor_profiles", "mentee_profiles"] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [userID])
            }
            try db.execute(sql: "UPDATE users SET avatar_upload_id = NULL WHERE id = ?", arguments: [userID])
            try db.execute(sql: "DELETE FROM uploads WHERE owner_id = ?", arguments: [userID])
            outcome.uploads = db.changesCount

            // Their conversations go with them, for both people: a thread has only the two of them (messages and
            // participants follow the thread).
            try db.execute(
                sql: "DELETE FROM message_threads WHERE id IN (SELECT thread_id FROM thread_participants WHERE user_id = ?)",
                arguments: [userID])

            // Sign-in material and memberships.
            for table in [
                "sessions", "api_tokens", "totp_credentials", "recovery_codes", "webauthn_credentials", "auth_challenges",
                "one_time_tokens",
                "company_members", "notifications", "notification_preferences", "notification_settings", "push_devices",
                "deliveries",
            ] {
                try db.execute(sql: "DELETE FROM \(table) WHERE user_id = ?", arguments: [userID])
            }
            try db.execute(
                sql: "UPDATE capability_grants SET active = 0, revoked_at = ? WHERE user_id = ? AND active = 1", arguments: [stamp, userID])

            // The row stays, anonymised (20-services §6.3).
            try db.execute(
                sql: """
                    UPDATE users SET status = 'deleted', email = 'deleted-' || id || '@invalid', email_norm = 'deleted-' || id || '@invalid',
                        password_hash = NULL, first_name = 'Deleted', last_name = 'user', headline = NULL, bio = NULL, major = NULL,
                        degree = NULL, graduation_year = NULL, class_standing = NULL, enrollment_status = NULL, credit_hours = NULL,
                        state_of_residence = NULL, first_generation = NULL, financial_need = NULL, department_id = NULL, gpa_enc = NULL, phone_enc = NULL,
                        phone_verified = 0, student_number_hash = NULL, student_number_enc = NULL, skills = NULL, interests = NULL,
                        links = NULL, company = NULL, position = NULL, industry = NULL, location = NULL, calendar_token_hash = NULL,
                        privacy = NULL, company_id = NULL, directory_listed = 0, employer_visible = 0, deleted_at = ?, updated_at = ?1
                    WHERE id = ?
                    """, arguments: [stamp, userID])
            try AuditLog.append(
                AuditEntry(
                    occurredAt: clock(), actorKind: .system, action: "account.purged", targetType: "user", targetID: String(userID),
                    details: [
                        "posts": .int(Int64(outcome.posts)), "comments": .int(Int64(outcome.comments)),
                        "connections": .int(Int64(outcome.connections)), "uploads": .int(Int64(outcome.uploads)),
                    ], severity: .warning),
                in: db)
            return outcome
        }
    }
}

/// The purge runs as a queued job, and the queue sits above the store layer, so the composition root says how to
/// schedule and cancel it inside a transaction.
public struct PurgeScheduling: Sendable {
    public let schedule: @Sendable (_ userID: Int64, _ runAt: Date, _ db: GRDB.Database) throws -> Void
    /// True when a purge was pending and is now cancelled.
    public let cancel: @Sendable (_ userID: Int64, _ db: GRDB.Database) throws -> Bool

    public init(
        schedule: @escaping @Sendable (_ userID: Int64, _ runAt: Date, _ db: GRDB.Database) throws -> Void,
        cancel: @escaping @Sendable (_ userID: Int64, _ db: GRDB.Database) throws -> Bool
    ) {
        self.schedule = schedule
        self.cancel = cancel
    }
}
