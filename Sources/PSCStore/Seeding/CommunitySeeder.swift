import Foundation
import GRDB
import PSCCore

/// The demo community spaces a new development database gets (forum categories with threads and replies, upcoming
/// and past webinars, announcements) and the benchmarks' forum (many threads, one long one). It draws its people
/// from the accounts already there (the campus seeder's invented members), so it runs after that seeder. Nobody is
/// notified: the demo arrives as history.
public struct CommunitySeeder: Sendable {
    public struct Plan: Sendable {
        /// Threads in each demo category.
        public var threadsPerCategory: Int
        /// Replies per thread, at most.
        public var maxReplies: Int
        /// One thread with this many posts (the benchmark's long thread); 0 for none.
        public var longThreadPosts: Int
        /// Generated threads added to the first category (the benchmark's busy category page).
        public var bulkThreads: Int
        public var seed: UInt64 = 27_182
        public init(threadsPerCategory: Int, maxReplies: Int, longThreadPosts: Int = 0, bulkThreads: Int = 0) {
            (self.threadsPerCategory, self.maxReplies, self.longThreadPosts) = (threadsPerCategory, maxReplies, longThreadPosts)
            self.bulkThreads = bulkThreads
        }
        public static let demo = Plan(threadsPerCategory: 6, maxReplies: 5)
        /// The benchmarks' forum: the demo categories, 5,000 more threads in the first, and one thread of 500 posts.
        public static let synthetic = Plan(threadsPerCategory: 6, maxReplies: 7, longThreadPosts: 500, bulkThreads: 5_000)
    }

    public struct Summary: Sendable, Equatable {
        public var categories = 0
        public var threads = 0
        public var posts = 0
        public var webinars = 0
        public var announcements = 0
    }

    public let store: Store
    let clock: @Sendable () -> Date

    public init(store: Store, clock: @escaping @Sendable () -> Date = Date.init) {
        self.store = store
        self.clock = clock
    }

    struct Category {
        let name, slug, description, color: String
        let roles: [String]
        let threads: [(title: String, opening: String, tags: [String])]
        var replies: [String] = []
    }

