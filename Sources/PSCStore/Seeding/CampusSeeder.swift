import Foundation
import GRDB
import PSCCore

/// Generated campus data: the demo campus a new development database gets (about 500 invented people, 2,000
/// posts, 60 events, 80 jobs, 300 connections) and the large synthetic sets the benchmarks use
/// (`psc seed --synthetic --users N`). People are invented; colleges and departments are Pittsburg State's, read
/// from the database. Generated accounts have no password, so nobody can sign in as them; the demo accounts of
/// ``DemoAccounts`` are the ones to sign in with. The same seed always gives the same campus.
public struct CampusSeeder: Sendable {
    public struct Plan: Sendable {
        public var users: Int
        public var posts: Int
        public var events: Int
        public var jobs: Int
        public var connections: Int
        /// One member with this many connections, for the feed benchmark (0: none).
        public var hubConnections = 0
        public var seed: UInt64 = 66762
        /// Existing members (by email, such as the demo accounts) to connect with 15 generated people each, so their
        /// feed has something in it.
        public var alsoConnect: [String] = []
        /// Alumni and employer accounts that have confirmed their email and wait for an admin's approval.
        public var pendingApprovals = 0
        /// Page views seeded on each active day, at most (0: none); the active days themselves are always seeded, so
        /// the dashboard, engagement and churn have a history to read.
        public var pageViewsPerActiveDay = 0

        public init(users: Int, posts: Int, events: Int, jobs: Int, connections: Int) {
            (self.users, self.posts, self.events, self.jobs, self.connections) = (users, posts, events, jobs, connections)
        }

        public static let demo: Plan = {
            var plan = Plan(users: 500, posts: 2000, events: 60, jobs: 80, connections: 300)
            plan.pendingApprovals = 3
            plan.pageViewsPerActiveDay = 4
            return plan
        }()

        /// The benchmark shape: ten posts per person, an event per ten, a job per hundred, a hub with 200 connections.
        public static func synthetic(users: Int) -> Plan {
            var plan = Plan(
                users: users, posts: users * 10, events: max(1, users / 10), jobs: max(1, users / 100), connections: users * 3)
            plan.hubConnections = min(200, max(0, users - 1))
            return plan
        }
    }

