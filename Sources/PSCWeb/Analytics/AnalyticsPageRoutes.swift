import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// `/admin/analytics` (50-ui §5): department scorecards, university figures with their reasons when null, churn
/// predictions with their method and the model's AUC, and exports with a notice when PII will be redacted. For admins,
/// and for `view_analytics` holders within their departments.
struct AnalyticsPageRoutes: FeatureRoutes {
    let analytics: AnalyticsStore
    let departments: DepartmentStore
    let pages: PageRenderer

    static let figureNames: [String: String] = [
        "active_user_rate": "Accounts active in the period", "scholarship_application_rate": "Students who applied for a scholarship",
        "award_rate": "Decided applications that were awarded", "event_attendance_rate": "RSVPs that checked in",
        "mentorship_rate": "Students in a mentorship", "job_application_rate": "Students and alumni who applied for a job",
        "graduation_rate": "Graduation rate", "employment_rate": "Employment rate",
    ]

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (analytics, departments, pages) = (analytics, departments, pages)
        MemberPage.register(router, catalog, "PAGE-ADMIN-ANALYTICS", "/admin/analytics", "Analytics: scorecards, figures, churn, exports") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            let scope = AnalyticsScope(identity, .viewAnalytics)
            guard scope != .none else { throw APIError.forbidden("Analytics are for admins and holders of view analytics.") }
            let days = AnalyticsPages.period(request)
            let risk = request.uri.formQuery.get("risk").flatMap { ChurnModel.Risk(rawValue: String($0)) }
            let shown = try await departments.all().filter { scope.covers(department: $0.id) }
            let (cards, figures, model, predictions) = try await Offload.run {
                (
                    try shown.map { try analytics.department(id: $0.id, days: days) },
                    try analytics.university(days: days, departmentID: scope.departmentIDs?.first),
                    try analytics.activeChurnModel(),
                    try analytics.churnList(risk: risk, departmentIDs: scope.departmentIDs, offset: 0, limit: 20)
                )
            }
            let names = try await AdminPageRoutes.names(predictions.map(\.userID), store: analytics.store)
            let reportScope = AnalyticsScope(identity, .accessReports)
            let ranked = cards.sorted { $0.engagementScore > $1.engagementScore }.prefix(10)
            return HTMLResponse.make(
                pages.render(
                    "admin-analytics",
                    [
                        "periods": AnalyticsPages.periods(selected: days), "days": days,
                        "scoped": scope != .all,
                        "scorecards": zip(shown, cards).map { department, card in
                            [
                                "id": Int(department.id), "name": card.departmentName, "scholarships": card.scholarships,
                                "amount": Money.words(card.totalAmountCents),
                                "applications": card.applicationsReceived, "awarded": card.awarded, "events": card.events,
                                "attendance": card.attendance, "engagement": String(format: "%.1f", card.engagementScore),
                                "satisfaction": card.satisfaction.map { String(format: "%.1f", $0) }
                                    ?? "not enough ratings (\(card.responses) of 5)",
                            ] as [String: Any]
                        },
                        "comparisonChart": BarChart.svg(
                            title: "Engagement score by department, highest ten",
                            bars: ranked.map { ($0.departmentName, $0.engagementScore) }, unit: ""),
                        "hasScorecards": !cards.isEmpty,
                        "figures": figures.figures.map { name, figure in
                            [
                                "name": Self.figureNames[name] ?? PageWord.words(name),
                                "value": figure.value.map { String(format: "%.1f%%", $0) } ?? "no figure",
                                "basis": figure.numerator.map { "\($0) of \(figure.denominator ?? 0)" } ?? "",
                                "reason": figure.reason.map { reason -> String in
                                    reason == .notTracked
                                        ? "Not tracked: the platform stores no such records."
                                        : "Not enough data: at least 20 are needed, there are \(figure.denominator ?? 0)."
                                } ?? "",
                            ] as [String: Any]
                        },
                        "model": model.map { model in
                            [
                                "version": model.version, "trainedAt": model.trainedAt, "rows": model.trainingRows,
                                "auc": model.auc.map { String(format: "%.3f", $0) } ?? "not measured (the holdout lacked a class)",
                            ] as [String: Any]
                        } as Any,
                        "risks": ChurnModel.Risk.allCases.map {
                            ["value": $0.rawValue, "label": PageWord.words($0.rawValue), "selected": $0 == risk]
                        },
                        "predictions": predictions.map { prediction in
                            [
                                "id": Int(prediction.userID), "name": names[prediction.userID] ?? "Member \(prediction.userID)",
                                "probability": String(format: "%.0f%%", prediction.probability * 100),
                                "risk": PageWord.words(prediction.risk.rawValue), "high": prediction.risk == .high,
                                "method": prediction.method == "model" ? "Model" : "Heuristic", "predictedAt": prediction.predictedAt,
                                "linked": identity.user.role == .admin,
                            ] as [String: Any]
                        },
                        "hasPredictions": !predictions.isEmpty,
                        "reports": AnalyticsExports.reports.map { ["value": $0, "label": PageWord.words($0)] },
                        "mayExport": reportScope != .none, "redacted": !AnalyticsRoutes.mayUnredact(identity),
                    ], request: request, identity: identity))
        }
        // The export form's target: sends the browser to ANL-3 with the chosen report, so the file comes from the API.
        MemberPage.register(router, catalog, "PAGE-ADMIN-ANALYTICS", "/admin/analytics/export", "Download a report") { request, context in
            _ = try MemberPage.identity(request, context)
            let query = request.uri.formQuery
            let report = query.get("report").map { String($0) } ?? ""
            guard AnalyticsExports.reports.contains(report) else { throw APIError.notFound("There is no such report.") }
            let format = query.get("format").map { String($0) } == "pdf" ? "pdf" : "csv"
            let days = AnalyticsPages.period(request)
            return HTMLResponse.redirect(to: "/api/v1/analytics/export/\(report)?format=\(format)&days=\(days)")
        }
    }
}
