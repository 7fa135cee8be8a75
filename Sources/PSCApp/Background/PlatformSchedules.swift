import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The scheduled jobs (30-jobs §3): job 1 `daily_analytics`, job 2 `retention` (housekeeping so far), job 3
/// `wal_checkpoint`, job 4 `ml_training`, job 7 `weekly_report`, job 8 `deadline_reminders`, job 10
/// `notification_digests` and job 11 `backup`.
/// Features register theirs beside these as they arrive.
enum PlatformSchedules {
    static func all(platform: Platform, calendar: SlotCalendar = .chicago) throws -> [ScheduledJob] {
        [
            try retention(platform: platform), try walCheckpoint(platform: platform, calendar: calendar),
            try backup(platform: platform, calendar: calendar),
            try NotificationDelivery.digestSchedule(platform: platform, calendar: calendar),
            try ScholarshipJobs.reminderSchedule(platform: platform),
            try AnalyticsSchedules.daily(platform: platform, calendar: calendar),
            try AnalyticsSchedules.training(platform: platform, calendar: calendar),
            try AnalyticsSchedules.weekly(platform: platform),
        ]
    }

    /// Job 2 at 01:00. So far it holds the housekeeping steps of the features that exist (expired job postings,
    /// ended suspensions, expired grants); the retention policies themselves arrive with data governance.
    static func retention(platform: Platform) throws -> ScheduledJob {
        try ScheduledJob(name: "retention", cron: "0 1 * * *", catchUp: 22 * 3600, timeout: .seconds(7200), maxAttempts: 3) { _ in
            let board = platform.jobPostings
            let administration = AccountAdministration(
                store: platform.store, accounts: platform.accounts, matches: platform.scholarships.matches)
            let expired = try await Offload.run { try board.expirePostings() }
            let accounts = try await Offload.run { try administration.nightly() }
            let exports = platform.analyticsExports
            let exportsDeleted = try await Offload.run { try exports.deleteExpired() }
            return [
                "job_postings_expired": .int(Int64(expired)), "suspensions_ended": .int(Int64(accounts.suspensionsEnded)),
                "grants_expired": .int(Int64(accounts.grantsExpired)), "verifications_expired": .int(Int64(accounts.verificationsExpired)),
                "exports_deleted": .int(Int64(exportsDeleted)),
            ]
        }
    }

    /// Job 3: hourly at :15, `wal_checkpoint(TRUNCATE)` through the writer; the 04:15 slot also runs
    /// `PRAGMA optimize`. A slot found more than a minute late is missed; the next hour serves.
    static func walCheckpoint(platform: Platform, calendar: SlotCalendar) throws -> ScheduledJob {
        try ScheduledJob(name: "wal_checkpoint", cron: "15 * * * *", catchUp: 60, timeout: .seconds(300), maxAttempts: 1) { slot in
            try await Offload.run { try checkpoint(platform: platform, slot: slot) }
        }
    }

    private static func checkpoint(platform: Platform, slot: String) throws -> JSONValue {
        let start = ContinuousClock.now
        let result = try platform.store.checkpoint(truncate: true)
        platform.metrics.recordCheckpoint(mode: "truncate", duration: ContinuousClock.now - start)
        var summary: [String: JSONValue] = [
            "busy": .bool(result.busy), "wal_frames": .int(Int64(result.walFrames)),
            "checkpointed_frames": .int(Int64(result.checkpointedFrames)), "wal_bytes_after": .int(platform.store.walBytes()),
        ]
        if slot.contains("T04:15:00") {
            try platform.store.optimize()
            summary["optimized"] = true
        }
        return .object(summary)
    }

    /// Job 11: 02:00 nightly; the file's kind follows the slot's Chicago date (1st monthly, Sunday weekly, else
    /// daily); then the copy to `backup.copy_to` and the rotation.
    static func backup(platform: Platform, calendar: SlotCalendar) throws -> ScheduledJob {
        try ScheduledJob(name: "backup", cron: "0 2 * * *", catchUp: 20 * 3600, timeout: .seconds(3600), maxAttempts: 2) { slot in
            try await Offload.run { try nightlyBackup(platform: platform, slot: slot, calendar: calendar) }
        }
    }

    private static func nightlyBackup(platform: Platform, slot: String, calendar: SlotCalendar) throws -> JSONValue {
        let kind = backupKind(slot: slot, calendar: calendar)
        let result = try platform.backups.backup(kind: kind, actor: .system)
        var summary: [String: JSONValue] = [
            "file": .string(result.file), "bytes": .int(result.bytes), "sha256": .string(result.sha256), "kind": .string(kind),
        ]
        if let copyTo = platform.configuration.backupCopyTo {
            summary["copied_to"] = .string(try platform.backups.copy(result, to: copyTo))
        }
        summary["rotated_away"] = .int(Int64(try platform.backups.rotate().count))
        platform.metrics.recordBackup(bytes: result.bytes, at: Date())
        return .object(summary)
    }

    /// `manual` for `psc-admin jobs run backup`, else by the slot's local date.
    static func backupKind(slot: String, calendar: SlotCalendar) -> String {
        guard let instant = Scheduler.parseSlot(slot) else { return "manual" }
        let local = calendar.dayAndWeekday(of: instant)
        return local.day == 1 ? "monthly" : local.weekday == 0 ? "weekly" : "daily"
    }
}
