-- The event log: the source of truth. Append-only: a trigger refuses every UPDATE and DELETE.
CREATE TABLE events (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id   TEXT    NOT NULL,
    seq      INTEGER NOT NULL,           -- per-run sequence number, 1, 2, 3, ...
    type     TEXT    NOT NULL,           -- see docs/events.md
    at       TEXT    NOT NULL,           -- UTC, ISO-8601
    payload  TEXT    NOT NULL,           -- JSON
    UNIQUE (run_id, seq)
);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: UPDATE refused');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only: DELETE refused');
END;

-- Content-addressed bytes (weight snapshots, checkpoints), referenced from payloads by SHA-256.
CREATE TABLE blobs (
    hash   TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    bytes  BLOB    NOT NULL
);

-- Projection: one row per run, folded from its events (rebuildable).
CREATE TABLE runs (
    run_id              TEXT PRIMARY KEY,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    status              TEXT NOT NULL,   -- queued, running, finished, diverged, failed, cancelled
    preset              TEXT,
    run_group           TEXT,
    origin              TEXT,
    config              TEXT NOT NULL,   -- JSON object of key: text
    data_fingerprint    TEXT,
    epochs_total        INTEGER NOT NULL,
    epochs_done         INTEGER NOT NULL DEFAULT 0,
    last_loss           REAL,
    last_recon          REAL,
    last_heldout        REAL,
    last_penalty        REAL,
    last_mean_activation REAL,
    last_clipped_fraction REAL,
    diverged_epoch      INTEGER,
    error               TEXT,
    pid                 INTEGER,
    host                TEXT,
    heartbeat_at        TEXT,
    cancel_requested    INTEGER NOT NULL DEFAULT 0,
    last_checkpoint     TEXT,            -- blob hash of the latest checkpoint
    last_checkpoint_epoch INTEGER,
    snapshots           INTEGER NOT NULL DEFAULT 0,
    tags                TEXT NOT NULL DEFAULT '[]',
    last_seq            INTEGER NOT NULL
);
CREATE INDEX runs_created ON runs (created_at);

-- Projection: one row per run and epoch.
CREATE TABLE epoch_metrics (
    run_id          TEXT    NOT NULL,
    epoch           INTEGER NOT NULL,
    loss            REAL,
    recon           REAL,
    penalty         REAL,
    decay           REAL,
    mean_activation REAL,
    mean_abs_sp     REAL,
    max_abs_sp      REAL,
    clipped         INTEGER,
    clipped_fraction REAL,
    diverged        INTEGER NOT NULL,
    heldout         REAL,
    seconds         REAL,
    samples_per_sec REAL,
    rho_hat         TEXT NOT NULL,        -- JSON array, one value per hidden unit
    PRIMARY KEY (run_id, epoch)
);

-- Projection: weight snapshots of each run, by epoch.
CREATE TABLE snapshots (
    run_id  TEXT    NOT NULL,
    epoch   INTEGER NOT NULL,
    blob    TEXT    NOT NULL,
    payload TEXT    NOT NULL,             -- the snapshot event's JSON (shapes, layout)
    PRIMARY KEY (run_id, epoch)
);