    static let categories: [Category] = [
        Category(
            name: "Campus life", slug: "campus-life", description: "Housing, dining, clubs and everything else about life in Pittsburg.",
            color: "#A6192E", roles: [],
            threads: [
                (
                    "Best quiet places to study on campus?", "Axe Library gets busy before finals. Where else do you go to focus?",
                    ["study", "library"]
                ),
                (
                    "Which student organisations are worth joining as a freshman?",
                    "I want to meet people outside my major. Recommendations?", ["clubs"]
                ),
                (
                    "Parking permits for the spring semester",
                    "Has anyone bought a spring permit yet? Is the Overman lot still the easiest?", ["parking"]
                ),
                (
                    "Gorilla football tailgate plans", "Who is organising a tailgate for the homecoming game this year?",
                    ["athletics", "homecoming"]
                ),
                ("Affordable apartments near campus", "Looking for a two-bedroom within walking distance for next fall.", ["housing"]),
                ("Dining hall hours over winter break", "Does anyone know if Gibson Dining stays open during the break?", ["dining"]),
            ],
            replies: [
                "Try the second floor of the Overman Student Center, it is quiet in the mornings.",
                "The Student Activities fair in the Oval is the easiest way to find clubs.",
                "I asked at the Parking Services window in the Overman; they were very helpful.",
                "Our residence hall council posts this on the board by the front desk.",
                "Gibson kept shorter hours last year; check the dining page before you go.", "Following this thread, I am curious too.",
            ]),
        Category(
            name: "Careers and internships", slug: "careers", description: "Résumés, interviews, internships and the job search.",
            color: "#1E6B34", roles: [],
            threads: [
                (
                    "How early should I apply for summer internships?",
                    "Engineering technology sophomore here. When do companies in Kansas City start hiring interns?", ["internships"]
                ),
                (
                    "Résumé review: first job after graduation",
                    "What do recruiters actually read first? I have one page and two internships.", ["resume"]
                ),
                (
                    "Questions to ask at the career fair",
                    "The fall career fair is coming up. What questions impressed recruiters you met?", ["career-fair"]
                ),
                (
                    "Negotiating a first salary offer", "I have an offer from a construction firm in Joplin. Is it normal to negotiate?",
                    ["offers"]
                ),
                (
                    "Remote work versus staying in Southeast Kansas", "Alumni: did you move away for work or find a good role locally?",
                    ["alumni-advice"]
                ),
                ("Preparing for a behavioural interview", "Any tips for STAR answers that do not sound rehearsed?", ["interviews"]),
            ],
            replies: [
                "Start in the fall: most Kansas City firms post summer internships by October.",
                "Career Services reviews résumés on walk-in Wednesdays; it made a big difference for me.",
                "From the employer side: show what you built, not only the courses you took.",
                "Ask what a first year in the role looks like; recruiters remember that question.",
                "Yes, negotiate politely and with numbers from the salary survey Career Services shares.", "Thanks, this helped a lot!",
            ]),
        Category(
            name: "Academics", slug: "academics", description: "Courses, advising, study groups and graduate school.",
            color: "#00416A", roles: [],
            threads: [
                (
                    "Study group for Calculus II", "Anyone want to meet Tuesday evenings in Yates Hall before the midterm?",
                    ["math", "study-group"]
                ),
                ("Is the accelerated MBA worth it?", "Thinking about the 4+1 program. How heavy is the final year?", ["graduate-school"]),
                (
                    "Advising holds before enrolment", "My enrolment is blocked by an advising hold. How long does it take to clear?",
                    ["advising"]
                ),
                (
                    "Tips for the nursing clinical rotation", "Starting clinicals at Via Christi next month. What should I bring?",
                    ["nursing"]
                ),
                (
                    "Best electives for automotive technology majors", "Which electives helped you most in the shop or on the job?",
                    ["automotive"]
                ),
                ("Undergraduate research opportunities", "How did you find a faculty member to do research with?", ["research"]),
            ],
            replies: [
                "The tutoring center in Axe Library runs a Calc II group on Tuesdays too.",
                "Email your advisor; holds usually clear within a day once you meet.",
                "I did the 4+1 and the last year was busy but worth it.",
                "Ask the professor whose class you enjoyed most; most are glad to take undergraduates.",
                "Bring a small notebook and comfortable shoes to clinicals.", "Thanks, this helped a lot!",
            ]),
        Category(
            name: "Alumni network", slug: "alumni", description: "Stay in touch, share news and help the next class of Gorillas.",
            color: "#FFB81C", roles: ["alumni", "faculty", "staff", "admin"],
            threads: [
                ("Class of 2015 reunion planning", "Who is in for a reunion at homecoming next year?", ["reunion"]),
                ("Hiring: two roles in Kansas City", "My firm is hiring project engineers. Happy to refer Pitt State grads.", ["hiring"]),
                (
                    "Giving back: mentoring current students", "I signed up as a mentor. What has worked for you with mentees?",
                    ["mentoring"]
                ),
                (
                    "Alumni in healthcare administration", "Looking to connect with alumni working in hospital administration.",
                    ["healthcare"]
                ),
            ],
            replies: [
                "Count me in for homecoming!", "Happy to refer too; our firm hires Pitt State grads every year.",
                "Set one small goal per session; my mentee liked having something concrete.",
                "I work at a hospital in Joplin, send me a message.", "Great to see the network this active.",
            ]),
        Category(
            name: "Faculty and staff lounge", slug: "faculty-staff",
            description: "For faculty and staff: teaching, advising and campus services.",
            color: "#5B5B5B", roles: ["faculty", "staff", "admin"],
            threads: [
                ("Sharing rubrics for capstone projects", "Does any department have a capstone rubric they would share?", ["teaching"]),
                ("Advising load this spring", "How are other departments handling advising with two open positions?", ["advising"]),
                (
                    "Experiences with the new lecture capture", "Has the new recording system worked reliably in your classrooms?",
                    ["technology"]
                ),
            ],
            replies: [
                "Our department can share the capstone rubric; send me a message.",
                "We moved to group advising sessions for first-year students; it helped.",
                "The recording system dropped audio twice in Yates; IT fixed it the same day.", "Thanks for starting this discussion.",
            ]),
    ]

