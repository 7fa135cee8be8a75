-- The in-app notification channel (40-data §2.9). Other channels, preferences and broadcasts arrive with the
-- notification hub; `broadcast_id` will point at `broadcasts` then.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    type TEXT NOT NULL CHECK (type IN ('security_alert', 'account_verification', 'password_reset', 'system_maintenance',
        'scholarship_deadline', 'scholarship_matched', 'application_submitted', 'application_status', 'event_cancelled',
        'event_reminder', 'new_event', 'new_job', 'job_deadline', 'job_application_viewed', 'new_connection', 'connection_accepted',
        'new_message', 'new_comment', 'new_post', 'mentorship_request', 'mentorship_accepted', 'session_scheduled',
        'session_reminder', 'announcement', 'forum_reply', 'webinar_reminder')),
    priority TEXT NOT NULL CHECK (priority IN ('critical', 'high', 'medium', 'low')),
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT,
    data TEXT CHECK (data IS NULL OR json_valid(data)),
    is_read INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
    read_at TEXT,
    broadcast_id INTEGER,
    deleted_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX notifications_unread ON notifications (user_id, is_read, created_at DESC);
CREATE INDEX notifications_type ON notifications (user_id, type, created_at DESC);
CREATE INDEX notifications_time ON notifications (created_at);
