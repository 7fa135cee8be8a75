import Foundation
import GRDB
import PSCCore

/// A stored churn model version (ANL-10).
public struct ChurnModelRecord: Sendable {
    public let name: String
    public let version: String
    public let method: String
    public let trainedAt: String
    public let trainingRows: Int
    public let positives: Int
    public let auc: Double?
    public let active: Bool
    public let fitted: ChurnModel.Fitted?
}

/// One member's churn prediction, live (ANL-5) or stored by job 4 (ANL-11).
public struct ChurnPredictionRecord: Sendable {
    public let userID: Int64
    public let probability: Double
    public let risk: ChurnModel.Risk
    public let method: String
    public let modelVersion: String?
    public let auc: Double?
    public let factors: [ChurnModel.Factor]
    public let predictedAt: String
}

/// What a training run did (job 4's summary).
public struct ChurnTrainingResult: Sendable {
    public let version: String?
    public let trainingRows: Int
    public let holdoutRows: Int
    public let positives: Int
    public let auc: Double?
    public let predictions: Int
    public let insufficientData: Bool
}

extension AnalyticsStore {
    static let churnRoles = "('student', 'alumni')"

    /// The features of 20-services §5.4 as they stood at the instant `cutoff`: only rows timestamped before it are read.
    /// `referenceDay` is the Chicago date days since activity are counted to; active days before it count.
    static func churnFeatures(cutoff: String, referenceDay: String, users: [Int64], in db: Database) throws -> [Int64: [Double]] {
        guard !users.isEmpty, let cutoffDate = Timestamp.date(from: cutoff) else { return [:] }
        let since = Timestamp.string(from: cutoffDate.addingTimeInterval(-90 * 86_400))
        let list = users.map(String.init).joined(separator: ",")
        var values: [Int64: [Double]] = [:]
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT id, created_at, (headline IS NOT NULL AND headline <> '') + (bio IS NOT NULL AND bio <> '')
                    + (major IS NOT NULL AND major <> '') + (degree IS NOT NULL AND degree <> '') + (graduation_year IS NOT NULL)
                    + (department_id IS NOT NULL) + (skills IS NOT NULL AND skills NOT IN ('', '[]')) + (location IS NOT NULL AND location <> '')
                    AS filled, avatar_upload_id IS NOT NULL AS avatar
                FROM users WHERE id IN (\(list))
                """)
        {
            let id: Int64 = (try row.decode(forColumn: "id"))
            let created = Timestamp.date(from: (try row.decode(forColumn: "created_at")) ?? "") ?? cutoffDate
            var vector = [Double](repeating: 0, count: ChurnModel.featureNames.count)
            let age = max(0, (cutoffDate.timeIntervalSince(created) / 86_400).rounded(.down))
            // A member never seen active has been away as long as they have had the account.
            vector[0] = min(365, age)
            vector[1] = min(1825, age)
            vector[8] = Double((try row.decode(forColumn: "filled")) ?? 0) / 8
            vector[9] = ((try row.decode(forColumn: "avatar")) ?? false) ? 1 : 0
            values[id] = vector
        }
        for row in try Row.fetchAll(
            db, sql: "SELECT user_id, max(day) AS last FROM user_activity_days WHERE day < ? AND user_id IN (\(list)) GROUP BY user_id",
            arguments: [referenceDay])
        {
            let id: Int64 = (try row.decode(forColumn: "user_id"))
            if let gap = Analytics.daysBetween((try row.decode(forColumn: "last")) ?? referenceDay, referenceDay) {
                values[id]?[0] = Double(min(365, max(0, gap)))
            }
        }
        func add(_ index: Int, _ sql: String) throws {
            for row in try Row.fetchAll(db, sql: sql, arguments: [since, cutoff]) {
                let id: Int64 = (try row.decode(forColumn: "user_id"))
                values[id]?[index] += Double((try row.decode(forColumn: "n")) ?? 0)
            }
        }
        try add(
            2,
            "SELECT author_id AS user_id, count(*) AS n FROM posts WHERE created_at >= ? AND created_at < ? AND author_id IN (\(list)) GROUP BY 1"
        )
        try add(
            3,
            "SELECT author_id AS user_id, count(*) AS n FROM comments WHERE created_at >= ? AND created_at < ? AND author_id IN (\(list)) GROUP BY 1"
        )
        try add(
            4,
            "SELECT user_id, count(*) AS n FROM event_checkins WHERE checked_in_at >= ? AND checked_in_at < ? AND user_id IN (\(list)) GROUP BY 1"
        )
        try add(
            5,
            "SELECT user_id, count(*) AS n FROM scholarship_applications WHERE submitted_at >= ? AND submitted_at < ? AND user_id IN (\(list)) GROUP BY 1"
        )
        try add(
            5,
            "SELECT user_id, count(*) AS n FROM job_applications WHERE created_at >= ? AND created_at < ? AND user_id IN (\(list)) GROUP BY 1"
        )
        try add(
            6,
            "SELECT sender_id AS user_id, count(*) AS n FROM messages WHERE created_at >= ? AND created_at < ? AND sender_id IN (\(list)) GROUP BY 1"
        )
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT user_id, count(*) AS n FROM (
                    SELECT requester_id AS user_id FROM connections WHERE status = 'accepted' AND responded_at < ?1
                    UNION ALL SELECT addressee_id FROM connections WHERE status = 'accepted' AND responded_at < ?1)
                WHERE user_id IN (\(list)) GROUP BY user_id
                """, arguments: [cutoff])
        {
            let id: Int64 = (try row.decode(forColumn: "user_id"))
            values[id]?[7] = log(1 + Double((try row.decode(forColumn: "n")) ?? 0))
        }
        let dayBefore = ScholarshipCalendar.adding(days: -1, to: referenceDay) ?? referenceDay
        for row in try Row.fetchAll(
            db, sql: "SELECT user_id, score FROM user_engagement WHERE date = ? AND user_id IN (\(list))", arguments: [dayBefore])
        {
            let id: Int64 = (try row.decode(forColumn: "user_id"))
            values[id]?[10] = Double((try row.decode(forColumn: "score")) ?? 0)
        }
        return values
    }

    /// The training set for a cutoff date: members (student or alumni) active in the 30 dates before it, created at
    /// least 30 days before it; labelled churned when they have no active day in the 30 dates from it.
    func churnTrainingSet(cutoffDay: String, in db: Database) throws -> [(user: Int64, features: [Double], churned: Bool)] {
        guard let cutoff = Analytics.bounds(of: cutoffDay)?.start, let cutoffDate = Timestamp.date(from: cutoff),
            let windowStart = ScholarshipCalendar.adding(days: -30, to: cutoffDay),
            let labelEnd = ScholarshipCalendar.adding(days: 30, to: cutoffDay)
        else { return [] }
        let oldEnough = Timestamp.string(from: cutoffDate.addingTimeInterval(-30 * 86_400))
        let users = try Int64.fetchAll(
            db,
            sql: """
                SELECT u.id FROM users u WHERE u.role IN \(Self.churnRoles) AND u.created_at <= ? AND u.is_service_account = 0
                AND EXISTS (SELECT 1 FROM user_activity_days d WHERE d.user_id = u.id AND d.day >= ? AND d.day < ?)
                ORDER BY u.id
                """, arguments: [oldEnough, windowStart, cutoffDay])
        let retained = try Set(
            Int64.fetchAll(
                db, sql: "SELECT DISTINCT user_id FROM user_activity_days WHERE day >= ? AND day < ?", arguments: [cutoffDay, labelEnd]))
        var rows: [(Int64, [Double], Bool)] = []
        for chunk in stride(from: 0, to: users.count, by: 5000).map({ Array(users[$0..<min($0 + 5000, users.count)]) }) {
            let features = try Self.churnFeatures(cutoff: cutoff, referenceDay: cutoffDay, users: chunk, in: db)
            for user in chunk { if let vector = features[user] { rows.append((user, vector, !retained.contains(user))) } }
        }
        return rows
    }

    /// Job 4: fits a version named by the slot date on the cutoff 30 days before it, keeps the last five versions,
    /// and replaces `churn_predictions` with one row per active student and alumnus.
    public func trainChurnModel(slotDate: String) throws -> ChurnTrainingResult {
        guard let cutoffDay = ScholarshipCalendar.adding(days: -30, to: slotDate) else { throw InvalidAnalyticsDate(date: slotDate) }
        let set = try store.read { db in try churnTrainingSet(cutoffDay: cutoffDay, in: db) }
        let training = set.filter { !ChurnModel.isHoldout(userID: $0.user) }
        let holdout = set.filter { ChurnModel.isHoldout(userID: $0.user) }
        var version: String?
        var auc: Double?
        if training.count >= ChurnModel.minimumTrainingRows {
            let fitted = ChurnModel.fit(rows: training.map(\.features), labels: training.map(\.churned))
            let names = ChurnModel.featureNames
            let scores = holdout.map { row in
                fitted.probability(Dictionary(uniqueKeysWithValues: zip(names, row.features)))
            }
            auc = ChurnModel.auc(scores: scores, labels: holdout.map(\.churned))
            let name = "\(ChurnModel.name)@\(slotDate)"
            version = name
            let model = String(decoding: try JSONEncoder.sorted.encode(fitted), as: UTF8.self)
            let stamp = Timestamp.string(from: clock())
            let positives = training.filter(\.churned).count
            try store.write { db in
                try db.execute(sql: "UPDATE ml_models SET active = 0 WHERE name = ?", arguments: [ChurnModel.name])
                try db.execute(
                    sql: """
                        INSERT INTO ml_models (name, version, method, coefficients, feature_stats, training_rows, positives, auc, active, trained_at)
                        VALUES (?, ?, 'logistic_regression', ?, ?, ?, ?, ?, 1, ?)
                        ON CONFLICT (name, version) DO UPDATE SET coefficients = excluded.coefficients,
                            feature_stats = excluded.feature_stats, training_rows = excluded.training_rows,
                            positives = excluded.positives, auc = excluded.auc, active = 1, trained_at = excluded.trained_at
                        """,
                    arguments: [
                        ChurnModel.name, name, model, "{\"holdout_rows\":\(holdout.count)}", training.count, positives, auc, stamp,
                    ])
                try db.execute(
                    sql: """
                        DELETE FROM ml_models WHERE name = ?1 AND id NOT IN (
                            SELECT id FROM ml_models WHERE name = ?1 ORDER BY trained_at DESC, id DESC LIMIT 5)
                        """, arguments: [ChurnModel.name])
            }
        }
        let predictions = try storePredictions()
        return ChurnTrainingResult(
            version: version, trainingRows: training.count, holdoutRows: holdout.count, positives: training.filter(\.churned).count,
            auc: auc, predictions: predictions, insufficientData: version == nil)
    }

    /// The active model, if one has been trained.
    public func activeChurnModel() throws -> ChurnModelRecord? {
        try store.read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM ml_models WHERE name = ? AND active = 1", arguments: [ChurnModel.name]).map {
                try Self.model($0)
            }
        }
    }

    /// ANL-10: every stored version, newest first.
    public func models() throws -> [ChurnModelRecord] {
        try store.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM ml_models ORDER BY trained_at DESC, id DESC").map { try Self.model($0) }
        }
    }

    static func model(_ row: Row) throws -> ChurnModelRecord {
        let coefficients: String? = (try row.decode(forColumn: "coefficients"))
        return ChurnModelRecord(
            name: (try row.decode(forColumn: "name")), version: (try row.decode(forColumn: "version")),
            method: (try row.decode(forColumn: "method")), trainedAt: (try row.decode(forColumn: "trained_at")),
            trainingRows: (try row.decode(forColumn: "training_rows")) ?? 0, positives: (try row.decode(forColumn: "positives")) ?? 0,
            auc: (try row.decode(forColumn: "auc")), active: (try row.decode(forColumn: "active")),
            fitted: coefficients.flatMap { try? JSONDecoder().decode(ChurnModel.Fitted.self, from: Data($0.utf8)) })
    }

    /// Live predictions for `users` from the active model, or the heuristic without one.
    func predictions(for users: [Int64], model: ChurnModelRecord?, in db: Database) throws -> [ChurnPredictionRecord] {
        let now = clock()
        let stamp = Timestamp.string(from: now)
        let today = ScholarshipCalendar.today(now)
        guard let tomorrow = ScholarshipCalendar.adding(days: 1, to: today) else { return [] }
        let features = try Self.churnFeatures(cutoff: stamp, referenceDay: tomorrow, users: users, in: db)
        var lifetime: [Int64: (posts: Int, connections: Int)] = [:]
        if model?.fitted == nil, !users.isEmpty {
            let list = users.map(String.init).joined(separator: ",")
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT u.id, (SELECT count(*) FROM posts p WHERE p.author_id = u.id AND p.deleted_at IS NULL) AS posts,
                        (SELECT count(*) FROM connections c WHERE c.status = 'accepted' AND (c.requester_id = u.id OR c.addressee_id = u.id))
                        AS connections
                    FROM users u WHERE u.id IN (\(list))
                    """)
            {
                lifetime[(try row.decode(forColumn: "id"))] = (
                    (try row.decode(forColumn: "posts")) ?? 0, (try row.decode(forColumn: "connections")) ?? 0
                )
            }
        }
        return users.compactMap { user in
            guard let vector = features[user] else { return nil }
            if let model, let fitted = model.fitted {
                let prediction = ChurnModel.predict(fitted, values: Dictionary(uniqueKeysWithValues: zip(ChurnModel.featureNames, vector)))
                return ChurnPredictionRecord(
                    userID: user, probability: prediction.probability, risk: prediction.risk, method: "model", modelVersion: model.version,
                    auc: model.auc, factors: prediction.factors, predictedAt: stamp)
            }
            // The heuristic counts days since activity up to today: an active member today is 0 days.
            let days = max(0, Int(vector[0]) - 1)
            let counts = lifetime[user] ?? (0, 0)
            let prediction = ChurnModel.heuristic(daysSinceActive: days, lifetimePosts: counts.posts, connections: counts.connections)
            return ChurnPredictionRecord(
                userID: user, probability: prediction.probability, risk: prediction.risk, method: "heuristic", modelVersion: nil, auc: nil,
                factors: prediction.factors, predictedAt: stamp)
        }
    }

    /// ANL-5: one member's prediction, computed now; nil for an unknown member.
    public func churnPrediction(userID: Int64) throws -> ChurnPredictionRecord? {
        let model = try activeChurnModel()
        return try store.read { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM users WHERE id = ? AND status <> 'deleted'", arguments: [userID]) != nil else {
                return nil
            }
            return try predictions(for: [userID], model: model, in: db).first
        }
    }

    /// Replaces `churn_predictions` with one row per active student and alumnus.
    func storePredictions() throws -> Int {
        let model = try activeChurnModel()
        let users = try store.read { db in
            try Int64.fetchAll(
                db,
                sql: "SELECT id FROM users WHERE status = 'active' AND role IN \(Self.churnRoles) AND is_service_account = 0 ORDER BY id")
        }
        var all: [ChurnPredictionRecord] = []
        for start in stride(from: 0, to: users.count, by: 5000) {
            let chunk = Array(users[start..<min(start + 5000, users.count)])
            all += try store.read { db in try predictions(for: chunk, model: model, in: db) }
        }
        try store.write { db in
            try db.execute(sql: "DELETE FROM churn_predictions")
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO churn_predictions (user_id, model_version, method, probability, risk_level, factors, predicted_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?)
                    """)
            for prediction in all {
                try insert.execute(arguments: [
                    prediction.userID, prediction.modelVersion, prediction.method, prediction.probability, prediction.risk.rawValue,
                    Self.factorsJSON(prediction.factors), prediction.predictedAt,
                ])
            }
        }
        return all.count
    }

    static func factorsJSON(_ factors: [ChurnModel.Factor]) -> String {
        let object = Dictionary(uniqueKeysWithValues: factors.map { ($0.name, ["impact": Analytics.round($0.impact, places: 4)]) })
        return String(decoding: (try? JSONEncoder.sorted.encode(object)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// ANL-11: stored predictions, highest probability first, optionally by risk and department.
    public func churnList(risk: ChurnModel.Risk?, departmentIDs: [Int64]?, offset: Int, limit: Int) throws
        -> [ChurnPredictionRecord]
    {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let risk {
            conditions.append("p.risk_level = ?")
            arguments.append(risk.rawValue)
        }
        if let departmentIDs {
            conditions.append(
                "u.department_id IN (\(departmentIDs.isEmpty ? "NULL" : departmentIDs.map(String.init).joined(separator: ",")))")
        }
        let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        return try store.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT p.*, m.auc FROM churn_predictions p JOIN users u ON u.id = p.user_id
                    LEFT JOIN ml_models m ON m.version = p.model_version
                    \(filter) ORDER BY p.probability DESC, p.user_id LIMIT \(limit) OFFSET \(offset)
                    """, arguments: StatementArguments(arguments)
            ).map { row in
                let factors: String = (try row.decode(forColumn: "factors")) ?? "{}"
                let decoded = (try? JSONDecoder().decode([String: [String: Double]].self, from: Data(factors.utf8))) ?? [:]
                return ChurnPredictionRecord(
                    userID: (try row.decode(forColumn: "user_id")), probability: (try row.decode(forColumn: "probability")),
                    risk: ChurnModel.Risk(rawValue: (try row.decode(forColumn: "risk_level")) ?? "low") ?? .low,
                    method: (try row.decode(forColumn: "method")),
                    modelVersion: (try row.decode(forColumn: "model_version")), auc: (try row.decode(forColumn: "auc")),
                    factors: decoded.map { ChurnModel.Factor(name: $0.key, impact: $0.value["impact"] ?? 0) }.sorted {
                        abs($0.impact) > abs($1.impact)
                    }, predictedAt: (try row.decode(forColumn: "predicted_at")))
            }
        }
    }
}
