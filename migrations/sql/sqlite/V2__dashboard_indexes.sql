-- The dashboard's and the launch pool's reads: queued runs by status, the runs table newest first.
CREATE INDEX runs_status ON runs (status);
CREATE INDEX runs_created_desc ON runs (created_at DESC, run_id);
