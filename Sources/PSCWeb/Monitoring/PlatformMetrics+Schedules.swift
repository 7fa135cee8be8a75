import Foundation
import PSCJobs
import Prometheus

extension PlatformMetrics: ScheduleObserver {
    public func scheduleRun(schedule: String, outcome: String, at date: Date) {
        registry.makeCounter(
            descriptor: Self.named("pittstate_schedule_runs_total", help: "Schedule slots by outcome"),
            labels: [("schedule", schedule), ("outcome", outcome)]
        ).increment()
        if outcome == "succeeded" {
            registry.makeGauge(
                descriptor: Self.named("pittstate_schedule_last_success_timestamp_seconds", help: "When each schedule last succeeded"),
                labels: [("schedule", schedule)]
            ).set(date.timeIntervalSince1970)
        }
    }

    public func recordBackup(bytes: Int64, at date: Date) {
        registry.makeGauge(
            descriptor: Self.named("pittstate_backup_last_success_timestamp_seconds", help: "When the last backup succeeded")
        ).set(date.timeIntervalSince1970)
        registry.makeGauge(descriptor: Self.named("pittstate_backup_bytes", help: "Size of the last backup")).set(Double(bytes))
    }

    /// Days until psc's own TLS certificate expires (the `PscCertificateExpiring` alert fires below 14).
    public func recordCertificate(daysLeft: Double) {
        registry.makeGauge(
            descriptor: Self.named("pittstate_tls_certificate_days_left", help: "Days until the served TLS certificate expires")
        ).set(daysLeft)
    }

    public func recordCheckpoint(mode: String, duration: Duration) {
        registry.makeDurationHistogram(
            descriptor: Self.named("pittstate_db_checkpoint_duration_seconds", help: "WAL checkpoint duration by mode"),
            labels: [("mode", mode)], buckets: Self.queryBuckets
        ).record(duration)
    }
}
