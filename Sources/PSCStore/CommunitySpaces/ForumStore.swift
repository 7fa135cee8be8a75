import Foundation
import GRDB
import PSCCore

/// The forums (10-api §14), one scheme: categories with the roles that may use them → threads, whose opening text
/// is their first post → posts, nested by `parent_post_id` → votes. Callers check the category's roles with
/// ``ForumPolicy`` before calling; the store keeps the counters, the locks and the notices right.
public struct ForumStore: Sendable {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    // MARK: - Categories

    static let categorySelect = """
        SELECT c.*, (SELECT count(*) FROM forum_threads t WHERE t.category_id = c.id AND t.deleted_at IS NULL) AS thread_count,
            (SELECT max(last_activity_at) FROM forum_threads t WHERE t.category_id = c.id AND t.deleted_at IS NULL) AS last_activity_at
        FROM forum_categories c
        """

    /// Every category in display order; the caller keeps the ones the reader may see.
    public func categories() throws -> [ForumCategoryRecord] {
        try store.read { db in
            try ForumCategoryRecord.fetchAll(db, sql: "\(Self.categorySelect) ORDER BY c.display_order, c.name")
        }
    }

    /// The category without its counts (which read every thread of a busy category): what a permission check needs.
    static let categoryAlone = "SELECT c.*, 0 AS thread_count, NULL AS last_activity_at FROM forum_categories c"

    public func category(slug: String) throws -> ForumCategoryRecord? {
        try store.read { db in try ForumCategoryRecord.fetchOne(db, sql: "\(Self.categoryAlone) WHERE c.slug = ?", arguments: [slug]) }
    }

    public func category(id: Int64) throws -> ForumCategoryRecord? {
        try store.read { db in try Self.category(id: id, in: db) }
    }

    static func category(id: Int64, in db: Database) throws -> ForumCategoryRecord? {
        try ForumCategoryRecord.fetchOne(db, sql: "\(categorySelect) WHERE c.id = ?", arguments: [id])
    }

    static let slugTaken = CommunityError.conflict(code: "already_exists", message: "Another category has this slug.")

    public func createCategory(_ fields: ForumCategoryFields, audit: AuditEntry) throws -> ForumCategoryRecord {
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_categories WHERE slug = ?", arguments: [fields.slug]) != true else {
                throw Self.slugTaken
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO forum_categories (name, slug, description, icon, color, display_order, allowed_roles, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    fields.name, fields.slug, fields.description, fields.icon, fields.color, fields.displayOrder,
                    JSONList.text(fields.allowedRoles.map(\.rawValue)), stamp, stamp,
                ])
            let id = db.lastInsertedRowID
            try AuditLog.append(audit.targeting(id), in: db)
            guard let record = try Self.category(id: id, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    public func updateCategory(id: Int64, _ fields: ForumCategoryFields, audit: AuditEntry) throws -> ForumCategoryRecord {
        try store.write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_categories WHERE slug = ? AND id <> ?", arguments: [fields.slug, id])
                    != true
            else { throw Self.slugTaken }
            try db.execute(
                sql: """
                    UPDATE forum_categories SET name = ?, slug = ?, description = ?, icon = ?, color = ?, display_order = ?, allowed_roles = ?,
                        updated_at = ?
                    WHERE id = ?
                    """,
                arguments: [
                    fields.name, fields.slug, fields.description, fields.icon, fields.color, fields.displayOrder,
                    JSONList.text(fields.allowedRoles.map(\.rawValue)), Timestamp.string(from: clock()), id,
                ])
            guard db.changesCount > 0, let record = try Self.category(id: id, in: db) else { throw CommunityError.notFound }
            try AuditLog.append(audit.targeting(id), in: db)
            return record
        }
    }

