-- Community spaces (40-data §2.10, §2.11): announcements, one forum scheme (categories → threads → posts → votes),
-- webinars with registrations, and mentorship (mentor_profiles came with schema 0020).

CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    content TEXT NOT NULL,
    priority TEXT NOT NULL DEFAULT 'normal' CHECK (priority IN ('urgent', 'high', 'normal', 'low')),
    -- Sorting by rank fixes the earlier alphabetical order of priorities. A plain column held to the priority by its
    -- CHECK, not a generated one: `VACUUM INTO` (the backups) miscounts the columns of a table with a generated column.
    priority_rank INTEGER NOT NULL
        CHECK (priority_rank = CASE priority WHEN 'urgent' THEN 0 WHEN 'high' THEN 1 WHEN 'normal' THEN 2 ELSE 3 END),
    audience_roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(audience_roles)),
    department_id INTEGER REFERENCES departments (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    published_at TEXT NOT NULL,
    expires_at TEXT,
    notify INTEGER NOT NULL DEFAULT 0 CHECK (notify IN (0, 1)),
    broadcast_id INTEGER REFERENCES broadcasts (id),
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX announcements_order ON announcements (priority_rank, published_at DESC);
CREATE INDEX announcements_department ON announcements (department_id, published_at);
CREATE INDEX announcements_author ON announcements (author_id);

CREATE TABLE forum_categories (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    description TEXT,
    icon TEXT,
    color TEXT,
    display_order INTEGER NOT NULL DEFAULT 0,
    allowed_roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allowed_roles)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE forum_threads (
    id INTEGER PRIMARY KEY,
    category_id INTEGER NOT NULL REFERENCES forum_categories (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    title TEXT NOT NULL,
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    is_pinned INTEGER NOT NULL DEFAULT 0 CHECK (is_pinned IN (0, 1)),
    is_locked INTEGER NOT NULL DEFAULT 0 CHECK (is_locked IN (0, 1)),
    is_solved INTEGER NOT NULL DEFAULT 0 CHECK (is_solved IN (0, 1)),
    best_post_id INTEGER,
    score INTEGER NOT NULL DEFAULT 0,
    views_count INTEGER NOT NULL DEFAULT 0,
    reply_count INTEGER NOT NULL DEFAULT 0,
    last_activity_at TEXT NOT NULL,
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX forum_threads_category ON forum_threads (category_id, is_pinned DESC, last_activity_at DESC);
CREATE INDEX forum_threads_author ON forum_threads (author_id);

CREATE TABLE forum_posts (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES forum_threads (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users (id),
    parent_post_id INTEGER REFERENCES forum_posts (id),
    is_opening INTEGER NOT NULL DEFAULT 0 CHECK (is_opening IN (0, 1)),
    content TEXT NOT NULL,
    score INTEGER NOT NULL DEFAULT 0,
    edited_at TEXT,
    deleted_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX forum_posts_thread ON forum_posts (thread_id, created_at);
CREATE UNIQUE INDEX forum_posts_opening ON forum_posts (thread_id) WHERE is_opening = 1;
CREATE INDEX forum_posts_author ON forum_posts (author_id);

CREATE TABLE forum_votes (
    post_id INTEGER NOT NULL REFERENCES forum_posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE forum_subscriptions (
    thread_id INTEGER NOT NULL REFERENCES forum_threads (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX forum_subscriptions_user ON forum_subscriptions (user_id);

-- Once per user per hour (FRM-5): the hour a person last counted as a viewer of a thread.
CREATE TABLE forum_thread_views (
    thread_id INTEGER NOT NULL REFERENCES forum_threads (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    counted_at TEXT NOT NULL,
    PRIMARY KEY (thread_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE webinars (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT,
    host_id INTEGER NOT NULL REFERENCES users (id),
    department_id INTEGER REFERENCES departments (id),
    scheduled_at TEXT NOT NULL,
    timezone TEXT NOT NULL DEFAULT 'America/Chicago',
    duration_minutes INTEGER NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 15 AND 480),
    meeting_url TEXT,
    recording_url TEXT,
    max_participants INTEGER CHECK (max_participants IS NULL OR max_participants >= 1),
    registration_required INTEGER NOT NULL DEFAULT 1 CHECK (registration_required IN (0, 1)),
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'cancelled')),
    sequence INTEGER NOT NULL DEFAULT 0,
    registered_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX webinars_time ON webinars (scheduled_at);
CREATE INDEX webinars_host ON webinars (host_id);

CREATE TABLE webinar_registrations (
    id INTEGER PRIMARY KEY,
    webinar_id INTEGER NOT NULL REFERENCES webinars (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    registered_at TEXT NOT NULL,
    attended INTEGER CHECK (attended IS NULL OR attended IN (0, 1)),
    created_at TEXT NOT NULL,
    UNIQUE (webinar_id, user_id)
) STRICT;
CREATE INDEX webinar_registrations_user ON webinar_registrations (user_id);

CREATE TABLE mentee_profiles (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    goals TEXT NOT NULL,
    interests TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(interests)),
    preferred_industries TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(preferred_industries)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE mentorship_requests (
    id INTEGER PRIMARY KEY,
    mentor_id INTEGER NOT NULL REFERENCES users (id),
    mentee_id INTEGER NOT NULL REFERENCES users (id),
    message TEXT NOT NULL,
    goals TEXT,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')),
    expires_at TEXT NOT NULL,
    responded_at TEXT,
    response_message TEXT,
    created_at TEXT NOT NULL,
    CHECK (mentor_id <> mentee_id)
) STRICT;
CREATE INDEX mentorship_requests_mentor ON mentorship_requests (mentor_id, status);
CREATE INDEX mentorship_requests_mentee ON mentorship_requests (mentee_id, status);
CREATE UNIQUE INDEX mentorship_requests_one_pending ON mentorship_requests (mentor_id, mentee_id) WHERE status = 'pending';

CREATE TABLE mentorships (
    id INTEGER PRIMARY KEY,
    mentor_id INTEGER NOT NULL REFERENCES users (id),
    mentee_id INTEGER NOT NULL REFERENCES users (id),
    request_id INTEGER UNIQUE REFERENCES mentorship_requests (id),
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
    started_at TEXT NOT NULL,
    ended_at TEXT,
    end_reason TEXT,
    fit TEXT CHECK (fit IS NULL OR fit IN ('good', 'not_good')),
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX mentorships_mentor ON mentorships (mentor_id, status);
CREATE INDEX mentorships_mentee ON mentorships (mentee_id, status);

CREATE TABLE mentorship_sessions (
    id INTEGER PRIMARY KEY,
    mentorship_id INTEGER NOT NULL REFERENCES mentorships (id),
    scheduled_at TEXT NOT NULL,
    duration_minutes INTEGER NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 15 AND 240),
    status TEXT NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'completed', 'cancelled')),
    meeting_link TEXT,
    agenda TEXT,
    notes TEXT,
    action_items TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(action_items)),
    sequence INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX mentorship_sessions_mentorship ON mentorship_sessions (mentorship_id, scheduled_at);
CREATE INDEX mentorship_sessions_time ON mentorship_sessions (scheduled_at);

CREATE TABLE mentorship_feedback (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES mentorship_sessions (id),
    author_id INTEGER NOT NULL REFERENCES users (id),
    rating INTEGER NOT NULL CHECK (rating BETWEEN 1 AND 5),
    fit TEXT CHECK (fit IS NULL OR fit IN ('good', 'not_good')),
    comment TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (session_id, author_id)
) STRICT;

-- The search index (schema 0018 rowids: code × 2^40 + id): forum threads (7) hold the text of all their visible posts,
-- webinars (8) their title and description only (never the meeting link), announcements (9) their title and text.
CREATE TRIGGER search_forum_threads_insert AFTER INSERT ON forum_threads WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 7696581394432, NEW.title, '', NEW.tags);
END;
CREATE TRIGGER search_forum_threads_update AFTER UPDATE OF title, tags, deleted_at ON forum_threads
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 7696581394432;
    INSERT INTO search_index (rowid, title, body, tags)
    SELECT NEW.id + 7696581394432, NEW.title,
        coalesce((SELECT group_concat(content, ' ') FROM forum_posts WHERE thread_id = NEW.id AND deleted_at IS NULL), ''), NEW.tags
    WHERE NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_forum_threads_delete AFTER DELETE ON forum_threads
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 7696581394432;
END;
CREATE TRIGGER search_forum_posts_insert AFTER INSERT ON forum_posts
BEGIN
    UPDATE forum_threads SET tags = tags WHERE id = NEW.thread_id;
END;
CREATE TRIGGER search_forum_posts_update AFTER UPDATE OF content, deleted_at ON forum_posts
BEGIN
    UPDATE forum_threads SET tags = tags WHERE id = NEW.thread_id;
END;

CREATE TRIGGER search_webinars_insert AFTER INSERT ON webinars
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 8796093022208, NEW.title, coalesce(NEW.description, ''), '');
END;
CREATE TRIGGER search_webinars_update AFTER UPDATE OF title, description ON webinars
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 8796093022208;
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 8796093022208, NEW.title, coalesce(NEW.description, ''), '');
END;
CREATE TRIGGER search_webinars_delete AFTER DELETE ON webinars
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 8796093022208;
END;

CREATE TRIGGER search_announcements_insert AFTER INSERT ON announcements WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 9895604649984, NEW.title, NEW.content, NEW.priority);
END;
CREATE TRIGGER search_announcements_update AFTER UPDATE OF title, content, priority, deleted_at ON announcements
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 9895604649984;
    INSERT INTO search_index (rowid, title, body, tags)
    SELECT NEW.id + 9895604649984, NEW.title, NEW.content, NEW.priority WHERE NEW.deleted_at IS NULL;
END;
