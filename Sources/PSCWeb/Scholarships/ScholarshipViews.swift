import Foundation
import Hummingbird
import PSCCore
import PSCStore

extension ScholarshipError: APIErrorConvertible {
    var apiError: APIError {
        switch self {
        case .notFound: APIError.notFound("There is no such scholarship or application.")
        case .deadlinePassed: APIError(.conflict, "deadline_passed", "The deadline has passed.")
        case .notOpen: APIError(.conflict, "invalid_state", "This scholarship is not open for applications.")
        case .notInternal: APIError(.conflict, "invalid_state", "This scholarship is not applied for here; see its provider's link.")
        case .submitted: APIError(.conflict, "invalid_state", "The application is submitted and can no longer change.")
        case .alreadyDecided: APIError(.conflict, "invalid_state", "The application already has a decision or was withdrawn.")
        case .incomplete(let items):
            APIError(
                .unprocessableContent, "validation_failed", "Finish every item of the checklist first.",
                fields: ["checklist": items])
        case .notSubmitted: APIError(.conflict, "invalid_state", "The application has not been submitted.")
        case .tooManyLetters: APIError(.conflict, "invalid_state", "Enough recommendation letters have been requested.")
        case .letterReceived: APIError(.conflict, "invalid_state", "The letter was already received.")
        case .letterUnavailable: APIError.notFound("This link is not valid.")
        case .budgetExceeded(let remaining):
            APIError(
                .conflict, "budget_exceeded",
                "The awards of this cycle would exceed the scholarship's budget; \(Money.words(remaining)) is left to award.")
        case .notAwarded: APIError(.conflict, "invalid_state", "This application was not awarded.")
        case .rubricLocked: APIError(.conflict, "invalid_state", "The rubric cannot change once reviews have started.")
        case .shrinking(let field):
            APIError(.conflict, "invalid_state", "\(field) cannot shrink after the first application was submitted.")
        case .badUpload(let field): APIError.validation([field: ["must be your own upload of the right kind, not used elsewhere"]])
        case .unknownKeys(let keys): APIError.validation(["answers": keys.map { "\($0) is not a question of this scholarship" }])
        case .invalid(let problems): APIError.validation(problems)
        }
    }
}

/// Scholarships, matches and applications as the API and the pages show them (10-api §1).
enum ScholarshipViews {
    static let categories = ["merit", "need", "department", "athletic", "diversity", "first_generation", "community", "external"]
    static let methods = ["internal", "direct_award", "external"]
    static let statuses = ["draft", "open", "closed", "archived"]
    static let applicationStatuses = ["in_progress", "submitted", "under_review", "awarded", "declined", "waitlisted", "withdrawn"]

