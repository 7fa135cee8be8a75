import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// What clients see for the store's errors; the error middleware renders it wherever one is thrown.
extension PostError: APIErrorConvertible {
    var apiError: APIError { PostRoutes.mapped(self) }
}

/// PST-1..11 and USR-18 (10-api §4, §6): the feed, posts with likes and comments, and reports.
struct PostRoutes: FeatureRoutes {
    let cache: LRUCache
    let posts: PostStore
    let profiles: ProfileStore
    let views: PostViews

    static let visibilities = ["public", "members", "connections", "department"]
    static let reportTargets = ["post", "comment", "forum_thread", "forum_post", "message", "user", "job"]
    static let reasons = ["spam", "harassment", "inappropriate", "misinformation", "other"]

    struct NewPost: Decodable {
        let content: String
        let visibility: String?
        let departmentID: Int64?
    }
    struct NewComment: Decodable {
        let content: String
        let parentID: Int64?
    }
    struct NewReport: Decodable {
        let targetType: String
        let targetID: Int64
        let reason: String
        let detail: String?
    }

    static func mapped(_ error: PostError) -> APIError {
        switch error {
        case .notFound: APIError.notFound("There is no such post or comment.")
        case .forbidden: APIError.forbidden("Only the author can change this post.")
        case .blocked: APIError(.forbidden, "blocked", "You cannot comment here.")
        case .duplicateReport: APIError(.conflict, "conflict", "You have already reported this; it is being reviewed.")
        }
    }

