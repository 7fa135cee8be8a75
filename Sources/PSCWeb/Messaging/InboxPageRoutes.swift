import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/inbox` (50-ui §3): conversations (unread first) beside the open one, oldest message at the top and the reply box
/// at the bottom; "New message" finds a member by name. Everything works by plain form posts.
struct InboxPageRoutes: FeatureRoutes {
    let messages: MessageStore
    let notifications: NotificationStore
    let profiles: ProfileStore
    let pages: PageRenderer

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (messages, notifications, profiles, pages) = (messages, notifications, profiles, pages)
        MemberPage.register(router, catalog, "PAGE-INBOX", "/inbox", "Messages") { request, context in
            let identity = try MemberPage.identity(request, context)
            let user = identity.user.id
            let query = request.uri.formQuery
            let open = query.get("thread").flatMap { Int64(String($0)) }
            let to = query.get("to").flatMap { Int64(String($0)) }
            let find = query.get("find").map { String($0).trimmingCharacters(in: .whitespaces) } ?? ""
            // Opening a conversation reads it: its messages count as read from here on.
            if let open { _ = try await Offload.run { try messages.markThreadRead(id: open, userID: user) } }
            let (threads, opened, recent) = try await Offload.run {
                (
                    try messages.threads(userID: user, unreadOnly: false, after: nil, limit: 50),
                    try open.flatMap { try messages.thread(id: $0, userID: user, afterID: nil, limit: 200) },
                    try notifications.recent(userID: user, limit: 5)
                )
            }
            if open != nil && opened == nil { throw APIError.notFound("There is no such conversation.") }
            let ordered = threads.filter { $0.unreadCount > 0 } + threads.filter { $0.unreadCount == 0 }
            var data: [String: Any] = [
                "threads": try await MessageRoutes.threadBodies(ordered, viewer: user, profiles: profiles).map { thread in
                    var item = thread.templateValue as? [String: Any] ?? [:]
                    item["current"] = (thread["thread_id"] == .int(open ?? -1))
                    // Mustache draws a zero as present; the badge needs a flag.
                    item["hasUnread"] = thread["unread_count"].flatMap { if case .int(let count) = $0 { count > 0 } else { nil } } ?? false
                    return item
                },
                "hasThreads": !threads.isEmpty, "notifications": recent.map(NotificationRoutes.body).compactMap(\.templateValue),
                "hasNotifications": !recent.isEmpty, "find": find, "sent": query.get("sent") == "1",
            ]
            if let (summary, found) = opened {
                data["open"] = [
                    "thread": try await MessageRoutes.threadBodies([summary], viewer: user, profiles: profiles)[0].templateValue as Any,
                    "messages": try await MessageRoutes.bodies(found, viewer: user, profiles: profiles).map { message in
                        var item = message.templateValue as? [String: Any] ?? [:]
                        item["mine"] = message["sender"]?["id"] == .int(user)
                        return item
                    },
                ]
            }
            if let to, to != user, let card = try await Offload.run({ try profiles.cards(ids: [to], viewer: user)[to] }) {
                data["recipient"] = ProfileViews.card(card.record, relation: card.relation).mapValues { $0.templateValue as Any }
            } else if !find.isEmpty {
                var search = ProfileStore.DirectoryQuery()
                search.text = String(find.prefix(100))
                search.limit = 10
                let prepared = search
                let found = try await Offload.run { try profiles.directory(prepared, viewer: user) }.filter { $0.id != user }
                data["matches"] = found.map { ["id": Int($0.id), "name": "\($0.firstName) \($0.lastName)"] }
                data["searched"] = true
                data["noMatches"] = found.isEmpty
            }
            return HTMLResponse.make(pages.render("inbox", data, request: request, identity: identity))
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-INBOX-SEND", "/inbox/send", "Start a conversation (form)", limit: .own("30/h"), maxBytes: 64 * 1024,
            responses: [303: ("To the new conversation", nil)]
        ) { request, context, identity, form in
            let sender = identity.user.id
            let recipient = form["recipient_id"].flatMap { Int64($0) } ?? 0
            let subject = (form["subject"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let body = (form["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...200).contains(subject.count), (1...10_000).contains(body.count) else {
                throw APIError.validation(["message": ["Write a subject (up to 200 characters) and a message (up to 10,000)."]])
            }
            do {
                let sent = try await Offload.run {
                    try messages.send(from: sender, to: recipient, subject: subject, body: body, threadID: nil)
                }
                return HTMLResponse.redirect(to: "/inbox?thread=\(sent.threadID)&sent=1")
            } catch let error as MessageError { throw MessageRoutes.failure(error) }
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-INBOX-REPLY", "/inbox/threads/{thread_id}/reply", "Reply in a conversation (form)", limit: .own("30/h"),
            maxBytes: 64 * 1024, responses: [303: ("Back to the conversation", nil)]
        ) { request, context, identity, form in
            let sender = identity.user.id
            let thread = try MessageRoutes.threadID(context)
            let body = (form["body"] ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard (1...10_000).contains(body.count) else {
                throw APIError.validation(["body": ["Write a message of up to 10,000 characters."]])
            }
            do {
                _ = try await Offload.run { try messages.reply(threadID: thread, from: sender, body: body) }
                return HTMLResponse.redirect(to: "/inbox?thread=\(thread)&sent=1")
            } catch let error as MessageError { throw MessageRoutes.failure(error) }
        }
    }
}
