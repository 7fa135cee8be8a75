import Foundation
import GRDB
import PSCCore

public enum ScholarshipError: Error, Equatable {
    case notFound
    case deadlinePassed
    case notOpen
    case notInternal
    case submitted
    case alreadyDecided
    case incomplete([String])
    case notSubmitted
    case tooManyLetters
    case letterReceived
    case letterUnavailable
    case budgetExceeded(remainingCents: Int64)
    case notAwarded
    case rubricLocked
    case shrinking(String)
    case badUpload(String)
    case unknownKeys([String])
    case invalid([String: [String]])
}

/// One scholarship as stored (40-data §2.7), its JSON columns read back into their types.
public struct ScholarshipRecord: Sendable, FetchableRecord {
    public let id: Int64
    public let title: String
    public let description: String
    public let amountCents: Int64
    public let currency: String
    public let deadline: String
    public let departmentID: Int64?
    public let departmentName: String?
    public let provider: String?
    public let url: String?
    public let category: String?
    public let tags: [String]
    public let eligibility: Eligibility
    public let prompts: [EssayPrompt]
    public let questions: [FormQuestion]
    public let numRecommendations: Int
    public let transcriptRequired: Bool
    public let renewable: Bool
    public let awardCount: Int
    public let blindReview: Bool
    public let applicationMethod: String
    public let cycle: String
    public let status: String
    public let awardNotificationDate: String?
    public let rubric: [RubricCriterion]?
    public let source: String
    public let createdBy: Int64?
    public let createdAt: String
    public let updatedAt: String

    static let selectSQL = "SELECT s.*, d.name AS department_name FROM scholarships s LEFT JOIN departments d ON d.id = s.department_id"

    public init(row: Row) throws {
        id = try row.decode(forColumn: "id")
        title = try row.decode(forColumn: "title")
        description = try row.decode(forColumn: "description")
        amountCents = try row.decode(forColumn: "amount_cents")
        currency = try row.decode(forColumn: "currency")
        deadline = try row.decode(forColumn: "deadline")
        departmentID = try row.decode(forColumn: "department_id")
        departmentName = try row.decode(forColumn: "department_name")
        provider = try row.decode(forColumn: "provider")
        url = try row.decode(forColumn: "url")
        category = try row.decode(forColumn: "category")
        tags = ScholarshipJSON.strings(try row.decode(forColumn: "tags"))
        eligibility = ScholarshipJSON.eligibility(try row.decode(forColumn: "eligibility"))
        prompts = ScholarshipJSON.prompts(try row.decode(forColumn: "essay_prompts"))
        questions = ScholarshipJSON.questions(try row.decode(forColumn: "questions"))
        numRecommendations = try row.decode(forColumn: "num_recommendations")
        transcriptRequired = try row.decode(forColumn: "transcript_required")
        renewable = try row.decode(forColumn: "renewable")
        awardCount = try row.decode(forColumn: "award_count")
        blindReview = try row.decode(forColumn: "blind_review")
        applicationMethod = try row.decode(forColumn: "application_method")
        cycle = try row.decode(forColumn: "cycle")
        status = try row.decode(forColumn: "status")
        awardNotificationDate = try row.decode(forColumn: "award_notification_date")
        rubric = (try row.decode(forColumn: "rubric") as String?).map(ScholarshipJSON.rubric)
        source = try row.decode(forColumn: "source")
        createdBy = try row.decode(forColumn: "created_by")
        createdAt = try row.decode(forColumn: "created_at")
        updatedAt = try row.decode(forColumn: "updated_at")
    }

    /// Open and its deadline not passed: students may apply (and the reminders and matches look at it).
    public func isActive(at now: Date) -> Bool { status == "open" && !ScholarshipCalendar.isPast(deadline: deadline, at: now) }
}

