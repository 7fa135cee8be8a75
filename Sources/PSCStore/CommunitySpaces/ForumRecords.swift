import Foundation
import GRDB
import PSCCore

public struct ForumCategoryRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let name: String
    public let slug: String
    public let description: String?
    public let icon: String?
    public let color: String?
    public let displayOrder: Int
    public let allowedRoles: [String]
    public let threadCount: Int
    public let lastActivityAt: String?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        name = try row.decode(forColumn: "name")
        slug = try row.decode(forColumn: "slug")
        description = try row.decode(forColumn: "description")
        icon = try row.decode(forColumn: "icon")
        color = try row.decode(forColumn: "color")
        displayOrder = try row.decode(forColumn: "display_order")
        allowedRoles = JSONList.strings(try row.decode(forColumn: "allowed_roles"))
        threadCount = try row.decode(forColumn: "thread_count")
        lastActivityAt = try row.decode(forColumn: "last_activity_at")
    }

    public var roles: [Role] { allowedRoles.compactMap(Role.init(rawValue:)) }
}

/// FRM-2's fields.
public struct ForumCategoryFields: Sendable {
    public var name: String
    public var slug: String
    public var description: String?
    public var icon: String?
    public var color: String?
    public var displayOrder: Int
    public var allowedRoles: [Role]

    public init(
        name: String, slug: String, description: String? = nil, icon: String? = nil, color: String? = nil, displayOrder: Int = 0,
        allowedRoles: [Role] = []
    ) {
        (self.name, self.slug, self.description, self.icon, self.color) = (name, slug, description, icon, color)
        (self.displayOrder, self.allowedRoles) = (displayOrder, allowedRoles)
    }
}

public struct ForumThreadRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let categoryID: Int64
    public let categorySlug: String
    public let categoryName: String
    public let categoryRoles: [Role]
    public let authorID: Int64
    public let title: String
    public let content: String
    public let openingPostID: Int64
    public let tags: [String]
    public let isPinned: Bool
    public let isLocked: Bool
    public let isSolved: Bool
    public let bestPostID: Int64?
    public let score: Int
    public let viewsCount: Int
    public let replyCount: Int
    public let lastActivityAt: String
    public let createdAt: String
    /// Whether the reader follows it (false for anonymous readers).
    public let subscribed: Bool

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        categoryID = try row.decode(forColumn: "category_id")
        categorySlug = try row.decode(forColumn: "category_slug")
        categoryName = try row.decode(forColumn: "category_name")
        categoryRoles = JSONList.strings(try row.decode(forColumn: "category_roles")).compactMap(Role.init(rawValue:))
        authorID = try row.decode(forColumn: "author_id")
        title = try row.decode(forColumn: "title")
        content = try row.decode(forColumn: "opening_content")
        openingPostID = try row.decode(forColumn: "opening_post_id")
        tags = JSONList.strings(try row.decode(forColumn: "tags"))
        isPinned = try row.decode(forColumn: "is_pinned")
        isLocked = try row.decode(forColumn: "is_locked")
        isSolved = try row.decode(forColumn: "is_solved")
        bestPostID = try row.decode(forColumn: "best_post_id")
        score = try row.decode(forColumn: "score")
        viewsCount = try row.decode(forColumn: "views_count")
        replyCount = try row.decode(forColumn: "reply_count")
        lastActivityAt = try row.decode(forColumn: "last_activity_at")
        createdAt = try row.decode(forColumn: "created_at")
        subscribed = try row.decode(forColumn: "subscribed")
    }
}

public struct ForumPostRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let threadID: Int64
    public let authorID: Int64
    public let parentPostID: Int64?
    public let isOpening: Bool
    public let content: String
    public let score: Int
    public let myVote: Int
    public let createdAt: String
    public let editedAt: String?

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        threadID = try row.decode(forColumn: "thread_id")
        authorID = try row.decode(forColumn: "author_id")
        parentPostID = try row.decode(forColumn: "parent_post_id")
        isOpening = try row.decode(forColumn: "is_opening")
        content = try row.decode(forColumn: "content")
        score = try row.decode(forColumn: "score")
        myVote = try row.decode(forColumn: "my_vote")
        createdAt = try row.decode(forColumn: "created_at")
        editedAt = try row.decode(forColumn: "edited_at")
    }
}
