import Foundation
import GRDB
import PSCCore

public enum PostError: Error, Equatable {
    case notFound
    case forbidden
    case blocked
    case duplicateReport
}

public struct PostRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let authorID: Int64
    public let content: String
    public let visibility: String
    public let departmentID: Int64?
    public let likeCount: Int
    public let commentCount: Int
    public let tags: [String]
    public let likedByViewer: Bool
    public let createdAt: String
    public let updatedAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        authorID = try row.decode(forColumn: "author_id")
        content = try row.decode(forColumn: "content")
        visibility = try row.decode(forColumn: "visibility")
        departmentID = try row.decode(forColumn: "department_id")
        likeCount = try row.decode(forColumn: "like_count")
        commentCount = try row.decode(forColumn: "comment_count")
        tags =
            (try row.decode(forColumn: "tags") as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        likedByViewer = (try row.decode(forColumn: "liked_by_viewer") as Bool?) ?? false
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }
}

public struct CommentRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let postID: Int64
    public let authorID: Int64
    public let parentID: Int64?
    public let content: String
    public let createdAt: String

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        postID = try row.decode(forColumn: "post_id")
        authorID = try row.decode(forColumn: "author_id")
        parentID = try row.decode(forColumn: "parent_id")
        content = try row.decode(forColumn: "content")
        createdAt = try row.decode(forColumn: "created_at")
    }
}

/// Posts, likes, comments and reports (10-api §6). Who may see a post is decided by one SQL condition,
/// ``visibleSQL(viewer:)``, used by the feed, a single post, a member's posts and the comments alike.
public struct PostStore: Sendable, NotifyingStore {
    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    /// A signed-in viewer (id and department) or nobody.
    public struct Reader: Sendable {
        public let userID: Int64?
        public let departmentID: Int64?
        public init(userID: Int64?, departmentID: Int64?) {
            self.userID = userID
            self.departmentID = departmentID
        }
    }

    /// True for a live post by an active author that the reader may see: public to everyone; members to any
    /// member; connections to the author's connections; department to that department's members; all to the author;
    /// nothing across a block.
    static func visibleSQL(_ reader: Reader) -> String {
        guard let viewer = reader.userID else {
            return "(p.deleted_at IS NULL AND p.visibility = 'public' AND (SELECT status FROM users WHERE id = p.author_id) = 'active')"
        }
        let department = reader.departmentID.map(String.init) ?? "NULL"
        return """
            (p.deleted_at IS NULL AND (p.author_id = \(viewer) OR (
                (SELECT status FROM users WHERE id = p.author_id) = 'active'
                AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = \(viewer) AND b.blocked_id = p.author_id)
                    OR (b.blocker_id = p.author_id AND b.blocked_id = \(viewer)))
                AND (p.visibility IN ('public', 'members')
                    OR (p.visibility = 'connections' AND EXISTS (SELECT 1 FROM connections c WHERE c.user_low = min(p.author_id, \(viewer))
                        AND c.user_high = max(p.author_id, \(viewer)) AND c.status = 'accepted'))
                    OR (p.visibility = 'department' AND p.department_id = \(department))))))
            """
    }

    static func selectSQL(_ reader: Reader) -> String {
        "SELECT p.*, " + (reader.userID.map { "EXISTS (SELECT 1 FROM post_likes l WHERE l.post_id = p.id AND l.user_id = \($0))" } ?? "0")
            + " AS liked_by_viewer FROM posts p"
    }

