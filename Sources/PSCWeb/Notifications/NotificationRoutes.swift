import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// NTF-1..5 (10-api §12): the in-app notifications, and the `/notifications` page.
struct NotificationRoutes: FeatureRoutes {
    let notifications: NotificationStore
    let pages: PageRenderer

    static func body(_ notification: NotificationRecord) -> JSONValue {
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        return [
            "id": .int(notification.id), "type": .string(notification.type), "category": .string(notification.type),
            "priority": .string(notification.priority), "title": .string(notification.title), "message": .string(notification.message),
            "link": text(notification.link),
            "data": notification.data.flatMap { try? JSONDecoder().decode(JSONValue.self, from: Data($0.utf8)) } ?? [:],
            "is_read": .bool(notification.isRead), "read_at": text(notification.readAt), "created_at": .string(notification.createdAt),
        ]
    }

    static func notificationID(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID(notFound: "There is no such notification.")
    }

    static func type(_ request: Request) throws -> String? {
        guard let value = request.uri.formQuery.get("category").map({ String($0) }), !value.isEmpty else { return nil }
        guard NotificationType(rawValue: value) != nil else { throw APIError.validation(["category": ["is not a notification type"]]) }
        return value
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let notifications = notifications
        catalog.add(
            RouteSpec(
                id: "NTF-1", .get, "/api/v1/notifications/list", summary: "My notifications", tag: "Notifications",
                access: .member(scope: "notifications:read"),
                query: .page(defaultLimit: 50) + [
                    .text("category", max: 40, "One notification type"), .boolean("unread_only", "Unread ones only"),
                ],
                responses: [
                    200: ("notifications, unread_count, next_cursor", "NotificationList"),
                    422: ("Unknown type", "Error"),
                ]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "notifications:read")
            let pagination = try Pagination(request, defaultLimit: 50)
            let (user, type) = (identity.user.id, try Self.type(request))
            let unreadOnly = request.uri.formQuery.get("unread_only") == "true"
            let found = try await Offload.run {
                try notifications.list(
                    userID: user, unreadOnly: unreadOnly, type: type, beforeID: pagination.lastID, limit: pagination.limit)
            }
            let unread = try await Offload.run { try notifications.unreadCount(userID: user) }
            return JSONResponse.make([
                "notifications": .array(found.map(Self.body)), "unread_count": .int(Int64(unread)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-2", .get, "/api/v1/notifications/unread-count", summary: "How many are unread", tag: "Notifications",
                access: .member(scope: "notifications:read"),
                responses: [200: ("unread_count", "UnreadCount")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "notifications:read").user.id
            return JSONResponse.make(["unread_count": .int(Int64(try await Offload.run { try notifications.unreadCount(userID: user) }))])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-3", .post, "/api/v1/notifications/{id}/read", summary: "Mark one read", tag: "Notifications",
                access: .member(scope: "notifications:write"),
                responses: [200: ("is_read", "NotificationRead"), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "notifications:write").user.id
            let id = try Self.notificationID(context)
            guard try await Offload.run({ try notifications.markRead(id: id, userID: user) }) else {
                throw APIError.notFound("There is no such notification.")
            }
            return JSONResponse.make(["id": .int(id), "is_read": true])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-4", .post, "/api/v1/notifications/read-all", summary: "Mark all read", tag: "Notifications",
                access: .member(scope: "notifications:write"),
                responses: [200: ("marked", "MarkedRead")]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "notifications:write").user.id
            let type = try Self.type(request)
            return JSONResponse.make([
                "marked": .int(Int64(try await Offload.run { try notifications.markAllRead(userID: user, type: type) }))
            ])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-5", .delete, "/api/v1/notifications/{id}", summary: "Delete one", tag: "Notifications",
                access: .member(scope: "notifications:write"),
                responses: [204: ("Deleted", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "notifications:write").user.id
            let id = try Self.notificationID(context)
            guard try await Offload.run({ try notifications.delete(id: id, userID: user) }) else {
                throw APIError.notFound("There is no such notification.")
            }
            return Response(status: .noContent)
        }
        MemberPage.register(router, catalog, "PAGE-NOTIFICATIONS", "/notifications", "My notifications") { request, context in
            let identity = try MemberPage.identity(request, context)
            let user = identity.user.id
            let query = request.uri.formQuery
            let unreadOnly = query.get("unread") == "1"
            let type = query.get("type").flatMap { NotificationType(rawValue: String($0)) }
            let found = try await Offload.run {
                try notifications.list(userID: user, unreadOnly: unreadOnly, type: type?.rawValue, beforeID: nil, limit: 100)
            }
            let types = NotificationType.allCases.sorted { $0.definition.label < $1.definition.label }.map {
                ["value": $0.rawValue, "label": $0.definition.label, "selected": $0 == type]
            }
            return HTMLResponse.make(
                pages.render(
                    "notifications",
                    [
                        "notifications": found.map(Self.body).compactMap(\.templateValue), "hasNotifications": !found.isEmpty,
                        "unreadOnly": unreadOnly, "types": types, "filtered": unreadOnly || type != nil,
                    ],
                    request: request, identity: identity))
        }
    }
}
