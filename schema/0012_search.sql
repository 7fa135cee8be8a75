-- Full-text search (40-data §1, §2): one FTS5 table kept in step with the rows it mirrors by triggers, so it is
-- written in the same transaction as they are. Members are indexed by name only: their other fields have privacy
-- levels that an index shared by every reader cannot honour.
CREATE VIRTUAL TABLE search_index USING fts5 (
    type UNINDEXED, object_id UNINDEXED, title, body, tags, visibility UNINDEXED, department_id UNINDEXED, roles UNINDEXED,
    tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3'
);

CREATE TRIGGER search_posts_insert AFTER INSERT ON posts WHEN NEW.deleted_at IS NULL
BEGIN
    INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
    VALUES ('posts', NEW.id, '', NEW.content, coalesce(NEW.tags, ''), NEW.visibility, NEW.department_id);
END;
CREATE TRIGGER search_posts_update AFTER UPDATE OF content, visibility, department_id, tags, deleted_at ON posts
BEGIN
    DELETE FROM search_index WHERE type = 'posts' AND object_id = OLD.id;
    INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
    SELECT 'posts', NEW.id, '', NEW.content, coalesce(NEW.tags, ''), NEW.visibility, NEW.department_id WHERE NEW.deleted_at IS NULL;
END;
CREATE TRIGGER search_posts_delete AFTER DELETE ON posts
BEGIN
    DELETE FROM search_index WHERE type = 'posts' AND object_id = OLD.id;
END;

CREATE TRIGGER search_events_insert AFTER INSERT ON events
BEGIN
    INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
    VALUES ('events', NEW.id, NEW.title, coalesce(NEW.description, '') || ' ' || coalesce(NEW.location, ''), NEW.kind, NEW.visibility,
        NEW.department_id);
END;
CREATE TRIGGER search_events_update AFTER UPDATE OF title, description, location, kind, visibility, department_id ON events
BEGIN
    DELETE FROM search_index WHERE type = 'events' AND object_id = OLD.id;
    INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
    VALUES ('events', NEW.id, NEW.title, coalesce(NEW.description, '') || ' ' || coalesce(NEW.location, ''), NEW.kind, NEW.visibility,
        NEW.department_id);
END;
CREATE TRIGGER search_events_delete AFTER DELETE ON events
BEGIN
    DELETE FROM search_index WHERE type = 'events' AND object_id = OLD.id;
END;

CREATE TRIGGER search_users_insert AFTER INSERT ON users
BEGIN
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    VALUES ('users', NEW.id, NEW.first_name || ' ' || NEW.last_name, '', '', 'members');
END;
CREATE TRIGGER search_users_update AFTER UPDATE OF first_name, last_name ON users
BEGIN
    DELETE FROM search_index WHERE type = 'users' AND object_id = OLD.id;
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    VALUES ('users', NEW.id, NEW.first_name || ' ' || NEW.last_name, '', '', 'members');
END;

CREATE TRIGGER search_departments_insert AFTER INSERT ON departments
BEGIN
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    VALUES ('departments', NEW.id, NEW.name, coalesce(NEW.description, ''), coalesce(NEW.college, ''), 'public');
END;
CREATE TRIGGER search_departments_update AFTER UPDATE OF name, description, college ON departments
BEGIN
    DELETE FROM search_index WHERE type = 'departments' AND object_id = OLD.id;
    INSERT INTO search_index (type, object_id, title, body, tags, visibility)
    VALUES ('departments', NEW.id, NEW.name, coalesce(NEW.description, ''), coalesce(NEW.college, ''), 'public');
END;
CREATE TRIGGER search_departments_delete AFTER DELETE ON departments
BEGIN
    DELETE FROM search_index WHERE type = 'departments' AND object_id = OLD.id;
END;

-- Rows that existed before this migration.
INSERT INTO search_index (type, object_id, title, body, tags, visibility)
SELECT 'departments', id, name, coalesce(description, ''), coalesce(college, ''), 'public' FROM departments;
INSERT INTO search_index (type, object_id, title, body, tags, visibility)
SELECT 'users', id, first_name || ' ' || last_name, '', '', 'members' FROM users;
INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
SELECT 'posts', id, '', content, coalesce(tags, ''), visibility, department_id FROM posts WHERE deleted_at IS NULL;
INSERT INTO search_index (type, object_id, title, body, tags, visibility, department_id)
SELECT 'events', id, title, coalesce(description, '') || ' ' || coalesce(location, ''), kind, visibility, department_id FROM events;
