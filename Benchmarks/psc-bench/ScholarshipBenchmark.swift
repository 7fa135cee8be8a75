import Foundation
import PSCCore
import PSCStore

/// The scholarship hub's targets (issue 17): matching one student against the whole catalogue (< 5 ms; what a
/// student's own profile write adds) and a full recompute of one scholarship over 10,000 students (< 60 s on 2
/// cores). On a synthetic campus of `--users` people with the demo catalogue of `--scholarships`.
func scholarshipBenchmark() throws {
    let users = Int(option("--users", default: "10000")) ?? 10_000
    let count = Int(option("--scholarships", default: "120")) ?? 120
    let samples = Int(option("--samples", default: "300")) ?? 300
    let directory = NSTemporaryDirectory() + "psc-bench-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: directory) }
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try Store(path: directory + "/psc.db")
    _ = try DatabaseSetup.prepare(store, migrator: try Migrator.embedded())
    let keyRing = try KeyRing.load(path: directory + "/keyring", generate: true)
    var plan = CampusSeeder.Plan(users: users, posts: 0, events: 0, jobs: 0, connections: 0)
    plan.seed = 7
    _ = try CampusSeeder(store: store).seed(plan)
    var catalogue = ScholarshipSeeder.Plan(scholarships: count, applicants: 0)
    catalogue.seed = 11
    let seedStart = ContinuousClock.now
    let seeded = try ScholarshipSeeder(store: store, keyRing: keyRing).seed(catalogue)
    let everyone = seconds(since: seedStart)
    let matches = ScholarshipMatchStore(store: store, keyRing: keyRing)
    let students = try store.read { db in
        try Int64.fetchAll(
            db, sql: "SELECT id FROM users WHERE role IN ('student', 'alumni') AND status = 'active' ORDER BY random() LIMIT ?",
            arguments: [samples])
    }
    let open = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scholarships WHERE status = 'open'") ?? 0 }
    func percentile(_ values: [Double], _ p: Double) -> Double {
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }
    // One student against the catalogue inside a write, as USR-2 and SCH-29 do it: facts read and opened, every open
    // scholarship evaluated, the rows that changed written. First a write that changes nothing matching reads (a new
    // headline), then one that changes the GPA, which rewrites the explanation of every rule that reads it.
    var inWrite: [Double] = []
    for id in students {
        let start = ContinuousClock.now
        try store.write { db in _ = try matches.recompute(userID: id, in: db) }
        inWrite.append(seconds(since: start) * 1000)
    }
    var changed: [Double] = []
    for (index, id) in students.enumerated() {
        let gpa = try keyRing.encrypt(String(format: "%.2f", 2.0 + Double(index % 200) / 100), column: "users.gpa_enc")
        let start = ContinuousClock.now
        try store.write { db in
            try db.execute(sql: "UPDATE users SET gpa_enc = ? WHERE id = ?", arguments: [gpa, id])
            _ = try matches.recompute(userID: id, in: db)
        }
        changed.append(seconds(since: start) * 1000)
    }
    // The evaluation alone, without the write (read, open the GPA, evaluate).
    var evaluate: [Double] = []
    for id in students {
        let start = ContinuousClock.now
        _ = try matches.evaluate(userID: id)
        evaluate.append(seconds(since: start) * 1000)
    }
    let scholarship = try store.read { db in
        try Int64.fetchOne(db, sql: "SELECT id FROM scholarships WHERE status = 'open' AND deadline >= date('now') ORDER BY id LIMIT 1")
            ?? 0
    }
    let recomputeStart = ContinuousClock.now
    let matched = try matches.recompute(scholarshipID: scholarship, notify: false)
    let recompute = seconds(since: recomputeStart)
    try store.close()
    print(
        "{\"benchmark\":\"scholarships\",\"users\":\(users),\"open_scholarships\":\(open),\"samples\":\(students.count),"
            + "\"match_one_student_in_write_ms\":{\"p50\":\(String(format: "%.3f", percentile(inWrite, 0.5))),\"p99\":\(String(format: "%.3f", percentile(inWrite, 0.99)))},"
            + "\"match_one_student_gpa_changed_ms\":{\"p50\":\(String(format: "%.3f", percentile(changed, 0.5))),\"p99\":\(String(format: "%.3f", percentile(changed, 0.99)))},"
            + "\"evaluate_one_student_ms\":{\"p50\":\(String(format: "%.3f", percentile(evaluate, 0.5))),\"p99\":\(String(format: "%.3f", percentile(evaluate, 0.99)))},"
            + "\"recompute_one_scholarship_s\":\(String(format: "%.3f", recompute)),\"students_recomputed\":\(matched),"
            + "\"whole_catalogue_for_everyone_s\":\(String(format: "%.2f", everyone)),\"match_rows\":\(seeded.matches)}")
}
