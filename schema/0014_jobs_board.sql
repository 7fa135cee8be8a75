-- Companies, employer memberships, job postings and applications (40-data §2.6), and jobs in global search.
CREATE TABLE companies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_norm TEXT NOT NULL,
    industry TEXT,
    size TEXT CHECK (size IN ('1-10', '11-50', '51-200', '201-1000', '1000+')),
    headquarters TEXT,
    website TEXT,
    description TEXT,
    logo_upload_id INTEGER REFERENCES uploads (id) ON DELETE SET NULL,
    verified INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX companies_name_norm ON companies (name_norm);

CREATE TABLE company_members (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id) ON DELETE CASCADE,
    user_id INTEGER NOT NULL REFERENCES users (id),
    member_role TEXT NOT NULL CHECK (member_role IN ('owner', 'member')),
    created_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX company_members_user ON company_members (user_id);
CREATE INDEX company_members_company ON company_members (company_id);

ALTER TABLE users ADD COLUMN company_id INTEGER REFERENCES companies (id) ON DELETE SET NULL;

CREATE TABLE job_postings (
    id INTEGER PRIMARY KEY,
    company_id INTEGER NOT NULL REFERENCES companies (id),
    posted_by INTEGER REFERENCES users (id),
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    location TEXT,
    remote INTEGER NOT NULL DEFAULT 0 CHECK (remote IN (0, 1)),
    job_type TEXT NOT NULL CHECK (job_type IN ('full_time', 'part_time', 'internship', 'co_op', 'contract')),
    experience_level TEXT CHECK (experience_level IN ('entry', 'mid', 'senior')),
    salary_min_cents INTEGER CHECK (salary_min_cents IS NULL OR salary_min_cents >= 0),
    salary_max_cents INTEGER,
    currency TEXT,
    skills_required TEXT CHECK (skills_required IS NULL OR json_valid(skills_required)),
    application_url TEXT,
    apply_on_platform INTEGER NOT NULL DEFAULT 0 CHECK (apply_on_platform IN (0, 1)),
    status TEXT NOT NULL CHECK (status IN ('pending_approval', 'active', 'closed', 'expired', 'rejected')),
    featured INTEGER NOT NULL DEFAULT 0 CHECK (featured IN (0, 1)),
    review_reason TEXT,
    source TEXT NOT NULL DEFAULT 'platform',
    external_id TEXT,
    posted_at TEXT,
    expires_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (salary_min_cents IS NULL OR salary_max_cents IS NULL OR salary_min_cents <= salary_max_cents),
    CHECK (application_url IS NOT NULL OR apply_on_platform = 1)
) STRICT;
CREATE INDEX job_postings_status ON job_postings (status, posted_at DESC);
CREATE INDEX job_postings_company ON job_postings (company_id, status);
CREATE INDEX job_postings_expiring ON job_postings (expires_at) WHERE status = 'active';
CREATE UNIQUE INDEX job_postings_external ON job_postings (source, external_id) WHERE external_id IS NOT NULL;

CREATE TABLE job_applications (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES job_postings (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    resume_upload_id INTEGER NOT NULL REFERENCES uploads (id),
    cover_letter TEXT,
    answers TEXT CHECK (answers IS NULL OR json_valid(answers)),
    status TEXT NOT NULL CHECK (status IN ('submitted', 'reviewed', 'interview', 'offer', 'rejected', 'withdrawn')),
    employer_note TEXT,
    viewed_at TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX job_applications_member ON job_applications (job_id, user_id);
CREATE INDEX job_applications_user ON job_applications (user_id, created_at);
CREATE INDEX job_applications_job ON job_applications (job_id, status);

-- Only active postings are searchable; the visibility column carries the status so a closed posting leaves the index.
CREATE TRIGGER search_jobs_insert AFTER INSERT ON job_postings WHEN NEW.status = 'active'
BEGIN
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    VALUES ('jobs', NEW.id, NEW.title, NEW.description || ' ' || coalesce(NEW.location, ''), coalesce(NEW.skills_required, ''), 'members');
END;
CREATE TRIGGER search_jobs_update AFTER UPDATE OF title, description, location, skills_required, status ON job_postings
BEGIN
    DELETE FROM search_index WHERE type = 'jobs' AND object_id = OLD.id;
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    SELECT 'jobs', NEW.id, NEW.title, NEW.description || ' ' || coalesce(NEW.location, ''), coalesce(NEW.skills_required, ''), 'members'
    WHERE NEW.status = 'active';
END;
CREATE TRIGGER search_jobs_delete AFTER DELETE ON job_postings
BEGIN
    DELETE FROM search_index WHERE type = 'jobs' AND object_id = OLD.id;
END;
