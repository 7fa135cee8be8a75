-- Colleges and departments (40-data §2.1); loaded from fixtures/departments.json into a new database.
CREATE TABLE departments (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    college TEXT,
    description TEXT,
    chair_name TEXT,
    email TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX departments_name ON departments (name);
CREATE INDEX departments_college_name ON departments (college, name);
