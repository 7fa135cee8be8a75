import PSCJobs
import Prometheus

extension PlatformMetrics: JobObserver {
    static let jobBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(10), .milliseconds(100), .seconds(1), .seconds(10), .seconds(60), .seconds(600),
        .seconds(3600),
    ]

    public func jobEnqueued(kind: String) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_jobs_enqueued_total", help: "Jobs enqueued by kind"), labels: [("kind", kind)]
        ).increment()
    }

    public func jobFinished(kind: String, outcome: String, duration: Duration) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_jobs_finished_total", help: "Job attempts finished by kind and outcome"),
            labels: [("kind", kind), ("outcome", outcome)]
        ).increment()
        registry.makeDurationHistogram(
            descriptor: Self.named("pittstate_job_duration_seconds", help: "Job run time by kind"), labels: [("kind", kind)],
            buckets: Self.jobBuckets
        ).record(duration)
    }

    /// Depth by state and the largest lag over the queues, sampled when metrics are scraped.
    func sampleQueue(_ queue: JobQueue, queues: [String]) {
        guard let depth = try? queue.depthByState() else { return }
        for state in Job.State.allCases {
            registry.makeGauge(
                descriptor: Self.named("pittstate_jobs_queue_depth", help: "Jobs by state"), labels: [("state", state.rawValue)]
            ).set(Double(depth[state] ?? 0))
        }
        let lag = queues.compactMap { try? queue.lagSeconds(queue: $0) }.max() ?? 0
        registry.makeGauge(descriptor: Self.named("pittstate_jobs_queue_lag_seconds", help: "Age of the oldest due job")).set(lag)
    }
}
