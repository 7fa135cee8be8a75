import PSCCore
import PSCStore

/// The response shapes of the notification hub and messages (10-api §11, §12), written with `Shape` so each states
/// every field it names as required and closes nothing the conformance test does not close itself.
enum Shape {
    static let string: JSONValue = ["type": "string"]
    static let integer: JSONValue = ["type": "integer"]
    static let boolean: JSONValue = ["type": "boolean"]
    static let nullableString: JSONValue = ["type": ["string", "null"]]
    static let nullableInteger: JSONValue = ["type": ["integer", "null"]]
    static let freeObject: JSONValue = ["type": "object"]

    static func object(_ properties: [String: JSONValue], optional: Set<String> = []) -> JSONValue {
        [
            "type": "object", "required": .array(properties.keys.filter { !optional.contains($0) }.sorted().map(JSONValue.string)),
            "properties": .object(properties),
        ]
    }
    static func array(_ items: JSONValue) -> JSONValue { ["type": "array", "items": items] }
    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }
    static func choice(_ values: [String]) -> JSONValue { ["type": "string", "enum": .array(values.map(JSONValue.string))] }
    /// A map from names to one kind of value (`{type: {channel: bool}}`).
    static func map(_ values: JSONValue) -> JSONValue { ["type": "object", "additionalProperties": values] }
}

extension OpenAPIDocument {
    static let types = NotificationType.allCases.map(\.rawValue)
    static let channels = NotificationChannel.allCases.map(\.rawValue)
    static let deliveryStatuses = ["queued", "sending", "sent", "delivered", "failed", "deferred", "digested", "suppressed"]

