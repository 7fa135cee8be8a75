import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// MSG-1..8 (10-api §11): direct messages between two people and the unified inbox.
struct MessageRoutes: FeatureRoutes {
    let messages: MessageStore
    let notifications: NotificationStore
    let profiles: ProfileStore
    let announcements: AnnouncementStore

    static func failure(_ error: MessageError) -> APIError {
        switch error {
        case .notFound: APIError.notFound("There is no such member or conversation.")
        case .blocked: APIError(.forbidden, "blocked", "Messages cannot be sent: one of you has blocked the other.")
        case .employerRule:
            APIError.forbidden(
                "Employers may write first only to students who applied to their postings (or with a direct-messaging plan).")
        }
    }

    /// Message shapes with their senders' cards, as the viewer may see them.
    static func bodies(_ found: [MessageRecord], viewer: Int64, profiles: ProfileStore) async throws -> [JSONValue] {
        let ids = Array(Set(found.map(\.senderID)))
        let cards = try await Offload.run { try profiles.cards(ids: ids, viewer: viewer) }
        return found.map { message in
            [
                "id": .int(message.id), "thread_id": .int(message.threadID),
                "sender": cards[message.senderID].map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null,
                "recipient_id": .int(message.recipientID), "subject": .string(message.subject), "body": .string(message.body),
                "is_read": .bool(message.isRead), "read_at": message.readAt.map(JSONValue.string) ?? .null,
                "created_at": .string(message.createdAt),
            ]
        }
    }

    static func threadBodies(_ found: [ThreadSummary], viewer: Int64, profiles: ProfileStore) async throws -> [JSONValue] {
        let ids = Array(Set(found.map(\.otherID)))
        let cards = try await Offload.run { try profiles.cards(ids: ids, viewer: viewer) }
        return found.map { thread in
            [
                "thread_id": .int(thread.id), "subject": .string(thread.subject),
                "other": cards[thread.otherID].map { .object(ProfileViews.card($0.record, relation: $0.relation)) } ?? .null,
                "last_message": thread.lastMessage.map { message in
                    [
                        "id": .int(message.id), "preview": .string(String(message.body.prefix(140))), "sender_id": .int(message.senderID),
                        "created_at": .string(message.createdAt),
                    ]
                } ?? .null,
                "unread_count": .int(Int64(thread.unreadCount)), "updated_at": .string(thread.updatedAt),
            ]
        }
    }

