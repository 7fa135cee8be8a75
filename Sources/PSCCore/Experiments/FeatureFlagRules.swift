import Crypto
import Foundation

/// A feature flag as the evaluation rules see it (20-services §1).
public struct FeatureFlag: Sendable, Equatable {
    public let name: String
    public let description: String
    public let enabled: Bool
    /// 0..100 with at most two decimals.
    public let rolloutPercentage: Double
    public let targetUsers: [Int64]
    public let targetRoles: [Role]
    public let updatedAt: String
    public let updatedBy: Int64?

    public init(
        name: String, description: String, enabled: Bool, rolloutPercentage: Double, targetUsers: [Int64] = [], targetRoles: [Role] = [],
        updatedAt: String = "", updatedBy: Int64? = nil
    ) {
        self.name = name
        self.description = description
        self.enabled = enabled
        self.rolloutPercentage = rolloutPercentage
        self.targetUsers = targetUsers
        self.targetRoles = targetRoles
        self.updatedAt = updatedAt
        self.updatedBy = updatedBy
    }
}

/// Why a flag answered as it did: the first rule of 20-services §1 that matched.
public enum FlagReason: String, Sendable, CaseIterable {
    case unknownFlag = "unknown_flag"
    case disabled
    case anonymous
    case targetUser = "target_user"
    case roleNotTargeted = "role_not_targeted"
    case inRollout = "in_rollout"
    case outsideRollout = "outside_rollout"
}

/// The flag rules of 20-services §1: the MD5 bucket the earlier implementation used (so cohorts do not move), the
/// evaluation order, and which built feature each flag gates.
public enum FeatureFlagRules {
    public static let namePattern = "^[a-z0-9_]{2,64}$"

    public static func isName(_ name: String) -> Bool {
        (2...64).contains(name.utf8.count) && name.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 95 }
    }

    /// The MD5 digest of `key` read as a 128-bit big-endian integer, modulo 100. 2^64 ≡ 16 (mod 100), so the
    /// remainder is taken byte by byte without a 128-bit type.
    public static func bucket(_ key: String) -> Int {
        Insecure.MD5.hash(data: Data(key.utf8)).reduce(0) { remainder, byte in (remainder * 256 + Int(byte)) % 100 }
    }

    public static func bucket(flag: String, userID: Int64) -> Int { bucket("\(flag):\(userID)") }

    /// The caller as the rules see them: nil when anonymous.
    public struct Caller: Sendable {
        public let userID: Int64
        public let role: Role
        public init(userID: Int64, role: Role) {
            self.userID = userID
            self.role = role
        }
    }

    public static func evaluate(_ flag: FeatureFlag?, for caller: Caller?) -> (enabled: Bool, reason: FlagReason) {
        guard let flag else { return (false, .unknownFlag) }
        guard flag.enabled else { return (false, .disabled) }
        guard let caller else {
            return (flag.rolloutPercentage >= 100 && flag.targetUsers.isEmpty && flag.targetRoles.isEmpty, .anonymous)
        }
        if flag.targetUsers.contains(caller.userID) { return (true, .targetUser) }
        if !flag.targetRoles.isEmpty, !flag.targetRoles.contains(caller.role) { return (false, .roleNotTargeted) }
        return Double(bucket(flag: flag.name, userID: caller.userID)) < flag.rolloutPercentage
            ? (true, .inRollout) : (false, .outsideRollout)
    }

    /// The flag that gates a route or page, by the route's id (20-services §1): a module whose flag is off answers
    /// its API with 403 `feature_disabled` and its pages with the 404 page. Provider webhooks are never gated.
    public static func gate(forRoute id: String) -> String? {
        if let flag = exactGates[id] { return flag }
        let prefix = id.split(separator: "-").first.map(String.init) ?? id
        return prefixGates[prefix]
    }

    static let prefixGates: [String: String] = ["FRM": "forums", "WBN": "webinars", "MNT": "mentorship", "AI": "ai_assistant"]
    static let exactGates: [String: String] = [
        "EVT-13": "calendar_sync", "USR-15": "calendar_sync", "MSG-1": "unified_inbox", "DIR-1": "alumni_portal",
        "ANL-5": "advanced_analytics", "ANL-6": "advanced_analytics", "ANL-7": "advanced_analytics", "ANL-8": "advanced_analytics",
        "ANL-11": "advanced_analytics",
        "INT-1": "stripe_payments", "INT-2": "stripe_payments", "INT-4": "twilio_sms", "INT-5": "twilio_sms", "INT-6": "twilio_sms",
        "INT-7": "twilio_sms", "INT-11": "canvas_sync",
        "PAGE-FORUMS": "forums", "PAGE-FORUM": "forums", "PAGE-FORUM-THREAD": "forums",
        "PAGE-WEBINARS": "webinars", "PAGE-WEBINAR": "webinars", "PAGE-MENTORSHIP": "mentorship",
        "PAGE-DIRECTORY": "alumni_portal", "PAGE-ASSISTANT": "ai_assistant", "PAGE-COMPANY-PORTAL": "employer_portal",
    ]
}
