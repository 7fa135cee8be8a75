import Foundation
import GRDB
import PSCCore

/// The demo scholarship hub a new development database gets (120 invented scholarships across the departments, with
/// rules, prompts, committees, applications and reviews) and the benchmarks' catalogue. Generated students also get
/// the academic facts the rules read (GPA sealed under the key ring, standing, residency, need). The same seed always
/// gives the same catalogue; names of funds and donors are invented.
public struct ScholarshipSeeder: Sendable {
    public struct Plan: Sendable {
        public var scholarships: Int
        /// Students who apply (one to three applications each).
        public var applicants: Int
        public var seed: UInt64 = 31_415
        public init(scholarships: Int, applicants: Int) { (self.scholarships, self.applicants) = (scholarships, applicants) }
        public static let demo = Plan(scholarships: 120, applicants: 60)
    }

    public struct Summary: Sendable, Equatable {
        public var scholarships = 0
        public var applications = 0
        public var reviews = 0
        public var matches = 0
    }

    public let store: Store
    let keyRing: KeyRing
    let clock: @Sendable () -> Date

    public init(store: Store, keyRing: KeyRing, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.keyRing = keyRing
        self.clock = clock
    }

    static let funds = [
        "Hartley Family", "Ellsworth Memorial", "Prairie Rose", "Crawford County Builders", "Southeast Kansas Promise", "Gorilla Pride",
        "Kessler Endowed", "Maple Street Bank", "Four State Rotary", "Hollister Family", "Whitfield Engineering", "Tri-County Nurses",
        "Carver Heritage", "Lakeside Community", "Brick City Alumni", "Red Barn Cooperative", "Larkin Family", "Oakes Memorial",
        "Sutter Family", "Fenwick Foundation",
    ]

    static let prompts = [
        "Describe a challenge you have faced and how it shaped your goals at Pittsburg State.",
        "Tell us about a time you led others in your school, work or community.",
        "How will this scholarship help you complete your degree?",
        "What do you hope to contribute to Southeast Kansas after you graduate?",
        "Describe a project you are proud of and what you learned from it.",
    ]

    /// Every demo scholarship's rubric, which the demo reviews score against.
    static let rubric = [
        RubricCriterion(key: "academics", label: "Academic record", maxPoints: 10, weight: 40),
        RubricCriterion(key: "essay", label: "Essays", maxPoints: 10, weight: 40),
        RubricCriterion(key: "need", label: "Financial need", maxPoints: 5, weight: 20),
    ]

    static let counties = ["Crawford", "Cherokee", "Labette", "Bourbon", "Neosho", "Montgomery"]

    /// The majors a department's scholarships name: the department itself (generated students carry it as their
    /// major) and the majors people write.
    static func majors(of department: String) -> [String] {
        let extra: [String: [String]] = [
            "Accounting and Computer Information Systems": ["Accounting", "Computer Information Systems"],
            "Engineering Technology": ["Mechanical Engineering Technology", "Electronics Engineering Technology"],
            "Irene Ransom Bradley School of Nursing": ["Nursing"],
            "School of Construction": ["Construction Management"],
            "Graphics and Imaging Technologies": ["Graphic Communications"],
            "Automotive Technology": ["Automotive Technology Management"],
        ]
        return [department] + (extra[department] ?? [])
    }

