import Foundation
import GRDB
import PSCCore

public struct ReportRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let reporterID: Int64
    public let targetType: String
    public let targetID: Int64
    public let reason: String
    public let detail: String?
    public let status: String
    public let resolution: String?
    public let createdAt: String
    /// Who wrote or owns the target (the member for a `user` report); nil when it is gone.
    public let ownerID: Int64?
    /// The target's text or title, for the queue's preview; nil when there is none to show (a private message).
    public let preview: String?
    /// The thread of a forum post, so the queue can link to it.
    public let threadID: Int64?
    /// Whether the target is already hidden or deleted.
    public let gone: Bool

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        reporterID = try row.decode(forColumn: "reporter_id")
        targetType = try row.decode(forColumn: "target_type")
        targetID = try row.decode(forColumn: "target_id")
        reason = try row.decode(forColumn: "reason")
        detail = try row.decode(forColumn: "detail")
        status = try row.decode(forColumn: "status")
        resolution = try row.decode(forColumn: "resolution")
        createdAt = try row.decode(forColumn: "created_at")
        ownerID = try row.decode(forColumn: "owner_id")
        preview = try row.decode(forColumn: "preview")
        threadID = try row.decode(forColumn: "thread_id")
        gone = try row.decode(forColumn: "gone")
    }
}