    static let replies = [
        "Great question. What worked for me was starting early and asking the department office for leads.",
        "I had the same problem last year; the career services office helped me sort it out in a week.",
        "Try the second floor of the Overman Student Center, it is quiet in the mornings.",
        "I would second that. Also check the events page, there is a workshop on this soon.",
        "From the employer side: show what you built, not only the courses you took.",
        "Thanks, this helped a lot!",
        "Our department posts these on the board outside the main office as well.",
        "If you are unsure, email your advisor; they answer quickly during the week.",
        "I did this as a junior and it was the best decision I made at Pitt State.",
        "Following this thread, I am curious too.",
    ]

    static let webinars: [(title: String, description: String, days: Int, hour: Int, duration: Int, cap: Int?, required: Bool)] = [
        (
            "Writing a résumé that gets read", "Career Services walks through real résumés, what recruiters skim and what they skip.", 3,
            12, 60, 150, true
        ),
        (
            "Scholarship essays that stand out", "How committees read essays, with examples from past Pitt State winners.", 6, 18, 45, 200,
            true
        ),
        (
            "Alumni panel: careers in construction management", "Four alumni talk about their first five years in the field.", 9, 19, 75,
            nil, false
        ),
        (
            "Preparing for graduate school applications", "Timelines, recommendation letters and statements of purpose.", 13, 16, 60, 100,
            true
        ),
        ("Financial aid for the spring semester", "What changes in spring and how to avoid holds.", 16, 12, 30, nil, false),
        ("LinkedIn for students", "Build a profile that employers in the Four State area notice.", 20, 17, 45, 80, true),
    ]

    static let announcements: [(title: String, content: String, priority: String, roles: [String], department: Bool, hours: Int)] = [
        (
            "Winter break hours for campus offices",
            "Campus offices close at noon on December 23 and reopen on January 2. The library keeps reduced hours; see its page for details.",
            "high", [], false, -30
        ),
        (
            "Spring enrolment opens next week",
            "Check your advising hold in GUS before enrolment opens. Advisors have extra walk-in hours this week.",
            "normal", ["student"], false, -50
        ),
        (
            "Career fair registration for employers", "Employers can now register for the spring career fair in the Weede.", "normal",
            ["employer", "staff"],
            false, -20
        ),
        (
            "Department seminar series",
            "Our spring seminar series starts in February with talks from industry partners. Everyone is welcome.", "low", [],
            true, -10
        ),
    ]

