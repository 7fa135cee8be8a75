// psc-bench: throughput benchmarks run by hand (never in CI); each prints one JSON line.
//
//   swift run -c release psc-bench queue --jobs 100000 [--durability full] [--store-only]
//   swift run -c release psc-bench cache --reads 10000000
//   swift run -c release psc-bench auth --requests 20000 --sign-ins 40
//   swift run -c release psc-bench scholarships --users 10000 --scholarships 120
//   swift run -c release psc-bench flags --rounds 1000000
//   swift run -c release psc-bench people --users 50000 --requests 4000 --clients 8
//   swift run -c release psc-bench backup --mb 160 --writers 4
import Foundation
import Logging
import PSCCore
import PSCJobs
import PSCStore
import Synchronization

func option(_ name: String, default value: String) -> String {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return value }
    return arguments[index + 1]
}

func seconds(since start: ContinuousClock.Instant) -> Double {
    let elapsed = ContinuousClock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
}

final class FinishedCounter: JobObserver {
    let count = Atomic<Int>(0)
    func jobEnqueued(kind: String) {}
    func jobFinished(kind: String, outcome: String, duration: Duration) { count.add(1, ordering: .relaxed) }
}

/// Enqueues N no-op jobs (1,000 per transaction), then lets the standard workers of the default queue run them.
func queueBenchmark() async throws {
    let count = Int(option("--jobs", default: "100000")) ?? 100_000
    let durable = option("--durability", default: "normal") == "full"
    let directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    let store = try Store(path: directory + "/psc.db", options: .init(durableCommits: durable))
    try Migrator.embedded().migrate(store)
    let queue = JobQueue(store: store)
    let request = try JobRequest(kind: "noop")
    let enqueueStart = ContinuousClock.now
    var remaining = count
    while remaining > 0 {
        let batch = min(1000, remaining)
        let requests = Array(repeating: request, count: batch)
        try await store.write { db in try queue.enqueue(requests, in: db) }
        remaining -= batch
    }
    let enqueueSeconds = seconds(since: enqueueStart)

    if CommandLine.arguments.contains("--store-only") {
        // The queue's database work alone, on one thread with no workers: the floor the workers add their hops to.
        let processStart = ContinuousClock.now
        var finished: [Job] = []
        var processed = 0
        repeat {
            finished = try queue.completeAndClaim(finished, owner: "bench", queue: "default", limit: 10, lease: .seconds(300))
            processed += finished.count
        } while !finished.isEmpty
        try store.close()
        print(
            #"{"benchmark":"queue-store-only","jobs":\#(processed),"durability":"\#(durable ? "full" : "normal")","#
                + #""process_per_second":\#(Int(Double(processed) / seconds(since: processStart)))}"#)
        return
    }
    var logger = Logger(label: "bench")
    logger.logLevel = .error
    let finished = FinishedCounter()
    let workers = JobWorkers(queue: queue, handlers: [JobHandler(kind: "noop") { _ in }], logger: logger, observer: finished)
    let processStart = ContinuousClock.now
    let running = Task { await workers.run() }
    // Counted through the observer: polling the table would compete with the workers for the two cores.
    while finished.count.load(ordering: .relaxed) < count { try await Task.sleep(for: .milliseconds(5)) }
    let processSeconds = seconds(since: processStart)
    workers.stop()
    await running.value
    try store.close()
    let total = enqueueSeconds + processSeconds
    print(
        #"{"benchmark":"queue","jobs":\#(count),"durability":"\#(durable ? "full" : "normal")","#
            + #""enqueue_per_second":\#(Int(Double(count) / enqueueSeconds)),"process_per_second":\#(Int(Double(count) / processSeconds)),"#
            + #""jobs_per_second":\#(Int(Double(count) / total))}"#)
}

/// Hot-key reads of one cached value from two threads.
func cacheBenchmark() {
    let reads = Int(option("--reads", default: "10000000")) ?? 10_000_000
    let cache = LRUCache(limits: .init(maxBytes: 64 << 20, maxEntries: 50_000))
    cache.store(Array(repeating: UInt8(1), count: 5000), bytes: 5000, ttl: nil, namespace: "departments", key: "DEP-1")
    let perThread = reads / 2
    let start = ContinuousClock.now
    DispatchQueue.concurrentPerform(iterations: 2) { _ in
        var hits = 0
        for _ in 0..<perThread where cache.value([UInt8].self, namespace: "departments", key: "DEP-1") != nil { hits += 1 }
        precondition(hits == perThread)
    }
    let elapsed = seconds(since: start)
    print(#"{"benchmark":"cache","reads":\#(perThread * 2),"threads":2,"reads_per_second":\#(Int(Double(perThread * 2) / elapsed))}"#)
}

switch CommandLine.arguments.dropFirst().first {
case "queue": try await queueBenchmark()
case "cache": cacheBenchmark()
case "auth": try await authBenchmark()
case "scholarships": try scholarshipBenchmark()
case "flags": try flagBenchmark()
case "people": try await peopleBenchmark()
case "backup": try backupBenchmark()
case "analytics": try await analyticsBenchmark()
default:
    FileHandle.standardError.write(
        Data(
            "usage: psc-bench queue [--jobs N] [--durability normal|full] [--store-only] | cache [--reads N] | auth [--requests N] [--sign-ins N] | scholarships [--users N] [--scholarships N] [--samples N] | flags [--rounds N] | people [--users N] [--requests N] [--clients N] | backup [--mb N] [--writers N] | analytics [--users N] [--page-views N] [--warm-requests N]\n"
                .utf8))
    exit(2)
}
