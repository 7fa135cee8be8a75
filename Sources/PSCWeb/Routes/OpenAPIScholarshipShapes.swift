import PSCCore
import PSCStore

/// The response shapes of the scholarship hub (10-api §1 and §10).
extension OpenAPIDocument {
    static let nullableNumber: JSONValue = ["type": ["number", "null"]]
    static let nullableBoolean: JSONValue = ["type": ["boolean", "null"]]
    static let nullableCard: JSONValue = ["oneOf": [Shape.ref("UserCard"), ["type": "null"]]]

    static func page(of item: JSONValue) -> JSONValue {
        Shape.object(["items": Shape.array(item), "next_cursor": Shape.nullableString, "limit": Shape.integer])
    }

    static let scholarship: JSONValue = Shape.object(
        [
            "id": Shape.integer, "title": Shape.string, "description": Shape.string, "amount_cents": Shape.integer,
            "currency": Shape.string, "amount": Shape.string, "deadline": ["type": "string", "format": "date"],
            "deadline_at": Shape.nullableString,
            "department": ["oneOf": [Shape.object(["id": Shape.integer, "name": Shape.nullableString]), ["type": "null"]]],
            "provider": Shape.nullableString, "url": Shape.nullableString,
            "category": ["type": ["string", "null"], "enum": .array(ScholarshipViews.categories.map(JSONValue.string) + [.null])],
            "tags": Shape.array(Shape.string), "eligibility": Shape.ref("Eligibility"),
            "essay_prompts": Shape.array(
                Shape.object(["index": Shape.integer, "prompt": Shape.string, "min_words": Shape.integer, "max_words": Shape.integer])),
            "questions": Shape.array(Shape.object(["key": Shape.string, "label": Shape.string, "required": Shape.boolean])),
            "num_recommendations": Shape.integer, "transcript_required": Shape.boolean, "renewable": Shape.boolean,
            "award_count": Shape.integer, "blind_review": Shape.boolean, "application_method": Shape.choice(ScholarshipViews.methods),
            "cycle": Shape.string, "status": Shape.choice(ScholarshipViews.statuses), "is_active": Shape.boolean,
            "award_notification_date": Shape.nullableString,
            "my_application": Shape.nullableInteger,
            "match": [
                "oneOf": [
                    Shape.ref("Match"),
                    Shape.object(["status": Shape.choice(MatchResult.Status.allCases.map(\.rawValue)), "score": Shape.integer]),
                    ["type": "null"],
                ]
            ],
        ], optional: ["my_application", "match"])

    static let application: JSONValue = Shape.object(
        [
            "id": Shape.integer,
            "scholarship": Shape.object(["id": Shape.integer, "title": Shape.string, "deadline": Shape.string]),
            "scholarship_name": Shape.string, "applicant": nullableCard,
            "status": Shape.choice(ScholarshipViews.applicationStatuses),
            "checklist": Shape.array(Shape.object(["item": Shape.string, "label": Shape.string, "done": Shape.boolean])),
            "progress_percentage": Shape.integer, "answers": Shape.map(Shape.string),
            "essays": Shape.array(
                Shape.object(
                    ["index": Shape.integer, "word_count": Shape.integer, "updated_at": Shape.string, "text": Shape.string],
                    optional: ["text"])),
            "recommendations": Shape.array(
                Shape.object(
                    [
                        "id": Shape.integer, "recommender_name": Shape.string,
                        "status": Shape.choice(["requested", "received", "cancelled"]), "letter_url": Shape.nullableString,
                    ], optional: ["letter_url"])),
            "transcript_submitted": Shape.boolean, "transcript_url": Shape.nullableString, "submitted_at": Shape.nullableString,
            "decision": [
                "oneOf": [
                    Shape.object([
                        "decision": Shape.choice(["awarded", "declined", "waitlisted"]), "awarded_amount_cents": Shape.nullableInteger,
                        "decided_at": Shape.nullableString,
                    ]),
                    ["type": "null"],
                ]
            ],
            "award_accepted": nullableBoolean, "share_with_donor": Shape.boolean,
        ], optional: ["transcript_url"])

    static let libraryEssay: JSONValue = Shape.object(
        [
            "id": Shape.integer, "title": Shape.string, "word_count": Shape.integer, "updated_at": Shape.string,
            "prompt": Shape.nullableString, "content": Shape.string, "is_public": Shape.boolean,
        ], optional: ["prompt", "content", "is_public"])

