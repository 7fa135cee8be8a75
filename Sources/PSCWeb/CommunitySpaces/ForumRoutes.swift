import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// FRM-1..12 (10-api §14): one forum scheme. A category the caller's role may not use answers 404, as do its
/// threads and posts, so its existence stays private.
struct ForumRoutes: FeatureRoutes {
    let forums: ForumStore
    let profiles: ProfileStore
    let cache: LRUCache

    static let categoryFields: [String: FieldRule] = [
        "name": FieldRule.text(2...80).required, "slug": FieldRule.text(2...60).required, "description": FieldRule.text(max: 500).nullable,
        "icon": FieldRule.text(max: 40).nullable, "color": FieldRule.text(7...7).nullable, "display_order": .integer(-10_000...10_000),
        "allowed_roles": .choices(Role.allCases.map(\.rawValue), max: Role.allCases.count, min: 0),
    ]

    static func optionalIdentity(_ context: AppRequestContext) throws -> Identity? {
        context.identity == nil ? nil : try context.require(.active, scope: "content:read")
    }

    /// The category by slug if the caller may read it.
    static func readable(slug: String, _ actor: Actor?, forums: ForumStore) async throws -> ForumCategoryRecord {
        guard let category = try await Offload.run({ try forums.category(slug: slug) }),
            ForumPolicy.mayRead(allowedRoles: category.roles, actor)
        else { throw APIError.notFound("There is no such forum.") }
        return category
    }

    /// The thread if the caller may read its category.
    static func readable(threadID: Int64, _ identity: Identity?, forums: ForumStore) async throws -> ForumThreadRecord {
        let viewer = identity?.user.id
        guard let thread = try await Offload.run({ try forums.thread(id: threadID, viewer: viewer) }),
            ForumPolicy.mayRead(allowedRoles: thread.categoryRoles, identity?.actor)
        else { throw APIError.notFound("There is no such thread.") }
        return thread
    }

    /// FRM-2's category: the path names it by id or by slug (one path parameter serves both, as the router needs).
    static func category(_ context: AppRequestContext, forums: ForumStore) async throws -> ForumCategoryRecord {
        let key = context.parameters.get("slug") ?? ""
        let found = try await Offload.run { () -> ForumCategoryRecord? in
            if let id = Int64(key), id > 0, let record = try forums.category(id: id) { return record }
            return try forums.category(slug: key)
        }
        guard let found else { throw APIError.notFound("There is no such category.") }
        return found
    }

    static func threadID(_ context: AppRequestContext) throws -> Int64 { try context.positiveID(notFound: "There is no such thread.") }

    /// The post and its thread if the caller may read the category.
    static func readable(postID: Int64, _ identity: Identity?, forums: ForumStore) async throws -> (ForumThreadRecord, ForumPostRecord) {
        guard let found = try await Offload.run({ try forums.categoryOf(postID: postID) }),
            ForumPolicy.mayRead(allowedRoles: found.thread.categoryRoles, identity?.actor)
        else { throw APIError.notFound("There is no such post.") }
        return found
    }

    func threadBody(_ thread: ForumThreadRecord, viewer: Int64?) async throws -> JSONValue {
        let cards = try await CommunityViews.cards([thread.authorID], viewer: viewer, profiles: profiles)
        return CommunityViews.thread(thread, author: cards[thread.authorID])
    }

    func postBodies(_ posts: [ForumPostRecord], bestPostID: Int64?, viewer: Int64?) async throws -> [JSONValue] {
        let cards = try await CommunityViews.cards(posts.map(\.authorID), viewer: viewer, profiles: profiles)
        return posts.map { CommunityViews.post($0, author: cards[$0.authorID], bestPostID: bestPostID) }
    }

