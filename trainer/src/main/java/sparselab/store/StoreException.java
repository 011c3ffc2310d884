package sparselab.store;

/**
 * What the log refuses, as domain exceptions: the HTTP layer maps them to 404 and 409, the command line to exit
 * code 2. Their messages name the run or the problem in one line and never contain a password.
 */
public class StoreException extends RuntimeException {
    StoreException(String message) { super(message); }

    StoreException(String message, Throwable cause) { super(message, cause); }

    /** Something the request names is not in the log (a run, a group, a snapshot). */
    public static class NotFound extends StoreException {
        public NotFound(String message) { super(message); }
    }

    /** No run with this id in the log. */
    public static final class RunNotFound extends NotFound {
        public RunNotFound(String runId) { super("run '" + sparselab.config.ConfigException.clip(runId, 60) + "' not found"); }
    }

    /** The run's state does not allow what was asked (resume a running run, a write to an ended run, ...). */
    public static class Conflict extends StoreException {
        public Conflict(String message) { super(message); }
    }

    /**
     * A copy whose rebuilt projections differ from the source's: it was rolled back, nothing was written to the target.
     * The copy, its rebuild and the comparison are one transaction of the target, so nothing wrote to the target
     * meanwhile: the source changed while it was read, or its projections are not the fold of its events.
     */
    public static final class CopyDiffers extends StoreException {
        public CopyDiffers(String source, int sourceRows, int copiedRows) {
            super("the copied projections differ from the source's (" + sourceRows + " rows in the source, " + copiedRows
                    + " folded from the copied events), so the copy was rolled back and nothing was written to the target. Either "
                    + "something wrote to the source while it was read (a trainer or worker the in-use check could not see), or the "
                    + "source's projections are not what this program folds from its events (`./sparselab verify --db " + source
                    + "` says which; `./sparselab rebuild --db " + source + "` folds them again). Copy again once the source is idle and verified");
        }
    }

    /**
     * A trainer's lease is no longer the run's current one (the run was taken over, resumed elsewhere or ended):
     * its append was refused and it must stop writing.
     */
    public static final class LeaseLost extends Conflict {
        private final String reason;

        public LeaseLost(String runId, long lease, long current, String status) {
            super("run " + runId + ": lease " + lease + " no longer holds it: " + reason(runId, lease, current, status)
                    + "; this trainer writes nothing more");
            this.reason = reason(runId, lease, current, status);
        }

        /**
         * What took the run from this trainer, in words: another trainer's claim (a takeover, a resume elsewhere), or,
         * with the lease still this one's, a cancel or a requeue while the trainer could not write (paused, cut off).
         */
        public String reason() { return reason; }

        private static String reason(String runId, long lease, long current, String status) {
            if (current != lease) return "another trainer holds run " + runId + " now (lease " + current + ")";
            return switch (String.valueOf(status)) {
                case "cancelled" -> "run " + runId + " was cancelled meanwhile";
                case "queued" -> "run " + runId + " was queued again meanwhile (resumed for the workers)";
                default -> "run " + runId + " is " + status + " now";
            };
        }
    }

    /**
     * An epoch the log holds already: a trainer's write of it again was refused whole and wrote nothing. A trainer
     * meets it when a write whose answer was lost (a dropped connection, a socket timeout) had been committed after
     * all, and its retry comes in: the epoch is in the log once.
     */
    public static final class EpochWritten extends Conflict {
        private final int epoch;

        public EpochWritten(String runId, int epoch, int epochsDone) {
            super("run " + runId + ": epoch " + epoch + " is in the log already (" + epochsDone + " epochs done); nothing was written");
            this.epoch = epoch;
        }

        public int epoch() { return epoch; }
    }

    /**
     * The run is held by a write that has not ended (on PostgreSQL: a trainer stopped inside one of its appends holds
     * the run's row lock until it wakes, dies, or the server ends its session after a minute; on SQLite: such a process
     * holds the file's write lock past the busy timeout), and this write gave up waiting for it: nothing was written; try
     * again later. The HTTP layer answers 503.
     */
    public static final class Busy extends StoreException {
        public Busy(String message, Throwable cause) { super(message, cause); }
    }

