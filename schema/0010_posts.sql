-- Posts, likes, comments and content reports (40-data §2.3, §2.4).
CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    author_id INTEGER NOT NULL REFERENCES users (id),
    content TEXT NOT NULL,
    image_upload_id INTEGER,
    visibility TEXT NOT NULL CHECK (visibility IN ('public', 'members', 'connections', 'department')),
    department_id INTEGER REFERENCES departments (id),
    like_count INTEGER NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    comment_count INTEGER NOT NULL DEFAULT 0 CHECK (comment_count >= 0),
    tags TEXT CHECK (tags IS NULL OR json_valid(tags)),
    deleted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (visibility <> 'department' OR department_id IS NOT NULL)
) STRICT;
CREATE INDEX posts_author ON posts (author_id, created_at DESC);
CREATE INDEX posts_visibility ON posts (visibility, created_at DESC);
CREATE INDEX posts_department ON posts (department_id, created_at DESC);

CREATE TABLE post_likes (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (post_id, user_id)
) STRICT;
CREATE INDEX post_likes_user ON post_likes (user_id);

CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    author_id INTEGER NOT NULL REFERENCES users (id),
    parent_id INTEGER REFERENCES comments (id),
    content TEXT NOT NULL,
    deleted_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX comments_post ON comments (post_id, created_at);

CREATE TABLE content_reports (
    id INTEGER PRIMARY KEY,
    reporter_id INTEGER NOT NULL REFERENCES users (id),
    target_type TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('spam', 'harassment', 'inappropriate', 'misinformation', 'other')),
    detail TEXT,
    status TEXT NOT NULL CHECK (status IN ('open', 'resolved', 'dismissed')),
    resolver_id INTEGER REFERENCES users (id),
    resolution TEXT,
    resolved_at TEXT,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX content_reports_open ON content_reports (reporter_id, target_type, target_id) WHERE status = 'open';
CREATE INDEX content_reports_status ON content_reports (status, created_at);
