package sparselab.log;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The fold from events to the runs row, one event type at a time (no database). */
class ProjectionTest {
    private long seq;

    private RunRow apply(RunRow s, RunEvent e, String at) {
        seq++;
        return Projection.evolve(s, new StoredEvent(100 + seq, "r0000000001", seq, at, e));
    }

    private RunRow created() {
        return apply(null, new RunEvent.Created(Map.of("epochs", "7", "beta", "3"), "ufldl", "fp1", Map.of(), "cli", "g"), "T1");
    }

    private RunRow running() {
        return apply(created(), new RunEvent.Started(9, "h", 2, 0, "fp2", Map.of(), 3L, "w1"), "T2");
    }

    @Test
    void created_queues_the_run_with_its_definition_and_creation_order() {
        RunRow r = created();
        assertEquals("queued", r.status());
        assertEquals("ufldl", r.preset());
        assertEquals("g", r.runGroup());
        assertEquals(7, r.epochsTotal());
        assertEquals("fp1", r.dataFingerprint());
        assertEquals(101, r.createdSeq());
        assertEquals("T1", r.createdAt());
        assertEquals(1, r.lastSeq());
        assertEquals("[]", r.tags());
    }

    @Test
    void an_event_before_created_is_refused() {
        assertThrows(IllegalStateException.class, () -> apply(null, new RunEvent.Tagged(List.of("x")), "T"));
    }

    @Test
    void started_marks_the_run_running_with_its_trainer_and_lease() {
        RunRow r = running();
        assertEquals("running", r.status());
        assertEquals(9L, r.pid());
        assertEquals("h", r.host());
        assertEquals(3, r.lease());
        assertEquals("w1", r.worker());
        assertEquals("T2", r.heartbeatAt());
        assertEquals("fp2", r.dataFingerprint());
        assertEquals("T2", r.updatedAt());
    }

    @Test
    void epoch_completed_moves_progress_and_the_last_figures() {
        RunRow r = apply(running(), new RunEvent.EpochCompleted(2, 1.5, 1.0, 0.4, 0.1, 0.2, new double[] {0.1}, 0.3, 0.9, 4,
                0.25, false, 1.2, 0.1, 100), "T3");
        assertEquals(2, r.epochsDone());
        assertEquals(1.5, r.lastLoss());
        assertEquals(1.0, r.lastRecon());
        assertEquals(1.2, r.lastHeldout());
        assertEquals(0.4, r.lastPenalty());
        assertEquals(0.25, r.lastClippedFraction());
        assertEquals("T3", r.heartbeatAt());
        RunRow nan = apply(r, new RunEvent.EpochCompleted(3, Double.NaN, Double.POSITIVE_INFINITY, 0, 0, 0, new double[] {0.1},
                0, 0, 0, 0, true, null, 0, 0), "T4");
        assertNull(nan.lastLoss(), "a non-finite figure is stored as null");
        assertNull(nan.lastRecon());
    }

    @Test
    void weight_snapshot_counts_snapshots() {
        RunRow r = apply(running(), new RunEvent.WeightSnapshot(0, "h1", 4, 2, 2, 2), "T3");
        r = apply(r, new RunEvent.WeightSnapshot(1, "h2", 4, 2, 2, 2), "T4");
        assertEquals(2, r.snapshots());
    }

    @Test
    void checkpoint_records_the_latest_blob_and_epoch() {
        RunRow r = apply(running(), new RunEvent.Checkpoint(4, "abc", 10), "T3");
        assertEquals("abc", r.lastCheckpoint());
        assertEquals(4, r.lastCheckpointEpoch());
    }

    @Test
    void diverged_ends_the_run_at_its_epoch() {
        RunRow r = apply(running(), new RunEvent.Diverged(5, "NaN"), "T9");
        assertEquals("diverged", r.status());
        assertEquals(5, r.divergedEpoch());
        assertTrue(r.ended());
        assertEquals("T9", r.heartbeatAt(), "an ended run's heartbeat is its end");
    }

    @Test
    void finished_ends_the_run() {
        RunRow r = apply(running(), new RunEvent.Finished(7, 0.5, null), "T9");
        assertEquals("finished", r.status());
        assertTrue(r.ended());
    }

    @Test
    void failed_ends_the_run_with_its_error() {
        RunRow r = apply(running(), new RunEvent.Failed(2, "OutOfMemoryError: x"), "T9");
        assertEquals("failed", r.status());
        assertEquals("OutOfMemoryError: x", r.error());
    }

    @Test
    void cancel_requested_sets_the_flag_and_cancelled_ends_the_run() {
        RunRow r = apply(running(), new RunEvent.CancelRequested("web"), "T3");
        assertTrue(r.cancelRequested());
        assertEquals("running", r.status());
        r = apply(r, new RunEvent.Cancelled(1), "T4");
        assertEquals("cancelled", r.status());
    }

    @Test
    void a_heartbeat_event_of_an_older_log_moves_only_the_heartbeat() {
        RunRow before = running();
        RunRow r = apply(before, new RunEvent.Heartbeat(1, 10), "T5");
        assertEquals("T5", r.heartbeatAt());
        assertEquals(before.epochsDone(), r.epochsDone());
        assertEquals(before.status(), r.status());
    }

    @Test
    void tagged_replaces_the_tags() {
        RunRow r = apply(running(), new RunEvent.Tagged(List.of("a", "b")), "T3");
        assertEquals(List.of("a", "b"), r.tagList());
    }

    @Test
    void filter_measures_and_refused_leave_the_run_row_as_it_was_but_for_its_sequence() {
        RunRow before = running();
        RunRow m = apply(before, new RunEvent.FilterMeasures(0, 0.5, 0.0, 0.0, null, null), "T3");
        assertEquals(before.with(b -> { b.lastSeq = m.lastSeq(); b.updatedAt = "T3"; }), m);
        RunRow q = apply(created(), new RunEvent.Refused("w2", "h2", "fingerprint differs"), "T4");
        assertEquals("queued", q.status());
    }

    @Test
    void released_queues_the_run_again_for_the_next_claim() {
        RunRow r = apply(apply(running(), new RunEvent.Checkpoint(3, "ck", 1), "T3"), new RunEvent.Released(3, "stop"), "T4");
        assertEquals("queued", r.status());
        assertEquals(3, r.lastCheckpointEpoch(), "the next claim resumes from here");
        assertEquals(3, r.lease(), "the lease stays until the next claim supersedes it");
    }

    @Test
    void requeued_puts_a_stopped_run_back_in_the_queue() {
        RunRow cancelled = apply(apply(running(), new RunEvent.CancelRequested("web"), "T3"), new RunEvent.Cancelled(1), "T4");
        RunRow r = apply(cancelled, new RunEvent.Requeued("web"), "T5");
        assertEquals("queued", r.status());
        assertFalse(r.cancelRequested());
        RunRow failed = apply(running(), new RunEvent.Failed(1, "boom"), "T6");
        assertNull(apply(failed, new RunEvent.Requeued("web"), "T7").error());
    }
}
