-- Connections and blocks (40-data §2.3).
CREATE TABLE connections (
    id INTEGER PRIMARY KEY,
    requester_id INTEGER NOT NULL REFERENCES users (id),
    addressee_id INTEGER NOT NULL REFERENCES users (id),
    user_low INTEGER NOT NULL,
    user_high INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
    note TEXT,
    responded_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (requester_id <> addressee_id),
    CHECK (user_low = min(requester_id, addressee_id) AND user_high = max(requester_id, addressee_id))
) STRICT;
CREATE UNIQUE INDEX connections_pair ON connections (user_low, user_high);
CREATE INDEX connections_addressee ON connections (addressee_id, status);
CREATE INDEX connections_requester ON connections (requester_id, status);

CREATE TABLE blocks (
    id INTEGER PRIMARY KEY,
    blocker_id INTEGER NOT NULL REFERENCES users (id),
    blocked_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    CHECK (blocker_id <> blocked_id)
) STRICT;
CREATE UNIQUE INDEX blocks_pair ON blocks (blocker_id, blocked_id);
CREATE INDEX blocks_blocked ON blocks (blocked_id);
