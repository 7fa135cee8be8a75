import Foundation
import Synchronization

/// A counter many threads bump at once without fighting over one cache line: each thread adds to one of several
/// padded cells chosen by its thread id, and a read sums the cells. The cache counts every hit with it; a single
/// shared atomic cost a quarter of the hot-key read rate (docs/PERFORMANCE.md).
final class StripedCounter: Sendable {
    private final class Cell: Sendable {
        let value = Atomic<Int>(0)
        // Keeps neighbouring cells' counters on different cache lines.
        private let padding: (Int, Int, Int, Int, Int, Int, Int, Int) = (0, 0, 0, 0, 0, 0, 0, 0)
    }

    private static let cellCount = 16
    private let cells: [Cell] = (0..<StripedCounter.cellCount).map { _ in Cell() }

    func add(_ amount: Int) {
        #if canImport(Glibc)
            let thread = UInt64(pthread_self())
        #else
            let thread = UInt64(UInt(bitPattern: pthread_self()))
        #endif
        // Fibonacci hashing: thread ids are aligned addresses, so their low bits alone would pick one cell.
        let index = Int((thread &* 0x9E37_79B9_7F4A_7C15) >> 60) % Self.cellCount
        cells[index].value.add(amount, ordering: .relaxed)
    }

    var value: Int { cells.reduce(0) { $0 + $1.value.load(ordering: .relaxed) } }
}