    public func create(authorID: Int64, content: String, visibility: String, departmentID: Int64?, tags: [String]) throws -> Int64 {
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            try db.execute(
                sql: """
                    INSERT INTO posts (author_id, content, visibility, department_id, tags, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?6, ?6)
                    """,
                arguments: [authorID, content, visibility, departmentID, JSONValue.array(tags.map(JSONValue.string)).canonicalText, stamp])
            return db.lastInsertedRowID
        }
    }

    public func post(id: Int64, reader: Reader) throws -> PostRecord? {
        try store.read { db in try post(id: id, reader: reader, in: db) }
    }

    func post(id: Int64, reader: Reader, in db: GRDB.Database) throws -> PostRecord? {
        try PostRecord.fetchOne(db, sql: Self.selectSQL(reader) + " WHERE p.id = ? AND \(Self.visibleSQL(reader))", arguments: [id])
    }

    /// PST-1: the reader's own posts, their connections', their department's and public posts, newest first.
    public func feed(reader: Reader, beforeID: Int64?, limit: Int) throws -> [PostRecord] {
        guard let viewer = reader.userID else { return [] }
        let department = reader.departmentID.map(String.init) ?? "NULL"
        return try store.read { db in
            try PostRecord.fetchAll(
                db,
                sql: Self.selectSQL(reader) + """
                     WHERE p.id < ? AND \(Self.visibleSQL(reader)) AND (
                        p.author_id = \(viewer) OR p.visibility = 'public' OR p.department_id = \(department)
                        OR EXISTS (SELECT 1 FROM connections c WHERE c.user_low = min(p.author_id, \(viewer))
                            AND c.user_high = max(p.author_id, \(viewer)) AND c.status = 'accepted'))
                    ORDER BY p.id DESC LIMIT ?
                    """,
                arguments: [beforeID ?? Int64.max, limit])
        }
    }

    /// USR-18: one member's posts that the reader may see.
    public func posts(by authorID: Int64, reader: Reader, beforeID: Int64?, limit: Int) throws -> [PostRecord] {
        try store.read { db in
            try PostRecord.fetchAll(
                db,
                sql: Self.selectSQL(reader)
                    + " WHERE p.author_id = ? AND p.id < ? AND \(Self.visibleSQL(reader)) ORDER BY p.id DESC LIMIT ?",
                arguments: [authorID, beforeID ?? Int64.max, limit])
        }
    }

    /// PST-4: the author changes content or visibility.
    /// PST-4: only the author edits; a post the editor cannot see is "not found", so an answer never tells that it
    /// exists.
    public func update(id: Int64, editor: Reader, content: String?, visibility: String?, departmentID: Int64??) throws {
        try store.write { db in
            guard let post = try post(id: id, reader: editor, in: db) else { throw PostError.notFound }
            guard post.authorID == editor.userID else { throw PostError.forbidden }
            try db.execute(
                sql: """
                    UPDATE posts SET content = coalesce(?, content), visibility = coalesce(?, visibility),
                        department_id = CASE WHEN ? THEN ? ELSE department_id END, updated_at = ? WHERE id = ?
                    """,
                arguments: [content, visibility, departmentID != nil, departmentID ?? nil, Timestamp.string(from: clock()), id])
        }
    }

    /// PST-5: a soft delete by the author or a moderator; the comments go with it.
    public func delete(id: Int64, by userID: Int64, moderator: Bool) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT author_id FROM posts WHERE id = ? AND deleted_at IS NULL", arguments: [id])
            else {
                throw PostError.notFound
            }
            let author: Int64 = try row.decode(forColumn: "author_id")
            guard moderator || author == userID else { throw PostError.notFound }
            try db.execute(sql: "UPDATE posts SET deleted_at = ?, updated_at = ? WHERE id = ?", arguments: [stamp, stamp, id])
            try db.execute(sql: "UPDATE comments SET deleted_at = ? WHERE post_id = ? AND deleted_at IS NULL", arguments: [stamp, id])
            if moderator, (try row.decode(forColumn: "author_id") as Int64) != userID {
                try AuditLog.append(
                    AuditEntry(
                        occurredAt: clock(), actorUserID: userID, actorKind: .user, action: "content.moderated", targetType: "post",
                        targetID: String(id), details: ["action": "deleted"], severity: .warning),
                    in: db)
            }
        }
    }

    /// PST-6 and PST-7: idempotent; the counter changes in the same transaction as the like.
    public func setLike(postID: Int64, reader: Reader, liked: Bool) throws -> Int {
        guard let userID = reader.userID else { throw PostError.notFound }
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            guard try post(id: postID, reader: reader, in: db) != nil else { throw PostError.notFound }
            if liked {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO post_likes (post_id, user_id, created_at) VALUES (?, ?, ?)",
                    arguments: [postID, userID, stamp])
                if db.changesCount == 1 {
                    try db.execute(sql: "UPDATE posts SET like_count = like_count + 1 WHERE id = ?", arguments: [postID])
                }
            } else {
                try db.execute(sql: "DELETE FROM post_likes WHERE post_id = ? AND user_id = ?", arguments: [postID, userID])
                if db.changesCount == 1 {
                    try db.execute(sql: "UPDATE posts SET like_count = like_count - 1 WHERE id = ?", arguments: [postID])
                }
            }
            return try Int.fetchOne(db, sql: "SELECT like_count FROM posts WHERE id = ?", arguments: [postID]) ?? 0
        }
    }

    // MARK: - Comments

    public func comments(postID: Int64, reader: Reader, afterID: Int64?, limit: Int) throws -> [CommentRecord] {
        try store.read { db in
            guard try post(id: postID, reader: reader, in: db) != nil else { throw PostError.notFound }
            let blockFilter =
                reader.userID.map {
                    """
                     AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = \($0) AND b.blocked_id = k.author_id)
                        OR (b.blocker_id = k.author_id AND b.blocked_id = \($0)))
                    """
                } ?? ""
            return try CommentRecord.fetchAll(
                db,
                sql:
                    "SELECT k.* FROM comments k WHERE k.post_id = ? AND k.deleted_at IS NULL AND k.id > ?\(blockFilter) ORDER BY k.id LIMIT ?",
                arguments: [postID, afterID ?? 0, limit])
        }
    }

    public func addComment(postID: Int64, reader: Reader, content: String, parentID: Int64?) throws -> CommentRecord {
        guard let userID = reader.userID else { throw PostError.notFound }
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            if let author = try Int64.fetchOne(
                db, sql: "SELECT author_id FROM posts WHERE id = ? AND deleted_at IS NULL", arguments: [postID]),
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM blocks WHERE (blocker_id = ?1 AND blocked_id = ?2) OR (blocker_id = ?2 AND blocked_id = ?1)",
                    arguments: [author, userID]) == true
            {
                throw PostError.blocked
            }
            guard try post(id: postID, reader: reader, in: db) != nil else { throw PostError.notFound }
            if let parentID,
                try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM comments WHERE id = ? AND post_id = ? AND deleted_at IS NULL", arguments: [parentID, postID])
                    != true
            {
                throw PostError.notFound
            }
            guard
                let comment = try CommentRecord.fetchOne(
                    db,
                    sql: "INSERT INTO comments (post_id, author_id, parent_id, content, created_at) VALUES (?, ?, ?, ?, ?) RETURNING *",
                    arguments: [postID, userID, parentID, content, stamp])
            else { throw PostError.notFound }
            try db.execute(sql: "UPDATE posts SET comment_count = comment_count + 1 WHERE id = ?", arguments: [postID])
            if let author = try Int64.fetchOne(db, sql: "SELECT author_id FROM posts WHERE id = ?", arguments: [postID]), author != userID {
                try hub.notify(
                    [author],
                    .init(
                        .newComment, title: "New comment",
                        message: "\(try NotificationHub.name(of: userID, in: db)) commented on your post.",
                        link: "/posts/\(postID)"),
                    in: db)
            }
            return comment
        }
    }

    /// PST-10: by the comment's author, the post's author or a moderator.
    public func deleteComment(id: Int64, by userID: Int64, moderator: Bool) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT k.author_id, k.post_id, p.author_id AS post_author FROM comments k JOIN posts p ON p.id = k.post_id
                        WHERE k.id = ? AND k.deleted_at IS NULL AND p.deleted_at IS NULL
                        """,
                    arguments: [id])
            else { throw PostError.notFound }
            let (author, postAuthor): (Int64, Int64) = (try row.decode(forColumn: "author_id"), try row.decode(forColumn: "post_author"))
            guard moderator || author == userID || postAuthor == userID else {
                throw PostError.notFound
            }
            try db.execute(sql: "UPDATE comments SET deleted_at = ? WHERE id = ?", arguments: [stamp, id])
            try db.execute(
                sql: "UPDATE posts SET comment_count = comment_count - 1 WHERE id = ?",
                arguments: [try row.decode(forColumn: "post_id") as Int64])
        }
    }

    // MARK: - Reports

    /// PST-11 for the targets that exist so far (posts, comments, members, forum threads and posts); one open report per
    /// reporter and target.
    /// PST-11. A post or comment the reporter cannot see is "not found", like one that does not exist.
    public func report(reporter: Reader, targetType: String, targetID: Int64, reason: String, detail: String?) throws -> Int64 {
        guard let reporterID = reporter.userID else { throw PostError.notFound }
        let table: String
        switch targetType {
        case "post": table = "posts"
        case "comment": table = "comments"
        case "user": table = "users"
        case "forum_thread": table = "forum_threads"
        case "forum_post": table = "forum_posts"
        default: throw PostError.notFound
        }
        let stamp = Timestamp.string(from: clock())
        return try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM \(table) WHERE id = ?", arguments: [targetID]) == true else {
                throw PostError.notFound
            }
            let postID: Int64? =
                switch targetType {
                case "post": targetID
                case "comment":
                    try Int64.fetchOne(db, sql: "SELECT post_id FROM comments WHERE id = ? AND deleted_at IS NULL", arguments: [targetID])
                default: nil
                }
            if targetType.hasPrefix("forum_") {
                // A forum thread or post reads as missing when deleted or in a category the reporter's role may not use.
                let thread =
                    targetType == "forum_thread"
                    ? targetID
                    : try Int64.fetchOne(
                        db, sql: "SELECT thread_id FROM forum_posts WHERE id = ? AND deleted_at IS NULL", arguments: [targetID])
                let roles = try thread.flatMap {
                    try String.fetchOne(
                        db,
                        sql: """
                            SELECT c.allowed_roles FROM forum_threads t JOIN forum_categories c ON c.id = t.category_id
                            WHERE t.id = ? AND t.deleted_at IS NULL
                            """, arguments: [$0])
                }
                let role = try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = ?", arguments: [reporterID]).flatMap(Role.init)
                let reader = role.map { Actor(userID: reporterID, role: $0) }
                guard let roles, ForumPolicy.mayRead(allowedRoles: JSONList.strings(roles).compactMap(Role.init), reader) else {
                    throw PostError.notFound
                }
            } else if targetType != "user", try postID.flatMap({ try post(id: $0, reader: reporter, in: db) }) == nil {
                throw PostError.notFound
            }
            do {
                try db.execute(
                    sql: """
                        INSERT INTO content_reports (reporter_id, target_type, target_id, reason, detail, status, created_at)
                        VALUES (?, ?, ?, ?, ?, 'open', ?)
                        """,
                    arguments: [reporterID, targetType, targetID, reason, detail, stamp])
            } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw PostError.duplicateReport
            }
            return db.lastInsertedRowID
        }
    }
}
