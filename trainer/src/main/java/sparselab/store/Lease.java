package sparselab.store;

import sparselab.log.Blob;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;

import java.util.List;

/**
 * A trainer's right to write one run: the lease number its claim appended in {@code started}. Every append and
 * heartbeat checks, in its own transaction, that this is still the run's current lease and that the run is still
 * running; otherwise it throws {@link StoreException.LeaseLost} and writes nothing.
 */
public final class Lease {
    private final SqlEventLog log;
    private final String runId;
    private final long number;
    private final StoredEvent started;

    Lease(SqlEventLog log, String runId, long number, StoredEvent started) {
        this.log = log;
        this.runId = runId;
        this.number = number;
        this.started = started;
    }

    public String runId() { return runId; }

    public long number() { return number; }

    /** The {@code started} event of the claim. */
    public StoredEvent started() { return started; }

    public StoredEvent append(RunEvent event, Blob... blobs) {
        return appendAll(List.of(event), List.of(blobs)).get(0);
    }

    /** The events and their blobs in one transaction, refused whole when the lease was superseded. */
    public List<StoredEvent> appendAll(List<RunEvent> events, List<Blob> blobs) {
        return log.appendLeased(runId, number, events, blobs);
    }

    /**
     * Marks the trainer alive (the run's heartbeat time, on the database's clock) without appending an event.
     *
     * @return true when someone asked the run to stop
     */
    public boolean heartbeat() {
        return log.heartbeat(runId, number);
    }
}
