import Foundation

/// The churn model of 20-services §5.4: L2-penalised logistic regression fitted by Newton–Raphson on standardised
/// features, its holdout AUC by the rank method, and the heuristic used when there are too few training rows.
public enum ChurnModel {
    public static let name = "student_churn_predictor"
    public static let minimumTrainingRows = 50
    public static let lambda = 1.0

    /// The features in the order the spec lists them.
    public static let featureNames = [
        "days_since_active", "account_age_days", "posts_90d", "comments_90d", "events_attended_90d", "applications_90d",
        "messages_sent_90d", "log_connections", "profile_completeness", "has_avatar", "engagement_score",
    ]

    public enum Risk: String, Sendable, CaseIterable {
        case low, medium, high
        public init(probability: Double) { self = probability > 0.6 ? .high : probability > 0.3 ? .medium : .low }
    }

    /// A fitted model: the intercept, and per kept feature its coefficient and the training mean and sd.
    public struct Fitted: Sendable, Equatable, Codable {
        public var intercept: Double
        public var features: [String]
        public var coefficients: [Double]
        public var means: [Double]
        public var sds: [Double]
        public var iterations: Int

        public init(intercept: Double, features: [String], coefficients: [Double], means: [Double], sds: [Double], iterations: Int = 0) {
            (self.intercept, self.features, self.coefficients, self.means, self.sds, self.iterations) = (
                intercept, features, coefficients, means, sds, iterations
            )
        }

        /// One factor per kept feature: its standardised value times its coefficient.
        public func contributions(_ values: [String: Double]) -> [(feature: String, contribution: Double)] {
            features.indices.map { index in
                let z = ((values[features[index]] ?? means[index]) - means[index]) / sds[index]
                return (features[index], coefficients[index] * z)
            }
        }

        public func probability(_ values: [String: Double]) -> Double {
            ChurnModel.sigmoid(intercept + contributions(values).reduce(0) { $0 + $1.contribution })
        }
    }

    public struct Prediction: Sendable, Equatable {
        public let probability: Double
        public let risk: Risk
        /// The three largest contributions by size, with their sign (positive raises the risk).
        public let factors: [Factor]
    }

    public struct Factor: Sendable, Equatable {
        public let name: String
        public let impact: Double
        public init(name: String, impact: Double) {
            self.name = name
            self.impact = impact
        }
        public var direction: String { impact >= 0 ? "raises_risk" : "lowers_risk" }
    }

    public static func sigmoid(_ x: Double) -> Double { 1 / (1 + exp(-x)) }

    /// Holdout rows: MD5(`churn:<user_id>`) mod 100 < 20.
    public static func isHoldout(userID: Int64) -> Bool { FeatureFlagRules.bucket("churn:\(userID)") < 20 }

    public static func predict(_ model: Fitted, values: [String: Double]) -> Prediction {
        let contributions = model.contributions(values)
        let probability = sigmoid(model.intercept + contributions.reduce(0) { $0 + $1.contribution })
        let factors = contributions.sorted { abs($0.contribution) > abs($1.contribution) }.prefix(3).map {
            Factor(name: $0.feature, impact: $0.contribution)
        }
        return Prediction(probability: probability, risk: Risk(probability: probability), factors: Array(factors))
    }

    /// Fits the model: standardise by the training mean and population sd (features with sd 0 dropped), then Newton–
    /// Raphson from zeros on log-likelihood − λ/2 Σβᵢ² (the intercept unpenalised) until no coefficient moves by 10⁻⁶,
    /// or 50 iterations. Rows are feature vectors in `names` order.
    public static func fit(rows: [[Double]], labels: [Bool], names: [String] = featureNames, lambda: Double = lambda) -> Fitted {
        let count = Double(max(rows.count, 1))
        var kept: [Int] = []
        var means: [Double] = []
        var sds: [Double] = []
        for column in names.indices {
            let mean = rows.reduce(0) { $0 + $1[column] } / count
            let variance = rows.reduce(0) { $0 + ($1[column] - mean) * ($1[column] - mean) } / count
            let sd = variance.squareRoot()
            guard sd > 1e-12 else { continue }
            kept.append(column)
            means.append(mean)
            sds.append(sd)
        }
        let width = kept.count + 1
        // The design matrix, standardised, with a leading 1 for the intercept; flat for speed.
        var design = [Double](repeating: 1, count: rows.count * width)
        for (rowIndex, row) in rows.enumerated() {
            for (position, column) in kept.enumerated() {
                design[rowIndex * width + position + 1] = (row[column] - means[position]) / sds[position]
            }
        }
        let targets = labels.map { $0 ? 1.0 : 0.0 }
        var beta = [Double](repeating: 0, count: width)
        var iterations = 0
        for _ in 0..<50 {
            iterations += 1
            var gradient = [Double](repeating: 0, count: width)
            var hessian = [Double](repeating: 0, count: width * width)
            for rowIndex in rows.indices {
                let base = rowIndex * width
                var logit = 0.0
                for index in 0..<width { logit += beta[index] * design[base + index] }
                let p = sigmoid(logit)
                let residual = targets[rowIndex] - p
                let weight = p * (1 - p)
                for i in 0..<width {
                    let xi = design[base + i]
                    gradient[i] += residual * xi
                    let scaled = weight * xi
                    for j in i..<width { hessian[i * width + j] += scaled * design[base + j] }
                }
            }
            for i in 0..<width {
                for j in 0..<i { hessian[i * width + j] = hessian[j * width + i] }
            }
            for i in 1..<max(width, 1) {
                gradient[i] -= lambda * beta[i]
                hessian[i * width + i] += lambda
            }
            guard let step = solve(hessian, gradient, size: width) else { break }
            var largest = 0.0
            for index in 0..<width {
                beta[index] += step[index]
                largest = max(largest, abs(step[index]))
            }
            if largest < 1e-6 { break }
        }
        return Fitted(
            intercept: beta[0], features: kept.map { names[$0] }, coefficients: Array(beta.dropFirst()), means: means, sds: sds,
            iterations: iterations)
    }

