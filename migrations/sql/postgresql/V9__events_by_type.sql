-- A run's events of one type, in order: the divergence flags of a long run (its /flags, the compare answer's flags)
-- are read from this index, where the query passed over every event of the run (800,000 epochs: 800,000 rows).
-- IF NOT EXISTS: the newest migration must be safe to apply again (a log put back to the version before it).
CREATE INDEX IF NOT EXISTS events_run_type ON events (run_id, type, seq);