    public struct Summary: Sendable, Equatable {
        public var users = 0
        public var posts = 0
        public var events = 0
        public var jobs = 0
        public var connections = 0
        public var companies = 0
        /// The member with `hubConnections` connections, when the plan asked for one.
        public var hubEmail: String?
    }

    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    static let firstNames = [
        "Avery", "Jordan", "Taylor", "Morgan", "Riley", "Casey", "Jamie", "Quinn", "Harper", "Rowan", "Emerson", "Skyler", "Logan",
        "Peyton", "Reese", "Hayden", "Cameron", "Dakota", "Finley", "Parker", "Sawyer", "Blake", "Drew", "Elliot", "Kendall", "Micah",
        "Noel", "Oakley", "Phoenix", "Sage", "Tatum", "Wren", "Addison", "Bailey", "Carter", "Dylan", "Ellis", "Gray", "Jesse", "Kai",
        "Lane", "Marlow", "Nico", "Payton", "Remy", "Shay", "Toby", "Val", "Winter", "Zion",
    ]
    static let lastNames = [
        "Abernathy", "Baxter", "Calloway", "Dunmore", "Easterly", "Fairbanks", "Galloway", "Hollister", "Ingram", "Jessup", "Kettering",
        "Lockhart", "Merriweather", "Northcutt", "Oakes", "Pendleton", "Quarles", "Ransdell", "Stanfield", "Thornbury", "Underhill",
        "Vance", "Whitfield", "Yarbrough", "Ashcombe", "Birchwood", "Cobbold", "Delacroix", "Everly", "Fenwick", "Greer", "Hadley",
        "Ivers", "Jardine", "Kimbrough", "Larkin", "Maddox", "Nettles", "Osgood", "Pruitt", "Radley", "Sutter", "Tolliver", "Upton",
        "Vickery", "Wingate", "Yates", "Zeller", "Brantley", "Cordell",
    ]
    static let companies: [(String, String)] = [
        ("Crimson Prairie Bank", "Finance"), ("Four States Health", "Healthcare"), ("Gorilla Build Co.", "Construction"),
        ("Heartland Printing Works", "Printing and imaging"), ("Joplin Logistics", "Transportation"), ("Frontenac Software", "Software"),
        ("Neosho Valley Engineering", "Engineering"), ("Ozark Motorworks", "Automotive"), ("Prairie Sky Energy", "Energy"),
        ("Route 66 Media", "Media"), ("Southeast Kansas Schools", "Education"), ("Tri-State Accounting", "Accounting"),
        ("Walnut Grove Analytics", "Software"), ("Weir Precision Plastics", "Manufacturing"), ("Cherokee County Health", "Healthcare"),
        ("Girard Credit Union", "Finance"), ("Mulberry Design Studio", "Design"), ("Opolis Robotics", "Manufacturing"),
        ("Arma Agricultural Supply", "Agriculture"), ("Cato Civil Partners", "Engineering"),
    ]
    static let skills = [
        "Swift", "SQL", "Excel", "Python", "AutoCAD", "Project management", "Public speaking", "Welding", "Accounting", "Marketing",
        "Graphic design", "Patient care", "Data analysis", "Spanish", "Leadership", "Customer service", "Photography", "Java",
        "Construction estimating", "Teaching",
    ]
    static let postLines = [
        "Just finished my first week of classes at Pitt State. The Axe Library is my new favourite place to study.",
        "Does anyone have tips for the **Engineering Technology** capstone? Looking for a study group.",
        "Huge thanks to everyone who came to the career fair at the Overman Student Center!",
        "Gorilla Nation, the homecoming parade starts at 10 on Broadway. See you there.",
        "Looking for a summer internship in *construction management* around Joplin or Pittsburg.",
        "Our department is hiring student workers for the spring semester: ask at the front office.",
        "Proud to share that I passed the CPA exam. Thank you to the Kelce faculty for all the help.",
        "The nursing simulation lab open house is on Friday. Bring a friend who is thinking about nursing.",
        "Anyone carpooling to Kansas City for the alumni networking night?",
        "Reminder: scholarship applications close at the end of the month. Don't leave the essay for the last night.",
        "Great talk today on printing technology and packaging design. The future is colourful.",
        "Mentoring two first-year students this semester; it has been the best part of my week.",
        "Tips for a first job interview: research the company, bring questions, and follow up with a thank-you note.",
        "The automotive technology team took first place at the regional competition!",
        "Coffee and study session at the Gorilla Crossing on Thursday evening, all majors welcome.",
    ]
    /// Event titles with the kind they are, and the audiences a title may be aimed at; repeats of one title read as
    /// a series ("Résumé Workshop for Nursing Students"), never as "Résumé Workshop 7".
    static let eventTitles: [(title: String, kind: String, description: String)] = [
        ("Career Fair", "career_fair", "Meet recruiters from employers across the four-state region. Bring copies of your résumé."),
        ("Résumé Workshop", "workshop", "Career services reviews résumés one by one and shares what recruiters look for."),
        (
            "Alumni Networking Night", "social",
            "An evening with Gorilla alumni working in the region: light dinner, short talks, lots of conversation."
        ),
        (
            "Graduate School Info Session", "info_session",
            "What graduate programmes look for, how to fund them, and timelines for applying."
        ),
        ("Study Abroad Fair", "info_session", "Partner universities, scholarships for study abroad, and students who have been."),
        ("Homecoming Mixer", "social", "Students, alumni and faculty together before the homecoming game."),
        ("Interview Skills Workshop", "workshop", "Practise common questions and get feedback from career services and alumni volunteers."),
        ("Research Showcase", "general", "Students present their research posters; vote for the audience award."),
        ("Employer Q&A", "q_and_a", "Ask a panel of local employers about hiring, internships and first jobs."),
        ("Internship Panel", "q_and_a", "Students who interned last summer share how they found their places and what they learned."),
        ("Welcome Week Social", "social", "Meet your classmates, clubs and the people who can help you this year."),
        ("Leadership Summit", "general", "A day of talks and workshops on leading teams, run by student organisations."),
    ]
    static let eventAudiences = [
        "", "", "", " for First-Year Students", " for Transfer Students", " for Business Majors", " for Nursing Students",
        " for Technology Majors", " for Education Majors", " for Graduate Students",
    ]
    /// Titles each industry hires for, with the skills such a posting asks for, so a bank never seeks a welder.
    static let jobsByIndustry: [String: [(title: String, skills: [String])]] = [
        "Finance": [("Financial Analyst", ["Excel", "Data analysis", "Accounting"]), ("Teller", ["Customer service", "Spanish"])],
        "Healthcare": [
            ("Registered Nurse", ["Patient care", "Leadership"]), ("Patient Care Technician", ["Patient care", "Customer service"]),
        ],
        "Construction": [
            ("Construction Project Engineer", ["Construction estimating", "AutoCAD", "Project management"]),
            ("Estimator Intern", ["Construction estimating", "Excel"]),
        ],
        "Printing and imaging": [("Prepress Technician", ["Graphic design", "Photography"]), ("Press Operator", ["Customer service"])],
        "Transportation": [
            ("Logistics Coordinator", ["Excel", "Customer service"]), ("Operations Analyst Intern", ["SQL", "Data analysis"]),
        ],
        "Software": [
            ("Software Developer Intern", ["Swift", "SQL", "Java"]), ("Data Analyst", ["SQL", "Python", "Data analysis"]),
            ("Help Desk Technician", ["Customer service", "SQL"]),
        ],
        "Engineering": [
            ("Mechanical Design Intern", ["AutoCAD", "Project management"]), ("Quality Technician", ["Data analysis", "AutoCAD"]),
        ],
        "Automotive": [
            ("Automotive Service Technician", ["Welding", "Customer service"]), ("Service Advisor", ["Customer service", "Spanish"]),
        ],
        "Energy": [("Field Technician", ["Welding", "Project management"]), ("Energy Data Analyst", ["Python", "Data analysis"])],
        "Media": [
            ("Marketing Coordinator", ["Marketing", "Photography", "Public speaking"]),
            ("Graphic Designer", ["Graphic design", "Photography"]),
        ],
        "Education": [("Elementary Teacher", ["Teaching", "Public speaking"]), ("Paraprofessional", ["Teaching", "Spanish"])],
        "Accounting": [("Staff Accountant", ["Accounting", "Excel"]), ("Tax Intern", ["Accounting", "Excel"])],
        "Manufacturing": [
            ("Quality Technician", ["Data analysis", "Leadership"]), ("Production Supervisor", ["Leadership", "Project management"]),
        ],
        "Design": [("Graphic Designer", ["Graphic design", "Photography"]), ("Marketing Coordinator", ["Marketing", "Graphic design"])],
        "Agriculture": [("Sales Associate", ["Customer service", "Spanish"]), ("Agronomy Intern", ["Data analysis", "Excel"])],
    ]