    /// Seeds the demo; a database that already has forum categories is left as it is.
    public func seed(_ plan: Plan) throws -> Summary {
        var random = CampusSeeder.Generator(state: plan.seed | 1)
        var summary = Summary()
        let now = clock()
        try store.write { db in
            guard try Int.fetchOne(db, sql: "SELECT count(*) FROM forum_categories") == 0 else { return }
            let people = try Row.fetchAll(
                db,
                sql: "SELECT id, role FROM users WHERE status = 'active' AND role IN ('student', 'alumni', 'faculty', 'staff') ORDER BY id")
            let byRole = Dictionary(grouping: people, by: { (try? $0.decode(forColumn: "role") as String) ?? "" }).mapValues { rows in
                rows.compactMap { try? $0.decode(forColumn: "id") as Int64 }
            }
            let everyone = people.compactMap { try? $0.decode(forColumn: "id") as Int64 }
            let admin = try Int64.fetchOne(db, sql: "SELECT id FROM users WHERE role = 'admin' AND status = 'active' ORDER BY id LIMIT 1")
            guard !everyone.isEmpty else { return }
            for (order, category) in Self.categories.enumerated() {
                let stamp = Timestamp.string(from: now.addingTimeInterval(-90 * 86_400))
                try db.execute(
                    sql: """
                        INSERT INTO forum_categories (name, slug, description, color, display_order, allowed_roles, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        category.name, category.slug, category.description, category.color, order, JSONList.text(category.roles), stamp,
                        stamp,
                    ])
                summary.categories += 1
                let categoryID = db.lastInsertedRowID
                let writers = category.roles.isEmpty ? everyone : category.roles.flatMap { byRole[$0] ?? [] }
                guard !writers.isEmpty else { continue }
                for thread in category.threads.prefix(plan.threadsPerCategory) {
                    let replies = random.int(0..<(plan.maxReplies + 1))
                    summary.posts += try seedThread(
                        categoryID: categoryID, title: thread.title, opening: thread.opening, tags: thread.tags, replies: replies,
                        texts: category.replies, writers: writers, random: &random, now: now, in: db)
                    summary.threads += 1
                }
            }
            let topics = ["internships", "parking", "study groups", "housing", "the career fair", "scholarships", "advising", "clubs"]
            if plan.bulkThreads > 0, let categoryID = try Int64.fetchOne(db, sql: "SELECT id FROM forum_categories ORDER BY id LIMIT 1") {
                for index in 0..<plan.bulkThreads {
                    let topic = topics[index % topics.count]
                    summary.posts += try seedThread(
                        categoryID: categoryID, title: "Question \(index + 1) about \(topic)",
                        opening: "Does anyone know more about \(topic)?",
                        tags: [topic.replacingOccurrences(of: " ", with: "-")], replies: random.int(0..<(plan.maxReplies + 1)),
                        texts: Self.replies, writers: everyone, random: &random, now: now, in: db)
                    summary.threads += 1
                }
            }
            if plan.longThreadPosts > 0, let categoryID = try Int64.fetchOne(db, sql: "SELECT id FROM forum_categories ORDER BY id LIMIT 1")
            {
                summary.posts += try seedThread(
                    categoryID: categoryID, title: "Introduce yourself: who is new on PittState Connect?",
                    opening: "Say hello: your major or role, and one thing you love about Pittsburg.", tags: ["introductions"],
                    replies: plan.longThreadPosts - 1, texts: Self.replies, writers: everyone, random: &random, now: now, in: db)
                summary.threads += 1
            }
            let hosts = (byRole["faculty"] ?? []) + (byRole["staff"] ?? [])
            if !hosts.isEmpty {
                for (index, webinar) in Self.webinars.enumerated() {
                    let start =
                        ScholarshipCalendar.calendar.date(
                            bySettingHour: webinar.hour, minute: 0, second: 0, of: now.addingTimeInterval(Double(webinar.days) * 86_400))
                        ?? now.addingTimeInterval(Double(webinar.days) * 86_400)
                    try insertWebinar(
                        title: webinar.title, description: webinar.description, host: hosts[index % hosts.count], start: start,
                        duration: webinar.duration, cap: webinar.cap, required: webinar.required, recording: nil, now: now, in: db)
                    summary.webinars += 1
                }
                try insertWebinar(
                    title: "Acing the virtual interview",
                    description: "Lighting, sound and answers that land, recorded for anyone who missed it.", host: hosts[0],
                    start: now.addingTimeInterval(-12 * 86_400), duration: 60, cap: nil, required: true,
                    recording: "https://media.pittstate.edu/recordings/virtual-interview", now: now, in: db)
                summary.webinars += 1
                let attendees = everyone.prefix(12)
                let webinarIDs = try Int64.fetchAll(db, sql: "SELECT id FROM webinars ORDER BY id")
                for (index, webinar) in webinarIDs.enumerated() {
                    for person in attendees where (Int(person) + index) % 3 == 0 {
                        try db.execute(
                            sql:
                                "INSERT OR IGNORE INTO webinar_registrations (webinar_id, user_id, registered_at, created_at) VALUES (?, ?, ?, ?)",
                            arguments: [
                                webinar, person, Timestamp.string(from: now.addingTimeInterval(-86_400)), Timestamp.string(from: now),
                            ])
                    }
                }
                try db.execute(
                    sql:
                        "UPDATE webinars SET registered_count = (SELECT count(*) FROM webinar_registrations r WHERE r.webinar_id = webinars.id)"
                )
            }
            if let author = admin ?? hosts.first {
                let department = try Int64.fetchOne(db, sql: "SELECT id FROM departments ORDER BY id LIMIT 1")
                for item in Self.announcements {
                    let priority = AnnouncementPriority(rawValue: item.priority) ?? .normal
                    let published = Timestamp.string(from: now.addingTimeInterval(Double(item.hours) * 3600))
                    try db.execute(
                        sql: """
                            INSERT INTO announcements (title, content, priority, priority_rank, audience_roles, department_id, author_id, published_at,
                                notify, created_at, updated_at)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)
                            """,
                        arguments: [
                            item.title, item.content, priority.rawValue, priority.rank, JSONList.text(item.roles),
                            item.department ? department : nil, author, published, published, published,
                        ])
                    summary.announcements += 1
                }
            }
        }
        return summary
    }

    /// A thread with its opening post and replies spread over the weeks before now; some replies answer earlier ones.
    func seedThread(
        categoryID: Int64, title: String, opening: String, tags: [String], replies: Int, texts: [String], writers: [Int64],
        random: inout CampusSeeder.Generator, now: Date, in db: Database
    ) throws -> Int {
        var when = now.addingTimeInterval(-Double(random.int(3..<41)) * 86_400)
        let author = random.pick(writers)
        let stamp = Timestamp.string(from: when)
        try db.execute(
            sql: """
                INSERT INTO forum_threads (category_id, author_id, title, tags, last_activity_at, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [categoryID, author, title, JSONList.text(tags), stamp, stamp, stamp])
        let thread = db.lastInsertedRowID
        let insert = try db.cachedStatement(
            sql:
                "INSERT INTO forum_posts (thread_id, author_id, parent_post_id, is_opening, content, score, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)"
        )
        try insert.execute(arguments: [thread, author, nil, true, opening, random.int(0..<6), stamp])
        var posts: [Int64] = [db.lastInsertedRowID]
        let gap = max(60.0, now.timeIntervalSince(when) / Double(max(1, replies + 1)))
        // Each thread's replies walk the category's lines from a random start, so a short thread never repeats one.
        let first = random.int(0..<max(1, texts.count))
        for index in 0..<max(0, replies) {
            when = when.addingTimeInterval(gap * Double(random.int(50..<100)) / 100)
            let parent: Int64? = posts.count > 1 && random.chance(30) ? random.pick(posts) : nil
            try insert.execute(arguments: [
                thread, random.pick(writers), parent, false, texts.isEmpty ? "Thanks!" : texts[(first + index) % texts.count],
                random.int(0..<4),
                Timestamp.string(from: when),
            ])
            posts.append(db.lastInsertedRowID)
        }
        try db.execute(
            sql:
                "UPDATE forum_threads SET reply_count = ?, last_activity_at = ?, score = (SELECT score FROM forum_posts WHERE id = ?) WHERE id = ?",
            arguments: [replies, Timestamp.string(from: when), posts[0], thread])
        return posts.count
    }

    func insertWebinar(
        title: String, description: String, host: Int64, start: Date, duration: Int, cap: Int?, required: Bool, recording: String?,
        now: Date,
        in db: Database
    ) throws {
        let stamp = Timestamp.string(from: now.addingTimeInterval(-7 * 86_400))
        try db.execute(
            sql: """
                INSERT INTO webinars (title, description, host_id, scheduled_at, timezone, duration_minutes, meeting_url, recording_url,
                    max_participants, registration_required, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'America/Chicago', ?, ?, ?, ?, ?, ?, ?)
                """,
            arguments: [
                title, description, host, Timestamp.string(from: start), duration,
                "https://pittstate.zoom.us/j/\(900_000_000 + Int(host) * 7 + duration)", recording, cap, required, stamp, stamp,
            ])
    }
}
