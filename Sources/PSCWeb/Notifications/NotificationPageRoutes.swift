import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// The notification pages (50-ui §3, §4.3): `/settings/notifications` with all 26 types in their groups, digest,
/// quiet hours and time zone, saved by a plain form post (the page's script only adds quick actions and a warning
/// before leaving unsaved changes); and `/settings/devices` with the push devices.
struct NotificationPageRoutes: FeatureRoutes {
    let keyRing: KeyRing
    let communication: Communication
    let securityRecords: SecurityRecordStore
    let pages: PageRenderer

    /// Time zones offered on the page; a person's own zone is added when it is another.
    static let zones = [
        "America/Chicago", "America/New_York", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage",
        "Pacific/Honolulu", "UTC", "Europe/London", "Asia/Kolkata", "Asia/Shanghai",
    ]
    /// What `/settings/devices` says after each of its forms.
    static let deviceFlashes: [(key: String, text: String)] = [
        ("removed", "The device was removed; it will no longer receive push notifications."),
        ("sent", "A six-digit code is on its way by text message; enter it below within 10 minutes."),
        ("verified", "Your phone number is verified."), ("consent", "Your choice about text messages is saved."),
    ]
    static let weekdays = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

    static func settingsPage(
        matrix: NotificationPreferenceStore.Matrix, settings: NotificationSettings, reach: NotificationPreferenceStore.Reach,
        errors: [String: [String]] = [:], saved: Bool = false
    ) -> [String: Any] {
        let columns = NotificationChannel.allCases
        let groups: [[String: Any]] = NotificationType.groups.map { group in
            let types = NotificationType.allCases.filter { $0.definition.group == group }
            return [
                "name": group, "id": "group-" + group.lowercased(),
                "types": types.map { type -> [String: Any] in
                    let definition = type.definition
                    return [
                        "label": definition.label, "description": definition.description, "priority": definition.priority.label,
                        "priorityCode": definition.priority.rawValue,
                        "cells": columns.map { channel -> [String: Any] in
                            let has = definition.channels.contains(channel)
                            var hint: String?
                            if has && channel == .sms && !reach.phoneVerified { hint = "Add a phone number" }
                            if has && channel == .push && !reach.hasPushTokens { hint = "Install the app" }
                            return [
                                "has": has, "locked": definition.locked.contains(channel), "checked": matrix[type]?[channel] ?? false,
                                "name": "pref.\(type.rawValue).\(channel.rawValue)", "channel": channel.label,
                                "channelCode": channel.rawValue,
                                "typeLabel": definition.label, "hint": hint as Any,
                                "hintLink": "/settings/devices",
                            ]
                        },
                    ]
                },
            ]
        }
        let zones = zones.contains(settings.timeZone) ? zones : [settings.timeZone] + zones
        return [
            "columns": columns.map(\.label), "groups": groups, "saved": saved,
            "digestOff": settings.digest == "off", "digestDaily": settings.digest == "daily", "digestWeekly": settings.digest == "weekly",
            "weekdays": weekdays.enumerated().map {
                ["value": $0.offset + 1, "name": $0.element, "selected": $0.offset + 1 == settings.digestWeekday]
            },
            "quietEnabled": settings.quietEnabled, "quietStart": settings.quietStart, "quietEnd": settings.quietEnd,
            "zones": zones.map { ["value": $0, "selected": $0 == settings.timeZone] }, "timeZone": settings.timeZone,
            "errors": errors.sorted { $0.key < $1.key }.map { ["field": $0.key, "message": $0.value.joined(separator: "; ")] },
            "hasErrors": !errors.isEmpty,
        ]
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (preferences, devices, notifications, pages) = (
            communication.preferences, communication.devices, communication.notifications, pages
        )
        @Sendable func draw(_ request: Request, _ identity: Identity, errors: [String: [String]] = [:], saved: Bool = false) async throws
            -> Response
        {
            let user = identity.user.id
            let (matrix, settings, reach, unread) = try await Offload.run {
                (
                    try preferences.matrix(userID: user), try preferences.settings(userID: user), try preferences.reach(userID: user),
                    try notifications.unreadCount(userID: user)
                )
            }
            guard let settings, let reach else { throw APIError.notFound() }
            var data = Self.settingsPage(matrix: matrix, settings: settings, reach: reach, errors: errors, saved: saved)
            data["hasUnread"] = unread > 0
            data["unreadWords"] =
                unread == 0
                ? "You have no unread notifications."
                : unread == 1 ? "You have 1 unread notification." : "You have \(unread) unread notifications."
            return HTMLResponse.make(
                pages.render("settings-notifications", data, request: request, identity: identity),
                status: errors.isEmpty ? .ok : .unprocessableContent)
        }
        MemberPage.register(router, catalog, "PAGE-SETTINGS-NOTIFICATIONS", "/settings/notifications", "Notification settings") {
            request, context in
            let identity = try MemberPage.identity(request, context)
            return try await draw(request, identity, saved: request.uri.formQuery.get("saved") == "1")
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-SETTINGS-NOTIFICATIONS-SAVE", "/settings/notifications", "Save notification settings (form)",
            maxBytes: 64 * 1024, responses: [303: ("Saved; back to the page", nil), 422: ("The page with what to correct", nil)]
        ) { request, context, identity, form in
            // Every pair shown is sent: a box left unticked is off, so what is stored is exactly what is shown.
            var pairs: [String: [String: Bool]] = [:]
            for type in NotificationType.allCases {
                for channel in type.definition.channels where !type.definition.locked.contains(channel) {
                    pairs[type.rawValue, default: [:]][channel.rawValue] = form["pref.\(type.rawValue).\(channel.rawValue)"] != nil
                }
            }
            let user = identity.user.id
            guard let current = try await Offload.run({ try preferences.settings(userID: user) }) else { throw APIError.notFound() }
            var quiet: [String: Any] = ["enabled": form["quiet_enabled"] != nil]
            if let start = form["quiet_start"] { quiet["start"] = start }
            if let end = form["quiet_end"] { quiet["end"] = end }
            var object: [String: Any] = ["quiet_hours": quiet]
            if let digest = form["digest"] { object["digest"] = digest }
            if let weekday = form["digest_weekday"].flatMap({ Int($0) }) { object["digest_weekday"] = weekday }
            if let zone = form["time_zone"] { object["time_zone"] = zone }
            let settings: NotificationSettings
            do {
                settings = try NotificationSettingsRoutes.merged(current, object, problems: [:])
            } catch let error as APIError {
                return try await draw(request, identity, errors: error.fields ?? ["settings": [error.message]])
            }
            let chosen = pairs
            _ = try await Offload.run {
                _ = try preferences.merge(userID: user, chosen)
                try preferences.save(userID: user, settings)
            }
            return HTMLResponse.redirect(to: "/settings/notifications?saved=1")
        }
        let (hub, phones, records) = (communication.hub, communication.phones, securityRecords)
        @Sendable func devicesPage(_ request: Request, _ identity: Identity, error: String? = nil) async throws
            -> Response
        {
            let user = identity.user.id
            let (found, reach, consent) = try await Offload.run {
                (try devices.list(userID: user), try preferences.reach(userID: user), try records.isGranted(userID: user, type: "sms"))
            }
            let phone = reach?.phoneSealed.flatMap { try? keyRing.decrypt($0, column: "users.phone_enc") }.map(PhoneNumber.masked)
            let query = request.uri.formQuery
            // The outcome a form post redirected with (`?sent=1`), in words.
            let flash = Self.deviceFlashes.first { query.get($0.key) == "1" }?.text
            return HTMLResponse.make(
                pages.render(
                    "settings-devices",
                    [
                        "devices": found.map { NotificationSettingsRoutes.device($0).templateValue as Any }, "hasDevices": !found.isEmpty,
                        "phone": phone as Any, "phoneVerified": reach?.phoneVerified ?? false,
                        "awaitingCode": phone != nil && reach?.phoneVerified == false,
                        "smsAvailable": hub.isConfigured(.sms), "flash": flash as Any, "error": error as Any, "smsConsent": consent,
                    ], request: request, identity: identity),
                status: error == nil ? .ok : .unprocessableContent)
        }
        MemberPage.register(router, catalog, "PAGE-SETTINGS-DEVICES", "/settings/devices", "Phone and devices") { request, context in
            try await devicesPage(request, try MemberPage.identity(request, context))
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-SETTINGS-PHONE", "/settings/devices/phone", "Add a phone number (form)", limit: .own("3/h"),
            responses: [303: ("A code was texted", nil), 422: ("The page with what to correct", nil)]
        ) { request, context, identity, form in
            guard hub.isConfigured(.sms) else {
                return try await devicesPage(request, identity, error: "Text messages are not set up on this platform yet.")
            }
            guard let phone = form["phone"].flatMap(PhoneNumber.e164) else {
                return try await devicesPage(
                    request, identity,
                    error: "That is not a phone number: use +country code and 8 to 15 digits, or 10 digits in the US.")
            }
            let (user, sealed) = (identity.user.id, try keyRing.encrypt(phone, column: "users.phone_enc"))
            try await Offload.run { try phones.request(userID: user, sealedPhone: sealed) }
            return HTMLResponse.redirect(to: "/settings/devices?sent=1")
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-SETTINGS-SMS-CONSENT", "/settings/devices/sms-consent", "Allow or stop text messages (form)",
            responses: [303: ("Saved", nil)]
        ) { request, context, identity, form in
            let (user, granted, origin) = (identity.user.id, form["granted"] == "1", request.origin(context))
            // Recorded and audited as SEC-15 records it: consent has its own append-only history.
            _ = try await Offload.run {
                try records.recordConsent(
                    userID: user, type: "sms", granted: granted, version: SecurityRecordRoutes.currentConsentVersion, origin: origin,
                    at: Date())
            }
            return HTMLResponse.redirect(to: "/settings/devices?consent=1")
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-SETTINGS-PHONE-VERIFY", "/settings/devices/phone/verify", "Confirm the texted code (form)",
            limit: .own("10/h"), responses: [303: ("Verified", nil), 422: ("The page with what to correct", nil)]
        ) { request, context, identity, form in
            let (user, code) = (identity.user.id, (form["code"] ?? "").trimmingCharacters(in: .whitespaces))
            switch try await Offload.run({ try phones.verify(userID: user, code: code) }) {
            case .verified: return HTMLResponse.redirect(to: "/settings/devices?verified=1")
            case .wrong(let left):
                return try await devicesPage(request, identity, error: "That code is not right; \(left) tries left.")
            case .noCode:
                return try await devicesPage(request, identity, error: "There is no valid code: send a new one.")
            }
        }
        MemberPage.registerForm(
            router, catalog, "PAGE-SETTINGS-DEVICES-REMOVE", "/settings/devices/{id}/remove", "Remove a push device (form)",
            responses: [303: ("Removed; back to the page", nil)]
        ) { request, context, identity, form in
            let id = try context.positiveID(notFound: "There is no such device.")
            let user = identity.user.id
            guard try await Offload.run({ try devices.remove(id: id, userID: user) }) else {
                throw APIError.notFound("There is no such device.")
            }
            return HTMLResponse.redirect(to: "/settings/devices?removed=1")
        }
    }
}
