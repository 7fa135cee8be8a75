import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/forums`, `/forums/<slug>` and `/forums/t/<id>` (50-ui): categories with counts, threads pinned first with sort
/// and tags, and a thread with its posts, votes, replies, the best answer, reports, following and the moderators'
/// tools. Every change goes through FRM routes; a category the visitor's role may not use is the 404 page.
struct ForumPageRoutes: FeatureRoutes {
    let forums: ForumStore
    let profiles: ProfileStore
    let cache: LRUCache
    let pages: PageRenderer

    static let htmlNamespace = "forum_post_html"

    /// A post's Markdown rendered once per version (id and edit time), like the feed's posts.
    static func html(id: Int, content: String, edited: String?, cache: LRUCache) -> String {
        let key = "\(id):\(edited ?? "")"
        if let cached = cache.value(String.self, namespace: htmlNamespace, key: key) { return cached }
        let rendered = SafeMarkdown.html(content)
        cache.store(rendered, bytes: rendered.utf8.count + key.utf8.count + 64, ttl: 3600, namespace: htmlNamespace, key: key)
        return rendered
    }

    static let sorts: [(String, String)] = [
        ("activity", "Latest activity"), ("new", "Newest"), ("top", "Top voted"), ("unanswered", "Unanswered"),
    ]

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (forums, profiles) = (forums, profiles)
        func page(
            _ id: String, _ path: String, _ summary: String,
            _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response
        ) {
            catalog.add(
                RouteSpec(id: id, .get, path, summary: summary, tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]),
                to: router,
                handler: handler)
        }
        page("PAGE-FORUMS", "/forums", "Forums") { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let actor = identity?.actor
            let all = try await Offload.run { try forums.categories() }.filter { ForumPolicy.mayRead(allowedRoles: $0.roles, actor) }
            return HTMLResponse.make(
                pages.render(
                    "forums",
                    [
                        "categories": all.map { category -> [String: Any] in
                            [
                                "slug": category.slug, "name": category.name, "description": category.description as Any,
                                "threads": CommunityPageViews.count(category.threadCount, "thread"),
                                "last_activity_at": category.lastActivityAt as Any,
                                "restricted": category.roles.isEmpty
                                    ? false : category.roles.map { PageWord.words($0.rawValue) }.joined(separator: ", ") as Any,
                                "color": category.color ?? "#8A6D00",
                            ]
                        },
                        "hasCategories": !all.isEmpty, "signedOut": identity == nil,
                    ], request: request, identity: identity))
        }
        page("PAGE-FORUM", "/forums/{slug}", "A forum's threads") { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let slug = context.parameters.get("slug") ?? ""
            let query = request.uri.formQuery
            let sort = query.get("sort").flatMap { ForumStore.ThreadSort(rawValue: String($0)) } ?? .activity
            let tag = query.get("tag").map { String($0.prefix(30)) }.flatMap { $0.isEmpty ? nil : $0 }
            let offset = (try? OffsetCursor.offset(query.get("cursor").map { String($0) })) ?? 0
            // The page draws FRM-3's cached answer: the same data, computed once per caller and change.
            let document = try await ForumRoutes.threadList(
                slug: slug, identity: identity, sort: sort, tag: tag, limit: 30, offset: offset, forums: forums, profiles: profiles,
                cache: cache)
            let threads = document.value["items"]?.templateValue as? [[String: Any]] ?? []
            var more: String?
            if let cursor = document.value["next_cursor"]?.stringValue {
                more =
                    "/forums/\(slug)?sort=\(sort.rawValue)\(tag.map { "&tag=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")&cursor=\(cursor)"
            }
            return HTMLResponse.make(
                pages.render(
                    "forum-category",
                    [
                        "category": document.value["category"]?.templateValue as Any,
                        "threads": threads.map { thread -> [String: Any] in
                            var item = thread
                            item["replies"] = CommunityPageViews.count(thread["reply_count"] as? Int ?? 0, "reply", plural: "replies")
                            item["votes"] = CommunityPageViews.count(thread["score"] as? Int ?? 0, "vote")
                            item["views"] = CommunityPageViews.count(thread["views_count"] as? Int ?? 0, "view")
                            item["authorName"] = (thread["author"] as? [String: Any])?["display_name"] as? String ?? "A former member"
                            return item
                        },
                        "hasThreads": !threads.isEmpty, "more": more as Any, "tag": tag as Any,
                        "sorts": Self.sorts.map { ["value": $0.0, "label": $0.1, "current": $0.0 == sort.rawValue, "slug": slug] },
                        "canPost": identity != nil, "signedOut": identity == nil,
                    ], request: request, identity: identity))
        }
        page("PAGE-FORUM-THREAD", "/forums/t/{id}", "A forum thread") { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let threadID = try ForumRoutes.threadID(context)
            let viewer = identity?.user.id
            let after = (try? ForumRoutes.postCursor(request)) ?? 0
            // FRM-5's cached answer, drawn; each post's Markdown is rendered once per version.
            let document = try await ForumRoutes.threadWithPosts(
                threadID: threadID, identity: identity, after: after, limit: 100, forums: forums, profiles: profiles, cache: cache)
            if let viewer { try await ForumRoutes.countView(threadID: threadID, viewer: viewer, forums: forums, cache: cache) }
            guard let thread = document.value["thread"]?.templateValue as? [String: Any] else { throw APIError.notFound() }
            let posts = document.value["posts"]?.templateValue as? [[String: Any]] ?? []
            let actor = identity?.actor
            let moderator = ForumPolicy.mayModerate(actor)
            let threadAuthor = Int64((thread["author"] as? [String: Any])?["id"] as? Int ?? 0)
            let maySolve = actor.map { ForumPolicy.maySolve($0, threadAuthorID: threadAuthor) } ?? false
            let locked = thread["is_locked"] as? Bool ?? false
            let category = thread["category"] as? [String: Any] ?? [:]
            func name(_ post: [String: Any]) -> String {
                (post["author"] as? [String: Any])?["display_name"] as? String ?? "A former member"
            }
            let names = Dictionary(posts.map { post in (post["id"] as? Int ?? 0, name(post)) }, uniquingKeysWith: { first, _ in first })
            let categories = moderator ? try await Offload.run { try forums.categories() } : []
            var more: String?
            if let cursor = document.value["next_cursor"]?.stringValue { more = "/forums/t/\(threadID)?cursor=\(cursor)" }
            return HTMLResponse.make(
                pages.render(
                    "forum-thread",
                    [
                        "thread": [
                            "id": Int(threadID), "title": thread["title"] as Any, "slug": category["slug"] as Any,
                            "category": category["name"] as Any,
                            "pinned": thread["is_pinned"] as Any, "locked": locked, "solved": thread["is_solved"] as Any,
                            "subscribed": thread["subscribed"] as Any, "tags": thread["tags"] as Any,
                            "views": CommunityPageViews.count(thread["views_count"] as? Int ?? 0, "view"),
                            "replies": CommunityPageViews.count(thread["reply_count"] as? Int ?? 0, "reply", plural: "replies"),
                        ],
                        "posts": posts.enumerated().map { index, post -> [String: Any] in
                            let id = post["id"] as? Int ?? 0
                            let authorID = Int64((post["author"] as? [String: Any])?["id"] as? Int ?? 0)
                            let mine = authorID == viewer
                            let vote = post["my_vote"] as? Int ?? 0
                            let opening = index == 0 && after == 0
                            let best = post["is_best_answer"] as? Bool ?? false
                            return [
                                "id": id, "author": name(post), "authorID": Int(authorID),
                                "content_html": Self.html(
                                    id: id, content: post["content"] as? String ?? "", edited: post["edited_at"] as? String, cache: cache),
                                "content": post["content"] as Any, "created_at": post["created_at"] as Any,
                                "edited_at": post["edited_at"] as Any,
                                "score": CommunityPageViews.count(post["score"] as? Int ?? 0, "point"), "opening": opening, "best": best,
                                "up": vote == 1 ? "true" : "false", "down": vote == -1 ? "true" : "false", "upValue": vote == 1 ? 0 : 1,
                                "downValue": vote == -1 ? 0 : -1, "canVote": identity != nil && !mine,
                                "canEdit": actor.map { ForumPolicy.mayEdit($0, authorID: authorID) } ?? false,
                                "canChoose": maySolve && !opening && !best, "canReport": identity != nil && !mine,
                                "reply": (post["parent_post_id"] as? Int).map { parent in
                                    ["parent": parent, "name": names[parent] ?? "an earlier post"]
                                } as Any,
                            ]
                        },
                        "more": more as Any, "signedIn": identity != nil, "canReply": identity != nil && !locked,
                        "moderator": moderator, "maySolve": maySolve && (thread["is_solved"] as? Bool ?? false),
                        "categories": categories.filter { $0.slug != category["slug"] as? String }.map {
                            ["id": Int($0.id), "name": $0.name]
                        },
                        "reasons": PostRoutes.reasons.map { ["value": $0, "label": PageWord.words($0)] },
                    ], request: request, identity: identity))
        }
    }
}
