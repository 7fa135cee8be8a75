-- Page views for analytics (40-data §2.12): append-only, written in batches off the request path.
CREATE TABLE page_views (
    id INTEGER PRIMARY KEY,
    page_name TEXT NOT NULL,
    object_id INTEGER,
    user_id INTEGER REFERENCES users (id),
    ip TEXT,
    user_agent TEXT,
    referrer TEXT,
    occurred_at TEXT NOT NULL
) STRICT;
CREATE INDEX page_views_time ON page_views (occurred_at);
CREATE INDEX page_views_user ON page_views (user_id, occurred_at);
CREATE INDEX page_views_object ON page_views (page_name, object_id, user_id);
CREATE TRIGGER page_views_no_update BEFORE UPDATE ON page_views
BEGIN
    SELECT RAISE(ABORT, 'page_views is append-only');
END;
CREATE TRIGGER page_views_no_delete BEFORE DELETE ON page_views
WHEN (SELECT open FROM retention_gate WHERE id = 1) IS NOT 1
BEGIN
    SELECT RAISE(ABORT, 'page_views is append-only');
END;
