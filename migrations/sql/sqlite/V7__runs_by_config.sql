-- A run's non-sparse twin is the newest run whose configuration text is the run's with beta = 0: looked up by this
-- index at every request of a run's page (without it, a run with no twin yet read every row of runs).
CREATE INDEX runs_config ON runs (config);
