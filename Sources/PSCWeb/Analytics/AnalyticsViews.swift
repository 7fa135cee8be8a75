import Foundation
import PSCCore
import PSCStore

/// The JSON of the analytics figures (10-api §19), shared by the API and the admin pages' charts.
enum AnalyticsViews {
    static func number(_ value: Double?, places: Int = 2) -> JSONValue {
        value.map { JSONValue.decimal($0, places: places) } ?? .null
    }

    static func count(_ value: Int?) -> JSONValue { value.map { .int(Int64($0)) } ?? .null }

    /// ANL-1's body (20-services §5.1).
    static func dashboard(_ board: Dashboard) -> JSONValue {
        let posts = board.sum(\.posts)
        let comments = board.sum(\.comments)
        let requests = board.sum(\.apiRequests)
        let growth = zip(board.dates, board.days).map { date, day -> JSONValue in
            ["date": .string(date), "count": count(day?.newUsers)]
        }
        return [
            "overview": [
                "total_users": count(board.totalUsers), "new_users": count(board.sum(\.newUsers)),
                "active_users": count(board.activeUsers), "total_posts": count(board.totalPosts), "total_events": count(board.totalEvents),
            ],
            "user_growth": .array(growth),
            "engagement_metrics": [
                "posts_created": count(posts), "comments_created": count(comments), "page_views": count(board.sum(\.pageViews)),
                "avg_posts_per_user": board.activeUsers == 0 ? .null : number(Double(posts) / Double(board.activeUsers)),
                "engagement_rate": board.totalUsers == 0
                    ? .null : number(Double(board.activeUsers) / Double(board.totalUsers) * 100, places: 1),
            ],
            "content_stats": [
                "scholarships_created": count(board.sum(\.scholarshipsCreated)), "jobs_posted": count(board.sum(\.jobsPosted)),
                "events_held": count(board.sum(\.eventsHeld)), "events_upcoming": count(board.eventsUpcoming),
            ],
            "top_pages": .array(board.topPages.map { ["page_name": .string($0.name), "views": count($0.views)] }),
            "api_usage": [
                "requests": count(requests),
                "avg_response_time_ms": requests == 0 ? .null : number(Double(board.sum(\.apiTimeMSSum)) / Double(requests), places: 1),
                "p95_response_time_ms": count(board.p95ResponseMS),
                "error_rate": requests == 0 ? .null : number(Double(board.sum(\.apiErrors)) / Double(requests) * 100),
            ],
            "real_time_users": count(board.realTimeUsers),
            "charts": [
                "user_growth_chart": [
                    "labels": .array(board.dates.map(JSONValue.string)), "values": .array(board.days.map { count($0?.newUsers) }),
                ],
                "engagement_chart": [
                    "labels": .array(board.dates.map(JSONValue.string)),
                    "daily_active_users": .array(board.days.map { count($0?.activeUsers) }),
                ],
                "content_distribution": [
                    "posts": count(posts), "comments": count(comments), "forum_posts": count(board.sum(\.forumPosts)),
                    "events": count(board.sum(\.eventsHeld)), "jobs": count(board.sum(\.jobsPosted)),
                    "scholarships": count(board.sum(\.scholarshipsCreated)),
                ],
            ],
            "days": count(board.dates.count),
        ]
    }

    static func department(_ card: DepartmentScorecard) -> JSONValue {
        [
            "department_name": .string(card.departmentName),
            "scholarships": [
                "total": count(card.scholarships), "total_amount_cents": .int(card.totalAmountCents),
                "total_amount": .string(String(format: "%.2f", Double(card.totalAmountCents) / 100)),
                "applications_received": count(card.applicationsReceived), "awarded": count(card.awarded),
            ],
            "events": ["total_events": count(card.events), "total_attendance": count(card.attendance)],
            "engagement_score": number(card.engagementScore, places: 1), "student_satisfaction": number(card.satisfaction, places: 1),
            "responses": count(card.responses),
        ]
    }

    static func figure(_ figure: RateFigure) -> JSONValue {
        [
            "value": number(figure.value, places: 1), "numerator": count(figure.numerator), "denominator": count(figure.denominator),
            "reason": figure.reason.map { .string($0.rawValue) } ?? .null,
        ]
    }

    static func factors(_ factors: [ChurnModel.Factor]) -> JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: factors.map { factor in
                    (factor.name, ["impact": number(factor.impact, places: 4), "direction": .string(factor.direction)] as JSONValue)
                }))
    }

    static func prediction(_ prediction: ChurnPredictionRecord) -> JSONValue {
        [
            "user_id": .int(prediction.userID), "churn_probability": number(prediction.probability, places: 4),
            "risk_level": .string(prediction.risk.rawValue), "method": .string(prediction.method),
            "model_version": prediction.modelVersion.map(JSONValue.string) ?? .null, "auc": number(prediction.auc, places: 4),
            "factors": factors(prediction.factors),
            "recommendations": .array(ChurnModel.recommendations(for: prediction.risk).map(JSONValue.string)),
        ]
    }

    static func model(_ model: ChurnModelRecord) -> JSONValue {
        [
            "name": .string(model.name), "version": .string(model.version), "trained_at": .string(model.trainedAt),
            "training_rows": count(model.trainingRows), "auc": number(model.auc, places: 4), "method": .string(model.method),
            "features": .array((model.fitted?.features ?? []).map(JSONValue.string)), "active": .bool(model.active),
        ]
    }
}
