import Foundation
import PSCCore
import PSCJobs
import PSCStore
import PSCWeb

/// The analytics schedules (30-jobs jobs 1, 4 and 7) and the weekly report's email.
enum AnalyticsSchedules {
    /// Job 1 at 00:05: the day before the slot, and every date of the last 31 without a summary row, oldest first.
    static func daily(platform: Platform, calendar: SlotCalendar) throws -> ScheduledJob {
        let analytics = platform.analytics
        return try ScheduledJob(name: "daily_analytics", cron: "5 0 * * *", catchUp: 23 * 3600, timeout: .seconds(600), maxAttempts: 3) {
            slot in
            let instant = Scheduler.parseSlot(slot) ?? Date()
            let target = ScholarshipCalendar.adding(days: -1, to: ScholarshipCalendar.today(instant)) ?? ScholarshipCalendar.today(instant)
            return try await Offload.background {
                var dates = try analytics.missingDates(now: instant)
                if !dates.contains(target) { dates.append(target) }
                var engagement = 0
                for date in dates.sorted() { engagement += try analytics.summarize(date: date).engagementRows }
                return ["dates": .array(dates.sorted().map(JSONValue.string)), "engagement_rows": .int(Int64(engagement))]
            }
        }
    }

    /// Job 4 on Saturdays at 03:00: a model version named by the slot's date, trained on the cutoff 30 days earlier.
    static func training(platform: Platform, calendar: SlotCalendar) throws -> ScheduledJob {
        let analytics = platform.analytics
        return try ScheduledJob(name: "ml_training", cron: "0 3 * * 6", catchUp: 3 * 86_400, timeout: .seconds(1800), maxAttempts: 2) {
            slot in
            let date = ScholarshipCalendar.today(Scheduler.parseSlot(slot) ?? Date())
            let result = try await Offload.background { try analytics.trainChurnModel(slotDate: date) }
            var summary: [String: JSONValue] = [
                "training_rows": .int(Int64(result.trainingRows)), "holdout_rows": .int(Int64(result.holdoutRows)),
                "positives": .int(Int64(result.positives)), "predictions": .int(Int64(result.predictions)),
                "auc": result.auc.map { .string(String(format: "%.4f", $0)) } ?? .null,
            ]
            summary[result.insufficientData ? "insufficient_data" : "version"] =
                result.version.map(JSONValue.string) ?? .bool(true)
            return .object(summary)
        }
    }

    /// Job 7 on Mondays at 08:00: one email per recipient, composed when it is sent.
    static func weekly(platform: Platform) throws -> ScheduledJob {
        let analytics = platform.analytics
        return try ScheduledJob(name: "weekly_report", cron: "0 8 * * 1", catchUp: 24 * 3600, timeout: .seconds(600), maxAttempts: 3) {
            slot in
            let queued = try await Offload.background { try analytics.queueWeeklyReports(slot: slot) }
            return ["emails_queued": .int(Int64(queued))]
        }
    }

    static func email(_ report: WeeklyReport, origin: String, from: String) -> MailMessage {
        var lines: [String] = []
        if report.isAdmin {
            lines += report.sentences.map { "• \($0)" }
            lines += [
                "New users: \(report.newUsers). Active users: \(report.activeUsers).",
                "Applications submitted: \(report.applications). Events held: \(report.eventsHeld).",
                "Deliveries that failed: \(report.deliveriesFailed).",
                report.lastBackup.map { "Last backup: \(TimeInWords.words($0))." } ?? "No backup has been made yet.",
                "Governance alerts and data-quality checks are not tracked yet.",
            ]
        }
        for card in report.scorecards {
            let satisfaction = card.satisfaction.map { String(format: "%.1f", $0) } ?? "not enough ratings"
            lines.append(
                "\(card.departmentName): \(card.events) events held, \(card.attendance) check-ins, \(card.applicationsReceived) "
                    + "scholarship applications, engagement \(String(format: "%.1f", card.engagementScore)), satisfaction \(satisfaction).")
        }
        let link = "\(origin)/admin\(report.isAdmin ? "" : "/analytics")"
        let text = "Hello \(report.firstName),\n\nYour PittState Connect week:\n\n\(lines.joined(separator: "\n"))\n\nDashboard: \(link)\n"
        return MailMessage(
            from: from, to: report.email, subject: "PittState Connect: your weekly report", text: text,
            html: AccountEmails.html(
                title: "Your weekly report", paragraphs: ["Hello \(report.firstName),"] + lines, link: link, button: "Open the dashboard",
                footer: "You receive this because the weekly report is on in your settings.",
                footerLinks: [("Settings", "\(origin)/settings/notifications")]))
    }
}