    /**
     * The log has no room for a write: SQLite's "database or disk is full" (SQLITE_FULL: the disk or tmpfs it lives on
     * is full, or the file reached its size limit). The write was rolled back whole, nothing of it was stored, and what
     * the log held before is intact: once space is freed the same write can succeed. The command line exits 1 naming
     * the log; the HTTP layer answers 507.
     */
    public static final class Full extends StoreException {
        private final String log;

        public Full(String log, Throwable cause) {
            super(sqliteCode(cause, "SQLITE_IOERR_SHMSIZE")
                    ? "the disk of the log " + log + " is full: SQLite could not make room for the log's shared-memory file (" + log
                            + "-shm); nothing in the log was changed; free space on its disk, then try again"
                    : "the log " + log + " is full (database or disk is full): nothing of this write was stored and what it held "
                            + "before is intact; free space on its disk, then try again", cause);
            this.log = log;
        }

        /** The log, as its messages name it (a file, or a URL without its password). */
        public String log() { return log; }

        /** The Full among {@code e} and its causes, or null. */
        public static Full in(Throwable e) {
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof Full f) return f;
            }
            return null;
        }
    }

    /**
     * True when {@code e} (or a cause) is SQLite's SQLITE_FULL (the disk, or the file's size limit, is full), its
     * SQLITE_IOERR_SHMSIZE (opening a WAL log whose {@code -shm} file cannot grow: its disk is full), or PostgreSQL's
     * disk_full (SQLSTATE 53100: the server's disk).
     */
    static boolean diskFull(Throwable e) {
        return sqlState(e).equals("53100") || sqliteCode(e, "SQLITE_FULL") || sqliteCode(e, "SQLITE_IOERR_SHMSIZE");
    }

    /** True when {@code e} (or a cause) is SQLite's SQLITE_BUSY: another connection held the file's write lock past the busy timeout. */
    static boolean locked(Throwable e) {
        return sqliteCode(e, "SQLITE_BUSY");
    }

    /** True when {@code e}, a cause, or one of their suppressed exceptions is SQLite's {@code code} (or an extended code of it). */
    private static boolean sqliteCode(Throwable e, String code) {
        return sqliteCodeName(e, code) != null;
    }

    /**
     * The name of SQLite's result code among {@code e}, its causes and their suppressed exceptions that is {@code code}
     * or an extended code of it ({@code SQLITE_READONLY_DIRECTORY} for {@code SQLITE_READONLY}), or null.
     */
    public static String sqliteCodeName(Throwable e, String code) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            for (Throwable x : java.util.stream.Stream.concat(java.util.stream.Stream.of(t), java.util.Arrays.stream(t.getSuppressed())).toList()) {
                if (x instanceof org.sqlite.SQLiteException s && s.getResultCode() != null && s.getResultCode().name().startsWith(code)) {
                    return s.getResultCode().name();
                }
            }
        }
        return null;
    }

    /**
     * This machine cannot use an SQLite log now: the driver could not load its native library (it unpacks it into a
     * temporary folder at every start: a full one stops it). A failure of the environment, not of the input: exit 1.
     */
    public static final class NoSqlite extends StoreException {
        public NoSqlite(String message, Throwable cause) { super(message, cause); }
    }

    /** Stored bytes do not match their content address: the blob was changed behind the log's back. Never served. */
    public static final class Corrupt extends StoreException {
        public Corrupt(String message) { super(message); }
    }

    /**
     * True when {@code e} (or a cause) is a database error that says the log's server could not be reached or dropped
     * the connection: SQLSTATE class 08 (the PostgreSQL driver's I/O errors and refused connections, and the pool's
     * timeout when its last try to connect failed so), or the server shutting down or starting (57P01-57P03). Such a
     * write may or may not have been committed, and the same write can succeed once the server is back. A full pool
     * (its timeout without a connection error), a constraint, a lease refusal, an I/O error outside the database
     * (a damaged checkpoint) and SQLite's errors are never one.
     */
    public static boolean unreachable(Throwable e) {
        String state = sqlState(e);
        return state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03");
    }

    /** The SQLSTATE of the first database error among {@code e} and its causes, or "" when none has one. */
    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.sql.SQLException s && s.getSQLState() != null) return s.getSQLState();
        }
        return "";
    }

    /**
     * SQLite's words when {@code e} (or a cause) says the log's file is damaged (SQLITE_CORRUPT: a page that is not what
     * its table or index needs; SQLITE_NOTADB), without its code ("database disk image is malformed"); else null.
     */
    public static String damaged(Throwable e) {
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof java.sql.SQLException && t.getMessage() != null) {
                java.util.regex.Matcher m = DAMAGE.matcher(firstLine(t));
                if (!m.find()) continue;
                String words = m.group(3) != null && !m.group(3).isBlank() ? m.group(3) : m.group(2);
                return words.isBlank() ? m.group(1) : words.strip();
            }
        }
        return null;
    }

    /** The SQLite driver's message of a damaged file: "[SQLITE_CORRUPT] The database disk image is malformed (database disk image is malformed)". */
    private static final java.util.regex.Pattern DAMAGE = java.util.regex.Pattern.compile("^\\[(SQLITE_(?:CORRUPT|NOTADB)[A-Z_]*)\\]([^(]*)(?:\\((.*)\\))?");

    /**
     * A failure in one line for an event, a log line or an answer: its class and message, without the SQL statement and
     * arguments that Jdbi appends to a database error's message, clipped to 400 characters.
     */
    public static String oneLine(Throwable e) {
        return sparselab.config.ConfigException.clip(e.getClass().getSimpleName() + ": " + firstLine(e), 400);
    }

    /**
     * Why the log could not be reached, as the deepest database error under {@code e} says it ("Connection to
     * host:5432 refused. ..."): the connection pool's own timeout ("Connection is not available, request timed out
     * after 15000ms (total=0, ...)") names no cause, and the driver's error beneath it does. {@link #oneLine} when
     * there is none.
     */
    public static String unreachableWhy(Throwable e) {
        Throwable said = null;
        java.util.Set<Throwable> seen = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (Throwable t = e; t != null && seen.add(t); t = t.getCause()) {
            if (t instanceof java.sql.SQLException && !(t instanceof java.sql.SQLTransientConnectionException) && !firstLine(t).isEmpty()) said = t;
        }
        if (said != null) return sparselab.config.ConfigException.clip(firstLine(said), 400);
        // the pool's timeout alone ("Connection is not available, request timed out after 15007ms (total=0, ...)"): in words
        for (Throwable t : seen) {
            if (t instanceof java.sql.SQLTransientConnectionException) {
                java.util.regex.Matcher ms = java.util.regex.Pattern.compile("timed out after (\\d+)ms").matcher(firstLine(t));
                String wait = "the pool's wait";
                if (ms.find()) {
                    long m = Long.parseLong(ms.group(1));
                    wait = m < 1000 ? m + " ms" : String.format(java.util.Locale.ROOT, "%.0f s", m / 1000.0);
                }
                return "no connection to the log within " + wait + " (its server is down or cannot be reached, or every connection is busy)";
            }
        }
        return oneLine(e);
    }

    /**
     * {@link #oneLine}, but the log's own failures (a StoreException: damaged bytes, a missing checkpoint, ...), whose
     * messages say what is wrong, without the class's name.
     */
    public static String said(Throwable e) {
        return e instanceof StoreException ? sparselab.config.ConfigException.clip(firstLine(e), 400) : oneLine(e);
    }

    private static String firstLine(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage();
        int statement = m.indexOf(" [statement:");
        if (statement >= 0) m = m.substring(0, statement);
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        return m.strip();
    }

    /** The log cannot be opened: unreachable server, wrong password, newer schema, not a log, bad --db value. */
    public static class BadLog extends StoreException {
        public BadLog(String message) { super(message); }

        public BadLog(String message, Throwable cause) { super(message, cause); }
    }

    /** A log of an older schema, refused by a command that only reads (a command that writes upgrades it). */
    public static final class OlderSchema extends BadLog {
        public OlderSchema(String message) { super(message); }
    }
}
