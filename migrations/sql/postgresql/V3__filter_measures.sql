-- Projection: filter-shape measures of each weight snapshot (from filter_measures events).
CREATE TABLE filter_measures (
    run_id             TEXT    NOT NULL,
    epoch              INTEGER NOT NULL,
    locality           DOUBLE PRECISION,
    dead_fraction      DOUBLE PRECISION,
    saturated_fraction DOUBLE PRECISION,
    lifetime_sparsity  DOUBLE PRECISION,
    digit_likeness     DOUBLE PRECISION,
    PRIMARY KEY (run_id, epoch)
);

-- Runs queued together (a sweep, a ladder, the demo) share run_group.
CREATE INDEX runs_group ON runs (run_group);