    static func checkContent(_ text: String, max: Int) throws -> String {
        let content = text.precomposedStringWithCanonicalMapping.trimmingCharacters(in: .whitespacesAndNewlines)
        guard (1...max).contains(content.unicodeScalars.count) else {
            throw APIError.validation(["content": ["must be 1 to \(max) characters"]])
        }
        return content
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let posts = posts
        catalog.add(
            RouteSpec(
                id: "PST-1", .get, "/api/v1/feed", summary: "My feed", tag: "Posts", access: .member(scope: "content:read"),
                query: .page(),
                responses: [200: ("A page of Post", "PostPage")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let pagination = try Pagination(request)
            let reader = PostViews.reader(identity)
            let key = "PST-1|\(CachedResponses.caller(identity))|\(pagination.lastID.map(String.init) ?? "first")|\(pagination.limit)"
            return try await CachedResponses.json(cache, namespace: CachedResponses.feed, key: key) {
                let found = try await Offload.run { try posts.feed(reader: reader, beforeID: pagination.lastID, limit: pagination.limit) }
                return try await views.pageBody(found, pagination, viewer: identity.user.id)
            }
        }
        catalog.add(
            RouteSpec(
                id: "PST-2", .post, "/api/v1/posts", summary: "Write a post", tag: "Posts", access: .member(scope: "content:write"),
                limit: .own("30/h"),
                body: .json(
                    NewPost.self,
                    fields: [
                        "content": FieldRule.text(1...5000).required, "visibility": .choice(Self.visibilities), "department_id": .id,
                    ]), responses: [201: ("Post", "Post"), 422: ("Invalid", "Error")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let body = try await request.decodeJSON(as: NewPost.self, context: context)
            let content = try Self.checkContent(body.content, max: 5000)
            let visibility = body.visibility ?? "members"
            guard Self.visibilities.contains(visibility) else {
                throw APIError.validation(["visibility": ["must be public, members, connections or department"]])
            }
            var department: Int64? = nil
            if visibility == "department" || body.departmentID != nil {
                department = body.departmentID ?? identity.user.departmentID
                guard let department, department == identity.user.departmentID || identity.user.role == .admin else {
                    throw APIError.validation(["department_id": ["must be your own department"]])
                }
            }
            let (author, chosen) = (identity.user.id, department)
            let id = try await Offload.run {
                try posts.create(authorID: author, content: content, visibility: visibility, departmentID: chosen, tags: [])
            }
            let reader = PostViews.reader(identity)
            guard let post = try await Offload.run({ try posts.post(id: id, reader: reader) }) else { throw APIError.internalError }
            var response = JSONResponse.make(try await views.bodies([post], viewer: author)[0], status: .created)
            response.headers[.location] = "/api/v1/posts/\(id)"
            return response
        }
        catalog.add(
            RouteSpec(
                id: "PST-3", .get, "/api/v1/posts/{id}", summary: "A post", tag: "Posts",
                responses: [200: ("Post", "Post"), 404: ("Not visible", "Error")]),
            to: router
        ) { _, context in
            let identity = context.identity
            if identity != nil { _ = try context.require(.active, scope: "content:read") }
            let (id, reader) = (try PostViews.postID(context), PostViews.reader(identity))
            guard let post = try await Offload.run({ try posts.post(id: id, reader: reader) }) else {
                throw APIError.notFound("There is no such post.")
            }
            return JSONResponse.make(try await views.bodies([post], viewer: identity?.user.id)[0])
        }
        catalog.add(
            RouteSpec(
                id: "PST-4", .patch, "/api/v1/posts/{id}", summary: "Edit my post", tag: "Posts", access: .member(scope: "content:write"),
                limit: .own("60/h"),
                body: .object([
                    "content": .text(1...5000), "visibility": .choice(Self.visibilities), "department_id": FieldRule.id.nullable,
                ]),
                responses: [
                    422: ("Invalid fields", "Error"),
                    200: ("Post", "Post"), 403: ("Not the author", "Error"),
                    404: ("No such post", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try PostViews.postID(context)
            let body = try await request.jsonObjectBody(context: context).object
            var content: String?
            if let value = body["content"] {
                guard let text = value as? String else { throw APIError.validation(["content": ["must be text"]]) }
                content = try Self.checkContent(text, max: 5000)
            }
            var visibility: String?
            var department: Int64??
            if let value = body["visibility"] {
                guard let text = value as? String, Self.visibilities.contains(text) else {
                    throw APIError.validation(["visibility": ["must be public, members, connections or department"]])
                }
                visibility = text
                if text == "department" {
                    guard let own = identity.user.departmentID else {
                        throw APIError.validation(["visibility": ["you have no department"]])
                    }
                    department = .some(own)
                }
            }
            let (author, newContent, newVisibility, newDepartment) = (identity.user.id, content, visibility, department)
            let reader = PostViews.reader(identity)
            try await Offload.run {
                try posts.update(id: id, editor: reader, content: newContent, visibility: newVisibility, departmentID: newDepartment)
            }
            guard let post = try await Offload.run({ try posts.post(id: id, reader: reader) }) else { throw APIError.notFound() }
            return JSONResponse.make(try await views.bodies([post], viewer: author)[0])
        }
        catalog.add(
            RouteSpec(
                id: "PST-5", .delete, "/api/v1/posts/{id}", summary: "Delete a post", tag: "Posts", access: .member(scope: "content:write"),
                responses: [204: ("Deleted", nil), 404: ("No such post of yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try PostViews.postID(context)
            let moderator = identity.has(.moderateContent)
            try await Offload.run { try posts.delete(id: id, by: identity.user.id, moderator: moderator) }
            return Response(status: .noContent)
        }
        for (id, method, liked) in [("PST-6", HTTPRequest.Method.put, true), ("PST-7", .delete, false)] {
            catalog.add(
                RouteSpec(
                    id: id, method, "/api/v1/posts/{id}/like", summary: liked ? "Like" : "Unlike", tag: "Posts",
                    access: .member(scope: "content:write"), limit: .own("300/h"),
                    responses: [200: ("Like state", "LikeState"), 404: ("Not visible", "Error")]),
                to: router
            ) { _, context in
                let identity = try context.require(.active, scope: "content:write")
                let (postID, reader) = (try PostViews.postID(context), PostViews.reader(identity))
                let count = try await Offload.run { try posts.setLike(postID: postID, reader: reader, liked: liked) }
                return JSONResponse.make(["liked": .bool(liked), "like_count": .int(Int64(count))])
            }
        }
        catalog.add(
            RouteSpec(
                id: "PST-8", .get, "/api/v1/posts/{id}/comments", summary: "Comments", tag: "Posts",
                query: .page(),
                responses: [200: ("A page of Comment, oldest first", "CommentPage"), 404: ("Not visible", "Error")]),
            to: router
        ) { request, context in
            let identity = context.identity
            if identity != nil { _ = try context.require(.active, scope: "content:read") }
            let (postID, reader, pagination) = (try PostViews.postID(context), PostViews.reader(identity), try Pagination(request))
            let found = try await Offload.run {
                try posts.comments(postID: postID, reader: reader, afterID: pagination.lastID, limit: pagination.limit)
            }
            let items = try await views.commentBodies(found, viewer: identity?.user.id)
            return JSONResponse.make([
                "items": .array(items), "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count),
                "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "PST-9", .post, "/api/v1/posts/{id}/comments", summary: "Comment", tag: "Posts",
                access: .member(scope: "content:write"), limit: .own("60/h"),
                body: .json(
                    NewComment.self, fields: ["content": FieldRule.text(1...2000).required, "parent_id": .id]),
                responses: [
                    422: ("Invalid fields", "Error"),
                    201: ("Comment", "Comment"), 403: ("Blocked", "Error"), 404: ("Not visible", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let body = try await request.decodeJSON(as: NewComment.self, context: context)
            let content = try Self.checkContent(body.content, max: 2000)
            let (postID, reader) = (try PostViews.postID(context), PostViews.reader(identity))
            let comment = try await Offload.run {
                try posts.addComment(postID: postID, reader: reader, content: content, parentID: body.parentID)
            }
            return JSONResponse.make(try await views.commentBodies([comment], viewer: identity.user.id)[0], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "PST-10", .delete, "/api/v1/comments/{id}", summary: "Delete a comment", tag: "Posts",
                access: .member(scope: "content:write"),
                responses: [204: ("Deleted", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let id = try PostViews.postID(context)
            let moderator = identity.has(.moderateContent)
            try await Offload.run { try posts.deleteComment(id: id, by: identity.user.id, moderator: moderator) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "PST-11", .post, "/api/v1/reports", summary: "Report content", tag: "Posts", access: .member(scope: "content:write"),
                limit: .own("20/day"),
                body: .json(
                    NewReport.self,
                    fields: [
                        "target_type": FieldRule.choice(Self.reportTargets).required, "target_id": FieldRule.id.required,
                        "reason": FieldRule.choice(Self.reasons).required, "detail": .text(max: 1000),
                    ]),
                responses: [
                    201: ("Reported", "Created"), 404: ("No such target", "Error"), 409: ("Already reported", "Error"),
                    422: ("Invalid", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let body = try await request.decodeJSON(as: NewReport.self, context: context)
            var problems: [String: [String]] = [:]
            let types = Self.reportTargets
            if !types.contains(body.targetType) { problems["target_type"] = ["must be one of \(types.joined(separator: ", "))"] }
            if !Self.reasons.contains(body.reason) { problems["reason"] = ["must be one of \(Self.reasons.joined(separator: ", "))"] }
            if (body.detail?.count ?? 0) > 1000 { problems["detail"] = ["must be at most 1000 characters"] }
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let reporter = PostViews.reader(identity)
            let id = try await Offload.run {
                try posts.report(
                    reporter: reporter, targetType: body.targetType, targetID: body.targetID, reason: body.reason, detail: body.detail)
            }
            return JSONResponse.make(["id": .int(id)], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "USR-18", .get, "/api/v1/users/{id}/posts", summary: "A member's posts", tag: "Users",
                access: .member(scope: "content:read"),
                query: .page(),
                responses: [
                    200: ("A page of Post the caller may see", "PostPage"),
                    404: ("No such member", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let authorID = try PostViews.postID(context)
            let (profiles, viewer) = (profiles, identity.user.id)
            guard try await Offload.run({ try profiles.profile(id: authorID, viewer: viewer) }) != nil else {
                throw APIError.notFound("There is no such member.")
            }
            let (pagination, reader) = (try Pagination(request), PostViews.reader(identity))
            let found = try await Offload.run {
                try posts.posts(by: authorID, reader: reader, beforeID: pagination.lastID, limit: pagination.limit)
            }
            return try await views.page(found, pagination, viewer: viewer)
        }
    }

}