    /// Solves A x = b for a symmetric positive-definite A by Gaussian elimination with partial pivoting.
    static func solve(_ matrix: [Double], _ vector: [Double], size: Int) -> [Double]? {
        var a = matrix
        var b = vector
        for column in 0..<size {
            var pivot = column
            for row in column..<size where abs(a[row * size + column]) > abs(a[pivot * size + column]) { pivot = row }
            guard abs(a[pivot * size + column]) > 1e-300 else { return nil }
            if pivot != column {
                for k in 0..<size { a.swapAt(column * size + k, pivot * size + k) }
                b.swapAt(column, pivot)
            }
            for row in (column + 1)..<max(size, column + 1) {
                let factor = a[row * size + column] / a[column * size + column]
                guard factor != 0 else { continue }
                for k in column..<size { a[row * size + k] -= factor * a[column * size + k] }
                b[row] -= factor * b[column]
            }
        }
        var x = [Double](repeating: 0, count: size)
        for row in stride(from: size - 1, through: 0, by: -1) {
            var sum = b[row]
            for k in (row + 1)..<max(size, row + 1) { sum -= a[row * size + k] * x[k] }
            x[row] = sum / a[row * size + row]
        }
        return x
    }

    /// The AUC by the rank method: the share of positive–negative pairs the scores order correctly, ties counting ½;
    /// nil when either class is missing.
    public static func auc(scores: [Double], labels: [Bool]) -> Double? {
        let positives = labels.filter { $0 }.count
        let negatives = labels.count - positives
        guard positives > 0, negatives > 0 else { return nil }
        let order = scores.indices.sorted { scores[$0] < scores[$1] }
        var rankSum = 0.0
        var start = 0
        while start < order.count {
            var end = start
            while end + 1 < order.count && scores[order[end + 1]] == scores[order[start]] { end += 1 }
            // Tied scores share the mean of their ranks (1-based), which counts each tied pair as ½.
            let averageRank = Double(start + end + 2) / 2
            for position in start..<(end + 1) where labels[order[position]] { rankSum += averageRank }
            start = end + 1
        }
        let p = Double(positives)
        return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
    }

    /// The fallback below 50 training rows: days since last activity > 30 → +0.4, > 14 → +0.2; lifetime posts 0 →
    /// +0.3, < 3 → +0.15; accepted connections < 5 → +0.3, < 15 → +0.15; at most 1.
    public static func heuristic(daysSinceActive: Int, lifetimePosts: Int, connections: Int) -> Prediction {
        var factors: [Factor] = []
        if daysSinceActive > 30 {
            factors.append(Factor(name: "days_since_active", impact: 0.4))
        } else if daysSinceActive > 14 {
            factors.append(Factor(name: "days_since_active", impact: 0.2))
        }
        if lifetimePosts == 0 {
            factors.append(Factor(name: "posts", impact: 0.3))
        } else if lifetimePosts < 3 {
            factors.append(Factor(name: "posts", impact: 0.15))
        }
        if connections < 5 {
            factors.append(Factor(name: "connections", impact: 0.3))
        } else if connections < 15 {
            factors.append(Factor(name: "connections", impact: 0.15))
        }
        let probability = min(1, factors.reduce(0) { $0 + $1.impact })
        return Prediction(probability: probability, risk: Risk(probability: probability), factors: factors)
    }

    /// Recommendations only for high risk.
    public static func recommendations(for risk: Risk) -> [String] {
        guard risk == .high else { return [] }
        return [
            "Send a re-engagement email with what is new in their department.",
            "Suggest a mentor who shares their major or industry.",
            "Point them to scholarships they match that close soon.",
        ]
    }
}
