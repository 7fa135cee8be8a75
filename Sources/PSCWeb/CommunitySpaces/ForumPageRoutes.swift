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
    let pages: PageRenderer

    static let sorts: [(String, String)] = [
        ("activity", "Latest activity"), ("new", "Newest"), ("top", "Top voted"), ("unanswered", "Unanswered"),
    ]

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (forums, profiles) = (forums, profiles)
        func page(_ id: String, _ path: String, _ summary: String, _ handler: @escaping @Sendable (Request, AppRequestContext) async throws -> Response) {
            catalog.add(
                RouteSpec(id: id, .get, path, summary: summary, tag: "Pages", limit: .page, responses: [200: ("HTML page", nil)]), to: router,
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
                                "threads": CommunityPageViews.count(category.threadCount, "thread"), "last_activity_at": category.lastActivityAt as Any,
                                "restricted": category.roles.isEmpty ? false : category.roles.map { PageWord.words($0.rawValue) }.joined(separator: ", ") as Any,
                                "color": category.color ?? "#8A6D00",
                            ]
                        },
                        "hasCategories": !all.isEmpty, "signedOut": identity == nil,
                    ], request: request, identity: identity))
        }
        page("PAGE-FORUM", "/forums/{slug}", "A forum's threads") { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let category = try await ForumRoutes.readable(slug: context.parameters.get("slug") ?? "", identity?.actor, forums: forums)
            let query = request.uri.formQuery
            let sort = query.get("sort").flatMap { ForumStore.ThreadSort(rawValue: String($0)) } ?? .activity
            let tag = query.get("tag").map { String($0.prefix(30)) }.flatMap { $0.isEmpty ? nil : $0 }
            let offset = (try? OffsetCursor.offset(query.get("cursor").map { String($0) })) ?? 0
            let viewer = identity?.user.id
            let found = try await Offload.run {
                try forums.threads(categoryID: category.id, sort: sort, tag: tag, limit: 30, offset: offset, viewer: viewer)
            }
            let cards = try await CommunityViews.cards(found.map(\.authorID), viewer: viewer, profiles: profiles)
            var more: String?
            if found.count == 30, let cursor = OffsetCursor.next(offset + 30).stringValue {
                more = "/forums/\(category.slug)?sort=\(sort.rawValue)\(tag.map { "&tag=" + ($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "") } ?? "")&cursor=\(cursor)"
            }
            return HTMLResponse.make(
                pages.render(
                    "forum-category",
                    [
                        "category": ["slug": category.slug, "name": category.name, "description": category.description as Any],
                        "threads": found.map { thread -> [String: Any] in
                            [
                                "id": Int(thread.id), "title": thread.title, "author": CommunityPageViews.name(cards[thread.authorID]),
                                "replies": thread.replyCount, "score": thread.score, "views": thread.viewsCount,
                                "last_activity_at": thread.lastActivityAt, "pinned": thread.isPinned, "locked": thread.isLocked,
                                "solved": thread.isSolved, "tags": thread.tags.map { ["tag": $0, "slug": category.slug] },
                            ]
                        },
                        "hasThreads": !found.isEmpty, "more": more as Any, "tag": tag as Any,
                        "sorts": Self.sorts.map { ["value": $0.0, "label": $0.1, "current": $0.0 == sort.rawValue, "slug": category.slug] },
                        "canPost": identity != nil, "signedOut": identity == nil,
                    ], request: request, identity: identity))
        }
        page("PAGE-FORUM-THREAD", "/forums/t/{id}", "A forum thread") { request, context in
            let identity = ScholarshipPageRoutes.reader(context)
            let thread = try await ForumRoutes.readable(threadID: try ForumRoutes.threadID(context), identity, forums: forums)
            let viewer = identity?.user.id
            if let viewer { try await Offload.run { try forums.countView(threadID: thread.id, userID: viewer) } }
            let after = (try? ForumRoutes.postCursor(request)) ?? 0
            let posts = try await Offload.run { try forums.posts(threadID: thread.id, after: after, limit: 100, viewer: viewer) }
            let cards = try await CommunityViews.cards(posts.map(\.authorID) + [thread.authorID], viewer: viewer, profiles: profiles)
            let actor = identity?.actor
            let moderator = ForumPolicy.mayModerate(actor)
            let maySolve = actor.map { ForumPolicy.maySolve($0, threadAuthorID: thread.authorID) } ?? false
            let authors = Dictionary(posts.map { ($0.id, CommunityPageViews.name(cards[$0.authorID])) }, uniquingKeysWith: { first, _ in first })
            let categories = moderator ? try await Offload.run { try forums.categories() } : []
            var more: String?
            if posts.count == 100, let last = posts.last {
                more = "/forums/t/\(thread.id)?cursor=" + SecureToken.base64URL(Data("post:\(last.id)".utf8))
            }
            return HTMLResponse.make(
                pages.render(
                    "forum-thread",
                    [
                        "thread": [
                            "id": Int(thread.id), "title": thread.title, "slug": thread.categorySlug, "category": thread.categoryName,
                            "pinned": thread.isPinned, "locked": thread.isLocked, "solved": thread.isSolved, "subscribed": thread.subscribed,
                            "views": CommunityPageViews.count(thread.viewsCount, "view"), "replies": CommunityPageViews.count(thread.replyCount, "reply", plural: "replies"),
                            "tags": thread.tags,
                            "mine": thread.authorID == viewer,
                        ],
                        "posts": posts.map { post -> [String: Any] in
                            let mine = post.authorID == viewer
                            return [
                                "id": Int(post.id), "author": authors[post.id] ?? "", "authorID": Int(post.authorID),
                                "content_html": SafeMarkdown.html(post.content), "content": post.content, "created_at": post.createdAt,
                                "edited_at": post.editedAt as Any, "score": CommunityPageViews.count(post.score, "point"), "opening": post.isOpening,
                                "best": post.id == thread.bestPostID, "up": post.myVote == 1 ? "true" : "false",
                                "down": post.myVote == -1 ? "true" : "false", "upValue": post.myVote == 1 ? 0 : 1,
                                "downValue": post.myVote == -1 ? 0 : -1, "canVote": identity != nil && !mine,
                                "canEdit": actor.map { ForumPolicy.mayEdit($0, authorID: post.authorID) } ?? false,
                                "canChoose": maySolve && !post.isOpening && post.id != thread.bestPostID,
                                "canReport": identity != nil && !mine, "reply": post.parentPostID.map { parent in
                                    ["parent": Int(parent), "name": authors[parent] ?? "an earlier post"]
                                } as Any,
                            ]
                        },
                        "more": more as Any, "signedIn": identity != nil, "canReply": identity != nil && !thread.isLocked,
                        "moderator": moderator, "maySolve": maySolve && thread.isSolved,
                        "categories": categories.filter { $0.id != thread.categoryID }.map { ["id": Int($0.id), "name": $0.name] },
                        "reasons": PostRoutes.reasons.map { ["value": $0, "label": PageWord.words($0)] },
                    ], request: request, identity: identity))
        }
    }
}
