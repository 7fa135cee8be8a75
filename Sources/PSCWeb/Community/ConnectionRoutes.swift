import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// What clients see for the store's errors; the error middleware renders it wherever one is thrown.
extension ConnectionError: APIErrorConvertible {
    var apiError: APIError { ConnectionRoutes.mapped(self) }
}

/// CON-1..9 (10-api §5): connection requests and answers, suggestions, and blocks.
struct ConnectionRoutes: FeatureRoutes {
    let connections: ConnectionStore
    let profiles: ProfileStore
    let views: ConnectionViews

    struct NewConnection: Decodable {
        let userID: Int64
        let note: String?
    }
    struct NewBlock: Decodable {
        let userID: Int64
    }

    static func mapped(_ error: ConnectionError) -> APIError {
        switch error {
        case .selfConnection: APIError.validation(["user_id": ["cannot be yourself"]])
        case .noSuchUser, .notFound: APIError.notFound("There is no such member or request.")
        case .blocked: APIError(.forbidden, "blocked", "You cannot connect with this member.")
        case .exists: APIError(.conflict, "conflict", "A connection or request already exists.")
        case .recentlyDeclined: APIError(.conflict, "conflict", "This request was declined recently; try again after 30 days.")
        case .notPending: APIError(.conflict, "invalid_state", "This request has already been answered.")
        }
    }