    static func categoryFields(_ object: [String: Any], _ problems: [String: [String]], over current: ForumCategoryRecord?) throws
        -> ForumCategoryFields
    {
        var reader = FieldReader(object, problems: problems)
        let name = reader.text("name", 2...80, current?.name, required: true) ?? ""
        let slug = reader.text("slug", 2...60, current?.slug, required: true) ?? ""
        if !ForumPolicy.isSlug(slug) { reader.problem("slug", "must be 2 to 60 of a-z, 0-9 and hyphens") }
        let description = reader.text("description", 0...500, current?.description)
        let icon = reader.text("icon", 0...40, current?.icon)
        let color = reader.text("color", 7...7, current?.color)
        if let color, !ForumPolicy.isColor(color) { reader.problem("color", "must be #RRGGBB") }
        let order = reader.integer("display_order", -10_000...10_000, current.map { Int64($0.displayOrder) }) ?? 0
        let roles = reader.strings("allowed_roles", maxCount: Role.allCases.count, eachLength: 1...20, current?.allowedRoles ?? [])
        if !roles.allSatisfy({ Role(rawValue: $0) != nil }) { reader.problem("allowed_roles", "must be roles") }
        try reader.validate()
        return ForumCategoryFields(
            name: name, slug: slug, description: description, icon: icon, color: color, displayOrder: Int(order),
            allowedRoles: roles.compactMap(Role.init(rawValue:)))
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        registerCategories(router, catalog)
        registerThreads(router, catalog)
        registerPosts(router, catalog)
    }

