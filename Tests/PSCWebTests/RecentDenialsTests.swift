import Foundation
import Testing

@testable import PSCWeb

@Suite("authz.denied throttle")
struct RecentDenialsTests {
    @Test("one record per user and route a minute; other users and routes are their own")
    func onePerMinute() {
        let recent = RecentDenials()
        let start = Date(timeIntervalSince1970: 1_000_000)
        #expect(recent.admit(userID: 1, route: "/api/v1/jobs", now: start))
        #expect(!recent.admit(userID: 1, route: "/api/v1/jobs", now: start.addingTimeInterval(59)))
        #expect(recent.admit(userID: 2, route: "/api/v1/jobs", now: start.addingTimeInterval(1)))
        #expect(recent.admit(userID: 1, route: "/api/v1/events", now: start.addingTimeInterval(1)))
        #expect(recent.admit(userID: 1, route: "/api/v1/jobs", now: start.addingTimeInterval(60)))
    }
}
