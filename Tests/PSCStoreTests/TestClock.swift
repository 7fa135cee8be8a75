import Foundation
import Synchronization

/// A clock the test moves by hand, so windows, pauses and expiries are checked without waiting.
final class TestClock: Sendable {
    let now = Mutex(Date(timeIntervalSince1970: 1_800_000_000))
    var read: @Sendable () -> Date { { [self] in now.withLock { $0 } } }
    func set(_ date: Date) { now.withLock { $0 = date } }
    func advance(days: Double) { now.withLock { $0 = $0.addingTimeInterval(days * 86400) } }
}
