-- A run's non-sparse twin is the newest run whose configuration text is the run's with beta = 0: looked up by this
-- index at every request of a run's page (without it, a run with no twin yet read every row of runs). On the text's
-- md5, as a btree entry of the text itself is limited to about 2.7 kB.
CREATE INDEX runs_config_md5 ON runs (md5(config));
