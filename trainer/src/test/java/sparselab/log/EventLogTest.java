package sparselab.log;

import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.RunConfig;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class EventLogTest {
    @TempDir Path dir;

    private static RunEvent.EpochCompleted epoch(int e, double loss) {
        return new RunEvent.EpochCompleted(e, loss, loss * 0.9, loss * 0.1, 0.0, 0.2, new double[] {0.1, 0.3}, 0.5, 1.5,
                3, 0.01, false, loss * 1.1, 0.5, 1000);
    }

    private String createRun(EventLog log) {
        return log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "fp", Map.of("java", "17"), "cli", null));
    }

    @Test
    void events_get_per_run_sequence_numbers_and_projections_follow() {
        EventLog log = EventLog.open(dir.resolve("a.db"));
        String run = createRun(log);
        log.append(run, new RunEvent.Started(42, "host", 2, 0, "fp", Map.of()));
        log.append(run, epoch(1, 2.0));
        Blob w = Blob.of(new byte[] {1, 2, 3});
        log.append(run, new RunEvent.WeightSnapshot(1, w.hash(), 4, 2, 2, 2), w);
        log.append(run, epoch(2, 1.0));
        log.append(run, new RunEvent.Finished(2, 1.0, 1.1));

        List<StoredEvent> events = log.events(run);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), events.stream().map(StoredEvent::seq).toList());
        assertEquals("epoch_completed", events.get(2).type());
        RunRow row = log.run(run).orElseThrow();
        assertEquals("finished", row.status());
        assertEquals(2, row.epochsDone());
        assertEquals(1.0, row.lastLoss());
        assertEquals(1, row.snapshots());
        assertEquals(2, log.metrics(run).size());
        assertArrayEquals(new byte[] {1, 2, 3}, log.blob(w.hash()).orElseThrow());
        assertArrayEquals(new double[] {0.1, 0.3}, ((RunEvent.EpochCompleted) events.get(2).event()).rhoHat());
    }

    @Test
    void the_schema_refuses_update_and_delete_of_events() {
        EventLog log = EventLog.open(dir.resolve("b.db"));
        String run = createRun(log);
        var up = assertThrows(UnableToExecuteStatementException.class,
                () -> log.jdbi().useHandle(h -> h.execute("UPDATE events SET type = 'x' WHERE run_id = ?", run)));
        assertTrue(up.getMessage().contains("append-only"), up.getMessage());
        var del = assertThrows(UnableToExecuteStatementException.class,
                () -> log.jdbi().useHandle(h -> h.execute("DELETE FROM events")));
        assertTrue(del.getMessage().contains("append-only"), del.getMessage());
        assertEquals(1, log.events(run).size());
    }

    @Test
    void rebuilt_projections_equal_the_live_ones() {
        EventLog log = EventLog.open(dir.resolve("c.db"));
        for (int r = 0; r < 3; r++) {
            String run = createRun(log);
            log.append(run, new RunEvent.Started(1, "h", 2, 0, "fp", Map.of()));
            for (int e = 1; e <= 4; e++) log.append(run, epoch(e, 5.0 / e));
            log.append(run, new RunEvent.Heartbeat(4, 10));
            log.append(run, new RunEvent.Tagged(List.of("sparse", "r" + r)));
            Blob ck = Blob.of(new byte[] {(byte) r});
            log.append(run, new RunEvent.Checkpoint(4, ck.hash(), 1), ck);
            Blob w = Blob.of(new byte[] {(byte) r, 1});
            log.appendAll(run, List.of(new RunEvent.WeightSnapshot(4, w.hash(), 4, 2, 2, 2),
                    new RunEvent.FilterMeasures(4, 0.5, 0.0, 0.0, r == 0 ? null : 0.3, null)), List.of(w));
            if (r == 1) log.append(run, new RunEvent.Diverged(4, "loss is NaN"));
            if (r == 2) {
                log.append(run, new RunEvent.CancelRequested("web"));
                log.append(run, new RunEvent.Cancelled(4));
            }
        }
        List<Object> live = log.projectionRows();
        int folded = log.rebuild();
        assertEquals(3 * 11 + 1 + 2, folded);
        assertEquals(live, log.projectionRows());
        assertEquals(3 + 3 * 4 + 3 + 3, live.size(), "runs, epochs, snapshots and measures");
        assertEquals(java.util.Set.of("running", "diverged", "cancelled"),
                log.runs().stream().map(RunRow::status).collect(java.util.stream.Collectors.toSet()));
    }

    @Test
    void a_newer_checkpoint_replaces_the_older_ones_bytes() {
        EventLog log = EventLog.open(dir.resolve("d.db"));
        String run = createRun(log);
        Blob a = Blob.of(new byte[] {1});
        Blob b = Blob.of(new byte[] {2});
        log.append(run, new RunEvent.Checkpoint(1, a.hash(), 1), a);
        log.append(run, new RunEvent.Checkpoint(2, b.hash(), 1), b);
        assertTrue(log.blob(a.hash()).isEmpty());
        assertEquals(b.hash(), log.run(run).orElseThrow().lastCheckpoint());
    }

    @Test
    void checkpoint_bytes_another_run_still_uses_are_kept() {
        EventLog log = EventLog.open(dir.resolve("f.db"));
        String one = createRun(log);
        String two = createRun(log);
        Blob same = Blob.of(new byte[] {7, 7});        // two runs of one configuration checkpoint the same bytes
        log.append(one, new RunEvent.Checkpoint(1, same.hash(), 2), same);
        log.append(two, new RunEvent.Checkpoint(1, same.hash(), 2), same);
        Blob next = Blob.of(new byte[] {8});
        log.append(one, new RunEvent.Checkpoint(2, next.hash(), 1), next);
        assertTrue(log.blob(same.hash()).isPresent(), "run two's latest checkpoint is still there");
        Blob last = Blob.of(new byte[] {9});
        log.append(two, new RunEvent.Checkpoint(2, last.hash(), 1), last);
        assertTrue(log.blob(same.hash()).isEmpty(), "dropped once no run uses it");
    }

    @Test
    void only_one_claim_of_a_queued_run_succeeds() {
        EventLog log = EventLog.open(dir.resolve("e.db"));
        String run = createRun(log);
        var started = new RunEvent.Started(7, "h", 2, 0, "fp", Map.of());
        assertTrue(log.claim(run, started, r -> r.status().equals("queued")).isPresent());
        assertTrue(log.claim(run, started, r -> r.status().equals("queued")).isEmpty());
        assertEquals("running", log.run(run).orElseThrow().status());
    }
}
