-- Mentor profiles (40-data §2, mentorship): who offers to mentor, in what, and whether they take mentees now. The
-- directory's `is_mentor` filter and UserProfile's `is_mentor` read this table; requests, mentorships and sessions
-- arrive with the mentorship feature.
CREATE TABLE mentor_profiles (
    user_id INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    expertise TEXT NOT NULL CHECK (json_valid(expertise)),
    industries TEXT CHECK (industries IS NULL OR json_valid(industries)),
    bio TEXT,
    max_mentees INTEGER NOT NULL DEFAULT 3 CHECK (max_mentees BETWEEN 1 AND 10),
    is_accepting_mentees INTEGER NOT NULL DEFAULT 1 CHECK (is_accepting_mentees IN (0, 1)),
    availability TEXT,
    rating_sum INTEGER NOT NULL DEFAULT 0,
    rating_count INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