/// The moderation queue (ADM-10): reports of posts, comments, forum threads and posts, members, messages and job
/// postings with a preview of what was reported, and their resolution: dismiss, hide the content (a soft delete),
/// or warn its author. Suspension is an admin's account change, made by ``AccountAdministration``.
public struct ModerationStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    public static let actions = ["dismiss", "hide_content", "warn_user", "suspend_user"]

    static let select = """
        SELECT r.*,
            CASE r.target_type
                WHEN 'post' THEN (SELECT author_id FROM posts WHERE id = r.target_id)
                WHEN 'comment' THEN (SELECT author_id FROM comments WHERE id = r.target_id)
                WHEN 'forum_thread' THEN (SELECT author_id FROM forum_threads WHERE id = r.target_id)
                WHEN 'forum_post' THEN (SELECT author_id FROM forum_posts WHERE id = r.target_id)
                WHEN 'message' THEN (SELECT sender_id FROM messages WHERE id = r.target_id)
                WHEN 'job' THEN (SELECT posted_by FROM job_postings WHERE id = r.target_id)
                WHEN 'user' THEN r.target_id
            END AS owner_id,
            CASE r.target_type
                WHEN 'post' THEN (SELECT substr(content, 1, 400) FROM posts WHERE id = r.target_id)
                WHEN 'comment' THEN (SELECT substr(content, 1, 400) FROM comments WHERE id = r.target_id)
                WHEN 'forum_thread' THEN (SELECT title FROM forum_threads WHERE id = r.target_id)
                WHEN 'forum_post' THEN (SELECT substr(content, 1, 400) FROM forum_posts WHERE id = r.target_id)
                WHEN 'job' THEN (SELECT title FROM job_postings WHERE id = r.target_id)
                WHEN 'user' THEN (SELECT first_name || ' ' || last_name FROM users WHERE id = r.target_id)
            END AS preview,
            CASE r.target_type WHEN 'forum_post' THEN (SELECT thread_id FROM forum_posts WHERE id = r.target_id) END AS thread_id,
            CASE r.target_type
                WHEN 'post' THEN coalesce((SELECT deleted_at IS NOT NULL FROM posts WHERE id = r.target_id), 1)
                WHEN 'comment' THEN coalesce((SELECT deleted_at IS NOT NULL FROM comments WHERE id = r.target_id), 1)
                WHEN 'forum_thread' THEN coalesce((SELECT deleted_at IS NOT NULL FROM forum_threads WHERE id = r.target_id), 1)
                WHEN 'forum_post' THEN coalesce((SELECT deleted_at IS NOT NULL FROM forum_posts WHERE id = r.target_id), 1)
                ELSE 0
            END AS gone
        FROM content_reports r
        """

    /// Open reports oldest first (the queue), or resolved ones newest first.
    public func reports(open: Bool, limit: Int, offset: Int) throws -> [ReportRecord] {
        try store.read { db in
            try ReportRecord.fetchAll(
                db,
                sql: open
                    ? "\(Self.select) WHERE r.status = 'open' ORDER BY r.created_at, r.id LIMIT ? OFFSET ?"
                    : "\(Self.select) WHERE r.status <> 'open' ORDER BY r.resolved_at DESC, r.id DESC LIMIT ? OFFSET ?",
                arguments: [limit, offset])
        }
    }

    public func report(id: Int64) throws -> ReportRecord? {
        try store.read { db in try ReportRecord.fetchOne(db, sql: "\(Self.select) WHERE r.id = ?", arguments: [id]) }
    }

    /// Resolves an open report (and every other open report of the same target) with the action taken. Hiding is a
    /// soft delete of a post, comment, forum thread or forum post; a warning reaches the author through the hub on
    /// the account channel, which nobody can turn off.
    public func resolve(id: Int64, action: String, note: String?, resolverID: Int64, audit: AuditEntry) throws -> ReportRecord {
        try store.write { db in
            guard let report = try ReportRecord.fetchOne(db, sql: "\(Self.select) WHERE r.id = ?", arguments: [id]) else {
                throw CommunityError.notFound
            }
            guard report.status == "open" else {
                throw CommunityError.conflict(code: "invalid_state", message: "This report is already \(report.status).")
            }
            let stamp = Timestamp.string(from: clock())
            switch action {
            case "hide_content":
                let table: String? =
                    ["post": "posts", "comment": "comments", "forum_thread": "forum_threads", "forum_post": "forum_posts"][
                        report.targetType]
                guard let table else {
                    throw CommunityError.invalid(field: "action", message: "only posts, comments and forum content can be hidden")
                }
                try db.execute(
                    sql: "UPDATE \(table) SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", arguments: [stamp, report.targetID])
                if report.targetType == "comment", db.changesCount > 0 {
                    try db.execute(
                        sql:
                            "UPDATE posts SET comment_count = max(0, comment_count - 1) WHERE id = (SELECT post_id FROM comments WHERE id = ?)",
                        arguments: [report.targetID])
                }
                if report.targetType == "forum_post", db.changesCount > 0, let thread = report.threadID {
                    try db.execute(sql: "UPDATE forum_threads SET reply_count = max(0, reply_count - 1) WHERE id = ?", arguments: [thread])
                }
            case "warn_user":
                guard let owner = report.ownerID else { throw CommunityError.invalid(field: "action", message: "the author is gone") }
                let what =
                    [
                        "post": "post", "comment": "comment", "forum_thread": "forum thread", "forum_post": "forum post",
                        "message": "message",
                        "job": "job posting", "user": "profile",
                    ][report.targetType] ?? "content"
                _ = try NotificationHub(store: store, clock: clock).notify(
                    owner,
                    Notice(
                        .accountVerification, title: "A warning from the moderators",
                        message:
                            "Your \(what) was reported for \(report.reason.replacingOccurrences(of: "_", with: " ")) and a moderator agreed. "
                            + (note.map { "Their note: \($0) " } ?? "")
                            + "Please follow the community guidelines; repeated problems can suspend an account.",
                        link: "/notifications"), in: db)
            default: break
            }
            let resolution = action == "dismiss" ? "dismissed" : "resolved"
            try db.execute(
                sql: """
                    UPDATE content_reports SET status = ?, resolver_id = ?, resolution = ?, resolved_at = ?
                    WHERE status = 'open' AND target_type = ? AND target_id = ?
                    """,
                arguments: [resolution, resolverID, action + (note.map { ": \($0)" } ?? ""), stamp, report.targetType, report.targetID])
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try ReportRecord.fetchOne(db, sql: "\(Self.select) WHERE r.id = ?", arguments: [id]) else {
                throw CommunityError.notFound
            }
            return record
        }
    }
}
