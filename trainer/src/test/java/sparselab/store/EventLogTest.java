package sparselab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sparselab.config.RunConfig;
import sparselab.log.Blob;
import sparselab.log.Json;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.*;

/** The log's contract, on both backends: a real SQLite file and a real PostgreSQL server. */
class EventLogTest {
    @TempDir Path dir;

    static RunEvent.EpochCompleted epoch(int e, double loss) {
        return new RunEvent.EpochCompleted(e, loss, loss * 0.9, loss * 0.1, 0.0, 0.2, new double[] {0.1, 0.3}, 0.5, 1.5,
                3, 0.01, false, loss * 1.1, 0.5, 1000);
    }

    static String createRun(EventLog log) {
        return log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "fp", Map.of("java", "17"), "cli", null));
    }

    static RunEvent.Started started(long pid) { return new RunEvent.Started(pid, "host", 2, 0, "fp", Map.of()); }

    /**
     * Why a queued run waits: of each run, its newest refusal since a trainer last started it or it was queued again, read
     * at once for many runs (a queued run every worker refused read only as queued: left over from the probe of many
     * machines, 2026-12-04).
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void refusals_are_the_newest_since_the_run_was_last_started_or_queued_again(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String refused = createRun(log), started = createRun(log), released = createRun(log), plain = createRun(log);
            log.append(refused, new RunEvent.Refused("w1", "h1", "first"));
            log.append(refused, new RunEvent.Refused("w2", "h2", "second"));
            log.append(started, new RunEvent.Refused("w1", "h1", "before its start"));
            log.claim(started, started(7), r -> true).orElseThrow();
            log.append(released, new RunEvent.Refused("w1", "h1", "before its start"));
            Lease lease = log.claim(released, started(8), r -> true).orElseThrow();
            lease.appendAll(List.of(epoch(1, 2.0), new RunEvent.Released(1, "the worker is stopping")), List.of());
            log.append(released, new RunEvent.Refused("w3", "h3", "after its release"));
            var found = log.refusals(List.of(refused, started, released, plain, refused));
            assertEquals(java.util.Set.of(refused, released), found.keySet());
            assertEquals(new RunEvent.Refused("w2", "h2", "second"), found.get(refused));
            assertEquals("refused by worker w3 (host h3): after its release", found.get(released).says());
            assertEquals(java.util.Map.of(), log.refusals(List.of()));
            // why each queued run waits: the refused one says so; a running one and a queued one no worker refused do not
            java.time.Instant now = log.clock().instant();
            List<sparselab.log.RunRow> rows = java.util.stream.Stream.of(refused, started, plain).map(id -> log.run(id).orElseThrow()).toList();
            assertEquals(java.util.Map.of(refused, "refused by worker w2 (host h2): second"), log.waitingWhy(rows, now));
            log.append(refused, new RunEvent.Requeued("test"));
            assertFalse(log.refusals(List.of(refused)).containsKey(refused), "queued again: the refusals before are not its now");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void events_get_per_run_sequence_numbers_and_projections_follow(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log);
            Lease lease = log.claim(run, started(42), r -> true).orElseThrow();
            assertEquals(1, lease.number());
            lease.append(epoch(1, 2.0));
            Blob w = Blob.of(new byte[] {1, 2, 3});
            lease.append(new RunEvent.WeightSnapshot(1, w.hash(), 4, 2, 2, 2), w);
            lease.append(epoch(2, 1.0));
            lease.append(new RunEvent.Finished(2, 1.0, 1.1));

            List<StoredEvent> events = log.events(run);
            assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L), events.stream().map(StoredEvent::seq).toList());
            assertEquals("epoch_completed", events.get(2).type());
            RunRow row = log.run(run).orElseThrow();
            assertEquals("finished", row.status());
            assertEquals(2, row.epochsDone());
            assertEquals(1.0, row.lastLoss());
            assertEquals(1, row.snapshots());
            assertEquals(1, row.lease());
            assertEquals(2, log.metrics(run).size());
            assertEquals(1.1, log.metrics(run).get(1).heldout(), 1e-12);
            assertArrayEquals(new byte[] {1, 2, 3}, log.blob(w.hash()).orElseThrow());
            assertArrayEquals(new double[] {0.1, 0.3}, ((RunEvent.EpochCompleted) events.get(2).event()).rhoHat());
            assertArrayEquals(new double[] {0.1, 0.3}, log.rhoHat(run, List.of(1, 2, 3)).get(2));
            assertEquals(List.of(1, 2), log.epochs(run));

            // by id: the ones the log holds, in id order, whatever the order asked; an id never used gives nothing
            List<Long> ids = events.stream().map(StoredEvent::id).toList();
            long unused = log.lastEventId() + 100;
            assertEquals(List.of(ids.get(1), ids.get(4)),
                    log.eventsWithIds(List.of(unused, ids.get(4), ids.get(1))).stream().map(StoredEvent::id).toList());
            assertEquals(List.of(), log.eventsWithIds(List.of()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void the_schema_refuses_update_and_delete_of_events_and_update_of_blobs(String kind) {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = createRun(log);
            Blob b = Blob.of(new byte[] {5});
            log.append(run, new RunEvent.Checkpoint(1, b.hash(), 1), b);
            SQLException up = assertThrows(SQLException.class, () -> Logs.rawExecute(db, "UPDATE events SET type = 'x' WHERE run_id = '" + run + "'"));
            assertTrue(up.getMessage().contains("append-only"), up.getMessage());
            SQLException del = assertThrows(SQLException.class, () -> Logs.rawExecute(db, "DELETE FROM events"));
            assertTrue(del.getMessage().contains("append-only"), del.getMessage());
            SQLException blob = assertThrows(SQLException.class, () -> Logs.rawExecute(db, "UPDATE blobs SET size = 9"));
            assertTrue(blob.getMessage().contains("content-addressed"), blob.getMessage());
            assertEquals(2, log.events(run).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void rebuilt_projections_equal_the_live_ones(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            for (int r = 0; r < 3; r++) {
                String run = createRun(log);
                Lease lease = log.claim(run, started(1), x -> true).orElseThrow();
                for (int e = 1; e <= 4; e++) lease.append(epoch(e, 5.0 / e));
                lease.heartbeat();
                log.append(run, new RunEvent.Tagged(List.of("sparse", "r" + r)));
                Blob ck = Blob.of(new byte[] {(byte) r});
                lease.append(new RunEvent.Checkpoint(4, ck.hash(), 1), ck);
                Blob w = Blob.of(new byte[] {(byte) r, 1});
                lease.appendAll(List.of(new RunEvent.WeightSnapshot(4, w.hash(), 4, 2, 2, 2),
                        new RunEvent.FilterMeasures(4, 0.5, 0.0, 0.0, r == 0 ? null : 0.3, null)), List.of(w));
                if (r == 1) lease.append(new RunEvent.Diverged(4, "loss is NaN"));
                if (r == 2) {
                    log.append(run, new RunEvent.CancelRequested("web"));
                    lease.append(new RunEvent.Cancelled(4));
                }
            }
            List<Object> live = log.projectionRows();
            int folded = log.rebuild();
            assertEquals(3 * 10 + 1 + 2, folded);
            assertEquals(live, log.projectionRows());
            assertEquals(3 + 3 * 4 + 3 * 4 + 3 + 3, live.size(), "runs, epochs, rates, snapshots and measures");
            assertEquals(Set.of("running", "diverged", "cancelled"),
                    log.runs().stream().map(RunRow::status).collect(java.util.stream.Collectors.toSet()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_newer_checkpoint_replaces_the_older_ones_bytes_unless_another_run_uses_them(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
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
            assertEquals(last.hash(), log.run(two).orElseThrow().lastCheckpoint());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void an_epoch_in_the_log_already_is_refused_whole_even_from_the_lease_holder(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log);
            Lease lease = log.claim(run, started(1), r -> r.status().equals("queued")).orElseThrow();
            lease.append(epoch(1, 3.0));
            lease.append(epoch(2, 2.0));
            int before = log.events(run).size();
            // the retry of a write committed although its answer was lost: the same epoch, with its snapshot's blob
            Blob w = Blob.of(new byte[] {7, 7});
            StoreException.EpochWritten e = assertThrows(StoreException.EpochWritten.class, () -> lease.appendAll(
                    List.of(epoch(2, 2.0), new RunEvent.WeightSnapshot(2, w.hash(), 2, 1, 1, 1)), List.of(w)));
            assertEquals(2, e.epoch());
            assertThrows(StoreException.EpochWritten.class, () -> lease.append(epoch(1, 3.0)));
            assertEquals(before, log.events(run).size(), "nothing of the refused write is in the log");
            assertTrue(log.blob(w.hash()).isEmpty(), "not even its blob");
            List<RunEvent> last = List.of(epoch(3, 1.0), new RunEvent.Finished(3, 1.0, null));
            lease.appendAll(last, List.of());
            // the retry of the last epoch, which ended the run: written, not "lease lost"
            assertThrows(StoreException.EpochWritten.class, () -> lease.appendAll(last, List.of()));
            assertEquals(List.of(1, 2, 3), log.epochs(run));
            assertEquals("finished", log.run(run).orElseThrow().status());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_run_whose_trainer_died_after_a_cancel_request_is_cancelled_by_the_next_claim(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String older = createRun(log);                               // queued before it: claimed first
            String run = createRun(log);
            String next = createRun(log);
            Lease dead = log.claim(run, started(1), r -> r.status().equals("queued")).orElseThrow();
            dead.append(epoch(1, 3.0));
            log.append(run, new RunEvent.CancelRequested("dashboard"));    // the trainer dies before it reads it
            Thread.sleep(20);
            Lease claimed = log.claimNext(started(2), java.time.Duration.ZERO, Set.of(), r -> true).orElseThrow();
            assertEquals(older, claimed.runId());
            RunRow r = log.run(run).orElseThrow();
            assertEquals("cancelled", r.status());
            assertEquals(1, r.epochsDone());
            assertThrows(StoreException.LeaseLost.class, () -> dead.append(epoch(2, 2.0)), "a trainer that wakes writes nothing");
            assertEquals(next, log.claimNext(started(3), java.time.Duration.ZERO, Set.of(older), r2 -> true).orElseThrow().runId(),
                    "the cancelled run is not trained again");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_run_that_ends_for_good_drops_its_checkpoint_unless_another_run_points_at_the_same_bytes(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            Blob own = Blob.of(new byte[] {1, 2, 3});
            Blob shared = Blob.of(new byte[] {4, 5, 6});
            String alone = createRun(log), a = createRun(log), b = createRun(log), diverging = createRun(log);
            Lease l = log.claim(alone, started(1), r -> true).orElseThrow();
            l.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, own.hash(), 3)), List.of(own));
            Lease la = log.claim(a, started(1), r -> true).orElseThrow();
            la.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, shared.hash(), 3)), List.of(shared));
            Lease lb = log.claim(b, started(1), r -> true).orElseThrow();
            lb.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, shared.hash(), 3)), List.of(shared));
            Lease ld = log.claim(diverging, started(1), r -> true).orElseThrow();
            Blob dk = Blob.of(new byte[] {7});
            ld.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, dk.hash(), 1)), List.of(dk));

            l.append(new RunEvent.Finished(1, 2.0, null));
            assertTrue(log.blob(own.hash()).isEmpty(), "a finished run is never resumed: its checkpoint is deleted");
            assertNull(log.run(alone).orElseThrow().lastCheckpoint());
            la.append(new RunEvent.Finished(1, 2.0, null));
            assertTrue(log.blob(shared.hash()).isPresent(), "b still points at the same bytes");
            assertEquals(shared.hash(), log.run(b).orElseThrow().lastCheckpoint());
            lb.append(new RunEvent.Finished(1, 2.0, null));
            assertTrue(log.blob(shared.hash()).isEmpty());
            ld.append(new RunEvent.Diverged(1, "loss is infinite"));
            assertTrue(log.blob(dk.hash()).isEmpty(), "a diverged run is not resumed either");
            assertTrue(log.verify().clean(), log.verify().toString());
        }
    }

    /**
     * A run's divergence flags are read from an index on (run_id, type, seq) (migration V9): the query passed over
     * every event of the run, 800,000 rows for a long one, to find a few flags.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_runs_flags_are_read_through_the_index_on_its_events_type(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = createRun(log);
            Lease l = log.claim(run, started(1), r -> true).orElseThrow();
            l.append(epoch(1, 3.0));
            l.append(new RunEvent.DivergenceFlag(1, "saturated", "test", 1));
            l.append(epoch(2, 2.0));
            l.append(new RunEvent.DivergenceFlag(2, "dead", "test", 2));
            l.append(new RunEvent.DivergenceFlag(2, "saturated", "test", 3));
            assertEquals(List.of(1, 2, 2), log.flags(run).stream().map(RunEvent.DivergenceFlag::epoch).toList());
            assertEquals(List.of(1, 2), log.flagEpochs(run), "each flagged epoch once");
            assertEquals(3, log.flagCount(run));
            // a page of them: oldest first, after the offset
            assertEquals(List.of("dead", "saturated"), log.flags(run, 1, 5).stream().map(RunEvent.DivergenceFlag::cause).toList());
            assertEquals(List.of("saturated"), log.flags(run, 0, 1).stream().map(RunEvent.DivergenceFlag::cause).toList());
            assertEquals(List.of(), log.flags(run, 3, 5));
            if (kind.equals("sqlite")) {
                String plan = String.join("\n", Logs.rawQuery(db, "EXPLAIN QUERY PLAN SELECT id, run_id, seq, type, at, payload FROM events "
                        + "WHERE run_id = '" + run + "' AND type = 'divergence_flag' ORDER BY seq"));
                assertTrue(plan.contains("USING INDEX events_run_type (run_id=? AND type=?)") && !plan.contains("TEMP B-TREE"), plan);
            } else {
                List<String> def = Logs.rawQuery(db, "SELECT indexdef FROM pg_indexes WHERE indexname = 'events_run_type'");
                assertEquals(1, def.size(), def.toString());
                assertTrue(def.get(0).endsWith("ON public.events USING btree (run_id, type, seq)"), def.get(0));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void migration_8_drops_the_checkpoints_that_runs_ended_before_it_kept(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        String done, stopped;
        Blob kept = Blob.of(new byte[] {1, 1}), weights = Blob.of(new byte[] {2, 2}), resumable = Blob.of(new byte[] {3, 3});
        try (EventLog log = EventLog.open(db)) {
            done = createRun(log);
            stopped = createRun(log);
            Lease l = log.claim(done, started(1), r -> true).orElseThrow();
            l.appendAll(List.of(new RunEvent.WeightSnapshot(0, weights.hash(), 2, 1, 1, 2)), List.of(weights));
            l.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, kept.hash(), 2)), List.of(kept));
            l.append(new RunEvent.Finished(1, 2.0, null));
            Lease s = log.claim(stopped, started(1), r -> true).orElseThrow();
            s.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, resumable.hash(), 2)), List.of(resumable));
            s.append(new RunEvent.Cancelled(1));
        }
        // the log as an older version left it: the finished run still points at its checkpoint, V8 (and those after it) not applied
        Logs.rawExecute(db, "INSERT INTO blobs (hash, size, bytes) VALUES ('" + kept.hash() + "', 2, "
                + (kind.equals("sqlite") ? "X'0101'" : "'\\x0101'::bytea") + ")");
        Logs.rawExecute(db, "UPDATE runs SET last_checkpoint = '" + kept.hash() + "', last_checkpoint_epoch = 1 WHERE run_id = '" + done + "'");
        Logs.rawExecute(db, "DELETE FROM flyway_schema_history WHERE version IN ('8', '9', '10')");
        try (EventLog log = EventLog.open(db)) {
            assertTrue(log.blob(kept.hash()).isEmpty(), "the finished run's checkpoint is deleted");
            assertNull(log.run(done).orElseThrow().lastCheckpoint());
            assertTrue(log.blob(weights.hash()).isPresent(), "weights stay");
            assertTrue(log.blob(resumable.hash()).isPresent(), "a cancelled run's checkpoint stays: it may be resumed");
            assertTrue(log.verify().clean(), log.verify().toString());
        }
    }

    /**
     * A blob larger than a part is stored in parts (migration V10): its first {@link LogDao#BLOB_PART_BYTES} in its blobs
     * row, the rest in blob_parts in order. It reads back whole; a superseded checkpoint's parts go with it; a part cannot
     * be updated; a part missing is named by verify, and the same bytes written again replace the damaged ones (compared
     * part by part) and are kept once whole; a row deleted by hand takes its parts with it; a part written by hand
     * without its row is no blob and does not stop the same bytes from being written; and a blob written before V10
     * (one row, however large) reads back as it was.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_blob_larger_than_a_part_is_stored_in_parts_and_read_back_whole(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        int part = LogDao.BLOB_PART_BYTES;
        byte[] first = new byte[2 * part + 1000], second = new byte[2 * part + 1];
        new java.util.Random(3).nextBytes(first);
        new java.util.Random(4).nextBytes(second);
        Blob ck1 = Blob.of(first), ck2 = Blob.of(second);
        String run;
        try (EventLog log = EventLog.open(db)) {
            run = createRun(log);
            Lease l = log.claim(run, started(1), r -> true).orElseThrow();
            l.appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, ck1.hash(), first.length)), List.of(ck1));
            assertArrayEquals(first, log.blob(ck1.hash()).orElseThrow());
            assertEquals(List.of(part + " | " + first.length), Logs.rawQuery(db, "SELECT octet_length(bytes), size FROM blobs WHERE hash = '" + ck1.hash() + "'"));
            assertEquals(List.of("1 | " + part, "2 | 1000"),
                    Logs.rawQuery(db, "SELECT part, octet_length(bytes) FROM blob_parts WHERE hash = '" + ck1.hash() + "' ORDER BY part"));
            assertTrue(log.verify().clean(), log.verify().toString());

            l.appendAll(List.of(epoch(2, 1.0), new RunEvent.Checkpoint(2, ck2.hash(), second.length)), List.of(ck2));
            assertTrue(log.blob(ck1.hash()).isEmpty(), "the superseded checkpoint is dropped");
            assertEquals(List.of("0"), Logs.rawQuery(db, "SELECT COUNT(*) FROM blob_parts WHERE hash = '" + ck1.hash() + "'"), "with its parts");
            assertArrayEquals(second, log.blob(ck2.hash()).orElseThrow());
        }
        SQLException up = assertThrows(SQLException.class, () -> Logs.rawExecute(db, "UPDATE blob_parts SET part = 9"));
        assertTrue(up.getMessage().contains("content-addressed"), up.getMessage());

        Logs.rawExecute(db, "DELETE FROM blob_parts WHERE hash = '" + ck2.hash() + "' AND part = 1");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(SqlEventLog.class);
        var warnings = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        warnings.start();
        logger.addAppender(warnings);
        java.util.function.Supplier<Long> replaced = () -> warnings.list.stream()
                .filter(e -> e.getFormattedMessage().contains(ck2.hash() + ": the stored bytes do not match")).count();
        try (EventLog log = EventLog.open(db)) {
            VerifyReport r = log.verify();
            assertEquals(List.of(ck2.hash() + ": the checkpoint of " + run + " epoch 2"), r.badBlobs(), r.toString());
            StoreException.Corrupt read = assertThrows(StoreException.Corrupt.class, () -> log.blob(ck2.hash()));
            assertTrue(read.getMessage().contains(ck2.hash()), read.getMessage());

            // another run writes the same bytes: the damaged ones (a part missing) are replaced, whole
            String again = createRun(log);
            log.claim(again, started(2), r2 -> true).orElseThrow()
                    .appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, ck2.hash(), second.length)), List.of(ck2));
            assertEquals(1, replaced.get(), "compared part by part, and found damaged");
            assertArrayEquals(second, log.blob(ck2.hash()).orElseThrow());
            // and a third: the stored bytes are theirs, and are kept
            String third = createRun(log);
            log.claim(third, started(3), r3 -> true).orElseThrow()
                    .appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, ck2.hash(), second.length)), List.of(ck2));
            assertEquals(1, replaced.get(), "the same bytes are kept");
            assertTrue(log.verify().clean(), log.verify().toString());
        } finally {
            logger.detachAppender(warnings);
        }

        // the row deleted by hand: its parts go with it
        Logs.rawExecute(db, "DELETE FROM blobs WHERE hash = '" + ck2.hash() + "'");
        assertEquals(List.of("0"), Logs.rawQuery(db, "SELECT COUNT(*) FROM blob_parts WHERE hash = '" + ck2.hash() + "'"));
        // a part written by hand without its row: no blob; the same bytes written again are whole
        Logs.rawExecute(db, "INSERT INTO blob_parts (hash, part, bytes) VALUES ('" + ck2.hash() + "', 2, "
                + (kind.equals("sqlite") ? "X'09'" : "'\\x09'::bytea") + ")");
        try (EventLog log = EventLog.open(db)) {
            assertTrue(log.blob(ck2.hash()).isEmpty(), "no row, no blob, whatever parts there are");
            String fourth = createRun(log);
            log.claim(fourth, started(4), r -> true).orElseThrow()
                    .appendAll(List.of(epoch(1, 2.0), new RunEvent.Checkpoint(1, ck2.hash(), second.length)), List.of(ck2));
            assertArrayEquals(second, log.blob(ck2.hash()).orElseThrow());
        }

        // a blob as logs before V10 wrote it: one row, larger than a part
        byte[] zeros = new byte[part + 5];
        String old = Blob.of(zeros).hash();
        Logs.rawExecute(db, "INSERT INTO blobs (hash, size, bytes) VALUES ('" + old + "', " + zeros.length + ", "
                + (kind.equals("sqlite") ? "zeroblob(" + zeros.length + ")" : "decode(repeat('00', " + zeros.length + "), 'hex')") + ")");
        try (EventLog log = EventLog.open(db)) {
            assertArrayEquals(zeros, log.blob(old).orElseThrow());
            VerifyReport r = log.verify();
            assertEquals(List.of(), r.badBlobs(), r.toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void cancel_abandoned_ends_the_dead_and_the_queued_runs_with_a_cancel_request(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String dead = createRun(log);
            String asked = createRun(log);                               // alive, cancel asked: its trainer will honour it
            String running = createRun(log);                             // dead, no cancel asked: interrupted, not cancelled
            // queued with a cancel pending (a worker released it before its trainer read the request, in a log written
            // before such a release ended the run): no claim takes it, so it is ended too
            String queued = createRun(log);
            log.append(queued, new RunEvent.CancelRequested("dashboard"));
            log.claim(dead, started(1), r -> true).orElseThrow().append(epoch(1, 3.0));
            log.claim(running, started(1), r -> true).orElseThrow();
            log.append(dead, new RunEvent.CancelRequested("dashboard"));
            Thread.sleep(2500);
            Lease alive = log.claim(asked, started(2), r -> true).orElseThrow();
            log.append(asked, new RunEvent.CancelRequested("dashboard"));
            assertTrue(alive.heartbeat());
            assertEquals(List.of(dead, queued), log.cancelAbandoned(java.time.Duration.ofSeconds(2)));
            RunRow r = log.run(dead).orElseThrow();
            assertEquals("cancelled", r.status());
            assertEquals(1, r.epochsDone());
            assertEquals("cancelled", log.run(queued).orElseThrow().status());
            assertEquals("running", log.run(asked).orElseThrow().status());
            assertEquals("running", log.run(running).orElseThrow().status());
            assertEquals(List.of(), log.cancelAbandoned(java.time.Duration.ofSeconds(2)), "once");
        }
    }

    /**
     * A cancel asked while the run's worker stops (found 2026-12-04 by a probe of many machines: the worker released the
     * run to the queue before its trainer read the request, and the run stayed queued with the request pending, which no
     * claim takes and nothing ended): the release is written as the cancel, in the run's lock.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_run_released_after_a_cancel_was_asked_ends_cancelled(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log), other = createRun(log);
            Lease lease = log.claim(run, started(1), r -> true).orElseThrow();
            lease.append(epoch(1, 3.0));
            log.append(run, new RunEvent.CancelRequested("dashboard"));
            lease.appendAll(List.of(epoch(2, 2.0), new RunEvent.Released(2, "the worker is stopping")), List.of());
            RunRow r = log.run(run).orElseThrow();
            assertEquals("cancelled", r.status());
            assertEquals(2, r.epochsDone(), "the epoch written with the release is kept");
            assertTrue(log.events(run).stream().noneMatch(e -> e.event() instanceof RunEvent.Released));
            // without a cancel asked, a release queues the run again
            Lease second = log.claim(other, started(1), r2 -> true).orElseThrow();
            second.appendAll(List.of(epoch(1, 3.0), new RunEvent.Released(1, "the worker is stopping")), List.of());
            assertEquals("queued", log.run(other).orElseThrow().status());
            assertTrue(log.verify().clean(), log.verify().toString());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_superseded_lease_writes_nothing_and_the_run_keeps_one_writer(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log);
            Lease first = log.claim(run, started(1), r -> r.status().equals("queued")).orElseThrow();
            assertTrue(log.claim(run, started(2), r -> r.status().equals("queued")).isEmpty(), "one claim of a queued run");
            first.append(epoch(1, 3.0));
            Blob ck = Blob.of(new byte[] {1});
            first.append(new RunEvent.Checkpoint(1, ck.hash(), 1), ck);
            // a takeover (the first trainer looked dead): a new lease, continuing from the checkpoint
            Lease second = log.claim(run, started(2), r -> true).orElseThrow();
            assertEquals(2, second.number());
            assertEquals(1, ((RunEvent.Started) second.started().event()).fromEpoch());
            int before = log.events(run).size();
            StoreException.LeaseLost taken = assertThrows(StoreException.LeaseLost.class, () -> first.append(epoch(2, 2.0)));
            assertEquals("another trainer holds run " + run + " now (lease 2)", taken.reason());
            assertThrows(StoreException.LeaseLost.class, first::heartbeat);
            assertEquals(before, log.events(run).size(), "the refused writer wrote nothing");
            // nor can anyone append training events behind the lease holder's back
            assertThrows(StoreException.Conflict.class, () -> log.append(run, epoch(2, 2.0)));
            second.append(epoch(2, 2.0));
            second.append(new RunEvent.Finished(2, 2.0, null));
            assertThrows(StoreException.LeaseLost.class, () -> second.append(epoch(3, 1.0)), "an ended run takes no more epochs");
            assertEquals(List.of(1, 2), log.epochs(run));
            // a trainer whose run was cancelled while it could not write (paused) is told so, not that another took over
            String paused = createRun(log);
            Lease own = log.claim(paused, started(3), r -> true).orElseThrow();
            log.append(paused, new RunEvent.Cancelled(0));
            StoreException.LeaseLost cancelled = assertThrows(StoreException.LeaseLost.class, () -> own.append(epoch(1, 2.0)));
            assertEquals("run " + paused + " was cancelled meanwhile", cancelled.reason());
            assertTrue(cancelled.getMessage().contains("no longer holds it: run " + paused + " was cancelled meanwhile"), cancelled.getMessage());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void concurrent_writers_get_gap_free_unique_sequence_numbers(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) runs.add(createRun(log));
            String shared = createRun(log);
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<?>> futures = new ArrayList<>();
            for (String run : runs) {
                futures.add(pool.submit(() -> {
                    Lease lease = log.claim(run, started(3), r -> true).orElseThrow();
                    for (int e = 1; e <= 40; e++) lease.append(epoch(e, 1.0 / e));
                    return null;
                }));
                // other writers append to one shared run at the same time (tags from many clients)
                futures.add(pool.submit(() -> {
                    for (int t = 0; t < 20; t++) log.append(shared, new RunEvent.Tagged(List.of("t" + t)));
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
            pool.shutdown();
            for (String run : runs) {
                List<Long> seqs = log.events(run).stream().map(StoredEvent::seq).toList();
                assertEquals(42, seqs.size());
                for (int i = 0; i < seqs.size(); i++) assertEquals(i + 1, seqs.get(i));
                assertEquals(40, log.epochs(run).size());
            }
            List<Long> sharedSeqs = log.events(shared).stream().map(StoredEvent::seq).toList();
            assertEquals(81, sharedSeqs.size());
            for (int i = 0; i < sharedSeqs.size(); i++) assertEquals(i + 1, sharedSeqs.get(i));
        }
    }

    /**
     * A run and its clone have the same checkpoint bytes at the same epoch (content-shared). When the clone's write
     * that points at them has not committed yet and the first run drops them as its superseded checkpoint, the drop
     * must not delete them: here the clone's write is held (after it points at the bytes) by another session's
     * uncommitted row that its snapshot waits for, while the first run writes its next checkpoint.
     */
    @Test
    void on_postgresql_a_checkpoint_shared_with_a_clone_whose_write_is_in_flight_is_not_deleted() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        try (EventLog log = EventLog.open(db)) {
            String first = createRun(log), clone = createRun(log);
            Lease a = log.claim(first, started(1), r -> true).orElseThrow();
            Lease b = log.claim(clone, started(2), r -> true).orElseThrow();
            Blob shared = Blob.of(new byte[] {1, 2, 3, 4});
            a.append(new RunEvent.Checkpoint(1, shared.hash(), 4), shared);
            Backend be = Backend.parse(db, false);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (java.sql.Connection blocker = java.sql.DriverManager.getConnection(be.jdbcUrl(), be.user(), be.password())) {
                blocker.setAutoCommit(false);
                try (var st = blocker.prepareStatement("INSERT INTO snapshots (run_id, epoch, blob, payload) VALUES (?, 5, 'x', '{}')")) {
                    st.setString(1, clone);
                    st.executeUpdate();
                }
                Blob w = Blob.of(new byte[] {9, 9});
                Future<?> cloneWrite = pool.submit(() -> b.appendAll(List.of(new RunEvent.Checkpoint(1, shared.hash(), 4),
                        new RunEvent.WeightSnapshot(5, w.hash(), 1, 1, 1, 2)), List.of(shared, w)));
                Thread.sleep(500);                          // the clone's write points at the bytes and waits on the snapshot row
                assertFalse(cloneWrite.isDone());
                Blob next = Blob.of(new byte[] {5, 6, 7, 8});
                Future<?> firstWrite = pool.submit(() -> a.append(new RunEvent.Checkpoint(2, next.hash(), 4), next));
                Thread.sleep(500);
                blocker.rollback();                         // the other session ends: the clone's write goes on and commits
                cloneWrite.get(30, java.util.concurrent.TimeUnit.SECONDS);
                firstWrite.get(30, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                pool.shutdownNow();
            }
            assertEquals(shared.hash(), log.run(clone).orElseThrow().lastCheckpoint());
            assertTrue(log.blob(shared.hash()).isPresent(), "the clone's checkpoint bytes are still there");
            // and once nobody points at them, they go
            b.append(new RunEvent.Checkpoint(2, Blob.of(new byte[] {5, 6, 7, 8}).hash(), 4), Blob.of(new byte[] {5, 6, 7, 8}));
            assertTrue(log.blob(shared.hash()).isEmpty());
        }
    }

    /**
     * On PostgreSQL the space of a deleted row is reusable only after VACUUM, and autovacuum's defaults wait until a
     * fifth of a table is dead: in a log with gigabytes of snapshots, hundreds of replaced checkpoints. The blobs and
     * blob_parts tables and their TOAST tables (where the bytes are) are set to be vacuumed at autovacuum's next round
     * after any delete.
     */
    @Test
    void on_postgresql_the_blobs_of_replaced_checkpoints_are_vacuumed_at_autovacuums_next_round() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        try (EventLog log = EventLog.open(db)) {
            Backend b = Backend.parse(db, false);
            for (String table : List.of("blobs", "blob_parts")) {
                try (java.sql.Connection c = java.sql.DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password());
                     var st = c.createStatement();
                     var rs = st.executeQuery("SELECT array_to_string(c.reloptions, ','), array_to_string(t.reloptions, ',') "
                             + "FROM pg_class c JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.relname = '" + table + "'")) {
                    assertTrue(rs.next(), "the " + table + " table has a TOAST table");
                    for (int k = 1; k <= 2; k++) {
                        String options = rs.getString(k);
                        assertNotNull(options, (k == 1 ? table : "its TOAST table") + " has no storage options");
                        Set<String> set = Set.of(options.split(","));
                        assertTrue(set.contains("autovacuum_vacuum_threshold=0") && set.contains("autovacuum_vacuum_scale_factor=0"),
                                (k == 1 ? table + ": " : table + "'s TOAST: ") + options);
                    }
                }
            }
        }
    }

    /**
     * A trainer stopped inside one of its write transactions on PostgreSQL (SIGSTOP mid-append), simulated exactly: a
     * connection holds the run's row lock, as an append holds it between its statements. Only that run waits: a
     * worker's claim skips it instead of blocking and takes the next run, reads and other runs go on, and a write to
     * the held run (a cancel request too) waits for the lock. Once the holder is gone (the trainer dies), the run is
     * taken over. (On SQLite such a trainer holds the whole file's write lock: docs/reliability.md.)
     */
    @Test
    void on_postgresql_a_trainer_stopped_inside_a_write_holds_only_its_own_run() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        try (EventLog log = EventLog.open(db)) {
            String held = createRun(log), other = createRun(log);
            log.claim(held, started(1), r -> true).orElseThrow();
            Backend b = Backend.parse(db, false);
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try (java.sql.Connection paused = java.sql.DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password())) {
                paused.setAutoCommit(false);
                try (var st = paused.prepareStatement("SELECT run_id FROM runs WHERE run_id = ? FOR UPDATE")) {
                    st.setString(1, held);
                    st.executeQuery().close();
                }
                Thread.sleep(5);
                // the held run's heartbeat counts as lapsed (a stale limit of zero): the claim passes it over at once
                // (each claim is given 20 s: one that waited for the lock would time out here, not hang the test)
                assertEquals(other, pool.submit(() -> log.claimNext(started(2), java.time.Duration.ZERO, Set.of(), r -> true))
                        .get(20, java.util.concurrent.TimeUnit.SECONDS).orElseThrow().runId());
                assertTrue(pool.submit(() -> log.claimNext(started(3), java.time.Duration.ZERO, Set.of(other), r -> true))
                        .get(20, java.util.concurrent.TimeUnit.SECONDS).isEmpty(), "the held run is skipped, not claimed");
                assertEquals("running", log.run(held).orElseThrow().status(), "reads go on");
                assertEquals(2, log.events(held).size());
                // a write that is not a trainer's gives up after the lock wait, writing nothing (StoreException.Busy)
                System.setProperty("sparselab.lockWaitMs", "1500");
                try {
                    long t0 = System.nanoTime();
                    StoreException.Busy busy = assertThrows(StoreException.Busy.class,
                            () -> log.append(held, new RunEvent.Refused("w", "h", "a note")));
                    double waited = (System.nanoTime() - t0) / 1e9;
                    assertTrue(waited >= 1.4 && waited < 15, "waited " + waited + " s");
                    assertTrue(busy.getMessage().contains(held), busy.getMessage());
                    assertEquals(2, log.events(held).size(), "nothing written");
                } finally {
                    System.clearProperty("sparselab.lockWaitMs");
                }
                // within the wait (10 s by default), a write to the held run (a cancel request, a note) waits for the lock
                Future<StoredEvent> write = pool.submit(() -> log.append(held, new RunEvent.Refused("w", "h", "a note")));
                Thread.sleep(1000);
                assertFalse(write.isDone(), "a write to the held run waits for its lock");
                paused.rollback();                                    // the trainer dies: its transaction ends
                assertEquals(3, write.get(30, java.util.concurrent.TimeUnit.SECONDS).seq(), "and then goes through");
            } finally {
                pool.shutdownNow();
            }
            var over = log.claimNext(started(4), java.time.Duration.ZERO, Set.of(other), r -> true).orElseThrow();
            assertEquals(held, over.runId(), "once the lock is free, the run is taken over");
            assertEquals(2, over.number(), "with a new lease: the stopped trainer's writes are refused from now on");
        }
    }

    /**
     * The same stopped trainer, in the log's own sessions: on PostgreSQL the server ends a session that stays inside a
     * transaction without a statement for {@code sparselab.idleInTransactionMs} (60 s by default; 1 s here). That frees
     * the run's row lock, so a worker takes the run over while the stopped writer still sleeps (without it, the run
     * stayed held until the writer woke or its connection timed out). When the writer wakes, its transaction runs once
     * more on a new connection: the first was rolled back, nothing of it was written; a trainer's append would now be
     * refused for its old lease.
     */
    @Test
    void on_postgresql_the_server_ends_a_session_stopped_inside_a_write_and_the_woken_write_runs_once_more() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        System.setProperty("sparselab.idleInTransactionMs", "1000");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (EventLog log = EventLog.open(db)) {
            SqlEventLog store = (SqlEventLog) log;
            String held = createRun(log);
            Lease first = log.claim(held, started(1), r -> true).orElseThrow();
            java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.CountDownLatch locked = new java.util.concurrent.CountDownLatch(1);
            Future<Long> stopped = pool.submit(() -> store.transaction(h -> {
                int attempt = attempts.incrementAndGet();
                long lease = h.createQuery("SELECT lease FROM runs WHERE run_id = :r FOR UPDATE").bind("r", held).mapTo(Long.class).one();
                h.attach(LogDao.class).workerBeat("attempt-" + attempt, "host", 1, 1, "[]", "2026-01-01T00:00:00.000Z");
                if (attempt == 1) {
                    locked.countDown();
                    try {
                        Thread.sleep(10_000);                    // stopped between two statements of its transaction
                    } catch (InterruptedException e) {
                        throw new IllegalStateException(e);
                    }
                    h.createQuery("SELECT 1").mapTo(Integer.class).one();
                }
                return lease;
            }));
            assertTrue(locked.await(20, java.util.concurrent.TimeUnit.SECONDS));
            long t0 = System.nanoTime();
            Optional<Lease> over = Optional.empty();
            while (over.isEmpty() && System.nanoTime() - t0 < 20e9) {
                over = log.claimNext(started(2), java.time.Duration.ZERO, Set.of(), r -> true);
                if (over.isEmpty()) Thread.sleep(100);
            }
            double after = (System.nanoTime() - t0) / 1e9;
            assertTrue(over.isPresent(), "the run was never taken over");
            assertEquals(2, over.get().number());
            assertTrue(after < 8 && attempts.get() == 1, "taken over while the stopped writer slept (10 s): after " + after + " s");
            assertEquals(2L, stopped.get(30, java.util.concurrent.TimeUnit.SECONDS), "the woken write ran again and saw the new lease");
            assertEquals(2, attempts.get());
            Set<String> workers = new HashSet<>();
            for (WorkerInfo w : log.workers()) workers.add(w.name());
            assertEquals(Set.of("attempt-2"), workers, "the first attempt wrote nothing");
            assertThrows(StoreException.LeaseLost.class, () -> first.append(new RunEvent.Refused("w", "h", "late")));
        } finally {
            pool.shutdownNow();
            System.clearProperty("sparselab.idleInTransactionMs");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_worker_that_starts_again_under_a_dead_ones_name_is_listed_with_its_own_start(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        WorkerInfo first;
        try (EventLog log = EventLog.open(db)) {                // worker w1 starts, beats, and is killed (-9): no stop
            log.workerBeat(new WorkerInfo("w1", "box-1", 100L, 1, List.of(), null, null, false));
            first = only(log.workers());
            assertEquals(first.startedAt(), first.heartbeatAt());
        }
        Thread.sleep(30);
        try (EventLog log = EventLog.open(db)) {                // w1 again: another process, host and slots
            log.workerBeat(new WorkerInfo("w1", "box-2", 200L, 2, List.of(), null, null, false));
            WorkerInfo again = only(log.workers());
            assertEquals(again.heartbeatAt(), again.startedAt(), "its own start time, not the dead one's " + first.startedAt());
            assertTrue(Instant.parse(again.startedAt()).isAfter(Instant.parse(first.startedAt())), again + " after " + first);
            assertEquals("box-2", again.host());
            assertEquals(200L, again.pid());
            assertEquals(2, again.slots());
            Thread.sleep(30);                                   // its later heartbeats keep its start time
            log.workerBeat(new WorkerInfo("w1", "box-2", 200L, 2, List.of("r0123456789"), null, null, false));
            WorkerInfo later = only(log.workers());
            assertEquals(again.startedAt(), later.startedAt());
            assertTrue(Instant.parse(later.heartbeatAt()).isAfter(Instant.parse(again.heartbeatAt())), later.toString());
            assertEquals(List.of("r0123456789"), later.runs());
            log.workerStopped("w1");                            // stopped cleanly, then started again in this process
            Thread.sleep(30);
            log.workerBeat(new WorkerInfo("w1", "box-2", 200L, 2, List.of(), null, null, false));
            WorkerInfo restarted = only(log.workers());
            assertFalse(restarted.stopped());
            assertEquals(restarted.heartbeatAt(), restarted.startedAt());
            assertTrue(Instant.parse(restarted.startedAt()).isAfter(Instant.parse(later.startedAt())), restarted.toString());
        }
    }

    private static WorkerInfo only(List<WorkerInfo> workers) {
        assertEquals(1, workers.size(), workers.toString());
        return workers.get(0);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void claim_next_takes_the_oldest_queued_run_once_and_takes_over_stale_ones(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            List<String> runs = new ArrayList<>();
            for (int i = 0; i < 6; i++) runs.add(createRun(log));
            ExecutorService pool = Executors.newFixedThreadPool(3);
            Set<String> claimed = Collections.synchronizedSet(new HashSet<>());
            List<Future<Integer>> futures = new ArrayList<>();
            for (int w = 0; w < 3; w++) {
                futures.add(pool.submit(() -> {
                    int n = 0;
                    while (true) {
                        var lease = log.claimNext(started(9), java.time.Duration.ofHours(1), Set.of(), r -> true);
                        if (lease.isEmpty()) return n;
                        assertTrue(claimed.add(lease.get().runId()), "claimed twice: " + lease.get().runId());
                        n++;
                    }
                }));
            }
            int total = 0;
            for (Future<Integer> f : futures) total += f.get();
            pool.shutdown();
            assertEquals(6, total);
            assertEquals(new HashSet<>(runs), claimed);
            // with a stale limit of zero, a running run is taken over: a new lease
            Thread.sleep(5);
            var over = log.claimNext(started(10), java.time.Duration.ZERO, Set.of(), r -> r.runId().equals(runs.get(0)));
            assertEquals(runs.get(0), over.orElseThrow().runId());
            assertEquals(2, over.get().number());
            // skipped runs are not claimed
            assertTrue(log.claimNext(started(11), java.time.Duration.ofHours(1), new HashSet<>(runs), r -> true).isEmpty());
        }
    }

    /**
     * SQLite's LOWER lowers ASCII letters only: "überprüfung" did not find a tag "Überprüfung" there. A word with other
     * letters is compared with the text lowered as Java lowers it. (PostgreSQL lowers as its database's locale does:
     * with a UTF-8 locale every letter; this suite's test server runs with the C locale.)
     */
    @Test
    void on_sqlite_the_runs_filter_takes_any_case_of_letters_beyond_ascii() {
        try (EventLog log = EventLog.open(Logs.newLog("sqlite", dir))) {
            String tagged = createRun(log);
            log.append(tagged, new RunEvent.Tagged(List.of("Überprüfung")));
            String grouped = log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "fp", Map.of(), "cli", "ÉTUDE-β"));
            createRun(log);
            Instant now = Instant.now();
            for (String q : List.of("überprüfung", "ÜBERPRÜFUNG", "prüf")) {
                assertEquals(List.of(tagged), log.runsPage(new RunFilter(null, q), null, 100, now).stream().map(RunRow::runId).toList(), q);
            }
            for (String q : List.of("étude", "étude-Β", "-β")) {
                assertEquals(List.of(grouped), log.runsPage(new RunFilter(null, q), null, 100, now).stream().map(RunRow::runId).toList(), q);
            }
            assertEquals(List.of(), log.runsPage(new RunFilter(null, "prüf étude"), null, 100, now), "both words, not either");
        }
    }

    /**
     * The filter's words were matched against the stored status: a run stored as running whose trainer is gone (its
     * heartbeats lapsed, or its process on this host ended) shows interrupted, but matched "running" and not
     * "interrupted". Words now match the status a user sees, paged as before.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void the_runs_filter_words_match_the_status_a_user_sees(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            Process gone = new ProcessBuilder("true").start();
            gone.waitFor();
            String elsewhere = createRun(log), dead = createRun(log), alive = createRun(log), queued = createRun(log);
            log.claim(elsewhere, started(1), r -> true).orElseThrow();           // another host: its heartbeat tells
            String here = sparselab.log.ThisHost.NAME;
            log.claim(dead, new RunEvent.Started(gone.pid(), here, 2, 0, "fp", Map.of()), r -> true).orElseThrow();
            log.claim(alive, new RunEvent.Started(ProcessHandle.current().pid(), here, 2, 0, "fp", Map.of()), r -> true).orElseThrow();
            Instant now = Instant.now(), later = now.plusSeconds(3600);      // later: every heartbeat has lapsed
            java.util.function.BiFunction<String, Instant, List<String>> q = (text, at) ->
                    log.runsPage(new RunFilter(null, text), null, 100, at).stream().map(RunRow::runId).toList();
            assertEquals(List.of(dead), q.apply("interrupted", now));
            assertEquals(List.of(dead), q.apply("INTERR", now));
            assertEquals(List.of(alive, elsewhere), q.apply("running", now));
            assertEquals(List.of(alive, elsewhere), q.apply("runn", now));
            assertEquals(List.of(dead), q.apply("sigmoid interrupted", now), "with another word");
            assertEquals(List.of(alive, elsewhere), q.apply("running sigmoid", now), "with another word");
            assertEquals(List.of(alive, dead, elsewhere), q.apply("interrupted", later));
            assertEquals(List.of(), q.apply("running", later));
            assertEquals(List.of(queued), q.apply("queued", now));
            // a page of one, then the next from its cursor: the rows told apart in Java are paged as the others
            List<RunRow> first = log.runsPage(new RunFilter(null, "running"), null, 1, now);
            assertEquals(List.of(alive), first.stream().map(RunRow::runId).toList());
            assertEquals(List.of(elsewhere), log.runsPage(new RunFilter(null, "running"), first.get(0).createdSeq(), 1, now)
                    .stream().map(RunRow::runId).toList());
            // the status filter and the words agree
            assertEquals(List.of(dead), log.runsPage(new RunFilter("interrupted", "interrupted"), null, 100, now).stream().map(RunRow::runId).toList());
            assertEquals(List.of(), log.runsPage(new RunFilter("running", "interrupted"), null, 100, now));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void runs_page_newest_first_with_filters_and_a_cursor(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 7; i++) {
                Map<String, String> cfg = new java.util.HashMap<>(RunConfig.defaults().toMap());
                cfg.put("beta", i % 2 == 0 ? "3" : "0");
                ids.add(log.create(new RunEvent.Created(cfg, i == 3 ? "ufldl" : null, "fp", Map.of(), "cli", i < 2 ? "g_1" : null)));
            }
            log.append(ids.get(5), new RunEvent.Tagged(List.of("strokes")));
            Instant now = Instant.now();
            List<RunRow> first = log.runsPage(RunFilter.ALL, null, 3, now);
            assertEquals(List.of(ids.get(6), ids.get(5), ids.get(4)), first.stream().map(RunRow::runId).toList());
            List<RunRow> second = log.runsPage(RunFilter.ALL, first.get(2).createdSeq(), 3, now);
            assertEquals(List.of(ids.get(3), ids.get(2), ids.get(1)), second.stream().map(RunRow::runId).toList());
            assertEquals(4, log.runsPage(new RunFilter(null, "beta=3"), null, 100, now).size());
            assertEquals(List.of(ids.get(3)), log.runsPage(new RunFilter(null, "UFLDL"), null, 100, now).stream().map(RunRow::runId).toList());
            assertEquals(List.of(ids.get(5)), log.runsPage(new RunFilter(null, "strok"), null, 100, now).stream().map(RunRow::runId).toList());
            assertEquals(2, log.runsPage(new RunFilter(null, "g_1"), null, 100, now).size(), "an underscore is not a wildcard");
            assertEquals(0, log.runsPage(new RunFilter(null, "%"), null, 100, now).size(), "a percent sign is not a wildcard");
            // terms apart are each matched, anywhere; spaces around a key=value's '=' keep it one term
            assertEquals(List.of(ids.get(3)), log.runsPage(new RunFilter(null, "ufldl beta=0"), null, 100, now).stream().map(RunRow::runId).toList());
            assertEquals(List.of(), log.runsPage(new RunFilter(null, "ufldl beta=3"), null, 100, now));
            assertEquals(4, log.runsPage(new RunFilter(null, " beta = 3 "), null, 100, now).size());
            // a number is looked for as a run writes it, as --set reads it: 3.0 and 03 are 3; hidden=196.0 is 196
            assertEquals(4, log.runsPage(new RunFilter(null, "beta=3.0"), null, 100, now).size());
            assertEquals(4, log.runsPage(new RunFilter(null, "BETA=03"), null, 100, now).size());
            assertEquals(7, log.runsPage(new RunFilter(null, "hidden=196.0"), null, 100, now).size());
            assertEquals(7, log.runsPage(new RunFilter(null, "hiddenActivation=SIGMOID"), null, 100, now).size(), "a word in any case");
            assertEquals(0, log.runsPage(new RunFilter(null, "hidden=19"), null, 100, now).size());
            assertEquals(List.of(ids.get(1), ids.get(0)), log.runsPage(new RunFilter(null, "sigmoid  G_1"), null, 100, now).stream().map(RunRow::runId).toList());
            assertEquals(List.of(), log.runsPage(new RunFilter(null, "strokes g_1"), null, 100, now), "both terms, not either");
            assertEquals(List.of(ids.get(5)), log.runsPage(new RunFilter(null, "strokes beta=0 cli"), null, 100, now).stream().map(RunRow::runId).toList());
            // q matches what a user reads, the keys and values and tags, never the JSON text around them
            for (String punctuation : List.of("\"", "{", "}", ":", ",", "[", "]", "\":\"", "{\"", "\\")) {
                assertEquals(List.of(), log.runsPage(new RunFilter(null, punctuation), null, 100, now), "q=" + punctuation);
            }
            assertEquals(7, log.runsPage(new RunFilter(null, "hiddenActivation"), null, 100, now).size(), "a key of every configuration");
            assertEquals(7, log.runsPage(new RunFilter(null, "sigmoid"), null, 100, now).size(), "a value of every configuration");
            Map<String, String> idx = new java.util.HashMap<>(RunConfig.defaults().toMap());
            idx.put("data", "idx:/data/train-{a,b}.gz");
            String quoted = log.create(new RunEvent.Created(idx, null, "fp", Map.of(), "cli", null));
            log.append(quoted, new RunEvent.Tagged(List.of("say \"hi\"", "[x]")));
            // punctuation matches where its characters are in a value or tag: this run's data and tags
            for (String inValue : List.of(":", "{", ",", "}", "{a,b}", "\"", "say \"hi", "[", "]")) {
                assertEquals(List.of(quoted), log.runsPage(new RunFilter(null, inValue), null, 100, now).stream().map(RunRow::runId).toList(),
                        "q=" + inValue);
            }
            assertEquals(8, log.runsPage(new RunFilter("queued", null), null, 100, now).size());
            assertEquals(0, log.runsPage(new RunFilter("interrupted", null), null, 100, now).size());
            log.claim(ids.get(0), started(1), r -> true).orElseThrow();
            assertEquals(1, log.runsPage(new RunFilter("interrupted", null), null, 100, now.plusSeconds(3600)).size());
            assertEquals(1, log.runsPage(new RunFilter("running", null), null, 100, now).size());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void copy_moves_a_whole_log_and_refuses_a_non_empty_target(String kind) {
        try (EventLog source = EventLog.open(dir.resolve("source.db")); EventLog target = EventLog.open(Logs.newLog(kind, dir))) {
            for (int r = 0; r < 3; r++) {
                String run = createRun(source);
                Lease lease = source.claim(run, started(1), x -> true).orElseThrow();
                Blob w = Blob.of(new byte[] {(byte) r, 2, 3});
                lease.appendAll(List.of(epoch(1, 2.0), new RunEvent.WeightSnapshot(1, w.hash(), 4, 2, 2, 2)), List.of(w));
                Blob ck = Blob.of(new byte[] {(byte) r, 9});
                lease.append(new RunEvent.Checkpoint(1, ck.hash(), 2), ck);
                if (r < 2) lease.append(new RunEvent.Finished(1, 2.0, null));
            }
            long n = EventLog.copy(source, target);
            assertEquals(3 * 5 + 2, n);
            assertEquals(source.projectionRows(), target.projectionRows());
            assertEquals(source.blobHashes(), target.blobHashes());
            for (String h : source.blobHashes()) assertArrayEquals(source.blob(h).orElseThrow(), target.blob(h).orElseThrow());
            // appends after the copy continue the ids
            String next = createRun(target);
            assertTrue(target.events(next).get(0).id() > source.lastEventId());
            assertThrows(StoreException.Conflict.class, () -> EventLog.copy(source, target));
        }
    }

    @Test
    void a_db_value_that_is_neither_a_file_nor_a_postgresql_url_is_refused() throws Exception {
        var e = assertThrows(StoreException.BadLog.class, () -> EventLog.open("mysql://u:pw@h/db"));
        assertTrue(e.getMessage().contains("neither a file path nor a postgresql:// URL"), e.getMessage());
        assertFalse(e.getMessage().contains("pw@"), "no password in messages: " + e.getMessage());
        // a JDBC URL, as Java users write one first: said how to write it
        var jdbc = assertThrows(StoreException.BadLog.class, () -> EventLog.open("jdbc:postgresql://u:pw@h:5432/db"));
        assertEquals("--db: 'jdbc:postgresql://u:***@h:5432/db' is a JDBC URL; write it without jdbc: as postgresql://u:***@h:5432/db", jdbc.getMessage());
        // a password with '/', '@' or ':' in it is hidden whole (found 2026-12-03 by a review: pa/ss and p@ss leaked)
        for (String odd : List.of("jdbc:postgresql://u:pa/ss@h/db", "jdbc:postgresql://u:p@ss@h/db", "mysql://u:hun:ter/2@h/db", "mysql://u:p@s/s@h/db")) {
            var hidden = assertThrows(StoreException.BadLog.class, () -> EventLog.open(odd));
            assertTrue(hidden.getMessage().contains("u:***@h/db"), hidden.getMessage());
            for (String part : List.of("pa/ss", "ss@", "ter", "@s/s")) assertFalse(hidden.getMessage().contains(part), hidden.getMessage());
        }
        // a JDBC URL's query as written, but for a password's value and what follows it (it was all "?...", so the
        // suggested URL did not work); a '?' in the user's password is hidden with the rest of it
        var query = assertThrows(StoreException.BadLog.class, () -> EventLog.open("jdbc:postgresql://h:5432/db?user=u&sslmode=require&password=p&ss&x=1"));
        assertTrue(query.getMessage().endsWith("write it without jdbc: as postgresql://h:5432/db?user=u&sslmode=require&password=***&..."), query.getMessage());
        assertFalse(query.getMessage().contains("=p") || query.getMessage().contains("ss&"), query.getMessage());
        var plain = assertThrows(StoreException.BadLog.class, () -> EventLog.open("jdbc:postgresql://h/db?user=u&sslmode=require"));
        assertTrue(plain.getMessage().endsWith("as postgresql://h/db?user=u&sslmode=require"), plain.getMessage());
        var question = assertThrows(StoreException.BadLog.class, () -> EventLog.open("jdbc:postgresql://u:p?ss@h/db?SSLPassword=k"));
        assertTrue(question.getMessage().endsWith("as postgresql://u:***@h/db?SSLPassword=***"), question.getMessage());
        // a review of these changes: an '@' or ':' in a query's password, a '?' in the user's password of a URL with a
        // scheme in capitals, a JDBC URL with one slash, and a user's password that holds "?password=" itself
        Map<String, String> secrets = new java.util.LinkedHashMap<>();
        secrets.put("jdbc:postgresql://host:5432/db?user=u&password=p@ss", "p@ss");
        secrets.put("jdbc:postgresql://host/db?password=ab:cd@ef", "cd@ef");
        secrets.put("PostgreSQL://u:pa?ss@h/db", "pa?ss");
        secrets.put("jdbc:postgresql:/u:pw@h/db", "pw@");
        secrets.put("postgresql://u:my?password=x@h/db x", "my?");
        secrets.put("jdbc:postgresql://[::1]:5432/db?password=hunter2", "hunter2");
        for (Map.Entry<String, String> secret : secrets.entrySet()) {
            var hidden = assertThrows(StoreException.BadLog.class, () -> EventLog.open(secret.getKey()));
            assertFalse(hidden.getMessage().contains(secret.getValue()), secret.getKey() + ": " + hidden.getMessage());
            for (String part : secret.getValue().split("[@:?]")) {
                if (part.length() > 1) assertFalse(hidden.getMessage().contains(part + "@") || hidden.getMessage().contains(":" + part), part + " in " + hidden.getMessage());
            }
        }
        // a postgresql:// URL whose password holds an unescaped '/', '#', '?' or '@' (found 2026-12-04 by a probe of many
        // machines: "the port 'pa:ss' is not a number", "the port 'pass'", "'w0rd@127.0.0.1...' is not a parameter", the
        // URL whole with "names no host"): refused naming the escapes, no piece of the password quoted
        Map<String, String> cut = new java.util.LinkedHashMap<>();
        cut.put("postgresql://sparselab:pa:ss/w0rd@127.0.0.1:25432/sparselab", "'/', '?' or '#'");
        cut.put("postgresql://sparselab:pass#w0rd@127.0.0.1:25432/sparselab", "'/', '?' or '#'");
        cut.put("postgresql://sparselab:pass?w0rd@127.0.0.1:25432/sparselab", "'/', '?' or '#'");
        cut.put("postgresql://sparselab:p@ss@w0rd@127.0.0.1:25432/sparselab", "more than one '@' before the host");
        cut.put("postgresql://sparselab@Sup3rSecretPW@127.0.0.1:25432/sparselab", "more than one '@' before the host");
        // nothing, or only a query, after the host (a review of this change: "the port 'pa' is not a number")
        cut.put("postgresql://sparselab:pa?ss@127.0.0.1:25432", "'/', '?' or '#'");
        cut.put("postgresql://sparselab:pa/ss@127.0.0.1:25432?sslmode=require", "'/', '?' or '#'");
        for (Map.Entry<String, String> c : cut.entrySet()) {
            var refused = assertThrows(StoreException.BadLog.class, () -> EventLog.open(c.getKey()));
            String m = refused.getMessage();
            assertTrue(m.contains(c.getValue()) && m.contains("%2F, %3F, %23 and %40") && m.contains("@127.0.0.1:25432"), m);
            for (String piece : List.of("pa:ss", "w0rd", "pass#", "pass?", "p@ss", "Sup3rSecretPW", "pa?ss", "pa/ss", "'pa'")) assertFalse(m.contains(piece), piece + " in " + m);
        }
        // an '@' in a query's value, which no path follows, is no user's part
        for (String queried : List.of("postgresql://u@127.0.0.1:1/db?ApplicationName=a@b&nosuch=1",
                "postgresql://u@127.0.0.1:1/db?sslrootcert=/home/jdoe@corp.example/root.crt&nosuch=1")) {
            var inQuery = assertThrows(StoreException.BadLog.class, () -> EventLog.open(queried));
            assertTrue(inQuery.getMessage().contains("nosuch"), "refused for its unknown parameter alone: " + inQuery.getMessage());
        }
        assertThrows(StoreException.BadLog.class, () -> EventLog.open("postgresql://u@host-without-db"));
        var range = assertThrows(StoreException.BadLog.class, () -> EventLog.open("postgresql://u@127.0.0.1:99999/db"));
        assertTrue(range.getMessage().contains("the port 99999 is out of range [1, 65535]"), range.getMessage());
        var text = assertThrows(StoreException.BadLog.class, () -> EventLog.open("postgresql://u@127.0.0.1:abc/db"));
        assertTrue(text.getMessage().contains("the port 'abc' is not a number"), text.getMessage());
        // the URL's own driver parameters are kept, after the defaults they may override
        assertEquals("connectTimeout=10&loginTimeout=3&socketTimeout=300&tcpKeepAlive=true&ApplicationName=sparselab&sslmode=require",
                Backend.driverParameters("loginTimeout=3&sslmode=require"));
        for (String url : List.of("postgresql://u@127.0.0.1/db?password=hunter2", "postgresql://u@127.0.0.1:abc/db?sslpassword=hunter2",
                "postgresql://u@127.0.0.1:99999/db?x=1&password=hunter2", "postgresql://u@127.0.0.1/?password=hunter2")) {
            var pw = assertThrows(StoreException.BadLog.class, () -> EventLog.open(url));
            assertFalse(pw.getMessage().contains("hunter2"), pw.getMessage());
        }
        // a child process opens the log with the URL's driver parameters (the display has none)
        Backend withQuery = Backend.parse("postgresql://u@h:5433/db?sslmode=require&currentSchema=s", true);
        assertEquals("postgresql://u@h:5433/db", withQuery.display());
        assertEquals("postgresql://u@h:5433/db?sslmode=require&currentSchema=s", withQuery.locator());
        // a parameter the driver does not know is refused (the driver would ignore it), naming the one most likely meant
        var typo = assertThrows(StoreException.BadLog.class, () -> Backend.parse("postgresql://u@h/db?sslmod=require", true));
        assertTrue(typo.getMessage().contains("'sslmod' is not a parameter of the PostgreSQL driver (did you mean sslmode?)"), typo.getMessage());
        var caps = assertThrows(StoreException.BadLog.class, () -> Backend.parse("postgresql://u@h/db?sslmode=require&CurrentSchema=s", true));
        assertTrue(caps.getMessage().contains("'CurrentSchema' is not a parameter of the PostgreSQL driver (did you mean currentSchema?)"), caps.getMessage());
        var far = assertThrows(StoreException.BadLog.class, () -> Backend.parse("postgresql://u@h/db?colour=blue", true));
        assertTrue(far.getMessage().startsWith("--db: 'colour' is not a parameter of the PostgreSQL driver;"), far.getMessage());
        // the driver connects as a user= parameter, and the log's name says so
        assertEquals("postgresql://postgres@h:5433/db", Backend.parse("postgresql://u@h:5433/db?user=postgres", true).display());
        assertThrows(StoreException.BadLog.class, () -> EventLog.openExisting(dir.resolve("missing.db").toString()));
        assertFalse(Files.exists(dir.resolve("missing.db")));
        Path empty = dir.resolve("empty.db");
        Files.write(empty, new byte[0]);
        var e0 = assertThrows(StoreException.BadLog.class, () -> EventLog.openExisting(empty.toString()));
        assertTrue(e0.getMessage().contains("is an empty file, not a log"), e0.getMessage());
        assertEquals(0, Files.size(empty), "a command that only reads leaves an empty file empty");
    }

    /**
     * The password as psql looks for it (found 2026-12-02 by a walkthrough of the many-machines set-up: a stale
     * PGPASSWORD beat the password written in the URL, where psql takes the URL's): the URL's, else PGPASSWORD, else
     * the password file. And a URL a slash short, or with its scheme in capitals, is refused as such, not taken for a
     * file path ("no log at /home/.../postgresql:/...").
     */
    @Test
    void the_password_is_looked_for_as_psql_does_and_a_url_a_slash_short_is_no_file_path() throws Exception {
        Path pass = dir.resolve("pgpass");
        Files.writeString(pass, "h:5433:db:u:from-file\n");
        Map<String, String> env = new java.util.HashMap<>(Map.of("PGPASSWORD", "from-env", "PGPASSFILE", pass.toString()));
        assertEquals("from-url", Backend.parse("postgresql://u:from-url@h:5433/db", true, env::get).password(), "the URL's first");
        assertEquals("from-env", Backend.parse("postgresql://u@h:5433/db", true, env::get).password());
        env.remove("PGPASSWORD");
        assertEquals("from-file", Backend.parse("postgresql://u@h:5433/db", true, env::get).password());
        assertEquals(null, Backend.parse("postgresql://u@h:5433/other", true, env::get).password(), "no line for that database");
        // ~/.pgpass in the folder HOME names, as psql reads it (found 2026-12-03 by a walkthrough: the account's home was read)
        Path home = Files.createDirectories(dir.resolve("home"));
        Files.writeString(home.resolve(".pgpass"), "h:5433:db:u:from-home\n");
        assertEquals("from-home", Backend.parse("postgresql://u@h:5433/db", true, Map.of("HOME", home.toString())::get).password());
        for (String typo : List.of("postgresql:/u:hunter2@h:5433/db", "PostgreSQL://u:hunter2@h/db", "postgres:u@h/db?sslpassword=hunter2",
                "postgresql:/u:hun:ter2@h/db", "postgresql:/u:hun/ter2@h/db", "postgresql:u:hun@ter2@h/db")) {
            var e = assertThrows(StoreException.BadLog.class, () -> Backend.parse(typo, true, env::get));
            assertTrue(e.getMessage().contains("is not a postgresql:// URL; write it as postgresql://user@host:port/db"), e.getMessage());
            assertFalse(e.getMessage().contains("hunter2") || e.getMessage().contains("ter2"), e.getMessage());
        }
        // a file of such a name, as the refusal says
        assertEquals(Backend.Kind.SQLITE, Backend.parse("./postgres:notes.db", true, env::get).kind());
    }

    @Test
    void a_postgresql_url_reads_its_names_as_psql_does_and_child_processes_open_the_same_log() throws Exception {
        // psql reads "a+b" in a URL as the name a+b ('+' is no space outside a form), and %25 as one '%'
        Backend parsed = Backend.parse("postgresql://u+1:p+w%40@h:5433/d+b%20x%25y", true);
        assertEquals("u+1", parsed.user());
        assertEquals("p+w@", parsed.password());
        assertEquals("postgresql://u%2B1@h:5433/d%2Bb%20x%25y", parsed.display(), "a URL again, without the password");
        Backend again = Backend.parse(parsed.locator(), true);       // what a child trainer is given as --db
        assertEquals(List.of("u+1", parsed.jdbcUrl(), parsed.display()), List.of(again.user(), again.jdbcUrl(), again.display()));
        // a real database of that name, opened from its URL and from the URL a child process is given
        Backend test = Backend.parse(LocalPostgres.testDatabase(), true);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(test.jdbcUrl(), test.user(), test.password());
             java.sql.Statement st = c.createStatement()) {
            st.execute("CREATE DATABASE \"d+b x%y\"");
        }
        String url = test.display().substring(0, test.display().lastIndexOf('/') + 1) + "d+b%20x%25y";
        try (EventLog log = EventLog.open(url)) {
            String run = log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "f", Map.of(), "test", null));
            try (EventLog child = EventLog.openExisting(log.locator())) {
                assertEquals(List.of(run), child.runs().stream().map(RunRow::runId).toList());
            }
            assertTrue(log.describe().endsWith("/d%2Bb%20x%25y"), log.describe());
        }
    }

    @Test
    void an_unreachable_server_and_a_wrong_password_are_refused_in_one_line() throws Exception {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        var down = assertThrows(StoreException.BadLog.class, () -> EventLog.open("postgresql://u@127.0.0.1:" + port + "/db"));
        assertTrue(down.getMessage().contains("127.0.0.1:" + port), down.getMessage());
        assertTrue(down.getMessage().contains("(is the database server running, on that host and port?)"), down.getMessage());
        assertFalse(down.getMessage().contains("\n"));
        // a server that accepts the connection and then never answers: refused once the login time is up
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
            Thread accepter = new Thread(() -> {
                try (java.net.Socket held = silent.accept()) {
                    Thread.sleep(60_000);
                } catch (Exception ignored) {
                    // the test is over
                }
            });
            accepter.setDaemon(true);
            accepter.start();
            long t0 = System.nanoTime();
            var mute = assertThrows(StoreException.BadLog.class,
                    () -> EventLog.open("postgresql://u@127.0.0.1:" + silent.getLocalPort() + "/db?loginTimeout=2"));
            assertTrue((System.nanoTime() - t0) / 1e9 < 30, "refused in seconds");
            assertFalse(mute.getMessage().contains("\n"), mute.getMessage());
            accepter.interrupt();
        }
        String url = LocalPostgres.testDatabase();
        String wrong = url.replace("postgres@", LocalPostgres.PASSWORD_ROLE + ":not-the-password@");
        var bad = assertThrows(StoreException.BadLog.class, () -> EventLog.open(wrong));
        assertTrue(bad.getMessage().contains("password authentication failed"), bad.getMessage());
        assertFalse(bad.getMessage().contains("not-the-password"), bad.getMessage());
        // no password anywhere (no PGPASSWORD, no password file): the refusal says where one goes
        String none = url.replace("postgres@", LocalPostgres.PASSWORD_ROLE + "@");
        String noFile = dir.resolve("no-pgpass").toString();
        var missing = assertThrows(StoreException.BadLog.class,
                () -> SqlEventLog.open(Backend.parse(none, true, name -> name.equals("PGPASSFILE") ? noFile : null)).close());
        assertTrue(missing.getMessage().contains("no password was provided (give it in the URL as user:password@, in PGPASSWORD, or in ~/.pgpass)"),
                missing.getMessage());
        String right = url.replace("postgres@", LocalPostgres.PASSWORD_ROLE + ":" + LocalPostgres.PASSWORD + "@");
        try (EventLog log = EventLog.open(right)) {
            assertFalse(log.describe().contains(LocalPostgres.PASSWORD), log.describe());
            assertTrue(log.shared());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_log_from_a_newer_schema_is_refused_and_left_alone(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        String run;
        try (EventLog log = EventLog.open(db)) {
            run = createRun(log);
        }
        Logs.rawExecute(db, "INSERT INTO flyway_schema_history (installed_rank, version, description, type, script, checksum, "
                + "installed_by, installed_on, execution_time, success) VALUES (99, '99', 'from the future', 'SQL', "
                + "'V99__future.sql', 0, 'x', CURRENT_TIMESTAMP, 1, " + (kind.equals("sqlite") ? "1" : "TRUE") + ")");
        var e = assertThrows(StoreException.BadLog.class, () -> EventLog.open(db));
        assertTrue(e.getMessage().contains("newer than this program"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void verify_is_clean_while_a_trainer_appends(String kind) throws Exception {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log);
            Lease lease = log.claim(run, started(7), r -> true).orElseThrow();
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            Thread trainer = new Thread(() -> {
                for (int e = 1; !done.get() && e <= 2000; e++) {
                    lease.append(epoch(e, 1.0 / e));
                    if (e % 3 == 0) {                  // a new checkpoint drops the one before: a blob verify listed may go
                        Blob c = Blob.of(new byte[] {(byte) e, (byte) (e >> 8), 7});
                        lease.append(new RunEvent.Checkpoint(e, c.hash(), 3), c);
                    }
                }
            });
            trainer.start();
            int checks = 0;
            try {
                for (long end = System.currentTimeMillis() + 3000; System.currentTimeMillis() < end; checks++) {
                    VerifyReport r = log.verify();
                    assertTrue(r.clean(), "verify during appends: " + r);
                }
            } finally {
                done.set(true);
                trainer.join();
            }
            assertTrue(checks > 3 && log.metrics(run).size() > 10, checks + " checks, " + log.metrics(run).size() + " epochs");
        }
    }

    @Test
    void verify_names_a_damaged_file_s_problems_instead_of_failing() throws Exception {
        Path db = dir.resolve("damaged.db");
        String hash;
        try (EventLog log = EventLog.open(db)) {
            String run = createRun(log);
            Lease lease = log.claim(run, started(7), r -> true).orElseThrow();
            byte[] weights = new byte[300_000];
            new java.util.Random(3).nextBytes(weights);
            Blob w = Blob.of(weights);
            hash = w.hash();
            lease.append(new RunEvent.WeightSnapshot(1, w.hash(), 4, 2, 2, 2), w);
            for (int e = 1; e <= 50; e++) lease.append(epoch(e, 1.0 / e));
        }
        long size = Files.size(db);
        try (var f = new java.io.RandomAccessFile(db.toFile(), "rw")) {     // zeros over pages in the middle of the file: the blob's
            f.seek(size / 2);
            f.write(new byte[8192]);
        }
        try (EventLog log = EventLog.openExisting(db.toString())) {
            VerifyReport r = log.verify();
            assertFalse(r.clean(), r.toString());
            assertEquals(1, r.badBlobs().size(), r.toString());          // the weights are named, with what is wrong
            assertTrue(r.badBlobs().get(0).startsWith(hash) && r.badBlobs().get(0).contains("unreadable"), r.toString());
            assertEquals(53, r.events(), "every event still read: " + r);
            assertTrue(r.sequenceErrors().isEmpty() && r.projectionDiffs().isEmpty(), r.toString());
        }
    }

    @Test
    void a_file_that_is_no_sqlite_database_is_refused_at_once() throws Exception {
        Path junk = dir.resolve("junk.db");
        byte[] bytes = new byte[8192];
        new java.util.Random(1).nextBytes(bytes);
        Files.write(junk, bytes);
        long t0 = System.nanoTime();
        var e = assertThrows(StoreException.BadLog.class, () -> EventLog.open(junk.toString()));
        assertTrue((System.nanoTime() - t0) / 1e9 < 5, "refused without minutes of retries");
        assertTrue(e.getMessage().contains(junk.getFileName().toString()), e.getMessage());
        assertArrayEquals(bytes, Files.readAllBytes(junk), "the file is left as it was");
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_run_with_a_configuration_is_one_query_by_its_canonical_text_not_an_empty_ended_one_then_its_group(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            RunConfig sparse = RunConfig.defaults(), twin = sparse.nonSparseTwin();
            String s = log.create(new RunEvent.Created(sparse.toMap(), null, "fp", Map.of(), "cli", null));
            String older = log.create(new RunEvent.Created(twin.toMap(), null, "fp", Map.of(), "twin", null));
            log.create(new RunEvent.Created(sparse.with("hidden", "7").toMap(), null, "fp", Map.of(), "cli", null));
            String newer = log.create(new RunEvent.Created(twin.toMap(), null, "fp", Map.of(), "twin", null));
            String text = Json.write(twin.toMap());
            assertEquals(newer, log.withConfig(text, s, null), "the newest of the two twins");
            assertEquals(older, log.withConfig(text, newer, null), "a run is not its own match");
            assertEquals(s, log.withConfig(Json.write(sparse.toMap()), "r0000000000", null));
            assertNull(log.withConfig(Json.write(sparse.with("hidden", "8").toMap()), s, null), "no run has it");
            // a run cancelled before its first epoch comes after one that is not; one in the preferred group before all
            log.append(newer, new RunEvent.Cancelled(0));
            assertEquals(older, log.withConfig(text, s, null), "not the empty cancelled one");
            String grouped = log.create(new RunEvent.Created(twin.toMap(), null, "fp", Map.of(), "twin", s));
            String newest = log.create(new RunEvent.Created(twin.toMap(), null, "fp", Map.of(), "cli", null));
            assertEquals(grouped, log.withConfig(text, s, s), "the one in the run's group");
            assertEquals(newest, log.withConfig(text, s, "another"));
            log.append(grouped, new RunEvent.Cancelled(0));
            assertEquals(newest, log.withConfig(text, s, s), "one with a chance of epochs before an empty one in the group");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void the_tail_of_a_run_is_its_newest_events_oldest_first(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log), other = createRun(log);
            Lease lease = log.claim(run, started(42), r -> true).orElseThrow();
            for (int e = 1; e <= 5; e++) lease.append(epoch(e, 1.0 / e));
            List<StoredEvent> all = log.events(run);
            assertEquals(7, all.size());
            assertEquals(List.of(5L, 6L, 7L), log.eventsTail(run, Long.MAX_VALUE, 3).stream().map(StoredEvent::seq).toList());
            assertEquals(List.of(2L, 3L, 4L), log.eventsTail(run, 5, 3).stream().map(StoredEvent::seq).toList(), "the page before");
            assertEquals(List.of(1L), log.eventsTail(run, 2, 3).stream().map(StoredEvent::seq).toList());
            assertEquals(all.stream().map(StoredEvent::seq).toList(), log.eventsTail(run, Long.MAX_VALUE, 100).stream().map(StoredEvent::seq).toList());
            assertEquals(List.of(1L), log.eventsTail(other, Long.MAX_VALUE, 5).stream().map(StoredEvent::seq).toList(), "only the run's own");
            // the queue's count, leaving out given runs (those a resume is queuing again)
            assertEquals(1, log.queuedCount());
            assertEquals(0, log.queuedCountExcept(List.of(other)));
            assertEquals(1, log.queuedCountExcept(List.of(run, "r0000000000")));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void the_newest_start_is_found_until_an_epoch_follows_it(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = createRun(log);
            assertTrue(log.startSinceLastEpoch(run).isEmpty(), "never started");
            Lease lease = log.claim(run, started(42), r -> true).orElseThrow();
            assertEquals(42, log.startSinceLastEpoch(run).orElseThrow().pid());
            for (int e = 1; e <= 3; e++) {
                lease.append(epoch(e, 1.0 / e));
                if (e == 2) {
                    Blob state = Blob.of(new byte[] {1, 2, 3});
                    lease.append(new RunEvent.Checkpoint(2, state.hash(), 3), state);
                }
            }
            assertTrue(log.startSinceLastEpoch(run).isEmpty(), "epochs came after it");
            Lease taken = log.claim(run, started(43), r -> true).orElseThrow();
            for (int i = 0; i < 5; i++) taken.append(new RunEvent.Heartbeat(3, i));
            RunEvent.Started found = log.startSinceLastEpoch(run).orElseThrow();
            assertEquals(List.of(43L, 2), List.of(found.pid(), found.fromEpoch()), "the takeover, from the checkpoint, behind its heartbeats");
            // asked for several runs at once: only those whose newest start has no epoch after it
            String fresh = createRun(log);
            String trained = createRun(log);
            log.claim(fresh, started(44), r -> true).orElseThrow();
            log.claim(trained, started(45), r -> true).orElseThrow().append(epoch(1, 1.0));
            var starts = log.startsSinceLastEpoch(List.of(run, fresh, trained, createRun(log)));
            assertEquals(java.util.Set.of(run, fresh), starts.keySet());
            assertEquals(44L, starts.get(fresh).pid());
            taken.append(epoch(4, 0.25));
            assertTrue(log.startSinceLastEpoch(run).isEmpty(), "epoch 4 came after it");
        }
    }

    @Test
    void analyze_gives_postgresql_statistics_of_the_runs_at_once() throws Exception {
        String db = Logs.newLog("postgresql", dir);
        try (EventLog log = EventLog.open(db)) {
            for (int i = 0; i < 20; i++) createRun(log);
            assertEquals(0, runsStatistics(db), "none yet");
            log.analyze();
            assertTrue(runsStatistics(db) > 0);
        }
    }

    private static int runsStatistics(String db) throws java.sql.SQLException {
        Backend b = Backend.parse(db, false);
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(b.jdbcUrl(), b.user(), b.password());
             java.sql.ResultSet r = c.createStatement().executeQuery("SELECT COUNT(*) FROM pg_stats WHERE tablename = 'runs'")) {
            r.next();
            return r.getInt(1);
        }
    }

    @Test
    void a_log_opened_for_many_slots_has_a_pool_to_match_on_postgresql() {
        try (EventLog small = EventLog.open(Logs.newLog("postgresql", dir)); EventLog big = EventLog.open(Logs.newLog("postgresql", dir), 20)) {
            assertEquals(6, ((SqlEventLog) small).maxConnections());
            assertEquals(20, ((SqlEventLog) big).maxConnections());
        }
    }
}
