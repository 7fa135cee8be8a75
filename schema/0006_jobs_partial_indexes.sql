-- Each state change of a job used to move its entry in every index of `jobs`. Partial indexes hold only the rows
-- their query reads (due work, running leases, finished rows, keyed unfinished jobs), so a claim or a completion
-- touches two small indexes instead of four large ones. Queries repeat the index's WHERE term so SQLite uses it.
DROP INDEX jobs_claim;
DROP INDEX jobs_lease;
DROP INDEX jobs_finished;
DROP INDEX jobs_unique_key;
CREATE INDEX jobs_claim ON jobs (queue, state, priority, run_at, id) WHERE state IN ('available', 'failed');
CREATE INDEX jobs_lease ON jobs (lease_expires_at) WHERE state = 'running';
CREATE INDEX jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'cancelled', 'dead');
CREATE UNIQUE INDEX jobs_unique_key ON jobs (unique_key) WHERE unique_key IS NOT NULL AND state IN ('available', 'running', 'failed');