/// The JSON columns of the scholarship tables, written and read in one place.
enum ScholarshipJSON {
    static func object(_ text: String?) -> Any? { text.flatMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) } }

    static func text(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }

    static func strings(_ text: String?) -> [String] { object(text) as? [String] ?? [] }

    static func answers(_ text: String?) -> [String: String] { object(text) as? [String: String] ?? [:] }

    static func eligibility(_ text: String?) -> Eligibility { object(text).flatMap { Eligibility.parse($0).eligibility } ?? Eligibility() }

    static func prompts(_ text: String?) -> [EssayPrompt] {
        (object(text) as? [[String: Any]] ?? []).map { item in
            EssayPrompt(
                prompt: item["prompt"] as? String ?? "", minWords: (item["min_words"] as? NSNumber)?.intValue ?? 0,
                maxWords: (item["max_words"] as? NSNumber)?.intValue ?? 3000)
        }
    }

    static func promptsText(_ prompts: [EssayPrompt]) -> String {
        text(prompts.map { ["prompt": $0.prompt, "min_words": $0.minWords, "max_words": $0.maxWords] as [String: Any] })
    }

    static func questions(_ text: String?) -> [FormQuestion] {
        (object(text) as? [[String: Any]] ?? []).map { item in
            FormQuestion(
                key: item["key"] as? String ?? "", label: item["label"] as? String ?? "", required: item["required"] as? Bool ?? true)
        }
    }

    static func questionsText(_ questions: [FormQuestion]) -> String {
        text(questions.map { ["key": $0.key, "label": $0.label, "required": $0.required] as [String: Any] })
    }

    static func rubric(_ text: String) -> [RubricCriterion] {
        (object(text) as? [[String: Any]] ?? []).map { item in
            RubricCriterion(
                key: item["key"] as? String ?? "", label: item["label"] as? String ?? "",
                maxPoints: (item["max_points"] as? NSNumber)?.intValue ?? 1, weight: (item["weight"] as? NSNumber)?.intValue ?? 1)
        }
    }

    static func rubricText(_ criteria: [RubricCriterion]) -> String {
        text(criteria.map { ["key": $0.key, "label": $0.label, "max_points": $0.maxPoints, "weight": $0.weight] as [String: Any] })
    }

    static func scores(_ text: String?) -> [String: Int] {
        (object(text) as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
    }
}

/// What a manager sets on a scholarship (SCH-3, SCH-4), already validated.
public struct ScholarshipFields: Sendable {
    public var title: String
    public var description: String
    public var amountCents: Int64
    public var currency: String
    public var deadline: String
    public var departmentID: Int64?
    public var provider: String?
    public var url: String?
    public var category: String?
    public var tags: [String]
    public var eligibility: Eligibility
    public var prompts: [EssayPrompt]
    public var questions: [FormQuestion]
    public var numRecommendations: Int
    public var transcriptRequired: Bool
    public var renewable: Bool
    public var awardCount: Int
    public var blindReview: Bool
    public var applicationMethod: String
    public var cycle: String
    public var awardNotificationDate: String?
    public var status: String

    public init(
        title: String, description: String, amountCents: Int64, currency: String = "USD", deadline: String, departmentID: Int64? = nil,
        provider: String? = nil, url: String? = nil, category: String? = nil, tags: [String] = [], eligibility: Eligibility = Eligibility(),
        prompts: [EssayPrompt] = [], questions: [FormQuestion] = [], numRecommendations: Int = 0, transcriptRequired: Bool = false,
        renewable: Bool = false, awardCount: Int = 1, blindReview: Bool = false, applicationMethod: String = "internal",
        cycle: String? = nil, awardNotificationDate: String? = nil, status: String = "draft"
    ) {
        (self.title, self.description, self.amountCents, self.currency, self.deadline) = (
            title, description, amountCents, currency, deadline
        )
        (self.departmentID, self.provider, self.url, self.category, self.tags) = (departmentID, provider, url, category, tags)
        (self.eligibility, self.prompts, self.questions, self.numRecommendations) = (eligibility, prompts, questions, numRecommendations)
        (self.transcriptRequired, self.renewable, self.awardCount, self.blindReview) = (
            transcriptRequired, renewable, awardCount, blindReview
        )
        self.applicationMethod = applicationMethod
        self.cycle = cycle ?? ScholarshipCalendar.cycle(forDeadline: deadline) ?? "2026-27"
        (self.awardNotificationDate, self.status) = (awardNotificationDate, status)
    }

    public init(_ record: ScholarshipRecord) {
        self.init(
            title: record.title, description: record.description, amountCents: record.amountCents, currency: record.currency,
            deadline: record.deadline, departmentID: record.departmentID, provider: record.provider, url: record.url,
            category: record.category, tags: record.tags, eligibility: record.eligibility, prompts: record.prompts,
            questions: record.questions, numRecommendations: record.numRecommendations, transcriptRequired: record.transcriptRequired,
            renewable: record.renewable, awardCount: record.awardCount, blindReview: record.blindReview,
            applicationMethod: record.applicationMethod, cycle: record.cycle, awardNotificationDate: record.awardNotificationDate,
            status: record.status)
    }

    var arguments: StatementArguments {
        [
            title, description, amountCents, currency, deadline, departmentID, provider, url, category, ScholarshipJSON.text(tags),
            ScholarshipJSON.text(eligibility.document), ScholarshipJSON.promptsText(prompts), ScholarshipJSON.questionsText(questions),
            numRecommendations, transcriptRequired, renewable, awardCount, blindReview, applicationMethod, cycle, awardNotificationDate,
            status,
        ]
    }

    static let columns = [
        "title", "description", "amount_cents", "currency", "deadline", "department_id", "provider", "url", "category", "tags",
        "eligibility", "essay_prompts", "questions", "num_recommendations", "transcript_required", "renewable", "award_count",
        "blind_review", "application_method", "cycle", "award_notification_date", "status",
    ]
}
