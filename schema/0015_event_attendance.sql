-- Event check-ins and feedback (40-data §2.4).
CREATE TABLE event_checkins (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    checked_in_at TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('organizer', 'code')),
    by_user_id INTEGER REFERENCES users (id)
) STRICT;
CREATE UNIQUE INDEX event_checkins_member ON event_checkins (event_id, user_id);
CREATE INDEX event_checkins_user ON event_checkins (user_id);

CREATE TABLE event_feedback (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX event_feedback_member ON event_feedback (event_id, user_id);
