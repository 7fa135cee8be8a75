import Foundation
import PSCCore
import Testing

@testable import PSCStore
@testable import PSCWeb

@Suite("Session cache")
struct SessionCacheTests {
    @Test("a full cache first forgets entries past their time; only live ones filling it empty it")
    func fullCache() throws {
        let test = try TestPlatform()
        let id = try test.platform.accounts.register(
            NewAccount(email: "sam@gus.pittstate.edu", passwordHash: "x", role: .student, status: .active, firstName: "S", lastName: "M"),
            origin: RequestOrigin(ip: "127.0.0.1", userAgent: "test"))
        let user = try #require(try test.platform.accounts.user(id: id))
        let identity = Identity(user: user, session: nil, token: nil, grants: [], twoFactorEnabled: false, twoFactorRequired: false)
        let cache = SessionCache(changes: AuthChangeObserver.install(on: test.platform.store), lifetime: 10, capacity: 3)
        let start = Date()
        func key(_ n: UInt8) -> Data { Data([n]) }
        for n: UInt8 in 1...2 { cache.store(identity, tokenHash: key(n), epoch: cache.changes.epoch, now: start) }
        cache.store(identity, tokenHash: key(3), epoch: cache.changes.epoch, now: start.addingTimeInterval(8))
        // At 12 s the first two are past their time: storing a fourth drops them and keeps the third.
        let later = start.addingTimeInterval(12)
        cache.store(identity, tokenHash: key(4), epoch: cache.changes.epoch, now: later)
        #expect(cache.identity(tokenHash: key(3), now: later) != nil && cache.identity(tokenHash: key(4), now: later) != nil)
        #expect(cache.identity(tokenHash: key(1), now: later) == nil)
        // Three live entries and a fourth: everything goes, the newcomer stays.
        cache.store(identity, tokenHash: key(5), epoch: cache.changes.epoch, now: later)
        cache.store(identity, tokenHash: key(6), epoch: cache.changes.epoch, now: later)
        #expect(cache.identity(tokenHash: key(6), now: later) != nil)
        #expect(cache.identity(tokenHash: key(3), now: later) == nil && cache.identity(tokenHash: key(5), now: later) == nil)
    }
}
