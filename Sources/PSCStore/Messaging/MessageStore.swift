import Foundation
import GRDB
import PSCCore

public struct MessageRecord: Sendable {
    public let id: Int64
    public let threadID: Int64
    public let senderID: Int64
    public let recipientID: Int64
    public let subject: String
    public let body: String
    public let isRead: Bool
    public let readAt: String?
    public let createdAt: String
}

public struct ThreadSummary: Sendable {
    public let id: Int64
    public let subject: String
    public let otherID: Int64
    public let lastMessage: MessageRecord?
    public let unreadCount: Int
    public let updatedAt: String
}

public enum MessageError: Error, Equatable, Sendable {
    /// No such active recipient, or no such thread of the caller's.
    case notFound
    /// Either side blocked the other.
    case blocked
    /// An employer may not start a thread with this student (10-api §11).
    case employerRule
}

/// Direct messages (10-api §11, 40-data §2.8): two-participant threads whose subjects and bodies are sealed with the
/// key ring; each new message tells its recipient through the hub (`new_message`). Hiding a thread is per person: a
/// later message shows it again with only what came after.
public struct MessageStore: Sendable, NotifyingStore {
    public let store: Store
    let keyRing: KeyRing
    let clock: @Sendable () -> Date

    public init(store: Store, keyRing: KeyRing, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.clock = clock
    }

    static let subjectColumn = "message_threads.subject_enc"
    static let bodyColumn = "messages.body_enc"

    /// MSG-2: a new thread, or a reply in `threadID` when given. Returns the message and thread ids.
    public func send(from sender: Int64, to recipient: Int64, subject: String?, body: String, threadID: Int64?) throws -> (
        messageID: Int64, threadID: Int64
    ) {
        try store.write { db in
            guard sender != recipient,
                let row = try Row.fetchOne(
                    db, sql: "SELECT role, employer_visible FROM users WHERE id = ? AND status = 'active'", arguments: [recipient])
            else { throw MessageError.notFound }
            if let threadID {
                guard try participants(threadID, in: db) == Set([sender, recipient]) else { throw MessageError.notFound }
                return (try post(threadID: threadID, from: sender, to: recipient, body: body, in: db), threadID)
            }
            if try isBlocked(sender, recipient, in: db) { throw MessageError.blocked }
            if try String.fetchOne(db, sql: "SELECT role FROM users WHERE id = ?", arguments: [sender]) == "employer",
                try row.decode(forColumn: "role") as String == "student"
            {
                // Without a direct-messaging tier (employer subscriptions are not built yet) only applicants may be written to.
                let applied =
                    try Bool.fetchOne(
                        db,
                        sql: """
                            SELECT 1 FROM job_applications a JOIN job_postings p ON p.id = a.job_id
                            WHERE a.user_id = ? AND p.company_id = (SELECT company_id FROM users WHERE id = ?) LIMIT 1
                            """, arguments: [recipient, sender]) == true
                guard applied else { throw MessageError.employerRule }
            }
            let stamp = Timestamp.string(from: clock())
            try db.execute(
                sql: "INSERT INTO message_threads (subject_enc, created_by, last_message_at, created_at) VALUES (?, ?, ?, ?)",
                arguments: [try keyRing.encrypt(subject ?? "", column: Self.subjectColumn), sender, stamp, stamp])
            let thread = db.lastInsertedRowID
            try db.execute(
                sql: "INSERT INTO thread_participants (thread_id, user_id) VALUES (?, ?), (?, ?)",
                arguments: [thread, sender, thread, recipient])
            return (try post(threadID: thread, from: sender, to: recipient, body: body, in: db), thread)
        }
    }

    /// MSG-5: a reply to the other participant of a thread of the caller's.
    public func reply(threadID: Int64, from sender: Int64, body: String) throws -> MessageRecord {
        try store.write { db in
            let people = try participants(threadID, in: db)
            guard people.contains(sender), let other = people.subtracting([sender]).first else { throw MessageError.notFound }
            let id = try post(threadID: threadID, from: sender, to: other, body: body, in: db)
            guard let message = try messages(sql: "m.id = ?", [id], in: db).first else { throw MessageError.notFound }
            return message
        }
    }

    func participants(_ threadID: Int64, in db: GRDB.Database) throws -> Set<Int64> {
        Set(try Int64.fetchAll(db, sql: "SELECT user_id FROM thread_participants WHERE thread_id = ?", arguments: [threadID]))
    }

    func isBlocked(_ a: Int64, _ b: Int64, in db: GRDB.Database) throws -> Bool {
        try ConnectionStore(store: store, clock: clock).isBlocked(a, b, in: db)
    }

