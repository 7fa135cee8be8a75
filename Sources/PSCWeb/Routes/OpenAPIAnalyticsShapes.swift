import PSCCore
import PSCStore

/// The response shapes of analytics (10-api §19, 20-services §5).
extension OpenAPIDocument {

    static let rateFigure = Shape.object([
        "value": nullableNumber, "numerator": Shape.nullableInteger, "denominator": Shape.nullableInteger,
        "reason": ["type": ["string", "null"], "enum": ["insufficient_data", "not_tracked", .null]],
    ])

    static let factorMap = Shape.map(
        Shape.object(["impact": ["type": "number"], "direction": Shape.choice(["raises_risk", "lowers_risk"])]))

    static let nullableSeries = Shape.array(Shape.nullableInteger)

    static let analyticsShapes: [String: JSONValue] = [
        "AnalyticsDashboard": Shape.object([
            "overview": Shape.object([
                "total_users": Shape.integer, "new_users": Shape.integer, "active_users": Shape.integer, "total_posts": Shape.integer,
                "total_events": Shape.integer,
            ]),
            "user_growth": Shape.array(Shape.object(["date": Shape.string, "count": Shape.nullableInteger])),
            "engagement_metrics": Shape.object([
                "posts_created": Shape.integer, "comments_created": Shape.integer, "page_views": Shape.integer,
                "avg_posts_per_user": nullableNumber, "engagement_rate": nullableNumber,
            ]),
            "content_stats": Shape.object([
                "scholarships_created": Shape.integer, "jobs_posted": Shape.integer, "events_held": Shape.integer,
                "events_upcoming": Shape.integer,
            ]),
            "top_pages": Shape.array(Shape.object(["page_name": Shape.string, "views": Shape.integer])),
            "api_usage": Shape.object([
                "requests": Shape.integer, "avg_response_time_ms": nullableNumber, "p95_response_time_ms": Shape.nullableInteger,
                "error_rate": nullableNumber,
            ]),
            "real_time_users": Shape.integer,
            "charts": Shape.object([
                "user_growth_chart": Shape.object(["labels": strings, "values": nullableSeries]),
                "engagement_chart": Shape.object(["labels": strings, "daily_active_users": nullableSeries]),
                "content_distribution": Shape.object([
                    "posts": Shape.integer, "comments": Shape.integer, "forum_posts": Shape.integer, "events": Shape.integer,
                    "jobs": Shape.integer, "scholarships": Shape.integer,
                ]),
            ]),
            "days": Shape.integer,
        ]),
        "DepartmentScorecard": Shape.object([
            "department_name": Shape.string,
            "scholarships": Shape.object([
                "total": Shape.integer, "total_amount_cents": Shape.integer, "total_amount": Shape.string,
                "applications_received": Shape.integer, "awarded": Shape.integer,
            ]),
            "events": Shape.object(["total_events": Shape.integer, "total_attendance": Shape.integer]),
            "engagement_score": ["type": "number"], "student_satisfaction": nullableNumber, "responses": Shape.integer,
        ]),
        "ExportQueued": Shape.object(
            ["id": Shape.integer, "status": Shape.choice(["queued", "running"]), "rows": Shape.integer, "url": Shape.string],
            optional: ["rows"]),
        "Insights": Shape.object(["insights": strings, "generated_at": Shape.string]),
        "ChurnPrediction": Shape.object([
            "user_id": Shape.integer, "churn_probability": ["type": "number"],
            "risk_level": Shape.choice(ChurnModel.Risk.allCases.map(\.rawValue)),
            "method": Shape.choice(["model", "heuristic"]), "model_version": Shape.nullableString, "auc": nullableNumber,
            "factors": factorMap, "recommendations": strings,
        ]),
        "EngagementScore": Shape.object([
            "user_id": Shape.integer, "score": Shape.integer,
            "components": Shape.object(
                Dictionary(
                    uniqueKeysWithValues: EngagementScore.Component.allCases.map {
                        ($0.rawValue, Shape.object(["count": Shape.integer, "points": Shape.integer, "cap": Shape.integer]))
                    })),
            "window_days": Shape.integer,
        ]),
        "UniversityFigures": Shape.object(
            Dictionary(
                uniqueKeysWithValues: [
                    "active_user_rate", "scholarship_application_rate", "award_rate", "event_attendance_rate", "mentorship_rate",
                    "job_application_rate", "graduation_rate", "employment_rate",
                ].map { ($0, rateFigure) })),
        "EmployerAnalytics": Shape.object([
            "postings": Shape.integer, "views": Shape.integer, "applications": Shape.integer, "application_rate": nullableNumber,
            "median_days_to_fill": nullableNumber, "applicants_by_major": Shape.map(Shape.integer),
        ]),
        "ModelList": Shape.object([
            "items": Shape.array(
                Shape.object([
                    "name": Shape.string, "version": Shape.string, "trained_at": Shape.string, "training_rows": Shape.integer,
                    "auc": nullableNumber, "method": Shape.string, "features": strings, "active": Shape.boolean,
                ]))
        ]),
        "ChurnPage": Shape.object([
            "items": Shape.array(
                Shape.object([
                    "user": cardOrNull, "churn_probability": ["type": "number"],
                    "risk_level": Shape.choice(ChurnModel.Risk.allCases.map(\.rawValue)), "method": Shape.choice(["model", "heuristic"]),
                    "model_version": Shape.nullableString, "predicted_at": Shape.string,
                ])),
            "next_cursor": Shape.nullableString, "limit": Shape.integer,
        ]),
    ]
}
