package sparselab.log;

import sparselab.log.RunEvent.Cancelled;
import sparselab.log.RunEvent.CancelRequested;
import sparselab.log.RunEvent.Checkpoint;
import sparselab.log.RunEvent.Created;
import sparselab.log.RunEvent.Diverged;
import sparselab.log.RunEvent.EpochCompleted;
import sparselab.log.RunEvent.Failed;
import sparselab.log.RunEvent.Finished;
import sparselab.log.RunEvent.Heartbeat;
import sparselab.log.RunEvent.Released;
import sparselab.log.RunEvent.Started;
import sparselab.log.RunEvent.Tagged;
import sparselab.log.RunEvent.WeightSnapshot;

/**
 * The fold from events to the {@code runs} row: {@code evolve(state, event)}. The same code runs on every live
 * append and in a rebuild, so the two cannot disagree.
 */
public final class Projection {
    private Projection() {}

    /** The run's state after {@code e}; {@code s} is null before the run's first event. */
    public static RunRow evolve(RunRow s, StoredEvent e) {
        String at = e.at();
        if (e.event() instanceof Created c) {
            RunRow.Builder b = new RunRow.Builder();
            b.runId = e.runId();
            b.createdAt = at;
            b.status = "queued";
            b.preset = c.preset();
            b.runGroup = c.group();
            b.origin = c.origin();
            b.config = Json.write(c.config());
            b.dataFingerprint = c.dataFingerprint();
            b.epochsTotal = Integer.parseInt(c.config().getOrDefault("epochs", "0"));
            b.tags = "[]";
            b.createdSeq = e.id();
            return touched(b.build(), e);
        }
        if (s == null) throw new IllegalStateException("run " + e.runId() + " has a " + e.type() + " event before its created event");
        RunEvent ev = e.event();
        RunRow r;
        if (ev instanceof Started st) {
            r = s.with(b -> {
                b.status = "running";
                b.error = null;
                b.pid = st.pid();
                b.host = st.host();
                b.heartbeatAt = at;
                b.cancelRequested = false;
                if (st.dataFingerprint() != null) b.dataFingerprint = st.dataFingerprint();
                b.lease = st.lease() == null ? 0 : st.lease();
                b.worker = st.worker();
            });
        } else if (ev instanceof EpochCompleted m) {
            EpochMetrics f = EpochMetrics.of(m);
            r = s.with(b -> {
                b.epochsDone = m.epoch();
                b.lastLoss = f.loss();
                b.lastRecon = f.recon();
                b.lastHeldout = f.heldout();
                b.lastPenalty = f.penalty();
                b.lastMeanActivation = f.meanActivation();
                b.lastClippedFraction = f.clippedFraction();
                b.heartbeatAt = at;
            });
        } else if (ev instanceof WeightSnapshot) {
            r = s.with(b -> b.snapshots = s.snapshots() + 1);
        } else if (ev instanceof Checkpoint c) {
            r = s.with(b -> {
                b.lastCheckpoint = c.blob();
                b.lastCheckpointEpoch = c.epoch();
            });
        } else if (ev instanceof Diverged d) {
            // a finished or diverged run is not resumed: its last checkpoint is dropped (and its bytes deleted)
            r = ended(s, "diverged", at, b -> {
                b.divergedEpoch = d.epoch();
                b.lastCheckpoint = null;
                b.lastCheckpointEpoch = null;
            });
        } else if (ev instanceof Finished) {
            r = ended(s, "finished", at, b -> {
                b.lastCheckpoint = null;
                b.lastCheckpointEpoch = null;
            });
        } else if (ev instanceof Failed f) {
            r = ended(s, "failed", at, b -> b.error = f.error());
        } else if (ev instanceof Cancelled) {
            r = ended(s, "cancelled", at, b -> {});
        } else if (ev instanceof CancelRequested) {
            r = s.with(b -> b.cancelRequested = true);
        } else if (ev instanceof Heartbeat) {
            r = s.with(b -> b.heartbeatAt = at);
        } else if (ev instanceof Tagged t) {
            r = s.with(b -> b.tags = Json.write(t.tags()));
        } else if (ev instanceof Released) {
            r = s.with(b -> {
                b.status = "queued";
                b.heartbeatAt = at;
            });
        } else if (ev instanceof RunEvent.Requeued) {
            r = s.with(b -> {
                b.status = "queued";
                b.cancelRequested = false;
                b.error = null;
            });
        } else if (ev instanceof RunEvent.StartFailed sf) {
            r = s.with(b -> b.error = "start attempt " + sf.attempt() + " failed: " + sf.error());
        } else if (ev instanceof Created) {
            throw new IllegalStateException("run " + e.runId() + " has a second created event");
        } else {
            r = s; // refused, filter_measures, and events that change only their own projection rows
        }
        return touched(r, e);
    }

    /** Every event moves {@code updated_at} and {@code last_seq}. */
    private static RunRow touched(RunRow r, StoredEvent e) {
        return r.with(b -> {
            b.updatedAt = e.at();
            b.lastSeq = e.seq();
        });
    }

    /** An end state; the heartbeat time is the end's time, so live and rebuilt projections agree. */
    private static RunRow ended(RunRow r, String status, String at, java.util.function.Consumer<RunRow.Builder> more) {
        return r.with(b -> {
            b.status = status;
            if (b.heartbeatAt != null) b.heartbeatAt = at;
            more.accept(b);
        });
    }
}
