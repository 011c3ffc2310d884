package sparselab.store;

/**
 * The few statements in which SQLite and PostgreSQL differ. Everything else is in {@link LogDao}, in SQL both accept.
 */
enum Dialect {
    SQLITE(
            "SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
            "",
            ""),
    POSTGRESQL(
            "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')",
            " FOR UPDATE",
            " FOR UPDATE SKIP LOCKED");

    /** The database's clock as ISO-8601 UTC with milliseconds: one clock for every machine that writes the log. */
    final String now;
    /**
     * Appended to the read of a run's row at the start of a write: PostgreSQL locks the row so that appends to one run
     * take turns (SQLite's IMMEDIATE transaction already holds the whole file's write lock).
     */
    final String lockRow;
    /** Appended to the claim's read of candidate runs: concurrent workers skip each other's candidates. */
    final String skipLocked;

    /**
     * Locks a blob's hash until the transaction ends (PostgreSQL's advisory lock; null on SQLite, whose writers take
     * turns on the whole file): a write that points a run at a checkpoint's bytes and one that drops them as another
     * run's superseded checkpoint take turns.
     */
    String lockBlob() {
        return this == POSTGRESQL ? "SELECT 1 FROM pg_advisory_xact_lock(hashtextextended(:h, 0))" : null;
    }

    /**
     * Holds the log's room until the transaction ends (see EventLog#withRoom): PostgreSQL's advisory lock on a key of
     * the two-integer space, which the blobs' single-integer keys do not share; null on SQLite, whose writers take turns
     * on the whole file.
     */
    String lockRoom() {
        return this == POSTGRESQL ? "SELECT 1 FROM pg_advisory_xact_lock(hashtext('sparselab.room'), 0)" : null;
    }

    Dialect(String now, String lockRow, String skipLocked) {
        this.now = now;
        this.lockRow = lockRow;
        this.skipLocked = skipLocked;
    }

    private static final String CLAIMABLE = "cancel_requested = FALSE AND (status = 'queued' OR (status = 'running' "
            + "AND heartbeat_at < :cutoff))";

    /**
     * The epochs a run's divergence flags mark, each once, in order, read from the events' JSON by the database: a long
     * run's flags may be hundreds of thousands, each decoded only to be dropped ({@code :r}: the run).
     */
    String flagEpochs() {
        String epoch = this == POSTGRESQL ? "CAST(payload::json->>'epoch' AS INTEGER)" : "CAST(json_extract(payload, '$.epoch') AS INTEGER)";
        return "SELECT DISTINCT " + epoch + " AS epoch FROM events WHERE run_id = :r AND type = 'divergence_flag' AND " + epoch
                + " IS NOT NULL ORDER BY epoch";
    }

    /** The run ids a worker may claim: queued, or running with a heartbeat older than {@code :cutoff}; oldest first. */
    String claimCandidates() {
        return "SELECT run_id FROM runs WHERE " + CLAIMABLE + " ORDER BY created_seq LIMIT :n";
    }

    private static final String ABANDONED = "cancel_requested = TRUE AND (status = 'running' AND heartbeat_at < :cutoff OR status = 'queued')";

    /**
     * Running runs whose cancel was asked and whose heartbeat is older than {@code :cutoff}: their trainers died
     * before they honoured the cancel; and queued runs with a cancel asked (a log written before a release after a cancel
     * ended the run: a worker released it to the queue with the request pending). Every claim ends them first (as
     * cancelled), wherever they stand in the queue.
     */
    String abandonedCancels() {
        return "SELECT run_id FROM runs WHERE " + ABANDONED + " ORDER BY created_seq LIMIT 16";
    }

    /** Locks one of {@link #abandonedCancels()} if it still is one and no other claim holds it. */
    String lockAbandoned() {
        return "SELECT run_id FROM runs WHERE run_id = :r AND " + ABANDONED + skipLocked;
    }

    /**
     * Locks one candidate if it is still claimable and no other worker holds it (PostgreSQL skips it then): workers
     * lock one run at a time, never a whole page of the queue.
     */
    String lockCandidate() {
        return "SELECT run_id FROM runs WHERE run_id = :r AND " + CLAIMABLE + skipLocked;
    }

    /**
     * Bounds, for the rest of the current transaction, how long its statements wait for a lock ({@code ms}); null where
     * the database has no such setting (SQLite's writers wait on the file's lock, with the connection's busy timeout).
     */
    String lockWait(long ms) {
        return this == POSTGRESQL ? "SET LOCAL lock_timeout = " + ms : null;
    }

    /**
     * The first statement of a write transaction: on PostgreSQL, if the transaction stays {@code ms} without a statement
     * (its process stopped, its machine suspended or cut off from the network; 0: no limit), the server ends the
     * session, which rolls the transaction back and frees the run it locked; null for SQLite (one machine; a stopped
     * writer holds the file until it goes on or dies).
     */
    String idleInTransaction(long ms) {
        return this == POSTGRESQL ? "SET LOCAL idle_in_transaction_session_timeout = " + ms : null;
    }

    /**
     * The rows of the JSON text in column {@code col} of {@code runs}, aliased {@code as}: for an object of strings (a
     * run's configuration) columns {@code key} and {@code value}, for an array of strings (its tags) {@code value},
     * each unescaped, as it was given.
     */
    String jsonRows(String col, String as) {
        if (this == SQLITE) return "json_each(runs." + col + ") AS " + as;
        return (col.equals("tags") ? "json_array_elements_text" : "json_each_text") + "(CAST(runs." + col + " AS json)) AS " + as;
    }

    /** After a copy that kept the source's event ids: the identity continues after the largest. */
    String resetEventIds() {
        return this == POSTGRESQL ? "SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT COALESCE(MAX(id), 1) FROM events))"
                : null;
    }
}
