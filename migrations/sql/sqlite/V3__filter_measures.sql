-- Projection: filter-shape measures of each weight snapshot (from filter_measures events).
CREATE TABLE filter_measures (
    run_id             TEXT    NOT NULL,
    epoch              INTEGER NOT NULL,
    locality           REAL,
    dead_fraction      REAL,
    saturated_fraction REAL,
    lifetime_sparsity  REAL,
    digit_likeness     REAL,
    PRIMARY KEY (run_id, epoch)
);

-- Runs queued together (a sweep, a ladder, the demo) share run_group.
CREATE INDEX runs_group ON runs (run_group);
