-- Feature flags and A/B tests (40-data §2.12; rules in 20-services §1 and §2).

CREATE TABLE feature_flags (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 2 AND 64 AND name NOT GLOB '*[^a-z0-9_]*'),
    description TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),
    rollout_percentage REAL NOT NULL DEFAULT 0 CHECK (rollout_percentage BETWEEN 0 AND 100),
    target_users TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(target_users)),
    target_roles TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(target_roles)),
    updated_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- The predefined flags, seeded once with the table (never overwritten afterwards: a flag an admin deleted stays gone).
INSERT INTO feature_flags (name, description, enabled, rollout_percentage, created_at, updated_at)
VALUES
    ('ai_assistant', 'The assistant (AI-1..6) and its page', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('scholarships_v2', 'Staged rollout of new scholarship work; gates nothing built in', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('advanced_analytics', 'Churn predictions, engagement, university and employer analytics (ANL-5..8, ANL-11)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('alumni_portal', 'The alumni directory (DIR-1 and /directory)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('employer_portal', 'Employer subscriptions and the employer page', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('unified_inbox', 'The unified inbox (MSG-1)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('forums', 'Discussion forums (FRM-1..12 and /forums)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('webinars', 'Webinars (WBN-1..9 and /webinars)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('mentorship', 'Mentorship (MNT-1..13 and /mentorship)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('calendar_sync', 'Calendar feeds (EVT-13, USR-15)', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('stripe_payments', 'Payments, paid subscriptions and sponsorships', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('twilio_sms', 'SMS and WhatsApp sending and channels', 1, 100, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('canvas_sync', 'Canvas LMS synchronisation', 0, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('experimental_ui', 'Staged rollout of interface experiments; gates nothing built in', 0, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ')),
    ('beta_features', 'Staged rollout of beta work; gates nothing built in', 0, 0, strftime('%Y-%m-%dT%H:%M:%fZ'), strftime('%Y-%m-%dT%H:%M:%fZ'));

CREATE TABLE ab_tests (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL,
    variant_a TEXT NOT NULL CHECK (json_valid(variant_a)),
    variant_b TEXT NOT NULL CHECK (json_valid(variant_b)),
    traffic_split REAL NOT NULL DEFAULT 0.5 CHECK (traffic_split BETWEEN 0.01 AND 0.99),
    goals TEXT NOT NULL DEFAULT '["conversion"]' CHECK (json_valid(goals)),
    primary_goal TEXT NOT NULL DEFAULT 'conversion',
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'running', 'completed')),
    winner TEXT CHECK (winner IN ('A', 'B')),
    started_at TEXT,
    ended_at TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX ab_tests_status ON ab_tests (status, created_at DESC);

CREATE TABLE ab_test_assignments (
    test_id INTEGER NOT NULL REFERENCES ab_tests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    variant TEXT NOT NULL CHECK (variant IN ('A', 'B')),
    assigned_at TEXT NOT NULL,
    PRIMARY KEY (test_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX ab_test_assignments_variant ON ab_test_assignments (test_id, variant);

CREATE TABLE ab_test_conversions (
    test_id INTEGER NOT NULL REFERENCES ab_tests (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    goal TEXT NOT NULL,
    variant TEXT NOT NULL CHECK (variant IN ('A', 'B')),
    converted_at TEXT NOT NULL,
    PRIMARY KEY (test_id, user_id, goal)
) STRICT, WITHOUT ROWID;
CREATE INDEX ab_test_conversions_goal ON ab_test_conversions (test_id, goal, variant);
