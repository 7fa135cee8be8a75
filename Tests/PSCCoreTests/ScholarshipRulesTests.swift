import Foundation
import Testing

@testable import PSCCore

@Suite("Scholarship eligibility, matching, checklists, rubrics and dates")
struct ScholarshipRulesTests {
    func rules(_ json: String) throws -> Eligibility {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8))
        let parsed = Eligibility.parse(object)
        #expect(parsed.problems == [])
        return try #require(parsed.eligibility)
    }

    func outcome(_ rule: String, _ facts: StudentFacts) throws -> MatchResult.Outcome {
        let eligibility = try rules(#"{"groups":[{"name":"only","rules":[\#(rule)]}]}"#)
        return try #require(ScholarshipMatcher.match(eligibility, tags: [], facts: facts).rules.first).result
    }

    @Test("every rule kind gives passed, failed and missing")
    func ruleKinds() throws {
        let full = StudentFacts(
            role: "student", major: " Nursing ", gpa: 3.42, graduationYear: 2027, classStanding: "junior", departmentID: 4,
            enrollmentStatus: "full_time", stateOfResidence: "KS", firstGeneration: true, financialNeed: false, creditHours: 60,
            answers: ["veteran": "Yes", "county": "Crawford"])
        let other = StudentFacts(
            role: "alumni", major: "Biology", gpa: 2.9, graduationYear: 2030, classStanding: "freshman", departmentID: 2,
            enrollmentStatus: "part_time", stateOfResidence: "MO", firstGeneration: false, financialNeed: true, creditHours: 12,
            answers: ["veteran": "no", "county": "Cherokee"])
        let empty = StudentFacts(role: "student")
        let table: [(String, MatchResult.Outcome, MatchResult.Outcome)] = [
            (#"{"field":"major","op":"in","value":["nursing","Biology Education"]}"#, .pass, .fail),
            (#"{"field":"major","op":"not_in","value":["Biology"]}"#, .pass, .fail),
            (#"{"field":"gpa","op":"gte","value":3.0}"#, .pass, .fail),
            (#"{"field":"graduation_year","op":"in","value":[2027,2028]}"#, .pass, .fail),
            (#"{"field":"graduation_year","op":"lte","value":2028}"#, .pass, .fail),
            (#"{"field":"class_standing","op":"gte","value":"sophomore"}"#, .pass, .fail),
            (#"{"field":"department_id","op":"eq","value":4}"#, .pass, .fail),
            (#"{"field":"enrollment_status","op":"eq","value":"FULL_TIME"}"#, .pass, .fail),
            (#"{"field":"state_of_residence","op":"in","value":["KS"]}"#, .pass, .fail),
            (#"{"field":"first_generation","op":"is_true"}"#, .pass, .fail),
            (#"{"field":"financial_need","op":"is_true"}"#, .fail, .pass),
            (#"{"field":"credit_hours","op":"gte","value":30}"#, .pass, .fail),
            (#"{"field":"answer:veteran","op":"is_true"}"#, .pass, .fail),
            (#"{"field":"answer:county","op":"eq","value":"crawford"}"#, .pass, .fail),
        ]
        for (rule, first, second) in table {
            #expect(try outcome(rule, full) == first, "\(rule)")
            #expect(try outcome(rule, other) == second, "\(rule)")
            if !rule.contains("\"role\"") { #expect(try outcome(rule, empty) == .missing, "\(rule)") }
        }
        #expect(try outcome(#"{"field":"role","op":"in","value":["student"]}"#, full) == .pass)
        #expect(try outcome(#"{"field":"role","op":"in","value":["student"]}"#, other) == .fail)
    }

    @Test("the grammar refuses unknown fields, wrong operators and values, naming the place")
    func grammar() throws {
        func problems(_ json: String) throws -> [String] {
            Eligibility.parse(try JSONSerialization.jsonObject(with: Data(json.utf8))).problems
        }
        #expect(
            try problems(#"{"groups":[{"rules":[{"field":"height","op":"eq","value":1}]}]}"#).first?.hasPrefix("groups[0].rules[0].field")
                == true)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"major","op":"gte","value":"A"}]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"gpa","op":"eq","value":"high"}]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"first_generation","op":"eq","value":"yes"}]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"class_standing","op":"gte","value":"fifth"}]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[], "extra": 1}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"answer:Bad Key","op":"is_true"}]}]}"#).count == 1)
        #expect(try problems(#"{"groups":[{"rules":[{"field":"gpa","op":"gte","value":1e300}]}]}"#).count == 1, "no GPA is that large")
        // Huge values that parse are shown as they are, never forced into an Int.
        let huge = try rules(#"{"groups":[{"rules":[{"field":"credit_hours","op":"lte","value":99999999999}]}]}"#)
        #expect(ScholarshipMatcher.match(huge, tags: [], facts: StudentFacts(role: "student", creditHours: 30)).status == .eligible)
        // The export reads back as the same rules.
        let original = try rules(
            #"{"groups":[{"name":"A","rules":[{"field":"gpa","op":"gte","value":3.25},{"field":"graduation_year","op":"in","value":[2027]}]}]}"#
        )
        let again = Eligibility.parse(original.document)
        #expect(again.eligibility == original)
    }

    @Test("the worked example: student A needs info at 85, student B is ineligible at 45, no rules give 75")
    func workedExample() throws {
        let award = try rules(
            #"{"groups":[{"name":"Engineering","rules":[{"field":"major","op":"in","value":["Engineering Technology","Mechanical Engineering Technology"]},{"field":"gpa","op":"gte","value":3.0},{"field":"graduation_year","op":"in","value":[2027,2028]},{"field":"state_of_residence","op":"in","value":["KS"]}]}]}"#
        )
        let tags = ["engineering", "robotics", "leadership", "manufacturing"]
        let a = ScholarshipMatcher.match(
            award, tags: tags,
            facts: StudentFacts(
                role: "student", major: "Engineering Technology", gpa: 3.42, graduationYear: 2027,
                interests: ["Robotics", "leadership", "music"]))
        #expect(a.status == .needsInfo)
        #expect(a.score == 85)
        #expect(a.missingFields == ["state_of_residence"])
        #expect(a.rules.map(\.result) == [.pass, .pass, .pass, .missing])
        #expect(a.rules[1].detail == "GPA 3.42 ≥ 3.00: passed")
        #expect(a.rules[3].detail == "State of residence: missing — add your state of residence")
        let b = ScholarshipMatcher.match(
            award, tags: tags,
            facts: StudentFacts(role: "student", major: "Nursing", gpa: 3.8, graduationYear: 2027, stateOfResidence: "KS"))
        #expect(b.status == .ineligible)
        #expect(b.score == 45)
        let open = ScholarshipMatcher.match(Eligibility(), tags: tags, facts: StudentFacts(role: "student", interests: ["robotics"]))
        #expect(open.status == .eligible && open.score == 80 && open.rules.isEmpty)
    }

    @Test("groups: any passing group makes eligible; the best group is passing, else without failures, else fewest failures")
    func groups() throws {
        let two = try rules(
            #"{"groups":[{"name":"Merit","rules":[{"field":"gpa","op":"gte","value":3.5}]},{"name":"Need","rules":[{"field":"financial_need","op":"is_true"},{"field":"first_generation","op":"is_true"}]}]}"#
        )
        let needy = ScholarshipMatcher.match(two, tags: [], facts: StudentFacts(role: "student", gpa: 3.0, financialNeed: true))
        #expect(needy.status == .needsInfo)
        #expect(needy.rules.first?.group == "Need")
        let neither = ScholarshipMatcher.match(
            two, tags: [], facts: StudentFacts(role: "student", gpa: 3.0, firstGeneration: false, financialNeed: false))
        #expect(neither.status == .ineligible)
        #expect(neither.rules.first?.group == "Merit")
        let merit = ScholarshipMatcher.match(two, tags: [], facts: StudentFacts(role: "student", gpa: 3.9))
        #expect(merit.status == .eligible && merit.rules.first?.group == "Merit")
    }

    @Test("the checklist example is 3 of 6, 50%; words are counted as §7.5 does")
    func checklist() {
        let list = ApplicationChecklist(
            questions: [FormQuestion(key: "county", label: "County", required: true)], answers: ["county": "Crawford"],
            prompts: [EssayPrompt(prompt: "Why?", minWords: 3, maxWords: 50), EssayPrompt(prompt: "How?", minWords: 3, maxWords: 50)],
            essayWordCounts: [1: 10, 2: 2], lettersRequired: 2, lettersReceived: 1, transcriptRequired: true, transcriptSubmitted: false)
        #expect(list.items.map(\.item) == ["form", "essay:1", "essay:2", "letter:1", "letter:2", "transcript"])
        #expect(list.doneCount == 3 && list.progressPercentage == 50)
        #expect(list.unfinished == ["essay:2", "letter:2", "transcript"])
        #expect(WordCount.of("It's my family’s farm, est. 1998 -- we can't stop!") == 9)
        #expect(WordCount.of("  ") == 0)
    }

    @Test("the rubric example: 80.0 and 72.0 average 76.0")
    func rubric() {
        let criteria = [
            RubricCriterion(key: "academics", label: "Academics", maxPoints: 10, weight: 40),
            RubricCriterion(key: "essay", label: "Essay", maxPoints: 10, weight: 40),
            RubricCriterion(key: "need", label: "Need", maxPoints: 5, weight: 20),
        ]
        let first = Rubric.total(criteria, scores: ["academics": 8, "essay": 7, "need": 5])
        let second = Rubric.total(criteria, scores: ["academics": 9, "essay": 6, "need": 3])
        #expect(first == 80.0 && second == 72.0)
        #expect(Rubric.mean([80.0, 72.0]) == 76.0)
        #expect(Rubric.total(criteria, scores: ["academics": 11, "essay": 7, "need": 5]) == nil)
        #expect(Rubric.total(criteria, scores: ["academics": 8]) == nil)
    }

    @Test("deadlines end with their Chicago day, across both DST changes")
    func deadlines() throws {
        let formatter = ISO8601DateFormatter()
        #expect(ScholarshipCalendar.deadlineInstant("2027-03-14") == formatter.date(from: "2027-03-15T04:59:59Z"))
        #expect(ScholarshipCalendar.deadlineInstant("2026-11-01") == formatter.date(from: "2026-11-02T05:59:59Z"))
        #expect(ScholarshipCalendar.deadlineInstant("2027-03-13") == formatter.date(from: "2027-03-14T05:59:59Z"))
        #expect(ScholarshipCalendar.deadlineInstant("2027-02-30") == nil)
        let lastMinute = try #require(formatter.date(from: "2027-03-15T04:59:30Z"))
        #expect(!ScholarshipCalendar.isPast(deadline: "2027-03-14", at: lastMinute))
        #expect(ScholarshipCalendar.isPast(deadline: "2027-03-14", at: lastMinute.addingTimeInterval(30)))
        #expect(ScholarshipCalendar.daysLeft(until: "2027-03-14", at: lastMinute.addingTimeInterval(-7 * 86_400)) == 7)
        #expect(ScholarshipCalendar.today(try #require(formatter.date(from: "2026-12-07T05:30:00Z"))) == "2026-12-06")
    }

    @Test("cycles and the rollover's dates; award budgets")
    func cycles() {
        #expect(ScholarshipCalendar.next(cycle: "2026-27") == "2027-28")
        #expect(ScholarshipCalendar.next(cycle: "2099-00") == "2100-01")
        #expect(!ScholarshipCalendar.isCycle("2026-28") && !ScholarshipCalendar.isCycle("26-27"))
        #expect(ScholarshipCalendar.cycle(forDeadline: "2027-03-01") == "2026-27")
        #expect(ScholarshipCalendar.cycle(forDeadline: "2027-08-01") == "2027-28")
        #expect(ScholarshipCalendar.oneYearLater("2028-02-29") == "2029-02-28")
        #expect(ScholarshipCalendar.oneYearLater("2027-03-31") == "2028-03-31")
        #expect(AwardBudget.allows(amountCents: 100_000, awardCount: 2, alreadyAwarded: 150_000, adding: 50_000))
        #expect(!AwardBudget.allows(amountCents: 100_000, awardCount: 2, alreadyAwarded: 150_000, adding: 50_001))
    }
}