    static func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }

    /// Plain JSON (from `JSONSerialization`) as a JSONValue.
    static func value(_ any: Any) -> JSONValue {
        switch any {
        case let text as String: return .string(text)
        case let flag where JSONKind.isBool(flag): return .bool(flag as? Bool ?? false)
        case let number as NSNumber:
            let double = number.doubleValue
            return double.rounded() == double && abs(double) < 1e15 ? .int(Int64(double)) : .decimal(String(double))
        case let list as [Any]: return .array(list.map(value))
        case let object as [String: Any]: return .object(object.mapValues(value))
        default: return .null
        }
    }

    static func eligibility(_ rules: Eligibility) -> JSONValue { value(rules.document) }

    static func body(_ s: ScholarshipRecord, now: Date = Date()) -> [String: JSONValue] {
        [
            "id": .int(s.id), "title": .string(s.title), "description": .string(s.description), "amount_cents": .int(s.amountCents),
            "currency": .string(s.currency), "amount": .string(Money.decimal(s.amountCents)), "deadline": .string(s.deadline),
            "deadline_at": ScholarshipCalendar.deadlineInstant(s.deadline).map { .string(Timestamp.string(from: $0)) } ?? .null,
            "department": s.departmentID.map { ["id": .int($0), "name": text(s.departmentName)] } ?? .null,
            "provider": text(s.provider), "url": text(s.url), "category": text(s.category),
            "tags": .array(s.tags.map(JSONValue.string)), "eligibility": eligibility(s.eligibility),
            "essay_prompts": .array(
                s.prompts.enumerated().map { index, prompt in
                    [
                        "index": .int(Int64(index + 1)), "prompt": .string(prompt.prompt), "min_words": .int(Int64(prompt.minWords)),
                        "max_words": .int(Int64(prompt.maxWords)),
                    ]
                }),
            "questions": .array(
                s.questions.map { ["key": .string($0.key), "label": .string($0.label), "required": .bool($0.required)] }),
            "num_recommendations": .int(Int64(s.numRecommendations)), "transcript_required": .bool(s.transcriptRequired),
            "renewable": .bool(s.renewable), "award_count": .int(Int64(s.awardCount)), "blind_review": .bool(s.blindReview),
            "application_method": .string(s.applicationMethod), "cycle": .string(s.cycle), "status": .string(s.status),
            "is_active": .bool(s.isActive(at: now)),
            "award_notification_date": text(s.awardNotificationDate),
        ]
    }

    static func ruleResults(_ result: MatchResult) -> JSONValue {
        .array(
            result.rules.map {
                [
                    "group": .string($0.group), "field": .string($0.field), "rule": .string($0.rule),
                    "result": .string($0.result.rawValue), "detail": .string($0.detail),
                ]
            })
    }

    static func match(scholarship: (id: Int64, title: String, amountCents: Int64, deadline: String), _ result: MatchResult) -> JSONValue {
        [
            "scholarship": [
                "id": .int(scholarship.id), "title": .string(scholarship.title), "amount_cents": .int(scholarship.amountCents),
                "deadline": .string(scholarship.deadline),
            ],
            "status": .string(result.status.rawValue), "score": .int(Int64(result.score)), "rules": ruleResults(result),
            "missing_fields": .array(result.missingFields.map(JSONValue.string)),
        ]
    }

    static func match(_ record: MatchRecord) -> JSONValue {
        match(scholarship: (record.scholarshipID, record.title, record.amountCents, record.deadline), record.result)
    }

    static func checklist(_ list: ApplicationChecklist) -> JSONValue {
        .array(list.items.map { ["item": .string($0.item), "label": .string($0.label), "done": .bool($0.done)] })
    }

    /// ScholarshipApplication: `applicant` is the card (null for a blind reviewer); reviewers and managers also get
    /// the essays' text, the letters and the transcript links.
    static func application(
        _ a: ScholarshipApplicationRecord, applicant: JSONValue, forReviewer: Bool
    ) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .int(a.id),
            "scholarship": [
                "id": .int(a.scholarship.id), "title": .string(a.scholarship.title), "deadline": .string(a.scholarship.deadline),
            ],
            "scholarship_name": .string(a.scholarship.title), "applicant": applicant, "status": .string(a.status),
            "checklist": checklist(a.checklist), "progress_percentage": .int(Int64(a.progressPercentage)),
            "answers": .object(a.answers.mapValues(JSONValue.string)),
            "essays": .array(
                a.essays.map { essay in
                    var item: [String: JSONValue] = [
                        "index": .int(Int64(essay.index)), "word_count": .int(Int64(essay.wordCount)),
                        "updated_at": .string(essay.updatedAt),
                    ]
                    if forReviewer { item["text"] = .string(essay.text) }
                    return .object(item)
                }),
            "recommendations": .array(
                a.recommendations.map { letter in
                    var item: [String: JSONValue] = [
                        "id": .int(letter.id), "recommender_name": .string(letter.recommenderName), "status": .string(letter.status),
                    ]
                    if forReviewer { item["letter_url"] = letter.uploadID.map { .string(UploadViews.url($0)) } ?? .null }
                    return .object(item)
                }),
            "transcript_submitted": .bool(a.transcriptUploadID != nil), "submitted_at": text(a.submittedAt),
            "decision": a.decided
                ? [
                    "decision": .string(a.status), "awarded_amount_cents": a.awardedAmountCents.map(JSONValue.int) ?? .null,
                    "decided_at": text(a.decidedAt),
                ] : .null,
            "award_accepted": a.awardAccepted.map(JSONValue.bool) ?? .null, "share_with_donor": .bool(a.shareWithDonor),
        ]
        if forReviewer { object["transcript_url"] = a.transcriptUploadID.map { .string(UploadViews.url($0)) } ?? .null }
        return .object(object)
    }
}
