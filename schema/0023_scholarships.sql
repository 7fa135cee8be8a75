-- The scholarship hub (40-data §2.7): the catalogue with its rules as JSON, the match results kept current for every
-- student, applications linked to their scholarship by a real foreign key, essays, recommendation letters, the
-- committee's reviews and the donors. `financial_need` joins the profile (USR-2; null = not on file).
ALTER TABLE users ADD COLUMN financial_need INTEGER CHECK (financial_need IN (0, 1));

CREATE TABLE scholarships (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    amount_cents INTEGER NOT NULL CHECK (amount_cents > 0),
    currency TEXT NOT NULL DEFAULT 'USD',
    deadline TEXT NOT NULL,
    department_id INTEGER REFERENCES departments (id) ON DELETE RESTRICT,
    provider TEXT,
    url TEXT,
    category TEXT CHECK (category IN ('merit', 'need', 'department', 'athletic', 'diversity', 'first_generation', 'community', 'external')),
    tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
    eligibility TEXT NOT NULL DEFAULT '{"groups":[]}' CHECK (json_valid(eligibility)),
    essay_prompts TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(essay_prompts)),
    questions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(questions)),
    num_recommendations INTEGER NOT NULL DEFAULT 0 CHECK (num_recommendations BETWEEN 0 AND 5),
    transcript_required INTEGER NOT NULL DEFAULT 0 CHECK (transcript_required IN (0, 1)),
    renewable INTEGER NOT NULL DEFAULT 0 CHECK (renewable IN (0, 1)),
    award_count INTEGER NOT NULL DEFAULT 1 CHECK (award_count BETWEEN 1 AND 500),
    blind_review INTEGER NOT NULL DEFAULT 0 CHECK (blind_review IN (0, 1)),
    application_method TEXT NOT NULL DEFAULT 'internal' CHECK (application_method IN ('internal', 'direct_award', 'external')),
    cycle TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'open', 'closed', 'archived')),
    award_notification_date TEXT,
    rubric TEXT CHECK (rubric IS NULL OR json_valid(rubric)),
    source TEXT NOT NULL DEFAULT 'platform',
    external_id TEXT,
    created_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX scholarships_open ON scholarships (status, deadline);
CREATE INDEX scholarships_department ON scholarships (department_id, status);
CREATE UNIQUE INDEX scholarships_external ON scholarships (source, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE scholarship_reviewers (
    scholarship_id INTEGER NOT NULL REFERENCES scholarships (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    is_chair INTEGER NOT NULL DEFAULT 0 CHECK (is_chair IN (0, 1)),
    PRIMARY KEY (scholarship_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX scholarship_reviewers_user ON scholarship_reviewers (user_id);
CREATE UNIQUE INDEX scholarship_reviewers_chair ON scholarship_reviewers (scholarship_id) WHERE is_chair = 1;

CREATE TABLE scholarship_match_results (
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    scholarship_id INTEGER NOT NULL REFERENCES scholarships (id) ON DELETE CASCADE,
    status TEXT NOT NULL CHECK (status IN ('eligible', 'needs_info', 'ineligible')),
    score INTEGER NOT NULL,
    details TEXT NOT NULL CHECK (json_valid(details)),
    computed_at TEXT NOT NULL,
    PRIMARY KEY (user_id, scholarship_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX scholarship_match_results_scholarship ON scholarship_match_results (scholarship_id, status);

CREATE TABLE scholarship_applications (
    id INTEGER PRIMARY KEY,
    scholarship_id INTEGER NOT NULL REFERENCES scholarships (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    cycle TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'in_progress'
        CHECK (status IN ('in_progress', 'submitted', 'under_review', 'awarded', 'declined', 'waitlisted', 'withdrawn')),
    answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
    transcript_upload_id INTEGER REFERENCES uploads (id) ON DELETE SET NULL,
    progress_percentage INTEGER NOT NULL DEFAULT 0,
    submitted_at TEXT,
    decision_message TEXT,
    awarded_amount_cents INTEGER,
    decided_at TEXT,
    decided_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    award_accepted INTEGER CHECK (award_accepted IN (0, 1)),
    share_with_donor INTEGER NOT NULL DEFAULT 0 CHECK (share_with_donor IN (0, 1)),
    thank_you_upload_id INTEGER REFERENCES uploads (id) ON DELETE SET NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX scholarship_applications_one ON scholarship_applications (scholarship_id, user_id, cycle);
CREATE INDEX scholarship_applications_user ON scholarship_applications (user_id, status);
CREATE INDEX scholarship_applications_queue ON scholarship_applications (scholarship_id, status, submitted_at);

CREATE TABLE application_essays (
    application_id INTEGER NOT NULL REFERENCES scholarship_applications (id) ON DELETE CASCADE,
    prompt_index INTEGER NOT NULL,
    text TEXT NOT NULL,
    word_count INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (application_id, prompt_index)
) STRICT, WITHOUT ROWID;

CREATE TABLE recommendation_requests (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES scholarship_applications (id) ON DELETE CASCADE,
    recommender_name TEXT NOT NULL,
    recommender_email TEXT NOT NULL,
    relationship TEXT,
    message TEXT,
    token_hash BLOB NOT NULL,
    status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'received', 'cancelled')),
    upload_id INTEGER REFERENCES uploads (id) ON DELETE SET NULL,
    received_at TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX recommendation_requests_token ON recommendation_requests (token_hash);
CREATE INDEX recommendation_requests_application ON recommendation_requests (application_id);

CREATE TABLE scholarship_reviews (
    id INTEGER PRIMARY KEY,
    application_id INTEGER NOT NULL REFERENCES scholarship_applications (id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL REFERENCES users (id),
    scores TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(scores)),
    total REAL,
    comment TEXT,
    conflict_of_interest INTEGER NOT NULL DEFAULT 0 CHECK (conflict_of_interest IN (0, 1)),
    submitted_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX scholarship_reviews_one ON scholarship_reviews (application_id, reviewer_id);

CREATE TABLE essays (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    prompt TEXT,
    content TEXT NOT NULL,
    word_count INTEGER NOT NULL,
    is_public INTEGER NOT NULL DEFAULT 0 CHECK (is_public IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX essays_user ON essays (user_id);

CREATE TABLE general_applications (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    answers TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(answers)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE scholarship_donors (
    scholarship_id INTEGER NOT NULL REFERENCES scholarships (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    fund_name TEXT,
    added_by INTEGER REFERENCES users (id) ON DELETE SET NULL,
    PRIMARY KEY (scholarship_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX scholarship_donors_user ON scholarship_donors (user_id);

-- Scholarships join the search index with type code 6 (schema 0018): rowid = 6 × 2^40 + id.
CREATE TRIGGER search_scholarships_insert AFTER INSERT ON scholarships
BEGIN
    INSERT INTO search_index (rowid, title, body, tags)
    VALUES (NEW.id + 6597069766656, NEW.title, NEW.description || ' ' || coalesce(NEW.provider, ''), coalesce(NEW.category, '') || ' ' || NEW.tags);
END;
CREATE TRIGGER search_scholarships_update AFTER UPDATE OF title, description, provider, category, tags ON scholarships
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 6597069766656;
    INSERT INTO search_index (rowid, title, body, tags)
    VALUES (NEW.id + 6597069766656, NEW.title, NEW.description || ' ' || coalesce(NEW.provider, ''), coalesce(NEW.category, '') || ' ' || NEW.tags);
END;
CREATE TRIGGER search_scholarships_delete AFTER DELETE ON scholarships
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 6597069766656;
END;
