import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import PSCCore
import PSCStore

/// NTF-6 (10-api §12): Server-Sent Events of a person's new notifications and unread count, resuming after
/// `Last-Event-ID`, so an open page learns of a notice without a reload.
struct NotificationStreamRoutes: FeatureRoutes {
    let notifications: NotificationStore
    let live: LiveNotifications

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (notifications, live) = (notifications, live)
        catalog.add(
            RouteSpec(
                id: "NTF-6", .get, "/api/v1/notifications/stream", summary: "Live notifications (Server-Sent Events)",
                tag: "Notifications", access: .member(scope: "notifications:read"),
                responses: [
                    200: (
                        "`event: notification` (id = the notification id, data = the Notification) and `event: unread_count`",
                        "text/event-stream"
                    ),
                    429: ("Ten streams are already open", "Error"), 503: ("The server is shutting down", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "notifications:read").user.id
            let resumeFrom = request.headers[.lastEventID].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            // Read before the stream opens, so a failure here cannot leave a slot taken.
            let startID = try await Offload.run { try resumeFrom ?? notifications.latestID(userID: user) }
            guard let (streamID, signals) = live.open(user: user) else {
                if live.isClosing { throw APIError(.serviceUnavailable, "unavailable", "The server is restarting; reconnect in a moment.") }
                throw APIError(.tooManyRequests, "rate_limited", "Ten notification streams are already open; close one first.")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            return Response(
                status: .ok, headers: headers,
                body: ResponseBody { writer in
                    defer { live.close(user: user, id: streamID) }
                    var lastID = startID
                    func send(_ text: String, _ writer: inout any ResponseBodyWriter) async throws {
                        try await writer.write(ByteBuffer(string: text))
                    }
                    /// What is new since `lastID` (at most 100, oldest first), then the unread count.
                    func catchUp(_ writer: inout any ResponseBodyWriter) async throws {
                        let after = lastID
                        let (found, unread) = try await Offload.run {
                            (try notifications.since(userID: user, afterID: after, limit: 100), try notifications.unreadCount(userID: user))
                        }
                        for notification in found {
                            let json = String(decoding: NotificationRoutes.body(notification).canonicalBytes, as: UTF8.self)
                            try await send("event: notification\nid: \(notification.id)\ndata: \(json)\n\n", &writer)
                            lastID = notification.id
                        }
                        try await send("event: unread_count\ndata: {\"unread_count\":\(unread)}\n\n", &writer)
                    }
                    try await send("retry: 3000\n\n", &writer)
                    try await catchUp(&writer)
                    for await signal in signals {
                        switch signal {
                        case .changed: try await catchUp(&writer)
                        case .heartbeat: try await send(": heartbeat\n\n", &writer)
                        }
                    }
                    try await writer.finish(nil)
                })
        }
    }
}

extension HTTPField.Name {
    static let lastEventID = Self("Last-Event-ID")!
}