    static let scholarshipShapes: [String: JSONValue] = [
        "Scholarship": scholarship,
        "ScholarshipPage": page(of: Shape.ref("Scholarship")),
        "Eligibility": [
            "type": "object", "required": ["groups"],
            "properties": [
                "groups": Shape.array(
                    Shape.object([
                        "name": Shape.string,
                        "rules": Shape.array(
                            Shape.object(
                                [
                                    "field": Shape.string, "op": Shape.choice(Eligibility.Operator.allCases.map(\.rawValue)),
                                    "value": [:],
                                ], optional: ["value"])),
                    ]))
            ],
        ],
        "EligibilityDocument": Shape.object(["eligibility": Shape.ref("Eligibility"), "schema_version": Shape.integer]),
        "Match": Shape.object([
            "scholarship": Shape.object([
                "id": Shape.integer, "title": Shape.string, "amount_cents": Shape.integer, "deadline": Shape.string,
            ]),
            "status": Shape.choice(MatchResult.Status.allCases.map(\.rawValue)), "score": Shape.integer,
            "rules": Shape.array(
                Shape.object([
                    "group": Shape.string, "field": Shape.string, "rule": Shape.string, "result": Shape.choice(["pass", "fail", "missing"]),
                    "detail": Shape.string,
                ])),
            "missing_fields": Shape.array(Shape.string),
        ]),
        "MatchPage": page(of: Shape.ref("Match")),
        "RolloverResult": Shape.object([
            "copied": Shape.integer, "archived": Shape.integer,
            "skipped": Shape.array(Shape.object(["id": Shape.integer, "reason": Shape.string])), "dry_run": Shape.boolean,
        ]),
        "Donors": Shape.object([
            "donors": Shape.array(Shape.object(["user": Shape.ref("UserCard"), "fund_name": Shape.nullableString]))
        ]),
        "ScholarshipApplication": application,
        "ScholarshipApplicationPage": page(of: Shape.ref("ScholarshipApplication")),
        "EssaySaved": Shape.object(["word_count": Shape.integer, "within_limits": Shape.boolean, "done": Shape.boolean]),
        "RecommendationRequested": Shape.object(["id": Shape.integer, "status": Shape.choice(["requested"])]),
        "RecommendationRequest": Shape.object([
            "student_name": Shape.string, "scholarship_title": Shape.string, "deadline": Shape.string,
            "status": Shape.choice(["requested", "received"]),
        ]),
        "LetterReceived": Shape.object(["status": Shape.choice(["received"])]),
        "AwardAnswer": Shape.object(["award_accepted": nullableBoolean, "share_with_donor": Shape.boolean]),
        "LibraryEssay": libraryEssay,
        "EssayList": Shape.object(["items": Shape.array(libraryEssay)]),
        "GeneralApplication": Shape.object(["answers": Shape.map(Shape.string), "updated_at": Shape.nullableString]),
        "RankedApplicationPage": page(
            of: Shape.object([
                "application": Shape.ref("ScholarshipApplication"), "reviews_done": Shape.integer, "mean_score": nullableNumber,
            ])),
        "Rubric": Shape.object([
            "criteria": Shape.array(
                Shape.object(["key": Shape.string, "label": Shape.string, "max_points": Shape.integer, "weight": Shape.integer]))
        ]),
        "Reviewers": Shape.object([
            "reviewers": Shape.array(Shape.object(["user": Shape.ref("UserCard"), "is_chair": Shape.boolean])),
            "chair_id": Shape.nullableInteger,
        ]),
        "AssignmentPage": page(
            of: Shape.object([
                "application_id": Shape.integer, "scholarship": Shape.object(["id": Shape.integer, "title": Shape.string]),
                "submitted_at": Shape.string, "my_review_status": Shape.choice(["pending", "submitted", "conflict"]),
            ])),
        "ReviewSaved": Shape.object(["total": nullableNumber, "conflict_of_interest": Shape.boolean]),
        "DonorReport": Shape.object([
            "items": Shape.array(
                Shape.object([
                    "scholarship": Shape.object(["id": Shape.integer, "title": Shape.string, "cycle": Shape.string]),
                    "fund_name": Shape.nullableString, "applications_submitted": Shape.integer,
                    "awards": Shape.array(
                        Shape.object([
                            "recipient": nullableCard, "awarded_amount_cents": Shape.integer, "decided_at": Shape.nullableString,
                            "award_accepted": nullableBoolean, "thank_you_url": Shape.nullableString,
                        ])),
                ]))
        ]),
    ]
}
