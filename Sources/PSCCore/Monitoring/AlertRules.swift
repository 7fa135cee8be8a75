/// The Prometheus alert rules of 20-services §9.4, served by MON-9 and `psc-admin monitoring alert-rules`, and checked
/// by `promtool check rules` in CI.
public enum AlertRules {
    public struct Rule: Sendable {
        public let name: String
        public let expression: String
        public let duration: String
        public let severity: String
        public let summary: String
    }

    public static let all: [Rule] = [
        Rule(
            name: "PscDown", expression: #"up{job="psc"} == 0"#, duration: "2m", severity: "critical",
            summary: "PittState Connect is not answering scrapes"),
        Rule(
            name: "PscUnhealthy", expression: "max(pittstate_health_status) == 2", duration: "5m", severity: "critical",
            summary: "A health check is unhealthy"),
        Rule(
            name: "PscDegraded", expression: "max(pittstate_health_status) == 1", duration: "30m", severity: "warning",
            summary: "A health check has been degraded for 30 minutes"),
        Rule(
            name: "PscHighErrorRate",
            expression: #"sum(rate(pittstate_requests_total{status=~"5.."}[5m])) / sum(rate(pittstate_requests_total[5m])) > 0.05"#,
            duration: "10m", severity: "warning", summary: "More than 5% of requests fail"),
        Rule(
            name: "PscSlowRequests",
            expression: "histogram_quantile(0.95, sum by (le) (rate(pittstate_request_duration_seconds_bucket[5m]))) > 1",
            duration: "15m", severity: "warning", summary: "The 95th percentile request takes over a second"),
        Rule(
            name: "PscQueueLag", expression: "pittstate_jobs_queue_lag_seconds > 300", duration: "10m", severity: "warning",
            summary: "Background jobs are more than 5 minutes behind"),
        Rule(
            name: "PscDeadJobs", expression: #"increase(pittstate_jobs_finished_total{outcome="dead"}[1h]) > 0"#, duration: "0m",
            severity: "warning", summary: "A background job died"),
        Rule(
            name: "PscBackupStale", expression: "time() - pittstate_backup_last_success_timestamp_seconds > 93600", duration: "0m",
            severity: "critical", summary: "No successful backup for 26 hours"),
        // Not in 20-services §9.4's table: psc's own certificate (issue "HTTPS and HTTP/2"), only exported when psc serves TLS.
        Rule(
            name: "PscCertificateExpiring", expression: "pittstate_tls_certificate_days_left < 14", duration: "1h", severity: "warning",
            summary: "The TLS certificate expires within 14 days"),
        Rule(
            name: "PscWalLarge", expression: "pittstate_sqlite_wal_bytes > 200e6", duration: "30m", severity: "warning",
            summary: "The write-ahead log is over 200 MB"),
        Rule(
            name: "PscDeliveryFailures",
            expression: #"sum(rate(pittstate_deliveries_total{status="failed"}[30m])) / sum(rate(pittstate_deliveries_total[30m])) > 0.1"#,
            duration: "30m", severity: "warning", summary: "More than 10% of notification deliveries fail"),
        Rule(
            name: "PscLoginFailureSpike", expression: #"sum(rate(pittstate_logins_total{outcome="failure"}[5m])) > 1"#, duration: "10m",
            severity: "warning", summary: "More than one failed sign-in a second"),
        Rule(
            name: "PscBiasFlagged", expression: "max(pittstate_bias_flagged_groups) > 0", duration: "0m", severity: "warning",
            summary: "A model's disparate impact is flagged"),
        Rule(
            name: "PscDataQualityErrors", expression: #"max(pittstate_data_quality_failures{severity="error"}) > 0"#, duration: "0m",
            severity: "warning", summary: "A data quality check fails"),
    ]

    /// The rules as a Prometheus rule file (YAML). Expressions are single-quoted, so their double quotes need nothing.
    public static var yaml: String {
        var lines = ["groups:", "  - name: pittstate-connect", "    rules:"]
        for rule in all {
            lines += [
                "      - alert: \(rule.name)",
                "        expr: '\(rule.expression.replacingOccurrences(of: "'", with: "''"))'",
                "        for: \(rule.duration)",
                "        labels:",
                "          severity: \(rule.severity)",
                "        annotations:",
                "          summary: '\(rule.summary.replacingOccurrences(of: "'", with: "''"))'",
            ]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
