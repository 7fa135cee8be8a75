import Crypto
import Foundation
import Testing

@testable import PSCCore

@Suite("Notification types, quiet hours, phone numbers, unsubscribe tokens")
struct NotificationRulesTests {
    func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    @Test("the 26 types: priority counts, groups, locked channels among the type's own")
    func catalogue() {
        #expect(NotificationType.allCases.count == 26)
        let counts = Dictionary(grouping: NotificationType.allCases, by: \.priority).mapValues(\.count)
        #expect(counts == [.critical: 5, .high: 14, .medium: 4, .low: 3])
        for type in NotificationType.allCases {
            #expect(Set(type.definition.locked).isSubset(of: type.definition.channels), "\(type)")
            #expect(NotificationType.groups.contains(type.definition.group))
        }
        #expect(NotificationType.securityAlert.definition.locked == [.inApp, .email])
        #expect(NotificationType.newPost.definition.channels == [.inApp, .push])
    }

    @Test("the worked example: 22:30 PDT is inside 22:00-07:00 and waits until 07:00 PDT")
    func workedExample() throws {
        let quiet = QuietHours(
            start: try #require(.init("22:00")), end: try #require(.init("07:00")), timeZone: TimeZone(identifier: "America/Los_Angeles")!)
        #expect(quiet.deferral(of: instant("2026-10-14T05:30:00Z")) == instant("2026-10-14T14:00:00Z"))
        // 06:59 PDT still inside, 07:00 outside (end exclusive), 21:59 outside, 22:00 inside (start inclusive).
        #expect(quiet.deferral(of: instant("2026-10-14T13:59:00Z")) == instant("2026-10-14T14:00:00Z"))
        #expect(quiet.deferral(of: instant("2026-10-14T14:00:00Z")) == nil)
        #expect(quiet.deferral(of: instant("2026-10-15T04:59:00Z")) == nil)
        #expect(quiet.deferral(of: instant("2026-10-15T05:00:00Z")) == instant("2026-10-15T14:00:00Z"))
    }

    @Test("a window inside one day, and one across the spring and autumn changes")
    func daylightSaving() throws {
        let chicago = TimeZone(identifier: "America/Chicago")!
        let afternoon = QuietHours(start: try #require(.init("13:00")), end: try #require(.init("15:30")), timeZone: chicago)
        #expect(afternoon.deferral(of: instant("2026-09-01T19:00:00Z")) == instant("2026-09-01T20:30:00Z"))
        #expect(afternoon.deferral(of: instant("2026-09-01T17:59:00Z")) == nil)
        // 01:00-02:30 on 2026-03-08: 02:30 does not exist, so the window ends when the clocks jump (03:00 CDT, 08:00Z).
        let gap = QuietHours(start: try #require(.init("01:00")), end: try #require(.init("02:30")), timeZone: chicago)
        #expect(gap.deferral(of: instant("2026-03-08T07:30:00Z")) == instant("2026-03-08T08:00:00Z"))
        // 22:00-01:30 into 2026-11-01: 01:30 happens twice; the window ends at the first (06:30Z), so 01:45 CDT is outside.
        let fall = QuietHours(start: try #require(.init("22:00")), end: try #require(.init("01:30")), timeZone: chicago)
        #expect(fall.deferral(of: instant("2026-11-01T06:00:00Z")) == instant("2026-11-01T06:30:00Z"))
        #expect(fall.deferral(of: instant("2026-11-01T06:45:00Z")) == nil)
    }

    @Test("wall times are HH:MM only")
    func wallTimes() {
        #expect(QuietHours.WallTime("7:00") == nil)
        #expect(QuietHours.WallTime("24:00") == nil)
        #expect(QuietHours.WallTime("12:60") == nil)
        #expect(QuietHours.WallTime("23:55")?.description == "23:55")
    }

    @Test("phone numbers as 20-services §8.3 gives them")
    func phones() {
        #expect(PhoneNumber.e164("(620) 555-0142") == "+16205550142")
        #expect(PhoneNumber.e164("1-620-555-0142") == "+16205550142")
        #expect(PhoneNumber.e164("+44 20 7946 0958") == "+442079460958")
        #expect(PhoneNumber.e164("555-0142") == nil)
        #expect(PhoneNumber.e164("+1234567") == nil)
        #expect(PhoneNumber.e164("62O5550142") == nil)
    }

    @Test("an unsubscribe token names one user and type and resists tampering")
    func unsubscribe() throws {
        let key = SymmetricKey(size: .bits256)
        let token = UnsubscribeToken.make(userID: 42, type: .forumReply, key: key)
        #expect(token.hasPrefix("42.forum_reply."))
        #expect(!token.contains("=") && !token.contains("+") && !token.contains("/"))
        let read = try #require(UnsubscribeToken.read(token, key: key))
        #expect(read.userID == 42 && read.type == .forumReply)
        #expect(UnsubscribeToken.read(token.replacingOccurrences(of: "42.", with: "43."), key: key) == nil)
        #expect(UnsubscribeToken.read(token.replacingOccurrences(of: "forum_reply", with: "new_post"), key: key) == nil)
        #expect(UnsubscribeToken.read(token, key: SymmetricKey(size: .bits256)) == nil)
        #expect(UnsubscribeToken.read("garbage", key: key) == nil)
    }
}
