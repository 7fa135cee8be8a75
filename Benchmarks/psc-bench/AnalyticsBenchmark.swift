import Foundation
import GRDB
import Logging
import PSCApp
import PSCCore
import PSCStore
import PSCWeb

/// Issue targets on the synthetic campus: the daily job (every missing date of the last 31, so the back-fill of a
/// fresh database) over `--page-views` page views spread across those days (< 60 s); ANL-1 over HTTP cold (< 200 ms)
/// and warm from the cache (< 2 ms); training the churn model on `--users` members (< 30 s).
func analyticsBenchmark() async throws {
    let users = Int(option("--users", default: "50000")) ?? 50_000
    let pageViews = Int(option("--page-views", default: "5000000")) ?? 5_000_000
    let warmRequests = Int(option("--warm-requests", default: "2000")) ?? 2000
    let campus = try SyntheticCampus(users: users)
    defer { campus.remove() }
    let (platform, logger, seedSeconds) = (campus.platform, campus.logger, campus.seedSeconds)

    // Page views over the last 31 days, a third anonymous, on the seeded page names.
    let viewStart = ContinuousClock.now
    let now = Date()
    let pages = CampusSeeder.seededPages
    var written = 0
    var state: UInt64 = 88_172_645_463_325_252
    func next() -> Int {
        state ^= state << 13
        state ^= state >> 7
        state ^= state << 17
        return Int(state % 1_000_000_007)
    }
    while written < pageViews {
        let batch: [(String, Int64, Int64?, String)] = (0..<min(100_000, pageViews - written)).map { _ in
            let user = next() % 3 == 0 ? nil : Int64(next() % users + 1)
            let at = now.addingTimeInterval(-Double(next() % (31 * 86_400)))
            return (pages[next() % pages.count], Int64(next() % 500 + 1), user, Timestamp.string(from: at))
        }
        try await platform.store.write { db in
            let insert = try db.makeStatement(
                sql: "INSERT INTO page_views (page_name, object_id, user_id, occurred_at) VALUES (?, ?, ?, ?)")
            for view in batch { try insert.execute(arguments: [view.0, view.1, view.2, view.3]) }
        }
        written += batch.count
    }
    _ = try platform.store.checkpoint(truncate: true)
    let viewSeconds = seconds(since: viewStart)

    let analytics = platform.analytics
    let missing = try analytics.missingDates()
    let jobStart = ContinuousClock.now
    var engagementRows = 0
    for date in missing { engagementRows += try analytics.summarize(date: date).engagementRows }
    let jobSeconds = seconds(since: jobStart)
    let lastDayStart = ContinuousClock.now
    _ = try analytics.summarize(date: missing.last ?? ScholarshipCalendar.today(now))
    let oneDaySeconds = seconds(since: lastDayStart)

    let token = try campus.adminSession()
    let (server, bound) = try await serveInProcess(platform, logger: logger)
    let request = Array("GET /api/v1/analytics/dashboard?days=30 HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: psc_session=\(token)\r\n\r\n".utf8)
    let (cold, warm) = try await Offload.run {
        let client = try BlockingHTTPClient(port: bound)
        let start = ContinuousClock.now
        precondition(client.send(request) == 200)
        let cold = seconds(since: start) * 1000
        var warm: [Double] = []
        for _ in 0..<warmRequests {
            let start = ContinuousClock.now
            precondition(client.send(request) == 200)
            warm.append(seconds(since: start) * 1000)
        }
        return (cold, warm)
    }
    server.cancel()

    let trainStart = ContinuousClock.now
    let result = try analytics.trainChurnModel(slotDate: ScholarshipCalendar.today(now))
    let trainSeconds = seconds(since: trainStart)
    func f(_ value: Double, _ places: Int = 2) -> String { String(format: "%.\(places)f", value) }
    print(
        #"{"benchmark":"analytics","users":\#(users),"page_views":\#(written),"seed_seconds":\#(f(seedSeconds, 1)),"#
            + #""page_view_insert_seconds":\#(f(viewSeconds, 1)),"daily_job_dates":\#(missing.count),"daily_job_seconds":\#(f(jobSeconds)),"#
            + #""one_date_seconds":\#(f(oneDaySeconds)),"engagement_rows":\#(engagementRows),"#
            + #""dashboard_cold_ms":\#(f(cold)),"dashboard_warm_p50_ms":\#(f(percentile(warm, 0.5), 3)),"#
            + #""dashboard_warm_p99_ms":\#(f(percentile(warm, 0.99), 3)),"training_seconds":\#(f(trainSeconds)),"#
            + #""training_rows":\#(result.trainingRows),"holdout_rows":\#(result.holdoutRows),"auc":\#(result.auc.map { f($0, 4) } ?? "null"),"#
            + #""predictions":\#(result.predictions)}"#)
}
