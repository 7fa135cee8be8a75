import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// Responses kept in the shared LRU cache (00-conventions §9) and the tables each is built from: the
/// ``CacheInvalidator`` on the writer drops a namespace when a commit changes one of its tables, before the
/// writer's caller is answered, so nobody reads their own stale write; the TTL bounds what only time changes (a
/// posting's expiry).
public enum CachedResponses {
    static let feed = "feed"
    static let search = "search"
    static let directory = "directory"
    static let announcements = "announcements"
    /// FRM-3 and FRM-5 per caller: a vote, reply or follow must show at once, so any forum write drops them all.
    static let forums = "forums"
    /// Views already counted this hour (FRM-5), so a reader's next pages cost no query.
    static let forumViews = "forum_views"
    /// ANL-1 (300 s) and ANL-4 (3600 s); a new daily summary or model replaces them at once.
    static let analytics = "analytics"
    /// ANN-1's lists (00-conventions §9): 600 s, and never past the next publication or expiry.
    static let announcementTTL: Double = 600
    /// 00-conventions §9 gives directory and search results 60 s; the feed, which the table does not list, the same.
    static let ttl: Double = 60

    public static let dependencies: [CacheInvalidator.Dependency] = [
        .init(DepartmentViews.cacheNamespace, on: ["departments"]),
        // Posts with their counters (a comment or a like changes the post's row), authors' cards, relations.
        .init(feed, on: ["posts", "post_likes", "users", "connections", "blocks", "departments"]),
        // Every searchable type and everything its visibility reads.
        .init(
            search,
            on: [
                "users", "posts", "events", "job_postings", "companies", "departments", "connections", "blocks", "consent_records",
                "forum_threads", "forum_posts", "forum_categories", "webinars", "announcements", "capability_grants",
            ]),
        // Listing (status, opt-in, FERPA consent, blocks) and each field's privacy against the relation.
        .init(directory, on: ["users", "connections", "blocks", "consent_records", "departments"]),
        // The lists with their authors' public cards.
        .init(announcements, on: ["announcements", "users", "departments"]),
        .init(analytics, on: ["analytics_summary", "ml_models", "churn_predictions"]),
        // Threads and posts with their authors' cards as the caller sees them.
        .init(
            forums,
            on: [
                "forum_categories", "forum_threads", "forum_posts", "forum_votes", "forum_subscriptions", "users", "connections", "blocks",
                "consent_records", "departments",
            ]),
    ]

    /// Every namespace the HTTP layer caches under, so the metrics can show each from the start.
    public static var namespaces: [String] {
        dependencies.map(\.namespace) + [PostViews.htmlNamespace, ForumPageRoutes.htmlNamespace, forumViews]
    }

    /// The caller's JSON response for `key` from the cache, or built by `compute` and kept for ``ttl`` seconds. The
    /// key must carry the route, the canonical query and the caller (00-conventions §9); `Cache-Control` stays
    /// `no-store`, since the body is the caller's own.
    static func json(
        _ cache: LRUCache, namespace: String, key: String, ttl: Double = ttl, compute: @escaping @Sendable () async throws -> JSONValue
    ) async throws -> Response {
        let body = try await cache.value(namespace: namespace, key: key, ttl: ttl) {
            let bytes = try await compute().canonicalBytes
            return (value: bytes, bytes: bytes.count + key.utf8.count + 64)
        }
        return JSONResponse.make(bytes: body)
    }

    /// As ``json(_:namespace:key:ttl:compute:)``, with the lifetime worked out by the computation from what it read.
    static func json(
        _ cache: LRUCache, namespace: String, key: String,
        compute: @escaping @Sendable () async throws -> (value: JSONValue, ttl: Double)
    ) async throws -> Response {
        let body = try await cache.value(namespace: namespace, key: key) {
            let (value, ttl) = try await compute()
            let bytes = value.canonicalBytes
            return (value: bytes, bytes: bytes.count + key.utf8.count + 64, ttl: ttl)
        }
        return JSONResponse.make(bytes: body)
    }

    /// A cached answer kept both as its bytes (for the API) and as its value (for the pages that draw the same data).
    struct Document: Sendable {
        let value: JSONValue
        let bytes: [UInt8]
    }

    /// As ``json(_:namespace:key:ttl:compute:)``, for answers that pages draw too.
    static func document(
        _ cache: LRUCache, namespace: String, key: String, ttl: Double = ttl, compute: @escaping @Sendable () async throws -> JSONValue
    ) async throws -> Document {
        try await cache.value(namespace: namespace, key: key, ttl: ttl) {
            let value = try await compute()
            let bytes = value.canonicalBytes
            // The value's tree takes about three times its text.
            return (value: Document(value: value, bytes: bytes), bytes: 4 * bytes.count + key.utf8.count + 64)
        }
    }

    /// The part of a key that names the caller: the user id, or `anonymous`.
    static func caller(_ identity: Identity?) -> String { identity.map { "user:\($0.user.id)" } ?? "anonymous" }
}
