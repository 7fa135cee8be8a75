import Foundation
import Hummingbird
import PSCCore
import PSCStore

/// NTF-7..13 and NTF-21 (10-api §12): the 26 types, preferences per type and channel, digest and quiet-hour settings,
/// and the signed unsubscribe link of every email; USR-9..11 (§4): the push devices the push channel reaches.
struct NotificationSettingsRoutes: FeatureRoutes {
    let keyRing: KeyRing
    let communication: Communication
    let pages: PageRenderer

    static func typeEntry(_ type: NotificationType) -> JSONValue {
        let definition = type.definition
        return [
            "type": .string(type.rawValue), "priority": .string(definition.priority.rawValue),
            "channels": .array(definition.channels.map { .string($0.rawValue) }),
            "locked_channels": .array(definition.locked.map { .string($0.rawValue) }), "group": .string(definition.group),
            "label": .string(definition.label), "description": .string(definition.description),
        ]
    }

    static func matrix(_ matrix: NotificationPreferenceStore.Matrix) -> JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: matrix.map { type, channels in
                    (
                        type.rawValue,
                        JSONValue.object(Dictionary(uniqueKeysWithValues: channels.map { ($0.key.rawValue, JSONValue.bool($0.value)) }))
                    )
                }))
    }

    static func settings(_ settings: NotificationSettings) -> JSONValue {
        [
            "digest": .string(settings.digest), "digest_weekday": .int(Int64(settings.digestWeekday)),
            "quiet_hours": [
                "enabled": .bool(settings.quietEnabled), "start": .string(settings.quietStart), "end": .string(settings.quietEnd),
            ],
            "time_zone": .string(settings.timeZone),
        ]
    }

    static let settingsFields: [String: FieldRule] = [
        "digest": .choice(NotificationSettings.digests), "digest_weekday": .integer(1...7), "quiet_hours": .object,
        "time_zone": .text(1...64),
    ]

    /// NTF-13's rules beyond the field limits: times "HH:MM" in 5-minute steps, start ≠ end, a known time zone.
    static func merged(_ current: NotificationSettings, _ object: [String: Any], problems: [String: [String]]) throws
        -> NotificationSettings
    {
        var reader = FieldReader(object, problems: problems)
        var settings = current
        settings.digest = reader.choice("digest", NotificationSettings.digests, current.digest) ?? current.digest
        settings.digestWeekday = Int(reader.integer("digest_weekday", 1...7, Int64(current.digestWeekday)) ?? 1)
        if let zone = reader.text("time_zone", 1...64, current.timeZone) {
            if TimeZone(identifier: zone) == nil { reader.problem("time_zone", "is not a time zone name such as America/Chicago") }
            settings.timeZone = zone
        }
        if let quiet = object["quiet_hours"] as? [String: Any] {
            if let enabled = quiet["enabled"] {
                guard FieldReader.isBool(enabled), let flag = enabled as? Bool else {
                    reader.problem("quiet_hours.enabled", "must be true or false")
                    throw APIError.validation(reader.problems)
                }
                settings.quietEnabled = flag
            }
            for (key, keyPath) in [("start", \NotificationSettings.quietStart), ("end", \NotificationSettings.quietEnd)] {
                guard let value = quiet[key] else { continue }
                guard let text = value as? String, let time = QuietHours.WallTime(text), time.minute % 5 == 0 else {
                    reader.problem("quiet_hours.\(key)", "must be a time HH:MM in 5-minute steps")
                    continue
                }
                settings[keyPath: keyPath] = time.description
            }
            if settings.quietStart == settings.quietEnd { reader.problem("quiet_hours.end", "must differ from the start") }
        }
        try reader.validate()
        return settings
    }

    func register(with router: Router<AppRequestContext>, catalog: RouteCatalog) {
        let (preferences, devices, keyRing) = (communication.preferences, communication.devices, keyRing)
        catalog.add(
            RouteSpec(
                id: "NTF-7", .get, "/api/v1/notifications/types", summary: "The 26 notification types", tag: "Notifications",
                access: .member(scope: "notifications:read"), responses: [200: ("types", "NotificationTypes")]),
            to: router
        ) { _, _ in
            JSONResponse.make(["types": .array(NotificationType.allCases.map(Self.typeEntry))])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-8", .get, "/api/v1/notifications/preferences", summary: "My preferences per type and channel",
                tag: "Notifications", access: .member(scope: "notifications:read"),
                responses: [200: ("The full matrix", "NotificationPreferences")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "notifications:read").user.id
            let (matrix, reach) = try await Offload.run { (try preferences.matrix(userID: user), try preferences.reach(userID: user)) }
            guard let reach else { throw APIError.notFound() }
            let phone = reach.phoneSealed.flatMap { try? keyRing.decrypt($0, column: "users.phone_enc") }.map(PhoneNumber.masked)
            return JSONResponse.make([
                "user_id": .int(user), "preferences": Self.matrix(matrix), "email": .string(reach.email),
                "phone": phone.map(JSONValue.string) ?? .null, "phone_verified": .bool(reach.phoneVerified),
                "has_push_tokens": .bool(reach.hasPushTokens),
                "locked": .object(
                    Dictionary(
                        uniqueKeysWithValues: NotificationType.allCases.filter { !$0.definition.locked.isEmpty }.map {
                            ($0.rawValue, JSONValue.array($0.definition.locked.map { .string($0.rawValue) }))
                        })),
            ])
        }
        catalog.add(
            RouteSpec(
                id: "NTF-9", .put, "/api/v1/notifications/preferences", summary: "Change some preferences (only the pairs given)",
                tag: "Notifications", access: .member(scope: "notifications:write"), limit: .own("20/h"),
                body: .object(["preferences": FieldRule.object.required]),
                responses: [
                    200: ("The merged view", "PreferencesUpdated"),
                    422: ("Unknown type or channel, or a locked channel turned off; nothing changed", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "notifications:write").user.id
            let object = try await request.jsonObjectBody(context: context).object
            var pairs: [String: [String: Bool]] = [:]
            var problems: [String: [String]] = [:]
            for (type, value) in object["preferences"] as? [String: Any] ?? [:] {
                guard let channels = value as? [String: Any] else {
                    problems["preferences.\(type)", default: []].append("must be an object of channels")
                    continue
                }
                for (channel, flag) in channels {
                    guard FieldReader.isBool(flag), let on = flag as? Bool else {
                        problems["preferences.\(type).\(channel)", default: []].append("must be true or false")
                        continue
                    }
                    pairs[type, default: [:]][channel] = on
                }
            }
            guard problems.isEmpty else { throw APIError.validation(problems) }
            let requested = pairs
            do {
                let merged = try await Offload.run { try preferences.merge(userID: user, requested) }
                return JSONResponse.make(["message": "Preferences updated", "preferences": Self.matrix(merged)])
            } catch let refusal as NotificationPreferenceStore.Refusal {
                throw APIError.validation(refusal.problems)
            }
        }
        for enabled in [true, false] {
            let verb = enabled ? "enable" : "disable"
            catalog.add(
                RouteSpec(
                    id: enabled ? "NTF-10" : "NTF-11", .post, "/api/v1/notifications/channel/{channel}/\(verb)",
                    summary: enabled ? "Turn a channel on for every type" : "Turn a channel off (locked channels stay on)",
                    tag: "Notifications", access: .member(scope: "notifications:write"), limit: .own("20/h"),
                    responses: [200: ("The types changed", "ChannelChanged"), 404: ("No such channel", "Error")]),
                to: router
            ) { _, context in
                let user = try context.require(.signedIn, scope: "notifications:write").user.id
                guard let channel = context.parameters.get("channel").flatMap(NotificationChannel.init(rawValue:)) else {
                    throw APIError.notFound("There is no such channel: use in_app, email, sms or push.")
                }
                let (changed, locked) = try await Offload.run { try preferences.setChannel(userID: user, channel, enabled: enabled) }
                var answer: [String: JSONValue] = [
                    "message": .string("\(channel.label) is \(enabled ? "on" : "off") for \(changed.count) types."),
                    "changed": .array(changed.map { .string($0.rawValue) }),
                ]
                if !enabled { answer["locked"] = .array(locked.map { .string($0.rawValue) }) }
                return JSONResponse.make(.object(answer))
            }
        }
        catalog.add(
            RouteSpec(
                id: "NTF-12", .get, "/api/v1/notifications/settings", summary: "Digest, quiet hours and time zone",
                tag: "Notifications", access: .member(scope: "notifications:read"),
                responses: [200: ("Settings", "NotificationSettings")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "notifications:read").user.id
            guard let settings = try await Offload.run({ try preferences.settings(userID: user) }) else { throw APIError.notFound() }
            return JSONResponse.make(Self.settings(settings))
        }
        catalog.add(
            RouteSpec(
                id: "NTF-13", .put, "/api/v1/notifications/settings", summary: "Change digest, quiet hours or time zone",
                tag: "Notifications", access: .member(scope: "notifications:write"), limit: .own("20/h"),
                body: .object(Self.settingsFields),
                responses: [200: ("Settings", "NotificationSettings"), 422: ("Invalid fields", "Error")]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "notifications:write").user.id
            let (_, object, problems) = try await request.jsonObjectBody(context: context, collecting: true)
            guard let current = try await Offload.run({ try preferences.settings(userID: user) }) else { throw APIError.notFound() }
            let settings = try Self.merged(current, object, problems: problems)
            try await Offload.run { try preferences.save(userID: user, settings) }
            return JSONResponse.make(Self.settings(settings))
        }
        for method in [HTTPRequest.Method.get, .post] {
            catalog.add(
                RouteSpec(
                    id: "NTF-21", method, "/api/v1/notifications/unsubscribe/{token}",
                    summary: method == .get
                        ? "What the unsubscribe link will turn off" : "Turn off email for one type (RFC 8058 one-click)",
                    tag: "Notifications", limit: .own("30/h"),
                    responses: [
                        200: ("The type and whether its email is on (an HTML page when Accept names text/html)", "Unsubscribed"),
                        404: ("Not a valid link", "Error"), 422: ("Email is always on for this type", "Error"),
                    ]),
                to: router
            ) { request, context in
                guard let token = context.parameters.get("token"), let (user, type) = UnsubscribeToken.read(token, key: keyRing.hashKey)
                else {
                    throw APIError.notFound("This unsubscribe link is not valid.")
                }
                guard type.definition.channels.contains(.email), !type.definition.locked.contains(.email) else {
                    throw APIError.validation(["type": ["email is always on for \(type.definition.label.lowercased())"]])
                }
                let enabled: Bool? =
                    method == .post
                    ? try await Offload.run { try preferences.unsubscribe(userID: user, type: type) }.map { _ in false }
                    : try await Offload.run { try preferences.emailEnabled(userID: user, type: type) }
                guard let enabled else { throw APIError.notFound("This unsubscribe link is not valid.") }
                if request.headers[.accept]?.contains("text/html") == true {
                    return HTMLResponse.make(
                        pages.render(
                            "unsubscribe",
                            [
                                "label": type.definition.label.lowercased(), "done": method == .post, "enabled": enabled,
                                "action": request.uri.path,
                            ], request: request))
                }
                return JSONResponse.make(["user_id": .int(user), "type": .string(type.rawValue), "email_enabled": .bool(enabled)])
            }
        }
        let (hub, phones) = (communication.hub, communication.phones)
        catalog.add(
            RouteSpec(
                id: "USR-7", .post, "/api/v1/users/me/phone", summary: "Add or change my phone number (a code is texted to it)",
                tag: "Users", access: .member(scope: "profile:write"), limit: .own("3/h"),
                body: .object(["phone": FieldRule.text(1...32).required]),
                responses: [
                    202: ("A six-digit code is on its way (valid 10 minutes)", "Accepted"), 422: ("Not a phone number", "Error"),
                    503: ("Text messages are not configured", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.active, scope: "profile:write").user.id
            let object = try await request.jsonObjectBody(context: context).object
            guard let phone = (object["phone"] as? String).flatMap(PhoneNumber.e164) else {
                throw APIError.validation(["phone": ["must be a phone number: +country code and 8 to 15 digits, or 10 digits in the US"]])
            }
            guard hub.isConfigured(.sms) else {
                throw APIError(.serviceUnavailable, "integration_disabled", "Text messages are not set up on this platform.")
            }
            let sealed = try keyRing.encrypt(phone, column: "users.phone_enc")
            try await Offload.run { try phones.request(userID: user, sealedPhone: sealed) }
            return JSONResponse.make(["message": .string("A code is on its way to \(PhoneNumber.masked(phone)).")], status: .accepted)
        }
        catalog.add(
            RouteSpec(
                id: "USR-8", .post, "/api/v1/users/me/phone/verify", summary: "Confirm my phone number with the texted code",
                tag: "Users", access: .member(scope: "profile:write"), limit: .own("10/h"),
                body: .object(["code": FieldRule.text(6...6).required]),
                responses: [
                    200: ("Verified", "PhoneVerified"), 401: ("Wrong, expired or used-up code", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.active, scope: "profile:write").user.id
            let object = try await request.jsonObjectBody(context: context).object
            let code = object["code"] as? String ?? ""
            switch try await Offload.run({ try phones.verify(userID: user, code: code) }) {
            case .verified: return JSONResponse.make(["phone_verified": true])
            case .wrong(let left):
                throw APIError(.unauthorized, "invalid_code", "That code is not right; \(left) tries left.")
            case .noCode:
                throw APIError(.unauthorized, "invalid_code", "There is no valid code: ask for a new one.")
            }
        }
        catalog.add(
            RouteSpec(
                id: "USR-9", .get, "/api/v1/users/me/devices", summary: "My push devices", tag: "Users",
                access: .member(scope: "profile:read"), responses: [200: ("Devices", "PushDeviceList")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "profile:read").user.id
            let found = try await Offload.run { try devices.list(userID: user) }
            return JSONResponse.make(["items": .array(found.map(Self.device))])
        }
        catalog.add(
            RouteSpec(
                id: "USR-10", .post, "/api/v1/users/me/devices", summary: "Register a push device", tag: "Users",
                access: .member(scope: "profile:write"), limit: .own("20/h"),
                body: .object([
                    "token": FieldRule.text(1...512).required, "platform": FieldRule.choice(["ios", "android", "web"]).required,
                    "device_name": .text(max: 60),
                ]),
                responses: [
                    201: ("Registered", "Created"), 200: ("Already registered", "Created"),
                    409: ("The token belongs to another account", "Error"), 422: ("Invalid fields", "Error"),
                ]),
            to: router
        ) { request, context in
            let user = try context.require(.signedIn, scope: "profile:write").user.id
            let object = try await request.jsonObjectBody(context: context).object
            let (token, platform) = (object["token"] as? String ?? "", object["platform"] as? String ?? "")
            let name = (object["device_name"] as? String).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
            switch try await Offload.run({ try devices.register(userID: user, token: token, platform: platform, deviceName: name) }) {
            case .created(let id): return JSONResponse.make(["id": .int(id)], status: .created)
            case .existing(let id): return JSONResponse.make(["id": .int(id)])
            case .taken: throw APIError(.conflict, "conflict", "This device is registered to another account.")
            }
        }
        catalog.add(
            RouteSpec(
                id: "USR-11", .delete, "/api/v1/users/me/devices/{id}", summary: "Remove a push device", tag: "Users",
                access: .member(scope: "profile:write"), responses: [204: ("Removed", nil), 404: ("Not yours", "Error")]),
            to: router
        ) { _, context in
            let user = try context.require(.signedIn, scope: "profile:write").user.id
            let id = try context.positiveID(notFound: "There is no such device.")
            guard try await Offload.run({ try devices.remove(id: id, userID: user) }) else {
                throw APIError.notFound("There is no such device.")
            }
            return Response(status: .noContent)
        }
    }

    static func device(_ device: PushDeviceRecord) -> JSONValue {
        [
            "id": .int(device.id), "platform": .string(device.platform), "device_name": device.deviceName.map(JSONValue.string) ?? .null,
            "active": .bool(device.active), "last_used_at": device.lastUsedAt.map(JSONValue.string) ?? .null,
            "created_at": .string(device.createdAt),
        ]
    }
}