    /// Only an empty category goes (threads, even deleted ones, keep their category).
    public func deleteCategory(id: Int64, audit: AuditEntry) throws {
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_categories WHERE id = ?", arguments: [id]) == true else {
                throw CommunityError.notFound
            }
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_threads WHERE category_id = ? LIMIT 1", arguments: [id]) != true else {
                throw CommunityError.conflict(code: "conflict", message: "The category still has threads; move or delete them first.")
            }
            try db.execute(sql: "DELETE FROM forum_categories WHERE id = ?", arguments: [id])
            try AuditLog.append(audit.targeting(id), in: db)
        }
    }

    // MARK: - Threads

    public enum ThreadSort: String, Sendable, CaseIterable { case activity, new, top, unanswered }

    static func threadSelect(viewer: Int64?) -> String {
        """
        SELECT t.*, c.slug AS category_slug, c.name AS category_name, c.allowed_roles AS category_roles,
            o.id AS opening_post_id, o.content AS opening_content,
            \(viewer.map { "EXISTS (SELECT 1 FROM forum_subscriptions s WHERE s.thread_id = t.id AND s.user_id = \($0))" } ?? "0") AS subscribed
        FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id
            JOIN forum_posts o ON o.thread_id = t.id AND o.is_opening = 1
        """
    }

    /// A category's threads, pinned first, then in the chosen order (FRM-3).
    public func threads(
        categoryID: Int64, sort: ThreadSort, tag: String?, limit: Int, offset: Int, viewer: Int64?
    ) throws -> [ForumThreadRecord] {
        var sql = "\(Self.threadSelect(viewer: viewer)) WHERE t.category_id = ? AND t.deleted_at IS NULL"
        var arguments: StatementArguments = [categoryID]
        if let tag {
            sql += " AND EXISTS (SELECT 1 FROM json_each(t.tags) WHERE value = ?)"
            arguments += [tag]
        }
        if sort == .unanswered { sql += " AND t.reply_count = 0" }
        let order =
            switch sort {
            case .activity: "t.last_activity_at DESC"
            case .new, .unanswered: "t.created_at DESC"
            case .top: "t.score DESC, t.last_activity_at DESC"
            }
        sql += " ORDER BY t.is_pinned DESC, \(order), t.id DESC LIMIT ? OFFSET ?"
        arguments += [limit, offset]
        let chosen = arguments
        return try store.read { db in try ForumThreadRecord.fetchAll(db, sql: sql, arguments: chosen) }
    }

    public func thread(id: Int64, viewer: Int64?) throws -> ForumThreadRecord? {
        try store.read { db in try Self.thread(id: id, viewer: viewer, in: db) }
    }

    static func thread(id: Int64, viewer: Int64?, in db: Database) throws -> ForumThreadRecord? {
        try ForumThreadRecord.fetchOne(db, sql: "\(threadSelect(viewer: viewer)) WHERE t.id = ? AND t.deleted_at IS NULL", arguments: [id])
    }

    /// FRM-4: the thread and its opening post in one write.
    public func createThread(categoryID: Int64, authorID: Int64, title: String, content: String, tags: [String]) throws -> ForumThreadRecord
    {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: """
                    INSERT INTO forum_threads (category_id, author_id, title, tags, last_activity_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [categoryID, authorID, title, JSONList.text(tags), stamp, stamp, stamp])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO forum_posts (thread_id, author_id, is_opening, content, created_at) VALUES (?, ?, 1, ?, ?)",
                arguments: [id, authorID, content, stamp])
            guard let record = try Self.thread(id: id, viewer: authorID, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// FRM-6 PATCH: the title, the tags, and the opening text (marked edited).
    public func updateThread(id: Int64, title: String?, content: String?, tags: [String]?, editor: Int64) throws -> ForumThreadRecord {
        try store.write { db in
            guard let current = try Self.thread(id: id, viewer: editor, in: db) else { throw CommunityError.notFound }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: "UPDATE forum_threads SET title = ?, tags = ?, updated_at = ? WHERE id = ?",
                arguments: [title ?? current.title, JSONList.text(tags ?? current.tags), stamp, id])
            if let content, content != current.content {
                try db.execute(
                    sql: "UPDATE forum_posts SET content = ?, edited_at = ? WHERE id = ?",
                    arguments: [content, stamp, current.openingPostID])
            }
            guard let record = try Self.thread(id: id, viewer: editor, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// FRM-6 DELETE: a soft delete; the thread leaves its category and the search index.
    public func deleteThread(id: Int64, audit: AuditEntry?) throws {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: "UPDATE forum_threads SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2 AND deleted_at IS NULL",
                arguments: [stamp, id])
            guard db.changesCount > 0 else { throw CommunityError.notFound }
            if let audit { try AuditLog.append(audit.targeting(id), in: db) }
        }
    }

    /// Counts a member's view once per hour (FRM-5).
    public func countView(threadID: Int64, userID: Int64) throws {
        let now = clock()
        let (stamp, hourAgo) = (Timestamp.string(from: now), Timestamp.string(from: now.addingTimeInterval(-3600)))
        // Most views repeat within the hour: a read answers those without taking the writer.
        let last = try store.read { db in
            try String.fetchOne(
                db, sql: "SELECT counted_at FROM forum_thread_views WHERE thread_id = ? AND user_id = ?", arguments: [threadID, userID])
        }
        if let last, last > hourAgo { return }
        try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO forum_thread_views (thread_id, user_id, counted_at) VALUES (?1, ?2, ?3)
                    ON CONFLICT (thread_id, user_id) DO UPDATE SET counted_at = ?3 WHERE counted_at <= ?4
                    """, arguments: [threadID, userID, stamp, hourAgo])
            if db.changesCount > 0 {
                try db.execute(sql: "UPDATE forum_threads SET views_count = views_count + 1 WHERE id = ?", arguments: [threadID])
            }
        }
    }

    /// FRM-10: pin, unpin, lock, unlock, or move to another category.
    public enum Moderation: Sendable, Equatable {
        case pin, unpin, lock, unlock
        case move(categoryID: Int64)
    }

    public func moderate(threadID: Int64, _ action: Moderation, audit: AuditEntry) throws {
        try store.write { db in
            let stamp = Timestamp.string(from: clock())
            let (sql, arguments): (String, StatementArguments) =
                switch action {
                case .pin: ("is_pinned = 1", [])
                case .unpin: ("is_pinned = 0", [])
                case .lock: ("is_locked = 1", [])
                case .unlock: ("is_locked = 0", [])
                case .move(let category): ("category_id = ?", [category])
                }
            if case .move(let category) = action,
                try Bool.fetchOne(db, sql: "SELECT 1 FROM forum_categories WHERE id = ?", arguments: [category]) != true
            {
                throw CommunityError.invalid(field: "category_id", message: "is not a category")
            }
            try db.execute(
                sql: "UPDATE forum_threads SET \(sql), updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                arguments: arguments + [stamp, threadID])
            guard db.changesCount > 0 else { throw CommunityError.notFound }
            try AuditLog.append(audit.targeting(threadID), in: db)
        }
    }

    /// FRM-11: a post of the thread as its best answer, or nil to clear it.
    public func solve(threadID: Int64, postID: Int64?) throws -> (isSolved: Bool, bestPostID: Int64?) {
        try store.write { db in
            if let postID {
                guard
                    try Bool.fetchOne(
                        db, sql: "SELECT 1 FROM forum_posts WHERE id = ? AND thread_id = ? AND deleted_at IS NULL AND is_opening = 0",
                        arguments: [postID, threadID]) == true
                else { throw CommunityError.invalid(field: "post_id", message: "must be a reply in this thread") }
            }
            try db.execute(
                sql: "UPDATE forum_threads SET is_solved = ?, best_post_id = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                arguments: [postID != nil, postID, Timestamp.string(from: clock()), threadID])
            guard db.changesCount > 0 else { throw CommunityError.notFound }
            return (postID != nil, postID)
        }
    }

    /// FRM-12: following is idempotent both ways.
    public func subscribe(threadID: Int64, userID: Int64, _ on: Bool) throws {
        try store.write { db in
            if on {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO forum_subscriptions (thread_id, user_id, created_at) VALUES (?, ?, ?)",
                    arguments: [threadID, userID, Timestamp.string(from: clock())])
            } else {
                try db.execute(sql: "DELETE FROM forum_subscriptions WHERE thread_id = ? AND user_id = ?", arguments: [threadID, userID])
            }
        }
    }

    // MARK: - Posts

    static func postSelect(viewer: Int64?) -> String {
        """
        SELECT p.*, coalesce((SELECT value FROM forum_votes v WHERE v.post_id = p.id AND v.user_id = \(viewer ?? 0)), 0) AS my_vote
        FROM forum_posts p
        """
    }

    /// A thread's posts oldest first, the opening post included, after the post id `after` (FRM-5's cursor).
    public func posts(threadID: Int64, after: Int64, limit: Int, viewer: Int64?) throws -> [ForumPostRecord] {
        try store.read { db in
            try ForumPostRecord.fetchAll(
                db,
                sql: "\(Self.postSelect(viewer: viewer)) WHERE p.thread_id = ? AND p.id > ? AND p.deleted_at IS NULL ORDER BY p.id LIMIT ?",
                arguments: [threadID, after, limit])
        }
    }

    public func post(id: Int64, viewer: Int64?) throws -> ForumPostRecord? {
        try store.read { db in try Self.post(id: id, viewer: viewer, in: db) }
    }

    static func post(id: Int64, viewer: Int64?, in db: Database) throws -> ForumPostRecord? {
        try ForumPostRecord.fetchOne(db, sql: "\(postSelect(viewer: viewer)) WHERE p.id = ? AND p.deleted_at IS NULL", arguments: [id])
    }

    static let locked = CommunityError.conflict(code: "thread_locked", message: "This thread is locked; it takes no new posts.")

    /// FRM-7: a reply, and `forum_reply` to the thread's author, the parent post's author and the followers, once
    /// each and never to the replier.
    public func reply(threadID: Int64, authorID: Int64, content: String, parentPostID: Int64?) throws -> ForumPostRecord {
        try store.write { db in
            guard let thread = try Self.thread(id: threadID, viewer: nil, in: db) else { throw CommunityError.notFound }
            guard !thread.isLocked else { throw Self.locked }
            var parentAuthor: Int64?
            if let parentPostID {
                parentAuthor = try Int64.fetchOne(
                    db, sql: "SELECT author_id FROM forum_posts WHERE id = ? AND thread_id = ? AND deleted_at IS NULL",
                    arguments: [parentPostID, threadID])
                guard parentAuthor != nil else {
                    throw CommunityError.invalid(field: "parent_post_id", message: "must be a post of this thread")
                }
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: "INSERT INTO forum_posts (thread_id, author_id, parent_post_id, content, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [threadID, authorID, parentPostID, content, stamp])
            let id = db.lastInsertedRowID
            try db.execute(
                sql: "UPDATE forum_threads SET reply_count = reply_count + 1, last_activity_at = ? WHERE id = ?",
                arguments: [stamp, threadID])
            let followers = try Int64.fetchAll(
                db, sql: "SELECT user_id FROM forum_subscriptions WHERE thread_id = ?", arguments: [threadID])
            var told: [Int64] = []
            for person in [thread.authorID] + [parentAuthor].compactMap({ $0 }) + followers
            where person != authorID && !told.contains(person) {
                told.append(person)
            }
            let name = try NotificationHub.name(of: authorID, in: db)
            let notice = Notice(
                .forumReply, title: "New reply in “\(thread.title)”",
                message: "\(name) replied: \(String(content.prefix(200)))", link: "/forums/t/\(threadID)#post-\(id)",
                data: ["thread_id": String(threadID), "post_id": String(id)])
            _ = try NotificationHub(store: store, clock: clock).notify(told, notice, in: db)
            guard let record = try Self.post(id: id, viewer: authorID, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// FRM-8 PATCH: new text, marked edited; a locked thread's posts stay as they are.
    public func editPost(id: Int64, content: String, editor: Int64) throws -> ForumPostRecord {
        try store.write { db in
            guard let post = try Self.post(id: id, viewer: editor, in: db),
                let thread = try Self.thread(id: post.threadID, viewer: nil, in: db)
            else { throw CommunityError.notFound }
            guard !thread.isLocked else { throw Self.locked }
            try db.execute(
                sql: "UPDATE forum_posts SET content = ?, edited_at = ? WHERE id = ?",
                arguments: [content, Timestamp.string(from: clock()), id])
            guard let record = try Self.post(id: id, viewer: editor, in: db) else { throw CommunityError.notFound }
            return record
        }
    }

    /// FRM-8 DELETE (and a moderator's hide): a soft delete; deleting the opening post deletes the thread.
    public func deletePost(id: Int64, audit: AuditEntry?) throws {
        try store.write { db in
            guard let post = try Self.post(id: id, viewer: nil, in: db),
                let thread = try Self.thread(id: post.threadID, viewer: nil, in: db)
            else { throw CommunityError.notFound }
            let stamp = Timestamp.string(from: clock())
            if post.isOpening {
                try db.execute(
                    sql: "UPDATE forum_threads SET deleted_at = ?1, updated_at = ?1 WHERE id = ?2", arguments: [stamp, thread.id])
            } else {
                guard !thread.isLocked || audit != nil else { throw Self.locked }
                try db.execute(sql: "UPDATE forum_posts SET deleted_at = ? WHERE id = ?", arguments: [stamp, id])
                try db.execute(
                    sql: """
                        UPDATE forum_threads SET reply_count = max(0, reply_count - 1),
                            is_solved = CASE WHEN best_post_id = ?1 THEN 0 ELSE is_solved END,
                            best_post_id = CASE WHEN best_post_id = ?1 THEN NULL ELSE best_post_id END
                        WHERE id = ?2
                        """, arguments: [id, thread.id])
            }
            if let audit { try AuditLog.append(audit.targeting(id), in: db) }
        }
    }

    /// FRM-9: +1 or −1, one per person and post, 0 removes it; the post's score (and for an opening post the
    /// thread's) follows in the same write.
    public func vote(postID: Int64, userID: Int64, value: Int) throws -> (score: Int, myVote: Int) {
        try store.write { db in
            guard let post = try Self.post(id: postID, viewer: userID, in: db) else { throw CommunityError.notFound }
            guard post.authorID != userID else { throw CommunityError.invalid(field: "value", message: "you cannot vote on your own post") }
            let stamp = Timestamp.string(from: clock())
            if value == 0 {
                try db.execute(sql: "DELETE FROM forum_votes WHERE post_id = ? AND user_id = ?", arguments: [postID, userID])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO forum_votes (post_id, user_id, value, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?4)
                        ON CONFLICT (post_id, user_id) DO UPDATE SET value = ?3, updated_at = ?4
                        """, arguments: [postID, userID, value, stamp])
            }
            let score =
                try Int.fetchOne(db, sql: "SELECT coalesce(sum(value), 0) FROM forum_votes WHERE post_id = ?", arguments: [postID]) ?? 0
            try db.execute(sql: "UPDATE forum_posts SET score = ? WHERE id = ?", arguments: [score, postID])
            if post.isOpening {
                try db.execute(sql: "UPDATE forum_threads SET score = ? WHERE id = ?", arguments: [score, post.threadID])
            }
            return (score, value)
        }
    }

    /// The category a post or thread belongs to, for the caller's permission check (nil when gone).
    public func categoryOf(postID: Int64) throws -> (thread: ForumThreadRecord, post: ForumPostRecord)? {
        try store.read { db in
            guard let post = try Self.post(id: postID, viewer: nil, in: db),
                let thread = try Self.thread(id: post.threadID, viewer: nil, in: db)
            else { return nil }
            return (thread, post)
        }
    }
}
