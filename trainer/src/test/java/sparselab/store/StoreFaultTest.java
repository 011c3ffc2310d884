package sparselab.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import sparselab.config.RunConfig;
import sparselab.log.Blob;
import sparselab.log.RunEvent;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * The log under abuse (docs/reliability.md): edited blobs, logs from the future, foreign files, copies of the file
 * alone, heartbeats all run long, a run of more epochs than SQLite takes bound variables.
 */
class StoreFaultTest {
    @TempDir Path dir;

    /**
     * What counts as a full log: SQLite's SQLITE_FULL (the tests fill a real file to its page limit elsewhere) and
     * PostgreSQL's disk_full, SQLSTATE 53100, which the tests' server cannot be made to raise, so its error is built here
     * as the driver builds it; any other error is not.
     */
    @Test
    void a_full_disk_is_told_on_either_backend_and_nothing_else_is() {
        // the server's error message as the driver parses it off the wire: severity, SQLSTATE, message, NUL-separated
        java.sql.SQLException pgFull = new org.postgresql.util.PSQLException(new org.postgresql.util.ServerErrorMessage(
                "SERROR\0C53100\0Mcould not extend file \"base/16384/16390\": No space left on device\0"));
        assertTrue(StoreException.diskFull(new RuntimeException("a write failed", pgFull)));
        assertTrue(StoreException.diskFull(new org.sqlite.SQLiteException("[SQLITE_FULL] database or disk is full", org.sqlite.SQLiteErrorCode.SQLITE_FULL)));
        // opening a cleanly closed WAL log on a full disk: its -shm file cannot grow (seen on a full 1 MB tmpfs: "refused:
        // cannot open the log X: [SQLITE_IOERR_SHMSIZE] ...", exit 2, not saying the disk is full)
        org.sqlite.SQLiteException shm = new org.sqlite.SQLiteException("[SQLITE_IOERR_SHMSIZE] I/O error within xShmMap while trying "
                + "to resize an existing shared memory segment (disk I/O error)", org.sqlite.SQLiteErrorCode.SQLITE_IOERR_SHMSIZE);
        assertTrue(StoreException.diskFull(new RuntimeException("pool", shm)));
        assertEquals("the disk of the log /x/a.db is full: SQLite could not make room for the log's shared-memory file (/x/a.db-shm); "
                + "nothing in the log was changed; free space on its disk, then try again", new StoreException.Full("/x/a.db", shm).getMessage());
        assertTrue(new StoreException.Full("/x/a.db", new org.sqlite.SQLiteException("[SQLITE_FULL]", org.sqlite.SQLiteErrorCode.SQLITE_FULL))
                .getMessage().startsWith("the log /x/a.db is full (database or disk is full): nothing of this write was stored"));
        assertFalse(StoreException.diskFull(new org.sqlite.SQLiteException("[SQLITE_IOERR_SHMOPEN]", org.sqlite.SQLiteErrorCode.SQLITE_IOERR_SHMOPEN)));
        assertFalse(StoreException.diskFull(new org.postgresql.util.PSQLException("deadlock", org.postgresql.util.PSQLState.DEADLOCK_DETECTED)));
        assertFalse(StoreException.diskFull(new org.sqlite.SQLiteException("[SQLITE_BUSY] locked", org.sqlite.SQLiteErrorCode.SQLITE_BUSY)));
        assertFalse(StoreException.diskFull(new IllegalStateException("no SQL here")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void an_edited_blob_is_never_served_and_verify_names_it(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = EventLogTest.createRun(log);
            Blob w = Blob.of(new byte[] {1, 2, 3, 4});
            log.append(run, new RunEvent.WeightSnapshot(0, w.hash(), 2, 1, 1, 2), w);
            assertTrue(log.verify().clean(), log.verify().toString());
            // the trigger refuses UPDATE, so the attacker replaces the row: delete and insert other bytes
            Logs.rawExecute(db, "DELETE FROM blobs WHERE hash = '" + w.hash() + "'");
            Logs.rawExecute(db, "INSERT INTO blobs (hash, size, bytes) VALUES ('" + w.hash() + "', 4, "
                    + (kind.equals("sqlite") ? "X'09090909'" : "'\\x09090909'::bytea") + ")");
            var e = assertThrows(StoreException.Corrupt.class, () -> log.blob(w.hash()));
            assertTrue(e.getMessage().contains(w.hash()), e.getMessage());
            VerifyReport r = log.verify();
            assertFalse(r.clean());
            assertEquals(List.of(w.hash() + ": the weights of " + run + " epoch 0"), r.badBlobs(), "the hash and what points at it");
            // a later run that writes the same bytes (an identical run) does not inherit the damage: they are replaced
            String again = EventLogTest.createRun(log);
            log.append(again, new RunEvent.WeightSnapshot(0, w.hash(), 2, 1, 1, 2), w);
            assertArrayEquals(w.bytes(), log.blob(w.hash()).orElseThrow());
            assertTrue(log.verify().clean(), log.verify().toString());
            // the right bytes with a wrong size beside them: named too
            Logs.rawExecute(db, "DELETE FROM blobs WHERE hash = '" + w.hash() + "'");
            Logs.rawExecute(db, "INSERT INTO blobs (hash, size, bytes) VALUES ('" + w.hash() + "', 5, "
                    + (kind.equals("sqlite") ? "X'01020304'" : "'\\x01020304'::bytea") + ")");
            assertArrayEquals(w.bytes(), log.blob(w.hash()).orElseThrow());
            List<String> users = java.util.stream.Stream.of(run, again).sorted().map(id -> "the weights of " + id + " epoch 0").toList();
            assertEquals(List.of(w.hash() + " (its size column is not its bytes' length): " + String.join(", ", users)), log.verify().badBlobs());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void verify_names_the_weights_and_checkpoint_whose_bytes_were_deleted(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            Blob w0 = Blob.of(new byte[] {1, 2, 3, 4});
            Blob w1 = Blob.of(new byte[] {5, 6, 7, 8});
            Blob ck = Blob.of(new byte[] {9, 9});
            lease.append(new RunEvent.WeightSnapshot(0, w0.hash(), 2, 1, 1, 2), w0);
            lease.appendAll(List.of(EventLogTest.epoch(1, 2.0), new RunEvent.WeightSnapshot(1, w1.hash(), 2, 1, 1, 2),
                    new RunEvent.Checkpoint(1, ck.hash(), 2)), List.of(w1, ck));
            assertTrue(log.verify().clean(), log.verify().toString());
            Logs.rawExecute(db, "DELETE FROM blobs WHERE hash IN ('" + w1.hash() + "', '" + ck.hash() + "')");
            VerifyReport r = log.verify();
            assertFalse(r.clean());
            assertEquals(List.of(run + ": the weights of epoch 1 (" + w1.hash().substring(0, 12) + ")",
                    run + ": the checkpoint of epoch 1 (" + ck.hash().substring(0, 12) + ")"), r.missingBlobs());
            assertEquals(List.of(), r.badBlobs());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void verify_finds_a_projection_that_no_longer_matches_its_events(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            lease.append(EventLogTest.epoch(1, 2.0));
            lease.append(new RunEvent.Finished(1, 2.0, null));
            assertTrue(log.verify().clean());
            Logs.rawExecute(db, "UPDATE epoch_metrics SET loss = 99 WHERE run_id = '" + run + "'");
            Logs.rawExecute(db, "UPDATE runs SET status = 'queued' WHERE run_id = '" + run + "'");
            VerifyReport r = log.verify();
            assertEquals(List.of(run + ": runs row", run + ": epoch_metrics"), r.projectionDiffs());
            log.rebuild();
            assertTrue(log.verify().clean());
            // the per-unit rates are a column of the projection too: the pages and exports serve them
            String rates = log.rhoHatJson(run, List.of(1)).get(1);
            Logs.rawExecute(db, "UPDATE epoch_metrics SET rho_hat = '[0.999]' WHERE run_id = '" + run + "'");
            assertEquals(List.of(run + ": epoch_metrics"), log.verify().projectionDiffs(), "rates " + rates + " replaced");
            Logs.rawExecute(db, "UPDATE epoch_metrics SET rho_hat = 'not json' WHERE run_id = '" + run + "'");
            assertEquals(List.of(run + ": epoch_metrics"), log.verify().projectionDiffs());
            log.rebuild();
            assertTrue(log.verify().clean());
            assertEquals(rates, log.rhoHatJson(run, List.of(1)).get(1));
        }
    }

    /**
     * A runs row edited by hand (found 2026-12-01 by a probe of tampering: fewer epochs done, another configuration, a
     * swapped checkpoint or status each made `resume` train from the row and write what it trained into the events:
     * epochs logged twice, epochs at another learning rate, another run's checkpoint; verify then called the log clean
     * once rebuilt). A claim now folds the run's events and refuses a row that differs; a worker's claim passes it over.
     * A run whose row was deleted is found by its events (verify said clean).
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_runs_row_that_differs_from_its_events_is_not_claimed_and_a_deleted_one_is_found(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            Blob ck = Blob.of(new byte[] {9, 9});
            lease.appendAll(List.of(EventLogTest.epoch(1, 2.0), EventLogTest.epoch(2, 1.5), new RunEvent.Checkpoint(2, ck.hash(), 2)), List.of(ck));
            lease.append(new RunEvent.Cancelled(2));
            log.append(run, new RunEvent.Requeued("test"));
            assertTrue(log.verify().clean(), log.verify().toString());
            int events = log.events(run).size();
            for (String edit : List.of("epochs_done = 0, last_checkpoint_epoch = NULL, last_checkpoint = NULL",
                    "config = REPLACE(config, '}', ', \"learningRate\": \"5\"}')", "status = 'cancelled'")) {
                log.rebuild();
                Logs.rawExecute(db, "UPDATE runs SET " + edit + " WHERE run_id = '" + run + "'");
                assertEquals(List.of(run + ": runs row"), log.verify().projectionDiffs(), edit);
                var e = assertThrows(StoreException.Corrupt.class, () -> log.claim(run, EventLogTest.started(2), r -> true), edit);
                assertTrue(e.getMessage().startsWith("run " + run + ": its runs row does not match its events"), e.getMessage());
                assertTrue(log.claimNext(EventLogTest.started(3), java.time.Duration.ZERO, java.util.Set.of(), r -> true).isEmpty(),
                        "a worker passes it over: " + edit);
                assertEquals(events, log.events(run).size(), "nothing was written: " + edit);
            }
            // a worker polls past it: the window of candidates grows with the runs passed over
            log.rebuild();                                       // the row refolded from the events: claimed from them
            Lease again = log.claimNext(EventLogTest.started(4), java.time.Duration.ZERO, java.util.Set.of(), r -> true).orElseThrow();
            assertEquals(run, again.runId());
            assertEquals(2, ((RunEvent.Started) again.started().event()).fromEpoch(), "from its checkpoint's epoch");
            // a run whose row is deleted: its events are still in the log
            String other = EventLogTest.createRun(log);
            Logs.rawExecute(db, "DELETE FROM runs WHERE run_id = '" + other + "'");
            VerifyReport r = log.verify();
            assertEquals(List.of(other + ": runs row missing (its 1 event is in the log)"), r.projectionDiffs());
            assertEquals(2, r.runs());
            log.rebuild();
            assertTrue(log.verify().clean(), log.verify().toString());
            assertEquals("queued", log.run(other).orElseThrow().status());
        }
    }

    /**
     * An event deleted from the middle of a run (found 2026-12-01 by a probe of tampering): verify named the gap, and
     * also a "missing checkpoint" and a runs row that differ only because its fold stopped at the gap. Now the gap alone.
     */
    /**
     * A run resumed after its trainer's heartbeats (which write the row's heartbeat time without an event) is claimed
     * as any other: found by a review of the claim check, which compared that time and refused such a run (the
     * dashboard's resume of an interrupted run), and verify called its row changed. A candidate with an event that
     * cannot be read is passed over by a worker's claim, which takes the next run.
     */
    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void a_run_resumed_after_heartbeats_is_claimed_and_an_unreadable_candidate_is_passed_over(String kind) throws Exception {
        String db = Logs.newLog(kind, dir);
        try (EventLog log = EventLog.open(db)) {
            String run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            lease.append(EventLogTest.epoch(1, 2.0));
            Thread.sleep(1100);                                  // a beat at a later time than any event
            lease.heartbeat();
            log.append(run, new RunEvent.Requeued("dashboard"));
            assertTrue(log.verify().clean(), log.verify().toString());
            assertEquals(java.util.Optional.empty(), log.notStartable(run));
            // a copy of the log compares the rebuilt rows with these: equal (it refused the copy as differing)
            try (EventLog copy = EventLog.open(Logs.newLog(kind, dir))) {
                assertTrue(EventLog.copy(log, copy) > 0);
            }
            assertEquals(run, log.claim(run, EventLogTest.started(2), r -> true).orElseThrow().runId());
            // two queued runs, the older one with an event no version wrote: a worker takes the younger
            String bad = EventLogTest.createRun(log);
            String good = EventLogTest.createRun(log);
            long seq = log.events(bad).size() + 1;
            Logs.rawExecute(db, "INSERT INTO events (run_id, seq, type, at, payload) VALUES ('" + bad + "', " + seq
                    + ", 'bogus', '2026-12-01T00:00:00Z', '{}')");
            assertTrue(log.notStartable(bad).orElseThrow().contains("type 'bogus') cannot be read"), log.notStartable(bad).toString());
            Lease next = log.claimNext(EventLogTest.started(3), java.time.Duration.ZERO, java.util.Set.of(run), r -> true).orElseThrow();
            assertEquals(good, next.runId());
            var e = assertThrows(StoreException.Corrupt.class, () -> log.claim(bad, EventLogTest.started(4), r -> true));
            assertTrue(e.getMessage().startsWith("run " + bad + " not started: event "), e.getMessage());
        }
    }

    @Test
    void verify_names_a_gap_in_a_runs_events_and_nothing_that_follows_from_it() throws Exception {
        Path file = dir.resolve("gap.db");
        String run;
        try (EventLog log = EventLog.open(file)) {
            run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            Blob ck = Blob.of(new byte[] {9, 9});
            lease.appendAll(List.of(EventLogTest.epoch(1, 2.0), new RunEvent.Checkpoint(1, ck.hash(), 2)), List.of(ck));
            lease.append(EventLogTest.epoch(2, 1.5));
            assertTrue(log.verify().clean(), log.verify().toString());
        }
        Logs.rawExecute(file.toString(), "DROP TRIGGER events_no_delete");
        Logs.rawExecute(file.toString(), "DELETE FROM events WHERE run_id = '" + run + "' AND seq = 2");
        try (EventLog log = EventLog.open(file)) {
            VerifyReport r = log.verify();
            assertEquals(List.of(run + ": event 2 has number 3"), r.sequenceErrors());
            assertEquals(List.of(), r.projectionDiffs());
            assertEquals(List.of(), r.missingBlobs());
        }
    }

    /** An event that cannot be read names its run, and the run's events still count (found 2026-12-03: 13 of 24 counted). */
    @Test
    void verify_counts_every_event_also_those_of_a_run_it_cannot_read() throws Exception {
        Path file = dir.resolve("unreadable.db");
        String run;
        long total;
        try (EventLog log = EventLog.open(file)) {
            run = EventLogTest.createRun(log);
            String other = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            lease.append(EventLogTest.epoch(1, 2.0));
            lease.append(EventLogTest.epoch(2, 1.5));
            log.append(other, new RunEvent.Tagged(List.of("kept")));
            total = log.verify().events();
            assertEquals(log.events(run).size() + log.events(other).size(), total);
        }
        Logs.rawExecute(file.toString(), "DROP TRIGGER events_no_update");
        Logs.rawExecute(file.toString(), "UPDATE events SET payload = 'not json' WHERE run_id = '" + run + "' AND seq = 2");
        try (EventLog log = EventLog.open(file)) {
            VerifyReport r = log.verify();
            assertEquals(total, r.events(), "every event counted");
            assertTrue(r.projectionDiffs().stream().anyMatch(d -> d.startsWith(run + ": unreadable (")), r.projectionDiffs()::toString);
        }
    }

    @Test
    void closing_the_log_checkpoints_the_wal_so_a_copy_of_the_file_alone_holds_every_append() throws Exception {
        Path file = dir.resolve("a.db");
        String run;
        try (EventLog log = EventLog.open(file)) {
            run = EventLogTest.createRun(log);
            log.append(run, new RunEvent.Tagged(List.of("kept")));
        }
        Path copy = Files.createDirectories(dir.resolve("copy")).resolve("a.db");
        Files.copy(file, copy);                                          // the .db file alone, no -wal
        try (EventLog log = EventLog.open(copy)) {
            assertEquals(List.of("kept"), log.require(run).tagList());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "postgresql"})
    void heartbeats_keep_the_run_alive_without_growing_its_timeline(String kind) {
        try (EventLog log = EventLog.open(Logs.newLog(kind, dir))) {
            String run = EventLogTest.createRun(log);
            Lease lease = log.claim(run, EventLogTest.started(1), r -> true).orElseThrow();
            int before = log.events(run).size();
            String firstBeat = log.require(run).heartbeatAt();
            for (int i = 0; i < 200; i++) lease.heartbeat();
            assertEquals(before, log.events(run).size(), "no event per heartbeat");
            assertTrue(log.require(run).heartbeatAt().compareTo(firstBeat) >= 0);
            log.append(run, new RunEvent.CancelRequested("web"));
            assertTrue(lease.heartbeat(), "a heartbeat reads back the cancel request");
        }
    }

    @Test
    void per_unit_rates_of_more_epochs_than_sqlite_binds_variables_are_read_in_chunks() {
        try (EventLog log = EventLog.open(dir.resolve("long.db"))) {
            String run = log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "fp", Map.of(), "cli", null));
            int epochs = 40_000;                                         // SQLite binds at most 32,766 variables
            List<RunEvent> batch = new ArrayList<>();
            for (int e = 1; e <= epochs; e++) {
                batch.add(new RunEvent.EpochCompleted(e, 1, 1, 0, 0, 0, new double[] {e}, 0, 0, 0, 0, false, null, 0, 0));
                if (batch.size() == 4000) {
                    log.appendAll(run, batch, List.of());
                    batch.clear();
                }
            }
            var rates = log.rhoHat(run, log.epochs(run));
            assertEquals(epochs, rates.size());
            assertEquals(39_999.0, rates.get(39_999)[0]);
        }
    }
}