    private func registerCategories(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let forums = forums
        catalog.add(
            RouteSpec(
                id: "FRM-1", .get, "/api/v1/forums/categories", summary: "Forum categories", tag: "Forums",
                responses: [200: ("The categories I may read", "ForumCategoryList")]),
            to: router
        ) { _, context in
            let actor = try Self.optionalIdentity(context)?.actor
            let all = try await Offload.run { try forums.categories() }
            return JSONResponse.make([
                "items": .array(all.filter { ForumPolicy.mayRead(allowedRoles: $0.roles, actor) }.map(CommunityViews.category))
            ])
        }
        @Sendable func admin(_ context: AppRequestContext) throws -> Identity {
            let identity = try context.require(.active, scope: "manage")
            guard identity.user.role == .admin else { throw APIError.forbidden("Only admins arrange the forums.") }
            return identity
        }
        catalog.add(
            RouteSpec(
                id: "FRM-2", .post, "/api/v1/forums/categories", summary: "Create a forum category", tag: "Forums",
                access: .member(scope: "manage"), limit: .own("30/h"), body: .object(Self.categoryFields),
                responses: [
                    201: ("ForumCategory", "ForumCategory"), 403: ("Not an admin", "Error"), 409: ("Slug taken", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try admin(context)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try Self.categoryFields(object, problems, over: nil)
            let audit = context.auditEntry(
                "forum.category_created", target: ("forum_category", nil), details: ["slug": .string(fields.slug)])
            let record = try await Offload.run { try forums.createCategory(fields, audit: audit) }
            return JSONResponse.make(CommunityViews.category(record), status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-2", .patch, "/api/v1/forums/categories/{slug}", summary: "Change a forum category (by id or slug)", tag: "Forums",
                access: .member(scope: "manage"), limit: .own("30/h"),
                body: .object(Self.categoryFields.mapValues { $0.optional }),
                responses: [
                    200: ("ForumCategory", "ForumCategory"), 403: ("Not an admin", "Error"), 404: ("No such category", "Error"),
                    409: ("Slug taken", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            _ = try admin(context)
            let current = try await Self.category(context, forums: forums)
            let id = current.id
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            let fields = try Self.categoryFields(object, problems, over: current)
            let audit = context.auditEntry("forum.category_updated", target: ("forum_category", id))
            let record = try await Offload.run { try forums.updateCategory(id: id, fields, audit: audit) }
            return JSONResponse.make(CommunityViews.category(record))
        }
        catalog.add(
            RouteSpec(
                id: "FRM-2", .delete, "/api/v1/forums/categories/{slug}", summary: "Delete an empty forum category (by id or slug)",
                tag: "Forums",
                access: .member(scope: "manage"), limit: .own("30/h"),
                responses: [
                    204: ("Deleted", nil), 403: ("Not an admin", "Error"), 404: ("No such category", "Error"),
                    409: ("It still has threads", "Error"),
                ]),
            to: router
        ) { _, context in
            _ = try admin(context)
            let id = try await Self.category(context, forums: forums).id
            let audit = context.auditEntry("forum.category_deleted", target: ("forum_category", id))
            try await Offload.run { try forums.deleteCategory(id: id, audit: audit) }
            return Response(status: .noContent)
        }
    }

    private func registerThreads(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let forums = forums
        catalog.add(
            RouteSpec(
                id: "FRM-3", .get, "/api/v1/forums/categories/{slug}/threads", summary: "A category's threads", tag: "Forums",
                query: .page() + [
                    .choice("sort", ForumStore.ThreadSort.allCases.map(\.rawValue), "Order after the pinned ones (default activity)"),
                    .text("tag", max: 30, "One tag"),
                ],
                responses: [
                    200: ("A page of ForumThread, pinned first", "ForumThreadPage"), 400: ("A parameter that does not parse", "Error"),
                    404: ("No such category for me", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.optionalIdentity(context)
            let slug = context.parameters.get("slug") ?? ""
            let query = QueryReader(request)
            let sort =
                ForumStore.ThreadSort(rawValue: try query.choice("sort", ForumStore.ThreadSort.allCases.map(\.rawValue)) ?? "activity")
                ?? .activity
            let tag = query.text("tag", max: 30)
            let (limit, offset) = (try Pagination.limit(request), try query.offset)
            let viewer = identity?.user.id
            let document = try await Self.threadList(
                slug: slug, identity: identity, sort: sort, tag: tag, limit: limit, offset: offset, forums: forums, profiles: profiles,
                cache: cache)
            return JSONResponse.make(bytes: document.bytes)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-4", .post, "/api/v1/forums/categories/{slug}/threads", summary: "Start a thread", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("10/h"),
                body: .object([
                    "title": FieldRule.text(5...200).required, "content": FieldRule.text(1...20_000).required,
                    "tags": .texts(max: 5, each: 1...30),
                ]),
                responses: [
                    201: ("ForumThread", "ForumThread"), 404: ("No such category for me", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let category = try await Self.readable(slug: context.parameters.get("slug") ?? "", identity.actor, forums: forums)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let title = reader.text("title", 5...200, nil, required: true) ?? ""
            let content = reader.text("content", 1...20_000, nil, required: true) ?? ""
            let tags = reader.strings("tags", maxCount: 5, eachLength: 1...30, []).map { $0.lowercased() }
            try reader.validate()
            let author = identity.user.id
            let thread = try await Offload.run {
                try forums.createThread(categoryID: category.id, authorID: author, title: title, content: content, tags: tags)
            }
            var response = JSONResponse.make(try await threadBody(thread, viewer: author), status: .created)
            response.headers[.location] = "/api/v1/forums/threads/\(thread.id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "FRM-5", .get, "/api/v1/forums/threads/{id}", summary: "A thread and its posts", tag: "Forums",
                query: .page(),
                responses: [
                    200: ("thread, posts oldest first, next_cursor", "ForumThreadWithPosts"),
                    400: ("A cursor that does not parse", "Error"),
                    404: ("No such thread for me", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try Self.optionalIdentity(context)
            let threadID = try Self.threadID(context)
            let limit = try Pagination.limit(request)
            let after = try Self.postCursor(request)
            let viewer = identity?.user.id
            let document = try await Self.threadWithPosts(
                threadID: threadID, identity: identity, after: after, limit: limit, forums: forums, profiles: profiles, cache: cache)
            if let viewer { try await Self.countView(threadID: threadID, viewer: viewer, forums: forums, cache: cache) }
            return JSONResponse.make(bytes: document.bytes)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-6", .patch, "/api/v1/forums/threads/{id}", summary: "Change a thread", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                body: .object(["title": .text(5...200), "content": .text(1...20_000), "tags": .texts(max: 5, each: 1...30)]),
                responses: [200: ("ForumThread", "ForumThread"), 404: ("Not mine to change", "Error"), 422: ("Invalid fields", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
            guard ForumPolicy.mayEdit(identity.actor, authorID: thread.authorID) else {
                throw APIError.notFound("There is no such thread.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let title = reader.text("title", 5...200, thread.title, required: true)
            let content = reader.text("content", 1...20_000, thread.content, required: true)
            let tags = reader.strings("tags", maxCount: 5, eachLength: 1...30, thread.tags).map { $0.lowercased() }
            try reader.validate()
            let editor = identity.user.id
            let updated = try await Offload.run {
                try forums.updateThread(id: thread.id, title: title, content: content, tags: tags, editor: editor)
            }
            return JSONResponse.make(try await threadBody(updated, viewer: editor))
        }
        catalog.add(
            RouteSpec(
                id: "FRM-6", .delete, "/api/v1/forums/threads/{id}", summary: "Delete a thread", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                responses: [204: ("Deleted", nil), 404: ("Not mine to delete", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
            guard ForumPolicy.mayEdit(identity.actor, authorID: thread.authorID) else {
                throw APIError.notFound("There is no such thread.")
            }
            let audit =
                thread.authorID == identity.user.id ? nil : context.auditEntry("forum.thread_hidden", target: ("forum_thread", thread.id))
            try await Offload.run { try forums.deleteThread(id: thread.id, audit: audit) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-10", .post, "/api/v1/forums/threads/{id}/moderate", summary: "Pin, lock or move a thread", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("60/h"),
                body: .object(["action": FieldRule.choice(["pin", "unpin", "lock", "unlock", "move"]).required, "category_id": .id]),
                responses: [
                    200: ("ForumThread", "ForumThread"), 403: ("Not a moderator", "Error"), 404: ("No such thread", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            guard ForumPolicy.mayModerate(identity.actor) else {
                throw APIError.forbidden("Moderating needs the moderate content permission.")
            }
            let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let action = reader.choice("action", ["pin", "unpin", "lock", "unlock", "move"], nil, required: true)
            let category = reader.integer("category_id", 1...Int64.max, nil)
            if action == "move", category == nil { reader.problem("category_id", "is required to move a thread") }
            try reader.validate()
            let moderation: ForumStore.Moderation =
                switch action {
                case "pin": .pin
                case "unpin": .unpin
                case "lock": .lock
                case "unlock": .unlock
                default: .move(categoryID: category ?? 0)
                }
            let audit = context.auditEntry(
                "forum.thread_moderated", target: ("forum_thread", thread.id), details: ["action": .string(action ?? "")])
            try await Offload.run { try forums.moderate(threadID: thread.id, moderation, audit: audit) }
            let viewer = identity.user.id
            guard let updated = try await Offload.run({ try forums.thread(id: thread.id, viewer: viewer) }) else {
                throw APIError.notFound()
            }
            return JSONResponse.make(try await threadBody(updated, viewer: viewer))
        }
        catalog.add(
            RouteSpec(
                id: "FRM-11", .post, "/api/v1/forums/threads/{id}/solve", summary: "Choose the best answer", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                body: .object(["post_id": FieldRule.id.nullable.required]),
                responses: [
                    200: ("is_solved and best_post_id", "ForumSolved"), 403: ("Not the thread's author or a moderator", "Error"),
                    404: ("No such thread", "Error"), 422: ("Not a reply of this thread", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
            guard ForumPolicy.maySolve(identity.actor, threadAuthorID: thread.authorID) else {
                throw APIError.forbidden("Only the thread's author or a moderator chooses the best answer.")
            }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            if object["post_id"] == nil { reader.problem("post_id", "is required (null clears the best answer)") }
            let post = reader.integer("post_id", 1...Int64.max, nil)
            try reader.validate()
            let result = try await Offload.run { try forums.solve(threadID: thread.id, postID: post) }
            return JSONResponse.make(["is_solved": .bool(result.isSolved), "best_post_id": result.bestPostID.map(JSONValue.int) ?? .null])
        }
        for method in [HTTPRequest.Method.put, .delete] {
            catalog.add(
                RouteSpec(
                    id: "FRM-12", method, "/api/v1/forums/threads/{id}/subscription",
                    summary: method == .put ? "Follow a thread's replies" : "Stop following a thread", tag: "Forums",
                    access: .member(scope: "content:write"), limit: .own("60/h"),
                    responses: [204: (method == .put ? "Following" : "Not following", nil), 404: ("No such thread for me", "Error")]),
                to: router
            ) { _, context in
                let identity = try context.require(.active, scope: "content:write")
                let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
                let user = identity.user.id
                try await Offload.run { try forums.subscribe(threadID: thread.id, userID: user, method == .put) }
                return Response(status: .noContent)
            }
        }
    }

    /// FRM-3's answer, cached per caller. The permission check runs inside the computation: an entry exists only for a
    /// caller who passed it, and any change that could undo that (roles, the category, the account) drops the namespace.
    static func threadList(
        slug: String, identity: Identity?, sort: ForumStore.ThreadSort, tag: String?, limit: Int, offset: Int, forums: ForumStore,
        profiles: ProfileStore, cache: LRUCache
    ) async throws -> CachedResponses.Document {
        let viewer = identity?.user.id
        let key = "FRM-3|\(CachedResponses.caller(identity))|\(slug)|\(sort.rawValue)|\(tag ?? "")|\(limit)|\(offset)"
        return try await CachedResponses.document(cache, namespace: CachedResponses.forums, key: key) {
            let category = try await Self.readable(slug: slug, identity?.actor, forums: forums)
            let found = try await Offload.run {
                try forums.threads(categoryID: category.id, sort: sort, tag: tag, limit: limit, offset: offset, viewer: viewer)
            }
            let cards = try await CommunityViews.cards(found.map(\.authorID), viewer: viewer, profiles: profiles)
            return [
                "category": CommunityViews.category(category),
                "items": .array(found.map { CommunityViews.thread($0, author: cards[$0.authorID]) }),
                "next_cursor": found.count == limit ? OffsetCursor.next(offset + found.count) : .null, "limit": .int(Int64(limit)),
            ]
        }
    }

    /// FRM-5's answer, cached per caller like FRM-3's, with the permission check inside the computation.
    static func threadWithPosts(
        threadID: Int64, identity: Identity?, after: Int64, limit: Int, forums: ForumStore, profiles: ProfileStore, cache: LRUCache
    ) async throws -> CachedResponses.Document {
        let viewer = identity?.user.id
        let key = "FRM-5|\(CachedResponses.caller(identity))|\(threadID)|\(after)|\(limit)"
        return try await CachedResponses.document(cache, namespace: CachedResponses.forums, key: key) {
            let thread = try await Self.readable(threadID: threadID, identity, forums: forums)
            let posts = try await Offload.run { try forums.posts(threadID: thread.id, after: after, limit: limit, viewer: viewer) }
            let cards = try await CommunityViews.cards(posts.map(\.authorID) + [thread.authorID], viewer: viewer, profiles: profiles)
            return [
                "thread": CommunityViews.thread(thread, author: cards[thread.authorID]),
                "posts": .array(posts.map { CommunityViews.post($0, author: cards[$0.authorID], bestPostID: thread.bestPostID) }),
                "next_cursor": posts.count == limit
                    ? posts.last.map { .string(SecureToken.base64URL(Data("post:\($0.id)".utf8))) } ?? .null : .null,
            ]
        }
    }

    /// Counts the member's view once an hour, remembered in memory so a reader paging through a thread costs no query.
    static func countView(threadID: Int64, viewer: Int64, forums: ForumStore, cache: LRUCache) async throws {
        let key = "\(threadID)|\(viewer)"
        guard cache.value(Bool.self, namespace: CachedResponses.forumViews, key: key) == nil else { return }
        try await Offload.run { try forums.countView(threadID: threadID, userID: viewer) }
        cache.store(true, bytes: 64, ttl: 3600, namespace: CachedResponses.forumViews, key: key)
    }

    /// FRM-5's cursor: the last post id seen.
    static func postCursor(_ request: Request) throws -> Int64 {
        guard let cursor = request.uri.formQuery.get("cursor"), !cursor.isEmpty else { return 0 }
        guard let data = SecureToken.base64URLDecode(String(cursor)), let text = String(data: data, encoding: .utf8),
            text.hasPrefix("post:"),
            let id = Int64(text.dropFirst(5)), id >= 0
        else { throw Pagination.invalidCursor }
        return id
    }

    private func registerPosts(_ router: Router<AppRequestContext>, _ catalog: RouteCatalog) {
        let forums = forums
        catalog.add(
            RouteSpec(
                id: "FRM-7", .post, "/api/v1/forums/threads/{id}/posts", summary: "Reply in a thread", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("30/h"),
                body: .object(["content": FieldRule.text(1...20_000).required, "parent_post_id": FieldRule.id.nullable]),
                responses: [
                    201: ("ForumPost", "ForumPost"), 404: ("No such thread for me", "Error"), 409: ("thread_locked", "Error"),
                    422: ("Invalid fields, or a parent of another thread", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let thread = try await Self.readable(threadID: try Self.threadID(context), identity, forums: forums)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let content = reader.text("content", 1...20_000, nil, required: true) ?? ""
            let parent = reader.integer("parent_post_id", 1...Int64.max, nil)
            try reader.validate()
            let author = identity.user.id
            let post = try await Offload.run {
                try forums.reply(threadID: thread.id, authorID: author, content: content, parentPostID: parent)
            }
            return JSONResponse.make(try await postBodies([post], bestPostID: nil, viewer: author)[0], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-8", .patch, "/api/v1/forums/posts/{id}", summary: "Edit a post", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("60/h"),
                body: .object(["content": FieldRule.text(1...20_000).required]),
                responses: [
                    200: ("ForumPost", "ForumPost"), 404: ("Not mine to edit", "Error"), 409: ("thread_locked", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let (thread, post) = try await Self.readable(
                postID: try context.positiveID(notFound: "There is no such post."), identity, forums: forums)
            guard ForumPolicy.mayEdit(identity.actor, authorID: post.authorID) else { throw APIError.notFound("There is no such post.") }
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let content = reader.text("content", 1...20_000, nil, required: true) ?? ""
            try reader.validate()
            let editor = identity.user.id
            let updated = try await Offload.run { try forums.editPost(id: post.id, content: content, editor: editor) }
            return JSONResponse.make(try await postBodies([updated], bestPostID: thread.bestPostID, viewer: editor)[0])
        }
        catalog.add(
            RouteSpec(
                id: "FRM-8", .delete, "/api/v1/forums/posts/{id}", summary: "Delete a post (the opening post deletes the thread)",
                tag: "Forums", access: .member(scope: "content:write"), limit: .own("60/h"),
                responses: [204: ("Deleted", nil), 404: ("Not mine to delete", "Error"), 409: ("thread_locked", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let (_, post) = try await Self.readable(
                postID: try context.positiveID(notFound: "There is no such post."), identity, forums: forums)
            guard ForumPolicy.mayEdit(identity.actor, authorID: post.authorID) else { throw APIError.notFound("There is no such post.") }
            let audit = post.authorID == identity.user.id ? nil : context.auditEntry("forum.post_hidden", target: ("forum_post", post.id))
            try await Offload.run { try forums.deletePost(id: post.id, audit: audit) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "FRM-9", .put, "/api/v1/forums/posts/{id}/vote", summary: "Vote on a post", tag: "Forums",
                access: .member(scope: "content:write"), limit: .own("300/h"), body: .object(["value": FieldRule.integer(-1...1).required]),
                responses: [
                    200: ("score and my_vote", "ForumVote"), 404: ("No such post for me", "Error"),
                    422: ("Not -1, 0 or 1, or my own post", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let (_, post) = try await Self.readable(
                postID: try context.positiveID(notFound: "There is no such post."), identity, forums: forums)
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            var reader = FieldReader(object, problems: problems)
            let value = reader.integer("value", -1...1, nil)
            if value == nil { reader.problem("value", "is required: -1, 0 or 1") }
            try reader.validate()
            let (voter, chosen) = (identity.user.id, Int(value ?? 0))
            let result = try await Offload.run { try forums.vote(postID: post.id, userID: voter, value: chosen) }
            return JSONResponse.make(["score": .int(Int64(result.score)), "my_vote": .int(Int64(result.myVote))])
        }
    }
}
