-- Analytics (40-data §2.12): API usage and active days recorded in batches, the daily summary and per-user
-- engagement of job 1, the churn models and predictions of job 4, and background exports (40-data `exports`).
CREATE TABLE api_usage (
    id INTEGER PRIMARY KEY,
    endpoint TEXT NOT NULL,
    method TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    response_time_ms INTEGER NOT NULL,
    user_id INTEGER,
    token_id INTEGER,
    ip TEXT,
    occurred_at TEXT NOT NULL
) STRICT;
CREATE INDEX api_usage_time ON api_usage (occurred_at);
CREATE TRIGGER api_usage_no_update BEFORE UPDATE ON api_usage
BEGIN
    SELECT RAISE(ABORT, 'api_usage is append-only');
END;
CREATE TRIGGER api_usage_no_delete BEFORE DELETE ON api_usage
WHEN (SELECT open FROM retention_gate WHERE id = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'api_usage is append-only');
END;

CREATE TABLE user_activity_days (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day TEXT NOT NULL,
    PRIMARY KEY (user_id, day)
) STRICT, WITHOUT ROWID;
CREATE INDEX user_activity_days_day ON user_activity_days (day);

CREATE TABLE analytics_summary (
    id INTEGER PRIMARY KEY,
    date TEXT NOT NULL UNIQUE,
    page_views INTEGER NOT NULL,
    unique_viewers INTEGER NOT NULL,
    anonymous_views INTEGER NOT NULL,
    new_users INTEGER NOT NULL,
    active_users INTEGER NOT NULL,
    posts INTEGER NOT NULL,
    comments INTEGER NOT NULL,
    applications_submitted INTEGER NOT NULL,
    scholarships_viewed INTEGER NOT NULL,
    jobs_viewed INTEGER NOT NULL,
    event_checkins INTEGER NOT NULL,
    messages_sent INTEGER NOT NULL,
    forum_posts INTEGER NOT NULL,
    scholarships_created INTEGER NOT NULL,
    jobs_posted INTEGER NOT NULL,
    events_held INTEGER NOT NULL,
    api_requests INTEGER NOT NULL,
    api_errors INTEGER NOT NULL,
    api_time_ms_sum INTEGER NOT NULL,
    page_counts TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(page_counts)),
    computed_at TEXT NOT NULL
) STRICT;

CREATE TABLE user_engagement (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    date TEXT NOT NULL,
    score INTEGER NOT NULL CHECK (score BETWEEN 0 AND 100),
    components TEXT NOT NULL CHECK (json_valid(components)),
    PRIMARY KEY (user_id, date)
) STRICT, WITHOUT ROWID;

CREATE TABLE ml_models (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    method TEXT NOT NULL,
    coefficients TEXT CHECK (coefficients IS NULL OR json_valid(coefficients)),
    feature_stats TEXT CHECK (feature_stats IS NULL OR json_valid(feature_stats)),
    training_rows INTEGER,
    positives INTEGER,
    auc REAL,
    active INTEGER NOT NULL CHECK (active IN (0, 1)),
    trained_at TEXT NOT NULL,
    UNIQUE (name, version)
) STRICT;
CREATE INDEX ml_models_active ON ml_models (name, active);

CREATE TABLE churn_predictions (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    model_version TEXT,
    method TEXT NOT NULL CHECK (method IN ('model', 'heuristic')),
    probability REAL NOT NULL,
    risk_level TEXT NOT NULL CHECK (risk_level IN ('low', 'medium', 'high')),
    factors TEXT NOT NULL CHECK (json_valid(factors)),
    predicted_at TEXT NOT NULL
) STRICT;
CREATE INDEX churn_predictions_probability ON churn_predictions (probability DESC);
CREATE INDEX churn_predictions_risk ON churn_predictions (risk_level, probability DESC);

-- The file is kept in `content` rather than as an upload: upload kinds are members' own files, and an export is
-- deleted with its row 24 hours after it is ready.
CREATE TABLE exports (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL CHECK (kind IN ('report', 'self')),
    report_type TEXT,
    format TEXT NOT NULL CHECK (format IN ('csv', 'pdf', 'json')),
    filters TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(filters)),
    redacted INTEGER NOT NULL CHECK (redacted IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    row_count INTEGER,
    content BLOB,
    file_name TEXT,
    error TEXT,
    finished_at TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX exports_user ON exports (user_id, created_at DESC);
CREATE INDEX exports_expiry ON exports (expires_at);

-- The daily job counts each table's rows of one day; these let it read that day alone.
CREATE INDEX users_created ON users (created_at);
-- Live posts and comments only: the dashboard's total counts them without reading the table.
CREATE INDEX posts_live_created ON posts (created_at) WHERE deleted_at IS NULL;
CREATE INDEX comments_live_created ON comments (created_at) WHERE deleted_at IS NULL;
CREATE INDEX messages_created ON messages (created_at);
CREATE INDEX event_checkins_time ON event_checkins (checked_in_at);
CREATE INDEX scholarship_applications_submitted ON scholarship_applications (submitted_at);
CREATE INDEX job_applications_created ON job_applications (created_at);
CREATE INDEX forum_posts_created ON forum_posts (created_at);
CREATE INDEX scholarships_created ON scholarships (created_at);
CREATE INDEX job_postings_posted ON job_postings (posted_at);
