import Foundation
import GRDB
import PSCCore

/// The account's own notices, sent through the hub like every other: the email verification and password reset
/// (whose single-use link is made when the email is written, so no token sits in the queue) and the security
/// alerts the security features raise.
public enum AccountNotices {
    /// Which link an account email carries; the delivery job makes the token when it writes the mail.
    public static let linkKey = "account_link"
    /// The origin the person used, so the link opens the site they came from.
    public static let originKey = "origin"

    public static func verification(origin: String) -> Notice {
        Notice(
            .accountVerification, title: "Confirm your email for PittState Connect",
            message: "Please confirm your email address within 24 hours.", data: [linkKey: "verify", originKey: origin])
    }

    public static func passwordReset(origin: String) -> Notice {
        Notice(
            .passwordReset, title: "Reset your PittState Connect password",
            message: "Someone asked to reset the password of your account. If it was not you, ignore this; your password stays as it is.",
            data: [linkKey: "reset", originKey: origin])
    }

    /// An admin's invitation (ADM-4): the link lets the person choose a password, which also confirms the email.
    public static func invitation(origin: String) -> Notice {
        Notice(
            .accountVerification, title: "You are invited to PittState Connect",
            message: "An administrator made you an account. Choose a password within 24 hours to start using it.",
            data: [linkKey: "invite", originKey: origin])
    }

    /// What a `security_alert` says for each event the security features raise.
    public static let alertSentences: [String: String] = [
        "password_changed": "The password of your account was changed.",
        "password_reset": "The password of your account was reset and every session was signed out.",
        "two_factor_enabled": "Two-factor authentication was turned on for your account.",
        "two_factor_disabled": "Two-factor authentication was turned off for your account.",
        "two_factor_blocked": "Too many wrong two-factor codes were entered for your account; code entry is paused for 15 minutes.",
        "recovery_code_used": "One of your recovery codes was used to sign in.",
        "recovery_codes_regenerated": "New recovery codes were made for your account; the old ones no longer work.",
        "passkey_added": "A passkey was added to your account.",
        "passkey_removed": "A passkey was removed from your account.",
        "passkey_clone_suspected": "A passkey of your account reported a signature counter that suggests it was copied; it is now flagged.",
        "token_created": "A personal access token was created for your account.",
        "two_factor_reset": "An administrator removed the two-factor methods of your account; set them up again from Account security.",
    ]

    public static func securityAlert(event: String) -> Notice {
        let sentence = alertSentences[event] ?? "A security setting of your account changed."
        return Notice(
            .securityAlert, title: "Security alert",
            message: "\(sentence) If this was you, there is nothing to do. If not, reset your password and review your sessions.",
            link: "/settings/security", data: ["event": event])
    }

    /// The hook the security stores call inside their transactions.
    public static func alertHook(store: Store) -> SecurityAlertHook {
        let hub = NotificationHub(store: store)
        return { db, userID, event in try hub.notify(userID, securityAlert(event: event), in: db) }
    }
}