    static let notificationShapes: [String: JSONValue] = [
        "Notification": Shape.object([
            "id": Shape.integer, "type": Shape.choice(types), "category": Shape.choice(types),
            "priority": Shape.choice(NotificationPriority.allCases.map(\.rawValue)), "title": Shape.string, "message": Shape.string,
            "link": Shape.nullableString, "data": Shape.freeObject, "is_read": Shape.boolean, "read_at": Shape.nullableString,
            "created_at": Shape.string,
        ]),
        "NotificationList": Shape.object([
            "notifications": Shape.array(Shape.ref("Notification")), "unread_count": Shape.integer, "next_cursor": Shape.nullableString,
        ]),
        "NotificationTypes": Shape.object([
            "types": Shape.array(
                Shape.object([
                    "type": Shape.choice(types), "priority": Shape.string, "channels": Shape.array(Shape.choice(channels)),
                    "locked_channels": Shape.array(Shape.choice(channels)), "group": Shape.string, "label": Shape.string,
                    "description": Shape.string,
                ]))
        ]),
        "NotificationPreferences": Shape.object([
            "user_id": Shape.integer, "preferences": Shape.map(Shape.map(Shape.boolean)), "email": Shape.string,
            "phone": Shape.nullableString, "phone_verified": Shape.boolean, "has_push_tokens": Shape.boolean,
            "locked": Shape.map(Shape.array(Shape.choice(channels))),
        ]),
        "PreferencesUpdated": Shape.object(["message": Shape.string, "preferences": Shape.map(Shape.map(Shape.boolean))]),
        "ChannelChanged": Shape.object(
            ["message": Shape.string, "changed": Shape.array(Shape.choice(types)), "locked": Shape.array(Shape.choice(types))],
            optional: ["locked"]),
        "NotificationSettings": Shape.object([
            "digest": Shape.choice(NotificationSettings.digests), "digest_weekday": ["type": "integer", "minimum": 1, "maximum": 7],
            "quiet_hours": Shape.object(["enabled": Shape.boolean, "start": Shape.string, "end": Shape.string]),
            "time_zone": Shape.string,
        ]),
        "NotificationCreated": Shape.object(["success": Shape.boolean, "id": Shape.integer]),
        "NotificationSent": Shape.object([
            "success": Shape.boolean, "id": Shape.integer, "user_id": Shape.integer, "type": Shape.choice(types),
            "priority": Shape.string, "channels": Shape.array(Shape.choice(channels)),
            "results": Shape.map(Shape.choice(["stored", "queued", "deferred", "digested", "suppressed"])),
        ]),
        "BulkAccepted": Shape.object([
            "broadcast_id": Shape.integer, "total": Shape.integer, "accepted": Shape.integer,
            "unknown_user_ids": Shape.array(Shape.integer), "successful": Shape.integer, "failed": Shape.integer,
            "errors": Shape.array(Shape.object(["user_id": Shape.integer, "error": Shape.string])),
        ]),
        "BroadcastAccepted": Shape.object(
            ["broadcast_id": Shape.nullableInteger, "recipients": Shape.integer], optional: ["broadcast_id"]),
        "Broadcast": broadcast(listed: false),
        "BroadcastPage": Shape.object([
            "items": Shape.array(broadcast(listed: true)), "next_cursor": Shape.nullableString, "limit": Shape.integer,
        ]),
        "NotificationStats": Shape.object([
            "period_days": Shape.integer, "total_sent": Shape.integer, "by_category": Shape.map(Shape.integer),
            "read_count": Shape.integer, "unread_count": Shape.integer, "read_rate": ["type": ["number", "null"]],
            "by_channel": Shape.map(Shape.map(Shape.integer)),
        ]),
        "Delivery": Shape.object([
            "id": Shape.integer, "channel": Shape.string, "status": Shape.choice(deliveryStatuses), "reason": Shape.nullableString,
            "attempts": Shape.integer, "provider_message_id": Shape.nullableString, "last_error": Shape.nullableString,
            "queued_at": Shape.string, "not_before": Shape.nullableString, "sent_at": Shape.nullableString,
            "delivered_at": Shape.nullableString,
        ]),
        "DeliveryList": Shape.object(["items": Shape.array(Shape.ref("Delivery"))]),
        "Unsubscribed": Shape.object(["user_id": Shape.integer, "type": Shape.choice(types), "email_enabled": Shape.boolean]),
        "PushDevice": Shape.object([
            "id": Shape.integer, "platform": Shape.choice(["ios", "android", "web"]), "device_name": Shape.nullableString,
            "active": Shape.boolean, "last_used_at": Shape.nullableString, "created_at": Shape.string,
        ]),
        "PushDeviceList": Shape.object(["items": Shape.array(Shape.ref("PushDevice"))]),
        "PhoneVerified": Shape.object(["phone_verified": Shape.boolean]),
        "Message": Shape.object([
            "id": Shape.integer, "thread_id": Shape.integer, "sender": ["anyOf": [Shape.ref("UserCard"), ["type": "null"]]],
            "recipient_id": Shape.integer, "subject": Shape.string, "body": Shape.string, "is_read": Shape.boolean,
            "read_at": Shape.nullableString, "created_at": Shape.string,
        ]),
        "Thread": Shape.object([
            "thread_id": Shape.integer, "subject": Shape.string, "other": ["anyOf": [Shape.ref("UserCard"), ["type": "null"]]],
            "last_message": [
                "anyOf": [
                    Shape.object(["id": Shape.integer, "preview": Shape.string, "sender_id": Shape.integer, "created_at": Shape.string]),
                    ["type": "null"],
                ]
            ],
            "unread_count": Shape.integer, "updated_at": Shape.string,
        ]),
        "ThreadPage": page(of: "Thread"),
        "ThreadDetail": Shape.object([
            "thread": Shape.ref("Thread"), "items": Shape.array(Shape.ref("Message")), "next_cursor": Shape.nullableString,
            "limit": Shape.integer,
        ]),
        "MessageSent": Shape.object(["success": Shape.boolean, "message_id": Shape.integer, "thread_id": Shape.integer]),
        "Inbox": Shape.object([
            "messages": Shape.object([
                "items": Shape.array(Shape.ref("Message")), "total": Shape.integer, "pages": Shape.integer, "current_page": Shape.integer,
            ]),
            "notifications": Shape.array(Shape.ref("Notification")), "announcements": Shape.array(Shape.ref("Announcement")),
            "unread_count": Shape.object(["messages": Shape.integer, "notifications": Shape.integer]),
            "next_cursor": Shape.nullableString,
        ]),
    ]

    static func broadcast(listed: Bool) -> JSONValue {
        var fields: [String: JSONValue] = [
            "id": Shape.integer, "status": Shape.choice(["queued", "running", "done"]), "recipients": Shape.integer,
            "created": Shape.integer, "deliveries": Shape.map(Shape.map(Shape.integer)),
        ]
        if listed {
            fields.merge([
                "type": Shape.choice(types), "title": Shape.string, "sender": Shape.ref("UserCard"), "created_at": Shape.string,
            ]) { $1 }
        }
        return Shape.object(fields)
    }
}
