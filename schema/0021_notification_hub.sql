-- The notification hub (40-data §2.9): preferences per changed pair, per-user settings, one delivery record per
-- outbound send with its attempts, push devices and broadcasts. The in-app channel stays `notifications`.
ALTER TABLE notifications ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX notifications_dedupe ON notifications (user_id, dedupe_key) WHERE dedupe_key IS NOT NULL;
-- A broadcast's chunk asks whether it already ran: by broadcast and recipient, only for broadcast rows.
CREATE INDEX notifications_broadcast ON notifications (broadcast_id, user_id) WHERE broadcast_id IS NOT NULL;

-- No row means on: only the pairs a person changed are stored (20-services §3.2).
CREATE TABLE notification_preferences (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('in_app', 'email', 'sms', 'push')),
    enabled INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (user_id, type, channel)
) STRICT, WITHOUT ROWID;

CREATE TABLE notification_settings (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    digest TEXT NOT NULL DEFAULT 'off' CHECK (digest IN ('off', 'daily', 'weekly')),
    digest_weekday INTEGER NOT NULL DEFAULT 1 CHECK (digest_weekday BETWEEN 1 AND 7),
    quiet_enabled INTEGER NOT NULL DEFAULT 0 CHECK (quiet_enabled IN (0, 1)),
    quiet_start TEXT NOT NULL DEFAULT '22:00',
    quiet_end TEXT NOT NULL DEFAULT '07:00',
    last_digest_at TEXT,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE broadcasts (
    id INTEGER PRIMARY KEY,
    sender_id INTEGER NOT NULL REFERENCES users (id),
    audience TEXT NOT NULL CHECK (json_valid(audience)),
    type TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done')),
    recipients INTEGER NOT NULL DEFAULT 0,
    created_count INTEGER NOT NULL DEFAULT 0,
    chunks INTEGER NOT NULL DEFAULT 0,
    chunks_done INTEGER NOT NULL DEFAULT 0,
    idempotency_key TEXT,
    -- What the first request asked, so a repeat of its key with another body is refused (00-conventions §5).
    request_hash TEXT,
    created_at TEXT NOT NULL,
    finished_at TEXT
) STRICT;
CREATE INDEX broadcasts_time ON broadcasts (created_at);
CREATE UNIQUE INDEX broadcasts_idempotency ON broadcasts (sender_id, idempotency_key) WHERE idempotency_key IS NOT NULL;

CREATE TABLE deliveries (
    id INTEGER PRIMARY KEY,
    notification_id INTEGER REFERENCES notifications (id) ON DELETE SET NULL,
    broadcast_id INTEGER REFERENCES broadcasts (id),
    batch_id TEXT,
    user_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    channel TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'whatsapp', 'push')),
    purpose TEXT NOT NULL CHECK (purpose IN ('notification', 'operational', 'admin_message', 'digest')),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    to_enc TEXT,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'deferred', 'digested', 'suppressed')),
    reason TEXT CHECK (reason IS NULL OR reason IN ('preference', 'integration_disabled', 'no_address', 'no_consent', 'cap')),
    attempts INTEGER NOT NULL DEFAULT 0,
    provider_message_id TEXT,
    last_error TEXT,
    not_before TEXT,
    queued_at TEXT NOT NULL,
    sent_at TEXT,
    delivered_at TEXT,
    digest_id INTEGER
) STRICT;
CREATE INDEX deliveries_notification ON deliveries (notification_id);
CREATE INDEX deliveries_status ON deliveries (status, not_before);
CREATE INDEX deliveries_user_channel ON deliveries (user_id, channel, queued_at);
CREATE INDEX deliveries_broadcast ON deliveries (broadcast_id) WHERE broadcast_id IS NOT NULL;
CREATE UNIQUE INDEX deliveries_provider_id ON deliveries (channel, provider_message_id) WHERE provider_message_id IS NOT NULL;

CREATE TABLE push_devices (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token TEXT NOT NULL UNIQUE,
    platform TEXT NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    device_name TEXT,
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    last_used_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX push_devices_user ON push_devices (user_id, active);
