import Foundation
import GRDB
import PSCCore

/// The `reminder` job (30-jobs): one per item, person and threshold, queued for `start − offset` with unique key
/// `reminder:<kind>:<item>:<user>:<offset>`. On its run it re-checks that the item and the person's place still
/// stand and that the item's `sequence` is unchanged; a moved item cancels and re-queues its reminders, and the
/// notification's dedupe key (the key plus the sequence) keeps any reminder from being sent twice.
public enum Reminders {
    public static let jobKind = "reminder"

    public enum Kind: String, Codable, Sendable { case webinar, session }

    public struct Payload: Codable, Sendable, Equatable {
        public let kind: Kind
        public let item: Int64
        public let user: Int64
        public let offset: Int
        public let sequence: Int

        public var key: String { Reminders.key(kind, item: item, user: user, offset: offset) }
    }

    static func key(_ kind: Kind, item: Int64, user: Int64, offset: Int) -> String { "reminder:\(kind.rawValue):\(item):\(user):\(offset)" }

    /// The reminders still ahead for these people; a threshold already past is skipped.
    static func jobs(_ kind: Kind, item: Int64, users: [Int64], offsets: [Int], start: Date, sequence: Int, now: Date) throws -> [TimedJob]
    {
        try users.flatMap { user in
            try offsets.compactMap { offset -> TimedJob? in
                let due = start.addingTimeInterval(-Double(offset))
                guard due > now else { return nil }
                let payload = Payload(kind: kind, item: item, user: user, offset: offset, sequence: sequence)
                return try TimedJob(kind: jobKind, uniqueKey: payload.key, runAt: due, payload: payload)
            }
        }
    }

    static func keys(_ kind: Kind, item: Int64, users: [Int64], offsets: [Int]) -> [String] {
        users.flatMap { user in offsets.map { key(kind, item: item, user: user, offset: $0) } }
    }

    /// "in 24 hours", "in 15 minutes", "in 1 hour".
    static func lead(_ offset: Int) -> String {
        switch offset {
        case 86_400: "tomorrow"
        case 3_600: "in 1 hour"
        case let seconds where seconds % 3600 == 0: "in \(seconds / 3600) hours"
        default: "in \(offset / 60) minutes"
        }
    }

    /// Runs one reminder: true when it was sent, false when the item moved, was cancelled, or the person left.
    public static func send(_ payload: Payload, store: Store, clock: @escaping @Sendable () -> Date = Date.init) throws -> Bool {
        try store.write { db in
            let notice: Notice
            switch payload.kind {
            case .webinar:
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT w.title, w.sequence FROM webinars w JOIN webinar_registrations r ON r.webinar_id = w.id AND r.user_id = ?
                            WHERE w.id = ? AND w.status = 'scheduled'
                            """, arguments: [payload.user, payload.item]),
                    try row.decode(forColumn: "sequence") as Int == payload.sequence
                else { return false }
                let title: String = try row.decode(forColumn: "title")
                notice = Notice(
                    .webinarReminder, title: "“\(title)” starts \(lead(payload.offset))",
                    message: "The webinar you registered for starts \(lead(payload.offset)). The join link is on its page.",
                    link: "/webinars/\(payload.item)", data: ["webinar_id": String(payload.item)],
                    dedupeKey: "\(payload.key):\(payload.sequence)")
            case .session:
                guard
                    let row = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT s.sequence, m.mentor_id, m.mentee_id FROM mentorship_sessions s JOIN mentorships m ON m.id = s.mentorship_id
                            WHERE s.id = ? AND s.status = 'scheduled' AND m.status = 'active' AND ? IN (m.mentor_id, m.mentee_id)
                            """, arguments: [payload.item, payload.user]),
                    try row.decode(forColumn: "sequence") as Int == payload.sequence
                else { return false }
                let other: Int64 =
                    try row.decode(forColumn: "mentor_id") == payload.user
                    ? try row.decode(forColumn: "mentee_id") : try row.decode(forColumn: "mentor_id")
                let name = try NotificationHub.name(of: other, in: db)
                notice = Notice(
                    .sessionReminder, title: "Mentorship session \(lead(payload.offset))",
                    message: "Your session with \(name) starts \(lead(payload.offset)).", link: "/mentorship#session-\(payload.item)",
                    data: ["session_id": String(payload.item)], dedupeKey: "\(payload.key):\(payload.sequence)")
            }
            return try NotificationHub(store: store, clock: clock).notify(payload.user, notice, in: db) != nil
        }
    }
}
