import Foundation
import GRDB
import PSCCore

/// Check-in and feedback (EVT-9..11): a per-event code staff show as a QR code, check-ins by the organiser or by
/// the attendee with the code, and one rating per person who came.
extension EventStore {
    /// Codes avoid I, O, 0 and 1, which are misread on a projected screen.
    public static let codeAlphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZ23456789")

    /// EVT-10: the event's code, made on first request.
    public func checkInCode(eventID: Int64) throws -> String {
        try store.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT checkin_code FROM events WHERE id = ?", arguments: [eventID]) else {
                throw EventError.notFound
            }
            if let code = try row.decode(forColumn: "checkin_code") as String? { return code }
            var generator = SystemRandomNumberGenerator()
            let code = String((0..<6).map { _ in Self.codeAlphabet.randomElement(using: &generator)! })
            try db.execute(sql: "UPDATE events SET checkin_code = ? WHERE id = ?", arguments: [code, eventID])
            return code
        }
    }

    public enum CheckInMethod: String, Sendable { case organizer, code }

    /// EVT-9: returns the check-in time and whether this call made it (a repeat returns the first).
    public func checkIn(eventID: Int64, userID: Int64, method: CheckInMethod, by: Int64, code: String?) throws -> (
        checkedInAt: String, created: Bool
    ) {
        let now = clock()
        return try store.write { db in
            guard
                let event = try Row.fetchOne(
                    db, sql: "SELECT status, start_time, end_time, walk_ins_allowed, checkin_code FROM events WHERE id = ?",
                    arguments: [eventID])
            else { throw EventError.notFound }
            guard try event.decode(forColumn: "status") as String == "scheduled" else { throw EventError.cancelled }
            if method == .code {
                guard let expected = try event.decode(forColumn: "checkin_code") as String?, let code,
                    SecureToken.constantTimeEqual(expected, code.uppercased())
                else { throw EventError.wrongCode }
            }
            if let existing = try String.fetchOne(
                db, sql: "SELECT checked_in_at FROM event_checkins WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
            {
                return (existing, false)
            }
            guard let start = Timestamp.date(from: try event.decode(forColumn: "start_time")), let end = Timestamp.date(from: try event.decode(forColumn: "end_time")),
                EventPolicy.isCheckInOpen(at: now, start: start, end: end)
            else { throw EventError.outsideCheckInWindow }
            let going =
                try String.fetchOne(
                    db, sql: "SELECT status FROM event_rsvps WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
                == "going"
            let walkInsAllowed: Bool = try event.decode(forColumn: "walk_ins_allowed")
            guard going || walkInsAllowed else { throw EventError.walkInsOff }
            let stamp = Timestamp.string(from: now)
            try db.execute(
                sql: "INSERT INTO event_checkins (event_id, user_id, checked_in_at, method, by_user_id) VALUES (?, ?, ?, ?, ?)",
                arguments: [eventID, userID, stamp, method.rawValue, by])
            return (stamp, true)
        }
    }

    /// EVT-11: one rating per person who checked in.
    public func giveFeedback(eventID: Int64, userID: Int64, rating: Int, comment: String?) throws {
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM events WHERE id = ?", arguments: [eventID]) == true else {
                throw EventError.notFound
            }
            guard
                try Bool.fetchOne(db, sql: "SELECT 1 FROM event_checkins WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
                    == true
            else { throw EventError.notCheckedIn }
            if try Bool.fetchOne(db, sql: "SELECT 1 FROM event_feedback WHERE event_id = ? AND user_id = ?", arguments: [eventID, userID])
                == true
            {
                throw EventError.feedbackGiven
            }
            try db.execute(
                sql: "INSERT INTO event_feedback (event_id, user_id, rating, comment, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [eventID, userID, rating, comment, stamp])
        }
    }
}
