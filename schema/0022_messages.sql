-- Direct messages (40-data §2.8): two-participant threads; subjects and bodies are sealed with the key ring.
CREATE TABLE message_threads (
    id INTEGER PRIMARY KEY,
    subject_enc TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES users (id),
    last_message_at TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX message_threads_activity ON message_threads (last_message_at);

CREATE TABLE thread_participants (
    thread_id INTEGER NOT NULL REFERENCES message_threads (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    last_read_message_id INTEGER,
    hidden_at TEXT,
    PRIMARY KEY (thread_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX thread_participants_user ON thread_participants (user_id, hidden_at);

CREATE TABLE messages (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES message_threads (id) ON DELETE CASCADE,
    sender_id INTEGER NOT NULL REFERENCES users (id),
    recipient_id INTEGER NOT NULL REFERENCES users (id),
    body_enc TEXT NOT NULL,
    is_read INTEGER NOT NULL DEFAULT 0 CHECK (is_read IN (0, 1)),
    read_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX messages_thread ON messages (thread_id, id);
CREATE INDEX messages_recipient ON messages (recipient_id, is_read, id DESC);
