-- One writer per run: the lease (fencing token) of the trainer that holds the run, recorded by its started event.
ALTER TABLE runs ADD COLUMN lease INTEGER NOT NULL DEFAULT 0;
-- The worker that trains the run (its name), from the started event.
ALTER TABLE runs ADD COLUMN worker TEXT;
-- Creation order: the id of the run's created event (the runs list pages on it, the queue is served in it).
ALTER TABLE runs ADD COLUMN created_seq INTEGER NOT NULL DEFAULT 0;
UPDATE runs SET created_seq = (SELECT e.id FROM events e WHERE e.run_id = runs.run_id AND e.seq = 1);
CREATE INDEX runs_created_seq ON runs (created_seq);
CREATE INDEX runs_status_created_seq ON runs (status, created_seq);
CREATE INDEX runs_group_created_seq ON runs (run_group, created_seq);

-- Blobs are content-addressed: their bytes never change (a superseded checkpoint may be deleted whole).
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN
    SELECT RAISE(ABORT, 'blobs are content-addressed: UPDATE refused');
END;

-- Workers that claim runs (liveness, not history: a heartbeat updates the row; the events say what they trained).
CREATE TABLE workers (
    name          TEXT PRIMARY KEY,
    host          TEXT NOT NULL,
    pid           INTEGER NOT NULL,
    slots         INTEGER NOT NULL,
    runs          TEXT NOT NULL,          -- JSON array of the run ids it trains now
    started_at    TEXT NOT NULL,
    heartbeat_at  TEXT NOT NULL,
    stopped       INTEGER NOT NULL DEFAULT 0
);
