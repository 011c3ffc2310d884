package sparselab.config;

/**
 * How many bytes a run adds to the event log, estimated from its configuration and the data dimension before it is
 * queued, so that a run that would fill the disk is refused rather than started. Pure arithmetic, saturating at
 * {@link Long#MAX_VALUE}. Per epoch: one {@code epoch_completed} event and its projection row, each with the H
 * rate estimates as JSON text. Per weight snapshot (the {@code snapshotEvery} schedule: epoch 0, the last, and
 * 1, 2, 4, 8, ... or every N): the weights blob, 4 P bytes for the P = 2 H V + H + V parameters, and its events.
 * Checkpoints: the parameters and the updater state in float64, 24 P bytes, or with {@code lbfgs} its curvature pairs
 * too, 100 P. A run keeps the bytes of its latest checkpoint only, but the space of the ones it replaced is not free at
 * once: see {@link #checkpointsHeld}. Heartbeats (about 150 bytes every 5 s while training) depend on the wall-clock
 * time, not on the configuration, and are not counted.
 */
public final class LogEstimate {
    /** One epoch's event row, projection row and index entries, without the rate estimates. */
    static final long EPOCH_BYTES = 1_200;
    /** One rate estimate as JSON text ("0.0499999994039535,"), written in the event and in the projection. */
    static final long RATE_BYTES = 2 * 22;
    /** A snapshot's events (weight_snapshot, filter_measures), projection rows and blob row, without the weights. */
    static final long SNAPSHOT_BYTES = 2_000;
    /** Bytes of the latest checkpoint per parameter: float64 parameters and updater state (adam: two moments). */
    static final long CHECKPOINT_BYTES_PER_PARAMETER = 24;
    /** The same with optimizer=lbfgs: its 10 curvature pairs and the remembered gradient travel in the checkpoint. */
    static final long LBFGS_CHECKPOINT_BYTES_PER_PARAMETER = 100;
    /** The created, started and end events and the run's projection row. */
    static final long RUN_BYTES = 8_000;
    /**
     * How many checkpoints' bytes one run holds at once in an SQLite file: the new one and the one it replaces, which is
     * deleted in the same transaction; SQLite reuses the freed pages for the next.
     */
    static final int CHECKPOINTS_HELD_FILE = 2;
    /**
     * On PostgreSQL a deleted row's space is reusable only once VACUUM has passed: the blobs and blob_parts tables are
     * vacuumed as soon as they have a dead row (migrations V6, V10), at autovacuum's next round, by default every 60 s. The checkpoints a run
     * writes in that time are held too.
     */
    static final double AUTOVACUUM_ROUND_SECONDS = 60;

    private LogEstimate() {}

    /**
     * How many checkpoints of a run of {@code epochs} epochs the log holds at once: two in an SQLite file; on a
     * database server ({@code shared}) two and those written in one autovacuum round at most every
     * {@code checkpointSeconds} (8 at the default 10 s), and never more than one an epoch.
     */
    public static int checkpointsHeld(boolean shared, double checkpointSeconds, int epochs) {
        if (!shared) return CHECKPOINTS_HELD_FILE;
        double inRound = checkpointSeconds > 0 ? Math.ceil(AUTOVACUUM_ROUND_SECONDS / checkpointSeconds) : Double.MAX_VALUE;
        return (int) Math.max(CHECKPOINTS_HELD_FILE, Math.min(CHECKPOINTS_HELD_FILE + inRound, epochs + 1.0));
    }

    /**
     * The estimated log bytes of a run of {@code cfg} on data with {@code visible} inputs, in a log that holds
     * {@code checkpointsHeld} of its checkpoints at once ({@link #checkpointsHeld}).
     */
    public static long bytes(RunConfig cfg, int visible, int checkpointsHeld) {
        double h = cfg.hidden();
        double perEpoch = EPOCH_BYTES + RATE_BYTES * h;
        double parameters = 2.0 * h * visible + h + visible;
        double perSnapshot = SNAPSHOT_BYTES + 4.0 * parameters;
        double checkpoint = parameters * (cfg.optimizer() == Choices.Optimizer.LBFGS ? LBFGS_CHECKPOINT_BYTES_PER_PARAMETER : CHECKPOINT_BYTES_PER_PARAMETER);
        double total = RUN_BYTES + cfg.epochs() * perEpoch + snapshots(cfg.snapshotEvery(), cfg.epochs()) * perSnapshot
                + checkpointsHeld * checkpoint;
        return total >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) Math.ceil(total);
    }

    /** The number of weight snapshots of a run of {@code epochs} epochs: 0, the last, and {@code log2} powers of two or every N. */
    public static long snapshots(String snapshotEvery, int epochs) {
        if (epochs < 1) return 1;
        if (snapshotEvery.equals("log2")) {
            int powers = 32 - Integer.numberOfLeadingZeros(epochs);     // 1, 2, 4, ... up to epochs
            return 1 + powers + (Integer.bitCount(epochs) == 1 ? 0 : 1);
        }
        int n = Integer.parseInt(snapshotEvery);
        return 1 + epochs / n + (epochs % n == 0 ? 0 : 1);
    }

    /** Why a run is refused under {@code limits}, or null when it fits: names the limit and what makes the run big. */
    public static ConfigException.FieldError overLimit(RunConfig cfg, int visible, int checkpointsHeld, Limits limits) {
        long b = bytes(cfg, visible, checkpointsHeld);
        if (b <= limits.maxRunBytes()) return null;
        // rounded alike (30.6 KiB and 30.6 KiB), the two are said in bytes
        boolean exact = Limits.bytes(b).equals(Limits.bytes(limits.maxRunBytes()));
        String run = exact ? String.format(java.util.Locale.ROOT, "%,d bytes", b) : Limits.bytes(b);
        String limit = exact ? String.format(java.util.Locale.ROOT, "%,d bytes", limits.maxRunBytes()) : Limits.bytes(limits.maxRunBytes());
        return new ConfigException.FieldError("maxRunBytes", "the run would write about " + run + " to the log (hidden="
                + cfg.hidden() + ", epochs=" + cfg.epochs() + ", snapshotEvery=" + cfg.snapshotEvery() + " (" + snapshots(cfg.snapshotEvery(), cfg.epochs())
                + " weight snapshots), " + visible + " inputs); the limit per run is " + limit
                + " (" + Limits.RUN_BYTES + "): use fewer epochs, fewer hidden units or a sparser snapshotEvery");
    }
}