    private func post(threadID: Int64, from sender: Int64, to recipient: Int64, body: String, in db: GRDB.Database) throws -> Int64 {
        if try isBlocked(sender, recipient, in: db) { throw MessageError.blocked }
        let stamp = Timestamp.string(from: clock())
        try db.execute(
            sql: "INSERT INTO messages (thread_id, sender_id, recipient_id, body_enc, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [threadID, sender, recipient, try keyRing.encrypt(body, column: Self.bodyColumn), stamp])
        let id = db.lastInsertedRowID
        try db.execute(sql: "UPDATE message_threads SET last_message_at = ? WHERE id = ?", arguments: [stamp, threadID])
        let name = try NotificationHub.name(of: sender, in: db)
        let preview = body.count > 120 ? String(body.prefix(117)) + "…" : body
        try hub.notify(
            recipient,
            Notice(
                .newMessage, title: "Message from \(name)", message: preview, link: "/inbox?thread=\(threadID)",
                data: ["thread_id": String(threadID), "message_id": String(id)]), in: db)
        return id
    }

    /// Messages the caller may see: in threads of theirs, after the moment they hid the thread.
    private func messages(sql condition: String, _ arguments: StatementArguments, in db: GRDB.Database, order: String = "m.id") throws
        -> [MessageRecord]
    {
        try Row.fetchAll(
            db,
            sql: """
                SELECT m.*, t.subject_enc FROM messages m JOIN message_threads t ON t.id = m.thread_id WHERE \(condition) ORDER BY \(order)
                """, arguments: arguments
        ).map(record)
    }

    private func record(_ row: Row) throws -> MessageRecord {
        MessageRecord(
            id: try row.decode(forColumn: "id"), threadID: try row.decode(forColumn: "thread_id"),
            senderID: try row.decode(forColumn: "sender_id"),
            recipientID: try row.decode(forColumn: "recipient_id"),
            subject: try keyRing.decrypt(try row.decode(forColumn: "subject_enc"), column: Self.subjectColumn),
            body: try keyRing.decrypt(try row.decode(forColumn: "body_enc"), column: Self.bodyColumn),
            isRead: try row.decode(forColumn: "is_read"),
            readAt: try row.decode(forColumn: "read_at"), createdAt: try row.decode(forColumn: "created_at"))
    }

    /// The visibility condition for `m` (a message) of user `?` in thread `t`.
    private static let visible = """
        EXISTS (SELECT 1 FROM thread_participants p WHERE p.thread_id = m.thread_id AND p.user_id = ?
            AND (p.hidden_at IS NULL OR m.created_at > p.hidden_at))
        """

    /// MSG-3: the caller's threads with something visible, latest activity first; `after` is the last thread of the previous page.
    public func threads(userID: Int64, unreadOnly: Bool, after: Int64?, limit: Int) throws -> [ThreadSummary] {
        try store.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.subject_enc, t.last_message_at,
                        (SELECT user_id FROM thread_participants o WHERE o.thread_id = t.id AND o.user_id <> p.user_id) AS other_id,
                        (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.recipient_id = p.user_id AND m.is_read = 0
                            AND (p.hidden_at IS NULL OR m.created_at > p.hidden_at)) AS unread
                    FROM thread_participants p JOIN message_threads t ON t.id = p.thread_id
                    WHERE p.user_id = ?1 AND (p.hidden_at IS NULL OR t.last_message_at > p.hidden_at)
                        AND (?2 IS NULL OR (t.last_message_at, t.id) < (SELECT last_message_at, id FROM message_threads WHERE id = ?2))
                    ORDER BY t.last_message_at DESC, t.id DESC LIMIT ?3
                    """, arguments: [userID, after, unreadOnly ? 10_000 : limit])
            var found: [ThreadSummary] = []
            for row in rows {
                let unread: Int = try row.decode(forColumn: "unread")
                if unreadOnly && unread == 0 { continue }
                let id: Int64 = try row.decode(forColumn: "id")
                let last = try messages(sql: "m.thread_id = ? AND \(Self.visible)", [id, userID], in: db, order: "m.id DESC LIMIT 1").first
                found.append(
                    ThreadSummary(
                        id: id, subject: try keyRing.decrypt(try row.decode(forColumn: "subject_enc"), column: Self.subjectColumn),
                        otherID: try row.decode(forColumn: "other_id") ?? 0, lastMessage: last, unreadCount: unread,
                        updatedAt: try row.decode(forColumn: "last_message_at")))
                if found.count == limit { break }
            }
            return found
        }
    }

    /// MSG-4: one thread of the caller's and its visible messages, oldest first after `afterID`; nil when not theirs.
    public func thread(id: Int64, userID: Int64, afterID: Int64?, limit: Int) throws -> (ThreadSummary, [MessageRecord])? {
        try store.read { db in
            guard try participants(id, in: db).contains(userID),
                let row = try Row.fetchOne(
                    db,
                    sql: """
                        SELECT t.subject_enc, t.last_message_at,
                            (SELECT user_id FROM thread_participants o WHERE o.thread_id = t.id AND o.user_id <> ?2) AS other_id,
                            (SELECT count(*) FROM messages m WHERE m.thread_id = t.id AND m.recipient_id = ?2 AND m.is_read = 0) AS unread
                        FROM message_threads t WHERE t.id = ?1
                        """, arguments: [id, userID])
            else { return nil }
            let visible = try messages(
                sql: "m.thread_id = ? AND m.id > ? AND \(Self.visible)", [id, afterID ?? 0, userID], in: db, order: "m.id LIMIT \(limit)")
            let last = try messages(sql: "m.thread_id = ? AND \(Self.visible)", [id, userID], in: db, order: "m.id DESC LIMIT 1").first
            let summary = ThreadSummary(
                id: id, subject: try keyRing.decrypt(try row.decode(forColumn: "subject_enc"), column: Self.subjectColumn),
                otherID: try row.decode(forColumn: "other_id") ?? 0, lastMessage: last, unreadCount: try row.decode(forColumn: "unread"),
                updatedAt: try row.decode(forColumn: "last_message_at"))
            return (summary, visible)
        }
    }

    /// MSG-6: every message to the caller in the thread read; nil when not theirs.
    public func markThreadRead(id: Int64, userID: Int64) throws -> Int? {
        try store.write { db in
            guard try participants(id, in: db).contains(userID) else { return nil }
            try db.execute(
                sql: "UPDATE messages SET is_read = 1, read_at = ? WHERE thread_id = ? AND recipient_id = ? AND is_read = 0",
                arguments: [Timestamp.string(from: clock()), id, userID])
            let marked = db.changesCount
            // Its new-message notices are read with it, so the bell agrees with the inbox.
            try db.execute(
                sql: """
                    UPDATE notifications SET is_read = 1, read_at = ?1 WHERE user_id = ?2 AND type = 'new_message' AND is_read = 0
                        AND json_extract(data, '$.thread_id') = ?3
                    """, arguments: [Timestamp.string(from: clock()), userID, String(id)])
            try db.execute(
                sql:
                    "UPDATE thread_participants SET last_read_message_id = (SELECT max(id) FROM messages WHERE thread_id = ?1) WHERE thread_id = ?1 AND user_id = ?2",
                arguments: [id, userID])
            return marked
        }
    }

    /// MSG-7: one message the caller received; false when there is none.
    public func markRead(messageID: Int64, userID: Int64) throws -> Bool {
        try store.write { db in
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM messages WHERE id = ? AND recipient_id = ?", arguments: [messageID, userID])
                    == true
            else { return false }
            try db.execute(
                sql: "UPDATE messages SET is_read = 1, read_at = ? WHERE id = ? AND is_read = 0",
                arguments: [Timestamp.string(from: clock()), messageID])
            return true
        }
    }

    /// MSG-8: hidden for the caller until a new message arrives; false when not theirs.
    public func hide(threadID: Int64, userID: Int64) throws -> Bool {
        try store.write { db in
            try db.execute(
                sql: "UPDATE thread_participants SET hidden_at = ? WHERE thread_id = ? AND user_id = ?",
                arguments: [Timestamp.string(from: clock()), threadID, userID])
            return db.changesCount == 1
        }
    }

    /// MSG-1: the caller's received messages in threads they have not hidden, newest first, with the total.
    public func received(userID: Int64, offset: Int, limit: Int) throws -> (items: [MessageRecord], total: Int, unread: Int) {
        try store.read { db in
            let condition = "m.recipient_id = ? AND \(Self.visible)"
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM messages m WHERE \(condition)", arguments: [userID, userID]) ?? 0
            let unread =
                try Int.fetchOne(
                    db, sql: "SELECT count(*) FROM messages m WHERE m.is_read = 0 AND \(condition)", arguments: [userID, userID]) ?? 0
            let items = try messages(sql: condition, [userID, userID], in: db, order: "m.id DESC LIMIT \(limit) OFFSET \(offset)")
            return (items, total, unread)
        }
    }

    /// Unread messages to the caller, for the navbar.
    public func unreadCount(userID: Int64) throws -> Int {
        try store.read { db in
            try Int.fetchOne(
                db, sql: "SELECT count(*) FROM messages m WHERE m.recipient_id = ? AND m.is_read = 0 AND \(Self.visible)",
                arguments: [userID, userID]) ?? 0
        }
    }
}