    static func id(_ context: AppRequestContext, _ name: String = "id") throws -> Int64 {
        guard let id = context.parameters.get(name).flatMap({ Int64($0) }), id > 0 else {
            throw APIError.notFound("There is no such request.")
        }
        return id
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (connections, profiles) = (connections, profiles)
        catalog.add(
            RouteSpec(
                id: "CON-1", .get, "/api/v1/connections", summary: "My connections and requests", tag: "Connections",
                access: .member(scope: "content:read"),
                query: .page() + [.choice("status", ["connected", "pending_in", "pending_out"], "Which connections (default connected)")],
                responses: [
                    200: ("A page of connections", "ConnectionPage"), 422: ("Bad status", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let statusText = request.uri.formQuery.get("status").map { String($0) } ?? "connected"
            guard let status = ConnectionStatus(rawValue: statusText), [.connected, .pendingIn, .pendingOut].contains(status) else {
                throw APIError.validation(["status": ["must be connected, pending_in or pending_out"]])
            }
            let page = try Pagination(request)
            let found = try await views.list(viewer: identity.user.id, status: status, beforeID: page.lastID, limit: page.limit)
            return JSONResponse.make([
                "items": .array(found.items), "next_cursor": page.nextCursor(lastID: found.lastID, count: found.count),
                "limit": .int(Int64(page.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "CON-2", .post, "/api/v1/connections", summary: "Ask to connect", tag: "Connections",
                access: .member(scope: "content:write"), limit: .own("50/day"),
                body: .json(
                    NewConnection.self, fields: ["user_id": FieldRule.id.required, "note": .text(max: 300)]),
                responses: [
                    201: ("Requested, or connected when they had asked", "ConnectionRequest"), 403: ("Blocked", "Error"),
                    404: ("No such member", "Error"),
                    409: ("Exists or declined recently", "Error"), 422: ("Yourself", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let body = try await request.decodeJSON(as: NewConnection.self, context: context)
            let note = body.note?.trimmingCharacters(in: .whitespacesAndNewlines)
            if let note, note.count > 300 { throw APIError.validation(["note": ["must be at most 300 characters"]]) }
            let requester = identity.user.id
            let result = try await Offload.run {
                try connections.request(from: requester, to: body.userID, note: note?.isEmpty == true ? nil : note)
            }
            var response = JSONResponse.make(["id": .int(result.id), "status": .string(result.status)], status: .created)
            response.headers[.location] = "/api/v1/connections/\(result.id)"
            return response
        }
        for (id, action, accept) in [("CON-3", "accept", true), ("CON-4", "decline", false)] {
            catalog.add(
                RouteSpec(
                    id: id, .post, "/api/v1/connections/{id}/\(action)", summary: accept ? "Accept a request" : "Decline a request",
                    tag: "Connections", access: .member(scope: "content:write"),
                    responses: [
                        200: ("Answered", "ConnectionAnswer"), 404: ("Not a request to you", "Error"),
                        409: ("Already answered", "Error"),
                    ]),
                to: router
            ) { _, context in
                let identity = try context.require(.active, scope: "content:write")
                let connectionID = try Self.id(context)
                try await Offload.run { try connections.respond(id: connectionID, by: identity.user.id, accept: accept) }
                return JSONResponse.make(accept ? ["status": "connected"] : ["status": "declined"])
            }
        }
        catalog.add(
            RouteSpec(
                id: "CON-5", .delete, "/api/v1/connections/{id}", summary: "Withdraw or remove", tag: "Connections",
                access: .member(scope: "content:write"),
                responses: [204: ("Gone", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let connectionID = try Self.id(context)
            try await Offload.run { try connections.remove(id: connectionID, by: identity.user.id) }
            return Response(status: .noContent)
        }
        catalog.add(
            RouteSpec(
                id: "CON-6", .get, "/api/v1/connections/suggestions", summary: "People you may know", tag: "Connections",
                access: .member(scope: "content:read"),
                query: [QueryParameter("limit", ["type": "integer", "minimum": 1, "maximum": 20, "default": 10], "How many")],
                responses: [200: ("Suggestions with reasons", "SuggestionList")]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:read")
            let limitText = request.uri.formQuery.get("limit").map { String($0) } ?? "10"
            guard let limit = Int(limitText), limit > 0 else { throw APIError.validation(["limit": ["must be a positive whole number"]]) }
            return JSONResponse.make(["items": .array(try await views.suggestions(viewer: identity.user.id, limit: min(limit, 20)))])
        }
        catalog.add(
            RouteSpec(
                id: "CON-7", .get, "/api/v1/blocks", summary: "People I blocked", tag: "Connections",
                access: .member(scope: "content:read"),
                responses: [200: ("UserCards", "UserCardList")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:read")
            let viewer = identity.user.id
            let ids = try await Offload.run { try connections.blocked(by: viewer) }
            let cards = try await Offload.run { try profiles.cards(ids: ids, viewer: viewer) }
            return JSONResponse.make([
                "items": .array(ids.compactMap { id in cards[id].map { .object(ProfileViews.card($0.record, relation: .blocked)) } })
            ])
        }
        catalog.add(
            RouteSpec(
                id: "CON-8", .post, "/api/v1/blocks", summary: "Block a member", tag: "Connections",
                access: .member(scope: "content:write"), limit: .own("30/day"),
                body: .json(
                    NewBlock.self, fields: ["user_id": FieldRule.id.required]),
                responses: [
                    201: ("Blocked", "Blocked"), 404: ("No such member", "Error"),
                    422: ("Yourself", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.active, scope: "content:write")
            let body = try await request.decodeJSON(as: NewBlock.self, context: context)
            let blocker = identity.user.id
            try await Offload.run { try connections.block(blocker, body.userID) }
            return JSONResponse.make(["blocked_user_id": .int(body.userID)], status: .created)
        }
        catalog.add(
            RouteSpec(
                id: "CON-9", .delete, "/api/v1/blocks/{user_id}", summary: "Unblock", tag: "Connections",
                access: .member(scope: "content:write"),
                responses: [204: ("Unblocked", nil), 404: ("Not blocked", "Error")]),
            to: router
        ) { _, context in
            let identity = try context.require(.active, scope: "content:write")
            let blocked = try Self.id(context, "user_id")
            guard try await Offload.run({ try connections.unblock(identity.user.id, blocked) }) else {
                throw APIError.notFound("You have not blocked this member.")
            }
            return Response(status: .noContent)
        }
    }
}