    /// xorshift64*: deterministic, fast, good enough to spread invented data.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return state &* 2_685_821_657_736_338_717
        }
        mutating func int(_ range: Range<Int>) -> Int { range.lowerBound + Int(next() % UInt64(range.count)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }
        mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    }

    /// People waiting for approval (the admin console's queue): alumni who graduated years ago and a recruiter.
    public static let seededPages = [
        "home", "feed.index", "scholarships.index", "scholarships.view", "scholarships.matches", "jobs.index", "jobs.view", "events.index",
        "events.view", "forums.index", "people.view", "inbox.index",
    ]

    /// A member's active days over the last 90 (always their last active day; more often for the engaged), with an
    /// `analytics` consent for most and, when asked, a few page views on each active day.
    private func seedHistory(
        _ db: Database, user: Int64, lastActiveDaysAgo: Int, createdDaysAgo: Int, now: Date, pageViews: Int, random: inout Generator
    ) throws {
        let engaged = random.chance(40)
        let consents = random.chance(60)
        if consents {
            try db.execute(
                sql: """
                    INSERT INTO consent_records (user_id, consent_type, granted, version, recorded_at, source, created_at)
                    VALUES (?, 'analytics', 1, '1', ?2, 'user', ?2)
                    """, arguments: [user, Timestamp.string(from: now.addingTimeInterval(-Double(createdDaysAgo) * 86400))])
        }
        let day = try db.cachedStatement(sql: "INSERT OR IGNORE INTO user_activity_days (user_id, day) VALUES (?, ?)")
        let view = try db.cachedStatement(sql: "INSERT INTO page_views (page_name, object_id, user_id, occurred_at) VALUES (?, ?, ?, ?)")
        for ago in lastActiveDaysAgo..<max(lastActiveDaysAgo + 1, min(90, createdDaysAgo)) {
            guard ago == lastActiveDaysAgo || random.chance(engaged ? 45 : 8) else { continue }
            let instant = now.addingTimeInterval(-Double(ago) * 86400)
            try day.execute(arguments: [user, ScholarshipCalendar.today(instant)])
            guard pageViews > 0 else { continue }
            for _ in 0..<random.int(1..<(pageViews + 1)) {
                let page = random.pick(Self.seededPages)
                let at = Timestamp.string(from: instant.addingTimeInterval(-Double(random.int(0..<3600))))
                try view.execute(arguments: [page, page.hasSuffix(".view") ? Int64(random.int(1..<40)) : nil, consents ? user : nil, at])
            }
        }
    }

    private func seedPendingApprovals(_ count: Int, runTag: String, now: Date) throws {
        let waiting: [(role: String, first: String, last: String, domain: String, headline: String, company: String?)] = [
            ("alumni", "Marisol", "Vega", "alumni.example.org", "Plastics Engineering Technology, class of 2009", nil),
            ("employer", "Dwayne", "Okafor", "ozarkmotorworks.example.com", "Talent acquisition at Ozark Motorworks", "Ozark Motorworks"),
            ("alumni", "Priya", "Raman", "alumni.example.org", "Nursing, class of 2016", nil),
        ]
        try store.write { db in
            for (index, person) in waiting.prefix(count).enumerated() {
                let email = "\(person.first).\(person.last).\(runTag)@\(person.domain)".lowercased()
                // The later a person joined, the higher their id, as with real sign-ups.
                let created = Timestamp.string(from: now.addingTimeInterval(-Double(count - index) * 5400))
                try db.execute(
                    sql: """
                        INSERT INTO users (email, email_norm, role, status, first_name, last_name, headline, company, email_verified,
                            created_at, updated_at)
                        VALUES (?1, ?1, ?2, 'pending_approval', ?3, ?4, ?5, ?6, 1, ?7, ?7)
                        """,
                    arguments: [email, person.role, person.first, person.last, person.headline, person.company, created])
            }
        }
    }

    /// Adds the plan's data in large transactions; returns what was made.
    public func seed(_ plan: Plan) throws -> Summary {
        var random = Generator(state: plan.seed | 1)
        // The activity history draws from its own sequence, so adding it left the rest of the campus as it was.
        var history = Generator(state: (plan.seed &+ 7) | 1)
        var summary = Summary()
        let now = clock()
        let departments = try store.read { db in try Int64.fetchAll(db, sql: "SELECT id FROM departments ORDER BY id") }
        let departmentNames = try store.read { db in try String.fetchAll(db, sql: "SELECT name FROM departments ORDER BY id") }
        let runTag = String(try store.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM users") ?? 0 })
        var userIDs: [Int64] = []
        var userDepartments: [Int64: Int64] = [:]
        try store.write { db in
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO users (email, email_norm, role, status, first_name, last_name, headline, bio, major, graduation_year,
                        department_id, skills, interests, company, position, industry, location, email_verified, created_at, updated_at,
                        last_active_at)
                    VALUES (?1, ?1, ?2, 'active', ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, 1, ?16, ?16, ?17)
                    """)
            let mentor = try db.makeStatement(
                sql: """
                    INSERT INTO mentor_profiles (user_id, expertise, industries, bio, max_mentees, is_accepting_mentees, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, 1, ?6, ?6)
                    """)
            let consent = try db.makeStatement(
                sql: """
                    INSERT INTO consent_records (user_id, consent_type, granted, version, recorded_at, source, created_at)
                    VALUES (?, 'ferpa_directory', 1, '1', ?2, 'user', ?2)
                    """)
            for index in 0..<plan.users {
                let roll = random.int(0..<100)
                let role = roll < 55 ? "student" : roll < 85 ? "alumni" : roll < 93 ? "faculty" : "staff"
                let first = random.pick(Self.firstNames)
                let last = random.pick(Self.lastNames)
                let departmentIndex = departments.isEmpty ? nil : random.int(0..<departments.count)
                let department = departmentIndex.map { departments[$0] }
                let major = departmentIndex.map { departmentNames[$0] }
                let year = role == "student" ? 2027 + random.int(0..<4) : role == "alumni" ? 1975 + random.int(0..<51) : nil
                let company = role == "alumni" ? random.pick(Self.companies) : nil
                let domain = role == "student" ? "gus.pittstate.edu" : role == "alumni" ? "alumni.example.org" : "pittstate.edu"
                let email = "\(first).\(last).\(runTag)-\(index)@\(domain)".lowercased()
                let createdAgo = Double(random.int(2..<700))
                let created = Timestamp.string(from: now.addingTimeInterval(-createdAgo * 86400))
                let activeAgo = random.int(0..<60)
                let active = Timestamp.string(from: now.addingTimeInterval(-Double(activeAgo) * 86400))
                let skills = (0..<random.int(1..<5)).map { _ in random.pick(Self.skills) }
                try insert.execute(arguments: [
                    email, role, first, last,
                    role == "student"
                        ? "\(major ?? "Undeclared") student" : company.map { "\($0.1) at \($0.0)" } ?? "\(role.capitalized) at Pitt State",
                    "Gorilla \(role) who loves Southeast Kansas.", major, year, department,
                    String(decoding: try JSONEncoder().encode(Array(Set(skills)).sorted()), as: UTF8.self), "[\"Gorilla athletics\"]",
                    company?.0, company.map { _ in random.pick(["Analyst", "Engineer", "Manager", "Coordinator", "Director"]) },
                    company?.1, random.pick(["Pittsburg, KS", "Joplin, MO", "Kansas City, MO", "Wichita, KS", "Tulsa, OK"]), created,
                    active,
                ])
                let id = db.lastInsertedRowID
                userIDs.append(id)
                if let department { userDepartments[id] = department }
                if random.chance(85) { try consent.execute(arguments: [id, created]) }
                try seedHistory(
                    db, user: id, lastActiveDaysAgo: activeAgo, createdDaysAgo: Int(createdAgo), now: now,
                    pageViews: plan.pageViewsPerActiveDay,
                    random: &history)
                // One alumnus or professor in five offers to mentor, in their own skills and industry.
                if role == "alumni" || role == "faculty", random.chance(20) {
                    try mentor.execute(arguments: [
                        id, String(decoding: try JSONEncoder().encode(Array(Set(skills)).sorted()), as: UTF8.self),
                        company.map { "[\"\($0.1)\"]" },
                        "Happy to talk about \(company.map { "working in \($0.1.lowercased())" } ?? "research and graduate school") with Gorillas.",
                        random.int(1..<5), created,
                    ])
                }
            }
        }
        if plan.pendingApprovals > 0 { try seedPendingApprovals(plan.pendingApprovals, runTag: runTag, now: now) }
        summary.users = userIDs.count
        guard !userIDs.isEmpty else { return summary }

        // Connections: a hub first (the feed benchmark's reader), then random accepted pairs.
        var pairs = Set<Int64>()
        func key(_ a: Int64, _ b: Int64) -> Int64 { min(a, b) << 32 | max(a, b) }
        var wanted: [(Int64, Int64)] = []
        if plan.hubConnections > 0 {
            let hub = userIDs[0]
            for other in userIDs.dropFirst().prefix(plan.hubConnections) where pairs.insert(key(hub, other)).inserted {
                wanted.append((hub, other))
            }
            summary.hubEmail = try store.read { db in try String.fetchOne(db, sql: "SELECT email FROM users WHERE id = ?", arguments: [hub])
            }
        }
        let existing = try store.read { db in
            try plan.alsoConnect.compactMap {
                try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE email_norm = ?", arguments: [$0.lowercased()])
            }
        }
        for member in existing {
            for _ in 0..<15 {
                let other = random.pick(userIDs)
                if pairs.insert(key(member, other)).inserted { wanted.append((member, other)) }
            }
        }
        var attempts = 0
        let target = wanted.count + plan.connections
        while wanted.count < target, userIDs.count > 1, attempts < plan.connections * 4 {
            attempts += 1
            let a = random.pick(userIDs)
            let b = random.pick(userIDs)
            if a != b, pairs.insert(key(a, b)).inserted { wanted.append((a, b)) }
        }
        try store.write { db in
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO connections (requester_id, addressee_id, user_low, user_high, status, created_at, responded_at, updated_at)
                    VALUES (?, ?, ?, ?, 'accepted', ?5, ?5, ?5)
                    """)
            for (a, b) in wanted {
                let stamp = Timestamp.string(from: now.addingTimeInterval(-Double(random.int(1..<300)) * 86400))
                try insert.execute(arguments: [a, b, min(a, b), max(a, b), stamp])
            }
        }
        summary.connections = wanted.count

        // Posts, spread over the last 180 days, in chunks so a half-million stay within memory.
        var made = 0
        while made < plan.posts {
            let chunk = min(20_000, plan.posts - made)
            try store.write { db in
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO posts (author_id, content, visibility, department_id, like_count, comment_count, created_at, updated_at)
                        VALUES (?, ?, ?, ?, 0, 0, ?5, ?5)
                        """)
                for _ in 0..<chunk {
                    let author = random.pick(userIDs)
                    var visibility = random.pick(["members", "members", "public", "connections", "department"])
                    let department = userDepartments[author]
                    if visibility == "department" && department == nil { visibility = "members" }
                    let stamp = Timestamp.string(from: now.addingTimeInterval(-Double(random.int(60..<180 * 86400))))
                    try insert.execute(arguments: [
                        author, random.pick(Self.postLines), visibility, visibility == "department" ? department : nil, stamp,
                    ])
                }
            }
            made += chunk
        }
        summary.posts = made

        // Events, past and future, organised by faculty and staff, with RSVPs and check-ins for the past ones.
        let organisers = try store.read { db in
            try Int64.fetchAll(
                db, sql: "SELECT id FROM users WHERE role IN ('faculty', 'staff') AND id >= ? ORDER BY id", arguments: [userIDs[0]])
        }
        if !organisers.isEmpty {
            try store.write { db in
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO events (title, description, location, format, kind, start_time, end_time, timezone, department_id,
                            organizer_id, capacity, waitlist_enabled, walk_ins_allowed, visibility, status, sequence, going_count,
                            waitlist_count, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, 'America/Chicago', ?, ?, ?, 1, 1, ?, 'scheduled', 0, 0, 0, ?12, ?12)
                        """)
                let rsvp = try db.makeStatement(
                    sql:
                        "INSERT OR IGNORE INTO event_rsvps (event_id, user_id, status, created_at, updated_at) VALUES (?, ?, 'going', ?3, ?3)"
                )
                let checkIn = try db.makeStatement(
                    sql:
                        "INSERT OR IGNORE INTO event_checkins (event_id, user_id, checked_in_at, method, by_user_id) VALUES (?, ?, ?, 'code', ?2)"
                )
                for index in 0..<plan.events {
                    let organiser = random.pick(organisers)
                    // Two thirds ahead, one third behind; on the hour, in the afternoon or evening.
                    let dayOffset = index % 3 == 0 ? -random.int(1..<120) : random.int(1..<120)
                    let start = Date(timeIntervalSince1970: (now.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
                        .addingTimeInterval(Double(dayOffset) * 86400)
                    let end = start.addingTimeInterval(Double(random.int(1..<4)) * 3600)
                    let event = random.pick(Self.eventTitles)
                    let kind = event.kind
                    let capacity: Int? = random.chance(60) ? random.int(20..<200) : nil
                    try insert.execute(arguments: [
                        event.title + random.pick(Self.eventAudiences), event.description,
                        random.pick(["Overman Student Center", "Axe Library", "Kelce 101", "Bicknell Center", "Weede Gym", "Online"]),
                        random.pick(["in_person", "virtual", "hybrid"]), kind, Timestamp.string(from: start), Timestamp.string(from: end),
                        userDepartments[organiser], organiser, capacity, random.chance(70) ? "members" : "public",
                        Timestamp.string(from: start.addingTimeInterval(-14 * 86400)),
                    ])
                    let eventID = db.lastInsertedRowID
                    let seats = min(capacity ?? 40, random.int(3..<40))
                    var going = 0
                    for _ in 0..<seats {
                        let attendee = random.pick(userIDs)
                        try rsvp.execute(arguments: [eventID, attendee, Timestamp.string(from: start.addingTimeInterval(-86400))])
                        if db.changesCount == 1 {
                            going += 1
                            if dayOffset < 0, random.chance(70) {
                                try checkIn.execute(arguments: [eventID, attendee, Timestamp.string(from: start)])
                            }
                        }
                    }
                    try db.execute(sql: "UPDATE events SET going_count = ? WHERE id = ?", arguments: [going, eventID])
                }
            }
            summary.events = plan.events
        }

        // Companies and their postings, posted by career services (staff) so they are active at once.
        let poster = try store.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT id FROM users WHERE role = 'staff' AND id >= ? ORDER BY id LIMIT 1", arguments: [userIDs[0]])
        }
        try store.write { db in
            var companyIDs: [Int64] = []
            for (name, industry) in Self.companies {
                let norm = CompanyStore.normalise(name)
                if let id = try Int64.fetchOne(db, sql: "SELECT id FROM companies WHERE name_norm = ?", arguments: [norm]) {
                    companyIDs.append(id)
                    continue
                }
                try db.execute(
                    sql: """
                        INSERT INTO companies (name, name_norm, industry, size, headquarters, verified, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, 1, ?6, ?6)
                        """,
                    arguments: [
                        name, norm, industry, random.pick(CompanyStore.sizes), random.pick(["Pittsburg, KS", "Joplin, MO", "Wichita, KS"]),
                        Timestamp.string(from: now),
                    ])
                companyIDs.append(db.lastInsertedRowID)
                summary.companies += 1
            }
            let insert = try db.makeStatement(
                sql: """
                    INSERT INTO job_postings (company_id, posted_by, title, description, location, remote, job_type, experience_level,
                        salary_min_cents, salary_max_cents, currency, skills_required, application_url, apply_on_platform, status,
                        posted_at, expires_at, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'USD', ?, NULL, 1, 'active', ?12, ?13, ?12, ?12)
                    """)
            for _ in 0..<plan.jobs {
                let companyIndex = random.int(0..<companyIDs.count)
                let industry = Self.companies[companyIndex].1
                let opening = random.pick(Self.jobsByIndustry[industry] ?? [("Sales Associate", ["Customer service"])])
                let title = opening.title
                let low = Int64(random.int(30..<80)) * 1_000_00
                let posted = now.addingTimeInterval(-Double(random.int(0..<25)) * 86400)
                try insert.execute(arguments: [
                    companyIDs[companyIndex], poster, title,
                    "\(Self.companies[companyIndex].0) is looking for a \(title.lowercased()) to join a friendly team. Pitt State graduates and students welcome.",
                    random.pick(["Pittsburg, KS", "Joplin, MO", "Kansas City, MO", "Wichita, KS", "Tulsa, OK"]), random.chance(25),
                    title.contains("Intern") ? "internship" : random.pick(["full_time", "full_time", "part_time", "contract", "co_op"]),
                    random.pick(["entry", "entry", "mid", "senior"]), low, low + Int64(random.int(5..<30)) * 1_000_00,
                    String(decoding: try JSONEncoder().encode(opening.skills), as: UTF8.self),
                    Timestamp.string(from: posted), Timestamp.string(from: posted.addingTimeInterval(Double(random.int(30..<120)) * 86400)),
                ])
            }
        }
        summary.jobs = plan.jobs
        return summary
    }
}
