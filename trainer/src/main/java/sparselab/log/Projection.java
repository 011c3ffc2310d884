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
            int epochs = Integer.parseInt(c.config().getOrDefault("epochs", "0"));
            return new RunRow(e.runId(), at, at, "queued", c.preset(), c.group(), c.origin(), Json.write(c.config()),
                    c.dataFingerprint(), epochs, 0, null, null, null, null, null, null, null, null, null, null, null,
                    false, null, null, 0, "[]", e.seq());
        }
        if (s == null) throw new IllegalStateException("run " + e.runId() + " has a " + e.type() + " event before its created event");
        RunRow r = s;
        RunEvent ev = e.event();
        if (ev instanceof Started st) {
            r = with(r, "running", r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(), r.lastPenalty(),
                    r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), null, st.pid(), st.host(), at, false,
                    r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(), r.tags(),
                    st.dataFingerprint() != null ? st.dataFingerprint() : r.dataFingerprint());
        } else if (ev instanceof EpochCompleted m) {
            r = with(r, r.status(), m.epoch(), EpochRow.finite(m.loss()), EpochRow.finite(m.recon()),
                    m.heldout() == null ? null : EpochRow.finite(m.heldout()), EpochRow.finite(m.penalty()),
                    EpochRow.finite(m.meanActivation()), EpochRow.finite(m.clippedFraction()), r.divergedEpoch(), r.error(),
                    r.pid(), r.host(), at, r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(),
                    r.tags(), r.dataFingerprint());
        } else if (ev instanceof WeightSnapshot w) {
            r = with(r, r.status(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                    r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                    r.host(), r.heartbeatAt(), r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(),
                    r.snapshots() + 1, r.tags(), r.dataFingerprint());
        } else if (ev instanceof Checkpoint c) {
            r = with(r, r.status(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                    r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                    r.host(), r.heartbeatAt(), r.cancelRequested(), c.blob(), c.epoch(), r.snapshots(), r.tags(),
                    r.dataFingerprint());
        } else if (ev instanceof Diverged d) {
            r = ended(r, "diverged", d.epoch(), r.error());
        } else if (ev instanceof Finished f) {
            r = ended(r, "finished", r.divergedEpoch(), r.error());
        } else if (ev instanceof Failed f) {
            r = ended(r, "failed", r.divergedEpoch(), f.error());
        } else if (ev instanceof Cancelled c) {
            r = ended(r, "cancelled", r.divergedEpoch(), r.error());
        } else if (ev instanceof CancelRequested c) {
            r = with(r, r.status(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                    r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                    r.host(), r.heartbeatAt(), true, r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(), r.tags(),
                    r.dataFingerprint());
        } else if (ev instanceof Heartbeat h) {
            r = with(r, r.status(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                    r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                    r.host(), at, r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(), r.tags(),
                    r.dataFingerprint());
        } else if (ev instanceof Tagged t) {
            r = with(r, r.status(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                    r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                    r.host(), r.heartbeatAt(), r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(),
                    Json.write(t.tags()), r.dataFingerprint());
        }
        return new RunRow(r.runId(), r.createdAt(), at, r.status(), r.preset(), r.runGroup(), r.origin(), r.config(),
                r.dataFingerprint(), r.epochsTotal(), r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(),
                r.lastPenalty(), r.lastMeanActivation(), r.lastClippedFraction(), r.divergedEpoch(), r.error(), r.pid(),
                r.host(), r.heartbeatAt(), r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(),
                r.tags(), e.seq());
    }

    private static RunRow ended(RunRow r, String status, Integer divergedEpoch, String error) {
        return with(r, status, r.epochsDone(), r.lastLoss(), r.lastRecon(), r.lastHeldout(), r.lastPenalty(),
                r.lastMeanActivation(), r.lastClippedFraction(), divergedEpoch, error, r.pid(), r.host(), r.heartbeatAt(),
                r.cancelRequested(), r.lastCheckpoint(), r.lastCheckpointEpoch(), r.snapshots(), r.tags(), r.dataFingerprint());
    }

    private static RunRow with(RunRow r, String status, int epochsDone, Double loss, Double recon, Double heldout,
                               Double penalty, Double meanAct, Double clippedFraction, Integer divergedEpoch, String error,
                               Long pid, String host, String heartbeatAt, boolean cancelRequested, String checkpoint,
                               Integer checkpointEpoch, int snapshots, String tags, String fingerprint) {
        return new RunRow(r.runId(), r.createdAt(), r.updatedAt(), status, r.preset(), r.runGroup(), r.origin(), r.config(),
                fingerprint, r.epochsTotal(), epochsDone, loss, recon, heldout, penalty, meanAct, clippedFraction,
                divergedEpoch, error, pid, host, heartbeatAt, cancelRequested, checkpoint, checkpointEpoch, snapshots, tags,
                r.lastSeq());
    }
}
