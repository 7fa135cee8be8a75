import Foundation
import PSCCore
import PSCStore

/// SCH-3 and SCH-4's fields over the current scholarship, every problem collected for one 422.
struct ScholarshipFieldReader {
    static let cycleHint = "must name a cycle like 2026-27"

    static func fields(creating: Bool) -> [String: FieldRule] {
        var fields: [String: FieldRule] = [
            "title": .text(3...200), "description": .text(1...20_000), "amount_cents": .integer(1...100_000_000),
            "currency": .text(3...3), "deadline": .date, "department_id": FieldRule.id.nullable,
            "provider": FieldRule.text(max: 200).nullable, "url": FieldRule.https(max: 500).nullable,
            "category": FieldRule.choice(ScholarshipViews.categories).nullable, "tags": .texts(max: 10, each: 1...40),
            "eligibility": .object, "essay_prompts": .objects(0...3), "questions": .objects(0...10),
            "num_recommendations": .integer(0...5), "transcript_required": .boolean, "renewable": .boolean,
            "award_count": .integer(1...500), "blind_review": .boolean, "application_method": .choice(ScholarshipViews.methods),
            "cycle": .text(7...7), "award_notification_date": FieldRule.date.nullable,
            "status": .choice(creating ? ["draft", "open"] : ["draft", "open", "closed"]),
        ]
        if creating { for name in ["title", "description", "amount_cents", "deadline"] { fields[name] = fields[name]?.required } }
        return fields
    }

    static func prompts(_ value: Any?, into reader: inout FieldReader) -> [EssayPrompt]? {
        guard let value else { return nil }
        guard let items = value as? [[String: Any]], items.count <= 3 else {
            reader.problem("essay_prompts", "must list at most 3 prompts")
            return nil
        }
        var prompts: [EssayPrompt] = []
        for (index, item) in items.enumerated() {
            let text = (item["prompt"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let minimum = FieldRule.wholeNumber(item["min_words"] ?? 0)
            let maximum = FieldRule.wholeNumber(item["max_words"] ?? 500)
            guard (10...1000).contains(text.count), let minimum, (0...2000).contains(minimum), let maximum, (50...3000).contains(maximum),
                minimum <= maximum
            else {
                reader.problem(
                    "essay_prompts",
                    "prompt \(index + 1) needs text of 10 to 1000 characters, min_words 0..2000 and max_words 50..3000, min ≤ max")
                continue
            }
            prompts.append(EssayPrompt(prompt: text, minWords: Int(minimum), maxWords: Int(maximum)))
        }
        return prompts
    }

    static func questions(_ value: Any?, into reader: inout FieldReader) -> [FormQuestion]? {
        guard let value else { return nil }
        guard let items = value as? [[String: Any]], items.count <= 10 else {
            reader.problem("questions", "must list at most 10 questions")
            return nil
        }
        var questions: [FormQuestion] = []
        for (index, item) in items.enumerated() {
            let key = item["key"] as? String ?? ""
            let label = (item["label"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            let required = item["required"].map { FieldReader.isBool($0) ? ($0 as? Bool) : nil } ?? true
            guard AnswerKey.isValid(key), (1...300).contains(label.count), let required else {
                reader.problem("questions", "question \(index + 1) needs a key of a-z, 0-9 and _ (1 to 40), a label of 1 to 300 characters")
                continue
            }
            if questions.contains(where: { $0.key == key }) { reader.problem("questions", "the key \(key) is used twice") }
            questions.append(FormQuestion(key: key, label: label, required: required))
        }
        return questions
    }

    /// The fields over `current` (nil when creating); `today` is Chicago's date, for the deadline check.
    static func read(_ object: [String: Any], problems: [String: [String]], over current: ScholarshipRecord?, today: String) throws
        -> ScholarshipFields
    {
        var reader = FieldReader(object, problems: problems)
        let title = reader.text("title", 3...200, current?.title, required: true)
        let description = reader.text("description", 1...20_000, current?.description, required: true)
        let amount = reader.integer("amount_cents", 1...100_000_000, current?.amountCents)
        if amount == nil { reader.problem("amount_cents", "is required") }
        var currency = current?.currency ?? "USD"
        if let value = object["currency"] {
            if let code = value as? String, code.count == 3, code.allSatisfy({ $0.isASCII && $0.isUppercase }) {
                currency = code
            } else {
                reader.problem("currency", "must be a three-letter ISO 4217 code")
            }
        }
        var deadline = current?.deadline
        if let value = object["deadline"] {
            if let text = value as? String, ScholarshipCalendar.parts(text) != nil {
                if text < today && text != current?.deadline { reader.problem("deadline", "must be today or later") }
                deadline = text
            } else {
                reader.problem("deadline", "must be a date (YYYY-MM-DD)")
            }
        }
        if deadline == nil { reader.problem("deadline", "is required") }
        var departmentID = current?.departmentID
        if let value = object["department_id"] {
            departmentID = value is NSNull ? nil : FieldRule.wholeNumber(value)
        }
        let provider = reader.text("provider", 0...200, current?.provider)
        let url = reader.httpsURL("url", current?.url)
        let category = reader.choice("category", ScholarshipViews.categories, current?.category)
        let tags = reader.strings("tags", maxCount: 10, eachLength: 1...40, current?.tags ?? [])
        var eligibility = current?.eligibility ?? Eligibility()
        if let value = object["eligibility"] {
            let parsed = Eligibility.parse(value)
            if let rules = parsed.eligibility { eligibility = rules }
            for problem in parsed.problems { reader.problem("eligibility", problem) }
        }
        let prompts = Self.prompts(object["essay_prompts"], into: &reader) ?? current?.prompts ?? []
        let questions = Self.questions(object["questions"], into: &reader) ?? current?.questions ?? []
        let letters = reader.integer("num_recommendations", 0...5, current.map { Int64($0.numRecommendations) }) ?? 0
        let transcript = reader.flag("transcript_required", current?.transcriptRequired ?? false)
        let renewable = reader.flag("renewable", current?.renewable ?? false)
        let awards = reader.integer("award_count", 1...500, current.map { Int64($0.awardCount) }) ?? 1
        let blind = reader.flag("blind_review", current?.blindReview ?? false)
        let method = reader.choice("application_method", ScholarshipViews.methods, current?.applicationMethod) ?? "internal"
        var cycle = current?.cycle ?? deadline.flatMap(ScholarshipCalendar.cycle(forDeadline:))
        if let value = object["cycle"] {
            if let text = value as? String, ScholarshipCalendar.isCycle(text) { cycle = text } else { reader.problem("cycle", cycleHint) }
        }
        var notification = current?.awardNotificationDate
        if let value = object["award_notification_date"] {
            if value is NSNull {
                notification = nil
            } else if let text = value as? String, ScholarshipCalendar.parts(text) != nil {
                notification = text
            } else {
                reader.problem("award_notification_date", "must be a date (YYYY-MM-DD)")
            }
        }
        let statuses = current == nil ? ["draft", "open"] : ["draft", "open", "closed"]
        let status = reader.choice("status", statuses, current?.status) ?? "draft"
        try reader.validate()
        return ScholarshipFields(
            title: title ?? "", description: description ?? "", amountCents: amount ?? 1, currency: currency, deadline: deadline ?? today,
            departmentID: departmentID, provider: provider, url: url, category: category, tags: tags, eligibility: eligibility,
            prompts: prompts, questions: questions, numRecommendations: Int(letters), transcriptRequired: transcript, renewable: renewable,
            awardCount: Int(awards), blindReview: blind, applicationMethod: method, cycle: cycle, awardNotificationDate: notification,
            status: status)
    }
}
