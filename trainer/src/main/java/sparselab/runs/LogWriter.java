package sparselab.runs;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Writes a trainer's epochs to the log on one background thread, in submission order, so that training does not
 * wait for SQLite, hashing and serialisation. At most {@link #MAX_PENDING} epochs wait; a slower log makes training
 * wait rather than grow memory. A failed write (any {@link Throwable}, an {@link Error} too) stops every later write, so
 * the log never has a gap, and is rethrown by {@link #check()} / {@link #drain(long)}.
 * Each task is one transaction, so a killed process leaves whole epochs only; the epochs still queued are lost and
 * are trained again on resume.
 */
final class LogWriter {
    static final int MAX_PENDING = 4;

    private final ExecutorService exec;
    private final Semaphore slots = new Semaphore(MAX_PENDING);
    private volatile Throwable failure;

    LogWriter(String runId) {
        exec = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "log-writer-" + runId);
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues one write; blocks while {@link #MAX_PENDING} are waiting. */
    void submit(Runnable write) {
        check();
        slots.acquireUninterruptibly();
        exec.execute(() -> {
            try {
                if (failure == null) write.run();
            } catch (Throwable e) {
                failure = e;
            } finally {
                slots.release();
            }
        });
    }

    /** Drops the queued writes and stops (the trainer lost its run): nothing more is written. */
    void abandon() {
        failure = failure != null ? failure : new IllegalStateException("abandoned");
        exec.shutdownNow();
    }

    /** Throws the first write failure, if any. */
    void check() {
        Throwable f = failure;
        if (f != null) throw new IllegalStateException("writing to the event log failed: " + sparselab.store.StoreException.oneLine(f), f);
    }

    /**
     * Waits for every queued write, at most {@code timeoutMs}, then throws the first failure, if any (also when the
     * wait timed out: the failure says more than the timeout).
     */
    void drain(long timeoutMs) {
        exec.shutdown();
        try {
            if (!exec.awaitTermination(timeoutMs, TimeUnit.MILLISECONDS)) {
                check();
                throw new IllegalStateException("the log writer did not finish in " + timeoutMs / 1000 + " s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the log writer", e);
        }
        check();
    }
}