    public func seed(_ plan: Plan) throws -> Summary {
        var random = CampusSeeder.Generator(state: plan.seed | 1)
        var summary = Summary()
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let today = ScholarshipCalendar.today(now)
        let departments = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM departments ORDER BY id").map {
                (try $0.decode(forColumn: "id") as Int64, try $0.decode(forColumn: "name") as String)
            }
        }
        guard !departments.isEmpty else { return summary }
        try giveStudentsFacts(&random)
        var created: [(id: Int64, department: Int64, status: String, deadline: String, prompts: Int, letters: Int, transcript: Bool)] = []
        try store.write { db in
            let admin = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
            for index in 0..<plan.scholarships {
                let (departmentID, departmentName) = departments[index % departments.count]
                let kind = random.int(0..<6)
                let fund = random.pick(Self.funds)
                let short = departmentName.replacingOccurrences(of: "Irene Ransom Bradley School of ", with: "")
                    .replacingOccurrences(of: "School of ", with: "")
                let titles = [
                    "\(fund) Scholarship in \(short)", "\(fund) Merit Award", "\(fund) Opportunity Grant",
                    "\(fund) First-Generation Scholarship", "\(fund) Kansas Residents Award", "\(fund) Gorilla Spirit Award",
                ]
                let title = "\(titles[kind]) \(["", "", "II", "III"][random.int(0..<4)])".trimmingCharacters(in: .whitespaces)
                var rules: [[String: Any]] = []
                let category: String
                switch kind {
                case 0:
                    category = "department"
                    rules = [
                        ["field": "major", "op": "in", "value": Self.majors(of: departmentName)],
                        ["field": "gpa", "op": "gte", "value": [2.5, 2.75, 3.0][random.int(0..<3)]],
                    ]
                case 1:
                    category = "merit"
                    rules = [["field": "gpa", "op": "gte", "value": 3.5], ["field": "class_standing", "op": "gte", "value": "sophomore"]]
                case 2:
                    category = "need"
                    rules = [
                        ["field": "financial_need", "op": "is_true"], ["field": "enrollment_status", "op": "eq", "value": "full_time"],
                    ]
                case 3:
                    category = "first_generation"
                    rules = [["field": "first_generation", "op": "is_true"], ["field": "gpa", "op": "gte", "value": 2.5]]
                case 4:
                    category = "community"
                    rules = [
                        ["field": "state_of_residence", "op": "in", "value": ["KS"]],
                        ["field": "answer:home_county", "op": "in", "value": Array(Self.counties.prefix(3 + random.int(0..<3)))],
                    ]
                default:
                    category = "community"
                }
                var groups: [[String: Any]] =
                    rules.isEmpty ? [] : [["name": category == "department" ? short : category.capitalized, "rules": rules]]
                if kind == 1 && random.chance(40) {
                    groups.append([
                        "name": "Need",
                        "rules": [["field": "financial_need", "op": "is_true"], ["field": "gpa", "op": "gte", "value": 3.0]],
                    ])
                }
                let eligibility = Eligibility.parse(["groups": groups]).eligibility ?? Eligibility()
                let roll = random.int(0..<100)
                let status = roll < 5 ? "draft" : roll < 13 ? "closed" : "open"
                // None closes within a week, so a new database sends no reminders on its first day.
                let days = status == "closed" ? -random.int(5..<60) : random.int(10..<200)
                let deadline = ScholarshipCalendar.adding(days: days, to: today) ?? today
                let promptCount = random.int(0..<3)
                var prompts: [EssayPrompt] = []
                for p in 0..<promptCount {
                    prompts.append(
                        EssayPrompt(prompt: Self.prompts[(index + p) % Self.prompts.count], minWords: 150, maxWords: [500, 650][p % 2]))
                }
                let questions =
                    kind == 4 || random.chance(20)
                    ? [FormQuestion(key: "home_county", label: "Which Kansas county is home?", required: true)] : []
                let letters = random.chance(40) ? random.int(1..<3) : 0
                let transcript = random.chance(30)
                let fields = ScholarshipFields(
                    title: title,
                    description:
                        "Established by the \(fund) fund to support Pittsburg State students in \(short). Recipients are chosen by a committee of faculty each spring; awards are paid to the student's account at the start of the fall semester.",
                    amountCents: Int64(500 + random.int(0..<39) * 250) * 100, deadline: deadline, departmentID: departmentID,
                    provider: "Pittsburg State University Foundation", category: category,
                    tags: Array(
                        Set([
                            category, short.lowercased(),
                            ["leadership", "service", "research", "robotics", "music", "athletics"][random.int(0..<6)],
                        ])
                    ).sorted(),
                    eligibility: eligibility, prompts: prompts, questions: questions, numRecommendations: letters,
                    transcriptRequired: transcript,
                    renewable: random.chance(30), awardCount: random.int(1..<5), blindReview: random.chance(25),
                    applicationMethod: random.chance(8) ? "external" : "internal", cycle: ScholarshipCalendar.cycle(forDeadline: deadline),
                    status: status)
                let columns = ScholarshipFields.columns + ["rubric", "created_by", "created_at", "updated_at"]
                let rubric = ScholarshipJSON.rubricText(Self.rubric)
                try db.execute(
                    sql:
                        "INSERT INTO scholarships (\(columns.joined(separator: ", "))) VALUES (\(columns.map { _ in "?" }.joined(separator: ", ")))",
                    arguments: fields.arguments + [rubric, admin, stamp, stamp])
                created.append((db.lastInsertedRowID, departmentID, status, deadline, promptCount, letters, transcript))
            }
        }
        summary.scholarships = created.count
        let matches = ScholarshipMatchStore(store: store, keyRing: keyRing, clock: clock)
        _ = try matches.recomputeEveryone()
        summary.matches = try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM scholarship_match_results") ?? 0 }
        try seedApplications(plan, created: created, random: &random, summary: &summary)
        return summary
    }

    /// Generated students get GPA, standing, enrolment, residency, first-generation and need; most answer the
    /// general application's home county.
    func giveStudentsFacts(_ random: inout CampusSeeder.Generator) throws {
        let students = try store.read { db in
            try Row.fetchAll(
                db,
                sql:
                    "SELECT id, graduation_year FROM users WHERE role = 'student' AND password_hash IS NULL AND gpa_enc IS NULL ORDER BY id"
            )
        }
        let stamp = Timestamp.string(from: clock())
        try store.write { db in
            // The demo student shows every kind of match: most facts on file, the state of residence not yet.
            try db.execute(
                sql: """
                    UPDATE users SET gpa_enc = ?, class_standing = 'junior', enrollment_status = 'full_time', first_generation = 1,
                        credit_hours = 75, interests = '["leadership","robotics","service"]'
                    WHERE email_norm = ? AND gpa_enc IS NULL
                    """, arguments: [try keyRing.encrypt("3.42", column: "users.gpa_enc"), DemoAccounts.studentEmail])
            for row in students {
                let gpa = Double(200 + random.int(0..<201)) / 100
                let year: Int = try row.decode(forColumn: "graduation_year") ?? 2028
                let standing = ["senior", "junior", "sophomore", "freshman"][max(0, min(3, year - 2027))]
                try db.execute(
                    sql: """
                        UPDATE users SET gpa_enc = ?, class_standing = ?, enrollment_status = ?, state_of_residence = ?, first_generation = ?,
                            financial_need = ?, credit_hours = ? WHERE id = ?
                        """,
                    arguments: [
                        try keyRing.encrypt(String(format: "%.2f", gpa), column: "users.gpa_enc"), standing,
                        random.chance(85) ? "full_time" : "part_time", random.chance(70) ? "KS" : random.pick(["MO", "OK", "AR", nil]),
                        random.chance(30), random.chance(60) ? random.chance(45) : nil, (4 - max(0, min(3, year - 2027))) * 30,
                        try row.decode(forColumn: "id") as Int64,
                    ])
                if random.chance(70) {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO general_applications (user_id, answers, created_at, updated_at) VALUES (?, ?, ?, ?)",
                        arguments: [
                            try row.decode(forColumn: "id") as Int64, ScholarshipJSON.text(["home_county": random.pick(Self.counties)]),
                            stamp, stamp,
                        ])
                }
            }
        }
    }

    func seedApplications(
        _ plan: Plan,
        created: [(id: Int64, department: Int64, status: String, deadline: String, prompts: Int, letters: Int, transcript: Bool)],
        random: inout CampusSeeder.Generator, summary: inout Summary
    ) throws {
        let students = try store.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM users WHERE role = 'student' AND password_hash IS NULL ORDER BY id LIMIT ?",
                arguments: [plan.applicants])
        }
        let faculty = try store.read { db in
            try Row.fetchAll(db, sql: "SELECT id, department_id FROM users WHERE role = 'faculty' AND password_hash IS NULL ORDER BY id")
        }
        let open = created.filter { $0.status != "draft" && !$0.transcript }
        guard !open.isEmpty, !students.isEmpty else { return }
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let essay = String(
            repeating:
                "Growing up on a farm near Girard taught me to finish what I start, to ask for help early and to plan the week ahead. ",
            count: 9)
        try store.write { db in
            var committees: [Int64: [Int64]] = [:]
            func committee(
                _ scholarship: (
                    id: Int64, department: Int64, status: String, deadline: String, prompts: Int, letters: Int, transcript: Bool
                )
            ) throws -> [Int64] {
                if let members = committees[scholarship.id] { return members }
                let local = try faculty.filter { try $0.decode(forColumn: "department_id") as Int64? == scholarship.department }.map {
                    try $0.decode(forColumn: "id") as Int64
                }
                let pool = try local.count >= 2 ? local : faculty.map { try $0.decode(forColumn: "id") as Int64 }
                let members = Array(pool.prefix(3))
                for (index, member) in members.enumerated() {
                    try db.execute(
                        sql: """
                            INSERT OR IGNORE INTO capability_grants (user_id, capability, department_id, granted_by, granted_at, active)
                            VALUES (?, 'scholarship_committee', ?, coalesce((SELECT min(id) FROM users WHERE role = 'admin'), ?1), ?, 1)
                            """, arguments: [member, scholarship.department, stamp])
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO scholarship_reviewers (scholarship_id, user_id, is_chair) VALUES (?, ?, ?)",
                        arguments: [scholarship.id, member, index == 0])
                }
                committees[scholarship.id] = members
                return members
            }
            for student in students {
                var chosen = Set<Int64>()
                for _ in 0..<(1 + random.int(0..<3)) {
                    let scholarship = random.pick(open)
                    guard chosen.insert(scholarship.id).inserted else { continue }
                    let closed = scholarship.status == "closed"
                    let submitted = closed || random.chance(45)
                    try db.execute(
                        sql: """
                            INSERT INTO scholarship_applications (scholarship_id, user_id, cycle, status, answers, progress_percentage, submitted_at,
                                created_at, updated_at)
                            SELECT ?, ?, cycle, ?, ?, 0, ?, ?, ? FROM scholarships WHERE id = ?
                            """,
                        arguments: [
                            scholarship.id, student, submitted ? "submitted" : "in_progress",
                            ScholarshipJSON.text(["home_county": random.pick(Self.counties)]), submitted ? stamp : nil, stamp, stamp,
                            scholarship.id,
                        ])
                    let application = db.lastInsertedRowID
                    summary.applications += 1
                    let essays = submitted ? scholarship.prompts : random.int(0..<(scholarship.prompts + 1))
                    for index in 0..<essays {
                        try db.execute(
                            sql:
                                "INSERT INTO application_essays (application_id, prompt_index, text, word_count, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                            arguments: [application, index + 1, essay, WordCount.of(essay), stamp, stamp])
                    }
                    for n in 0..<scholarship.letters {
                        let received = submitted || random.chance(50)
                        try db.execute(
                            sql: """
                                INSERT INTO recommendation_requests (application_id, recommender_name, recommender_email, relationship, token_hash, status,
                                    received_at, expires_at, created_at)
                                VALUES (?, ?, ?, 'Professor', ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                application, ["Dr. Hadley Greer", "Prof. Maddox Vance", "Coach Everly Fenwick"][n % 3],
                                "recommender\(application)-\(n)@example.edu", SecureToken.sha256(SecureToken.random()),
                                received ? "received" : "requested", received ? stamp : nil,
                                Timestamp.string(from: ScholarshipCalendar.deadlineInstant(scholarship.deadline) ?? now), stamp,
                            ])
                    }
                    try ScholarshipApplicationStore.refreshProgress(applicationID: application, in: db)
                    guard submitted, !faculty.isEmpty else { continue }
                    let members = try committee(scholarship)
                    for member in members where random.chance(closed ? 90 : 50) {
                        let scores = ["academics": 4 + random.int(0..<7), "essay": 4 + random.int(0..<7), "need": 1 + random.int(0..<5)]
                        try db.execute(
                            sql: """
                                INSERT INTO scholarship_reviews (application_id, reviewer_id, scores, total, comment, conflict_of_interest, submitted_at,
                                    created_at, updated_at)
                                VALUES (?, ?, ?, ?, ?, 0, ?6, ?6, ?6)
                                """,
                            arguments: [
                                application, member, ScholarshipJSON.text(scores), Rubric.total(Self.rubric, scores: scores),
                                random.pick([
                                    "Strong essays and steady grades.", "Clear goals; letters are warm.",
                                    "Good fit for the fund's purpose.",
                                ]),
                                stamp,
                            ])
                        try db.execute(
                            sql: "UPDATE scholarship_applications SET status = 'under_review' WHERE id = ?", arguments: [application])
                        summary.reviews += 1
                    }
                }
            }
        }
    }
}