    static func threadID(_ context: AppRequestContext) throws -> Int64 {
        try context.positiveID("thread_id", notFound: "There is no such conversation.")
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (messages, notifications, profiles, announcements) = (messages, notifications, profiles, announcements)
        catalog.add(
            RouteSpec(
                id: "MSG-1", .get, "/api/v1/inbox", summary: "My inbox: messages, notifications and announcements", tag: "Messages",
                access: .member(scope: "messages:read"),
                query: [
                    QueryParameter("page", ["type": "integer", "minimum": 1, "default": 1], "Page of messages"),
                    QueryParameter("per_page", ["type": "integer", "minimum": 1, "maximum": 100, "default": 20], "Messages per page"),
                ],
                responses: [200: ("The unified inbox", "Inbox")]),
            to: router
        ) { request, context in
            let identity = try context.require(.signedIn, scope: "messages:read")
            let (user, actor) = (identity.user.id, identity.actor)
            let query = request.uri.formQuery
            func number(_ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws -> Int {
                guard let text = query.get(key) else { return fallback }
                guard let value = Int(String(text)), range.contains(value) else {
                    throw APIError.validation([key: ["must be a whole number from \(range.lowerBound) to \(range.upperBound)"]])
                }
                return value
            }
            let (page, perPage) = (try number("page", 1, 1...100_000), try number("per_page", 20, 1...100))
            let (received, recent, unreadNotifications, live) = try await Offload.run {
                (
                    try messages.received(userID: user, offset: (page - 1) * perPage, limit: perPage),
                    try notifications.recent(userID: user, limit: 20), try notifications.unreadCount(userID: user),
                    try announcements.visible(to: actor, limit: 10)
                )
            }
            let pages = max(1, (received.total + perPage - 1) / perPage)
            return JSONResponse.make([
                "messages": [
                    "items": .array(try await Self.bodies(received.items, viewer: user, profiles: profiles)),
                    "total": .int(Int64(received.total)), "pages": .int(Int64(pages)), "current_page": .int(Int64(page)),
                ],
                "notifications": .array(recent.map(NotificationRoutes.body)),
                "announcements": .array(try await AnnouncementRoutes.bodies(live, profiles: profiles)),
                "unread_count": ["messages": .int(Int64(received.unread)), "notifications": .int(Int64(unreadNotifications))],
                "next_cursor": page < pages ? .string(String(page + 1)) : .null,
            ])
        }
        catalog.add(
            RouteSpec(
                id: "MSG-2", .post, "/api/v1/messages/send", summary: "Send a message (a new conversation, or a reply in one)",
                tag: "Messages", access: .member(scope: "messages:write"), limit: .own("30/h"),
                body: .object([
                    "recipient_id": FieldRule.id.required, "subject": .text(1...200), "body": FieldRule.text(1...10_000).required,
                    "thread_id": .id,
                ]),
                responses: [
                    201: ("Sent", "MessageSent"), 403: ("Blocked, or the employer rule", "Error"),
                    404: ("No such recipient or conversation", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let sender = try context.require(.active, scope: "messages:write").user.id
            let object = try await request.jsonObjectBody(context: context).object
            let recipient = object["recipient_id"].flatMap(FieldRule.wholeNumber) ?? 0
            let thread = object["thread_id"].flatMap { FieldRule.wholeNumber($0) }
            let subject = (object["subject"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines)
            let body = (object["body"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !body.isEmpty else { throw APIError.validation(["body": ["must not be blank"]]) }
            if thread == nil && (subject ?? "").isEmpty { throw APIError.validation(["subject": ["is required for a new conversation"]]) }
            do {
                let sent = try await Offload.run {
                    try messages.send(from: sender, to: recipient, subject: subject, body: body, threadID: thread)
                }
                return JSONResponse.make(
                    ["success": true, "message_id": .int(sent.messageID), "thread_id": .int(sent.threadID)], status: .created)
            } catch let error as MessageError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "MSG-3", .get, "/api/v1/messages/threads", summary: "My conversations, latest activity first", tag: "Messages",
                access: .member(scope: "messages:read"),
                query: .page() + [.boolean("unread_only", "Only conversations with unread messages")],
                responses: [200: ("A page of conversations", "ThreadPage")]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "messages:read").user.id
            let pagination = try Pagination(request)
            let unreadOnly = request.uri.formQuery.get("unread_only") == "true"
            let found = try await Offload.run {
                try messages.threads(userID: user, unreadOnly: unreadOnly, after: pagination.lastID, limit: pagination.limit)
            }
            return JSONResponse.make([
                "items": .array(try await Self.threadBodies(found, viewer: user, profiles: profiles)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count), "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "MSG-4", .get, "/api/v1/messages/threads/{thread_id}", summary: "One conversation, oldest first", tag: "Messages",
                access: .member(scope: "messages:read"), query: .page(defaultLimit: 50),
                responses: [200: ("The conversation and its messages", "ThreadDetail"), 404: ("Not yours", "Error")]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "messages:read").user.id
            let id = try Self.threadID(context)
            let pagination = try Pagination(request, defaultLimit: 50)
            guard
                let (summary, found) = try await Offload.run({
                    try messages.thread(id: id, userID: user, afterID: pagination.lastID, limit: pagination.limit)
                })
            else { throw APIError.notFound("There is no such conversation.") }
            return JSONResponse.make([
                "thread": try await Self.threadBodies([summary], viewer: user, profiles: profiles)[0],
                "items": .array(try await Self.bodies(found, viewer: user, profiles: profiles)),
                "next_cursor": pagination.nextCursor(lastID: found.last?.id, count: found.count), "limit": .int(Int64(pagination.limit)),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "MSG-5", .post, "/api/v1/messages/threads/{thread_id}/reply", summary: "Reply in a conversation", tag: "Messages",
                access: .member(scope: "messages:write"), limit: .own("30/h"),
                body: .object(["body": FieldRule.text(1...10_000).required]),
                responses: [
                    201: ("The message", "Message"), 403: ("Blocked", "Error"), 404: ("Not yours", "Error"),
                    422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.active, scope: "messages:write").user.id
            let id = try Self.threadID(context)
            let object = try await request.jsonObjectBody(context: context).object
            let body = (object["body"] as? String ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !body.isEmpty else { throw APIError.validation(["body": ["must not be blank"]]) }
            do {
                let message = try await Offload.run { try messages.reply(threadID: id, from: user, body: body) }
                return JSONResponse.make(try await Self.bodies([message], viewer: user, profiles: profiles)[0], status: .created)
            } catch let error as MessageError { throw Self.failure(error) }
        }
        catalog.add(
            RouteSpec(
                id: "MSG-6", .post, "/api/v1/messages/threads/{thread_id}/read", summary: "Mark a conversation read", tag: "Messages",
                access: .member(scope: "messages:write"),
                responses: [200: ("How many were marked", "MarkedRead"), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "messages:write").user.id
            let id = try Self.threadID(context)
            guard let marked = try await Offload.run({ try messages.markThreadRead(id: id, userID: user) }) else {
                throw APIError.notFound("There is no such conversation.")
            }
            return JSONResponse.make(["marked": .int(Int64(marked))])
        }
        catalog.add(
            RouteSpec(
                id: "MSG-7", .post, "/api/v1/messages/{id}/read", summary: "Mark one message read", tag: "Messages",
                access: .member(scope: "messages:write"),
                responses: [200: ("Marked", "NotificationRead"), 404: ("Not a message to you", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "messages:write").user.id
            let id = try context.positiveID(notFound: "There is no such message.")
            guard try await Offload.run({ try messages.markRead(messageID: id, userID: user) }) else {
                throw APIError.notFound("There is no such message.")
            }
            return JSONResponse.make(["id": .int(id), "is_read": true])
        }
        catalog.add(
            RouteSpec(
                id: "MSG-8", .delete, "/api/v1/messages/threads/{thread_id}", summary: "Hide a conversation for me", tag: "Messages",
                access: .member(scope: "messages:write"),
                responses: [204: ("Hidden until a new message arrives", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "messages:write").user.id
            let id = try Self.threadID(context)
            guard try await Offload.run({ try messages.hide(threadID: id, userID: user) }) else {
                throw APIError.notFound("There is no such conversation.")
            }
            return Response(status: .noContent)
        }
    }
}
