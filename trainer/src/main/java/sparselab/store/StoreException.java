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
     * A trainer's lease is no longer the run's current one (the run was taken over, resumed elsewhere or ended):
     * its append was refused and it must stop writing.
     */
    public static final class LeaseLost extends Conflict {
        public LeaseLost(String runId, long lease, long current, String status) {
            super("run " + runId + ": lease " + lease + " was superseded (current lease " + current + ", status " + status
                    + "); this trainer writes nothing more");
        }
    }

    /**
     * The run is held by a write that has not ended (on PostgreSQL: a trainer stopped inside one of its appends holds
     * the run's row lock until it wakes, dies, or the server ends its session after a minute), and this write gave up
     * waiting for it: nothing was written; try again later. The HTTP layer answers 503.
     */
    public static final class Busy extends StoreException {
        public Busy(String message, Throwable cause) { super(message, cause); }
    }

    /** Stored bytes do not match their content address: the blob was changed behind the log's back. Never served. */
    public static final class Corrupt extends StoreException {
        public Corrupt(String message) { super(message); }
    }

    /** The log cannot be opened: unreachable server, wrong password, newer schema, not a log, bad --db value. */
    public static final class BadLog extends StoreException {
        public BadLog(String message) { super(message); }

        public BadLog(String message, Throwable cause) { super(message, cause); }
    }
}
