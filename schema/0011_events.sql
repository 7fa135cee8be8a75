-- Events and RSVPs (40-data §2.5). Check-ins, feedback and sponsorships arrive with their routes.
CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    location TEXT,
    format TEXT NOT NULL CHECK (format IN ('in_person', 'virtual', 'hybrid')),
    kind TEXT NOT NULL CHECK (kind IN ('general', 'career_fair', 'workshop', 'info_session', 'social', 'q_and_a')),
    start_time TEXT NOT NULL,
    end_time TEXT NOT NULL,
    timezone TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id),
    organizer_id INTEGER NOT NULL REFERENCES users (id),
    capacity INTEGER CHECK (capacity IS NULL OR capacity > 0),
    waitlist_enabled INTEGER NOT NULL CHECK (waitlist_enabled IN (0, 1)),
    walk_ins_allowed INTEGER NOT NULL CHECK (walk_ins_allowed IN (0, 1)),
    rsvp_deadline TEXT,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members')),
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'cancelled')),
    cancel_reason TEXT,
    image_upload_id INTEGER,
    checkin_code TEXT,
    sequence INTEGER NOT NULL DEFAULT 0,
    going_count INTEGER NOT NULL DEFAULT 0 CHECK (going_count >= 0),
    waitlist_count INTEGER NOT NULL DEFAULT 0 CHECK (waitlist_count >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (end_time > start_time)
) STRICT;
CREATE INDEX events_start ON events (start_time);
CREATE INDEX events_department ON events (department_id, start_time);
CREATE INDEX events_organizer ON events (organizer_id);
CREATE INDEX events_status ON events (status, start_time);

CREATE TABLE event_rsvps (
    id INTEGER PRIMARY KEY,
    event_id INTEGER NOT NULL REFERENCES events (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL CHECK (status IN ('going', 'waitlisted')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX event_rsvps_member ON event_rsvps (event_id, user_id);
CREATE INDEX event_rsvps_order ON event_rsvps (event_id, status, created_at);
CREATE INDEX event_rsvps_user ON event_rsvps (user_id);
