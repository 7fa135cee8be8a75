import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Posts as one viewer sees them (PST-1..3 and the feed and post pages): the authors' cards as the viewer may see
/// them and the Markdown rendered once per version.
struct PostViews {
    let cache: LRUCache
    let profiles: ProfileStore

    static func reader(_ identity: Identity?) -> PostStore.Reader {
        PostStore.Reader(userID: identity?.user.id, departmentID: identity?.user.departmentID)
    }

    static let htmlNamespace = "post_html"

    /// A post's Markdown rendered once per version (id and `updated_at`), from the shared LRU cache: rendering was
    /// a tenth of a feed page's time.
    func html(_ post: PostRecord) -> String {
        let key = "\(post.id):\(post.updatedAt)"
        if let cached = cache.value(String.self, namespace: Self.htmlNamespace, key: key) { return cached }
        let rendered = SafeMarkdown.html(post.content)
        cache.store(rendered, bytes: rendered.utf8.count + key.utf8.count + 64, ttl: 3600, namespace: Self.htmlNamespace, key: key)
        return rendered
    }

    /// Post shapes with their authors' cards as the viewer may see them.
    func bodies(_ posts: [PostRecord], viewer: Int64?) async throws -> [JSONValue] {
        let profiles = profiles
        let cards = try await Offload.run { try profiles.cards(ids: Array(Set(posts.map(\.authorID))), viewer: viewer ?? 0) }
        return posts.map { post in
            let author = cards[post.authorID].map {
                JSONValue.object(ProfileViews.card($0.record, relation: $0.relation, anonymous: viewer == nil))
            }
            return [
                "id": .int(post.id), "author": author ?? .null, "content": .string(post.content),
                "content_html": .string(html(post)),
                "image_url": .null, "visibility": .string(post.visibility), "department_id": post.departmentID.map(JSONValue.int) ?? .null,
                "like_count": .int(Int64(post.likeCount)), "comment_count": .int(Int64(post.commentCount)),
                "liked_by_me": .bool(post.likedByViewer),
                "tags": .array(post.tags.map(JSONValue.string)), "created_at": .string(post.createdAt),
                "updated_at": .string(post.updatedAt),
            ]
        }
    }

    func page(_ posts: [PostRecord], _ pagination: Pagination, viewer: Int64?) async throws -> Response {
        JSONResponse.make(try await pageBody(posts, pagination, viewer: viewer))
    }

    func pageBody(_ posts: [PostRecord], _ pagination: Pagination, viewer: Int64?) async throws -> JSONValue {
        [
            "items": .array(try await bodies(posts, viewer: viewer)),
            "next_cursor": pagination.nextCursor(lastID: posts.last?.id, count: posts.count),
            "limit": .int(Int64(pagination.limit)),
        ]
    }

    func commentBodies(_ comments: [CommentRecord], viewer: Int64?) async throws -> [JSONValue] {
        let profiles = profiles
        let cards = try await Offload.run { try profiles.cards(ids: Array(Set(comments.map(\.authorID))), viewer: viewer ?? 0) }
        return comments.map { comment in
            [
                "id": .int(comment.id), "post_id": .int(comment.postID),
                "author": cards[comment.authorID].map {
                    .object(ProfileViews.card($0.record, relation: $0.relation, anonymous: viewer == nil))
                }
                    ?? .null,
                "content": .string(comment.content), "content_html": .string(SafeMarkdown.html(comment.content)),
                "parent_id": comment.parentID.map(JSONValue.int) ?? .null, "created_at": .string(comment.createdAt),
            ]
        }
    }

    static func postID(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such post.") }
}
