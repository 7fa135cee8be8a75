-- The search index again, keyed for speed (measured at 50,000 members and 500,000 posts): each row's rowid is a
-- type code × 2^40 + the object's id (users 1, posts 2, events 3, jobs 4, departments 5). A type's matches are then
-- one rowid range, which the index seeks to without decoding the other types', and their objects come from the
-- rowid without reading the index's stored text (a random read per match before). Visibility lives on the
-- objects' own tables and is checked there.
DROP TRIGGER search_posts_insert;
DROP TRIGGER search_posts_update;
DROP TRIGGER search_posts_delete;
DROP TRIGGER search_events_insert;
DROP TRIGGER search_events_update;
DROP TRIGGER search_events_delete;
DROP TRIGGER search_users_insert;
DROP TRIGGER search_users_update;
DROP TRIGGER search_departments_insert;
DROP TRIGGER search_departments_update;
DROP TRIGGER search_departments_delete;
DROP TRIGGER search_jobs_insert;
DROP TRIGGER search_jobs_update;
DROP TRIGGER search_jobs_delete;
DROP TABLE search_index;

CREATE VIRTUAL TABLE search_index USING fts5 (title, body, tags, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3');

CREATE TRIGGER search_users_insert AFTER INSERT ON users WHEN NEW.status <> 'deleted'
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 1099511627776, NEW.first_name || ' ' || NEW.last_name, '', '');
END;
CREATE TRIGGER search_users_update AFTER UPDATE OF first_name, last_name, status ON users
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 1099511627776;
    INSERT INTO search_index (rowid, title, body, tags)
    SELECT NEW.id + 1099511627776, NEW.first_name || ' ' || NEW.last_name, '', '' WHERE NEW.status <> 'deleted';
END;

CREATE TRIGGER search_posts_insert AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 2199023255552, '', NEW.content, coalesce(NEW.tags, ''));
END;
CREATE TRIGGER search_posts_update AFTER UPDATE OF content, tags, deleted_at ON posts
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 2199023255552;
    INSERT INTO search_index (rowid, title, body, tags)
    SELECT NEW.id + 2199023255552, '', NEW.content, coalesce(NEW.tags, '') WHERE NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_posts_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 2199023255552;
END;

CREATE TRIGGER search_events_insert AFTER INSERT ON events
BEGIN
    INSERT INTO search_index (rowid, title, body, tags)
    VALUES (NEW.id + 3298534883328, NEW.title, coalesce(NEW.description, '') || ' ' || coalesce(NEW.location, ''), NEW.kind);
END;
CREATE TRIGGER search_events_update AFTER UPDATE OF title, description, location, kind ON events
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 3298534883328;
    INSERT INTO search_index (rowid, title, body, tags)
    VALUES (NEW.id + 3298534883328, NEW.title, coalesce(NEW.description, '') || ' ' || coalesce(NEW.location, ''), NEW.kind);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON events
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 3298534883328;
END;

CREATE TRIGGER search_jobs_insert AFTER INSERT ON job_postings WHEN NEW.status = 'active'
BEGIN
    INSERT INTO search_index (rowid, title, body, tags)
    VALUES (NEW.id + 4398046511104, NEW.title, NEW.description || ' ' || coalesce(NEW.location, ''), coalesce(NEW.skills_required, ''));
END;
CREATE TRIGGER search_jobs_update AFTER UPDATE OF title, description, location, skills_required, status ON job_postings
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 4398046511104;
    INSERT INTO search_index (rowid, title, body, tags)
    SELECT NEW.id + 4398046511104, NEW.title, NEW.description || ' ' || coalesce(NEW.location, ''), coalesce(NEW.skills_required, '')
    WHERE NEW.status = 'active';
END;
CREATE TRIGGER search_jobs_delete AFTER DELETE ON job_postings
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 4398046511104;
END;

CREATE TRIGGER search_departments_insert AFTER INSERT ON departments
BEGIN
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 5497558138880, NEW.name, coalesce(NEW.description, ''), coalesce(NEW.college, ''));
END;
CREATE TRIGGER search_departments_update AFTER UPDATE OF name, description, college ON departments
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 5497558138880;
    INSERT INTO search_index (rowid, title, body, tags) VALUES (NEW.id + 5497558138880, NEW.name, coalesce(NEW.description, ''), coalesce(NEW.college, ''));
END;
CREATE TRIGGER search_departments_delete AFTER DELETE ON departments
BEGIN
    DELETE FROM search_index WHERE rowid = OLD.id + 5497558138880;
END;

INSERT INTO search_index (rowid, title, body, tags)
SELECT id + 1099511627776, first_name || ' ' || last_name, '', '' FROM users WHERE status <> 'deleted';
INSERT INTO search_index (rowid, title, body, tags)
SELECT id + 2199023255552, '', content, coalesce(tags, '') FROM posts WHERE deleted_at IS NULL;
INSERT INTO search_index (rowid, title, body, tags)
SELECT id + 3298534883328, title, coalesce(description, '') || ' ' || coalesce(location, ''), kind FROM events;
INSERT INTO search_index (rowid, title, body, tags)
SELECT id + 4398046511104, title, description || ' ' || coalesce(location, ''), coalesce(skills_required, '') FROM job_postings WHERE status = 'active';
INSERT INTO search_index (rowid, title, body, tags)
SELECT id + 5497558138880, name, coalesce(description, ''), coalesce(college, '') FROM departments;
