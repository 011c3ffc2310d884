package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.launch.LaunchPool;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class LaunchPoolTest {
    @TempDir Path dir;

    @Test
    void starts_at_most_the_bound_in_creation_order_and_the_next_when_one_exits() {
        try (EventLog log = TestLogs.open(dir, "pool.db")) {
            String a = Fixtures.queued(log, Map.of("data", "bars"));
            String b = Fixtures.queued(log, Map.of("data", "bars"));
            String c = Fixtures.queued(log, Map.of("data", "bars"));
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 1);

            pool.tick();
            pool.tick();
            assertEquals(List.of(a), trainers.runIds());
            // the trainer is told the pool's name, the one the workers view lists, to claim the run as that worker
            assertEquals(pool.name(), trainers.starts.get(0).pool());
            assertEquals(List.of(pool.name()), log.workers().stream().map(sparselab.store.WorkerInfo::name).toList());

            trainers.starts.get(0).process().exit();
            log.append(a, new RunEvent.Started(1, "h", 1, 0, null, Map.of()));
            pool.tick();
            assertEquals(List.of(a, b), trainers.runIds());
            assertEquals(List.of(b), pool.active());
            pool.tick();
            assertEquals(List.of(a, b), trainers.runIds(), "c waits while b's trainer lives");
            trainers.starts.get(1).process().exit();
            pool.tick();
            assertEquals(List.of(a, b, c), trainers.runIds());
        }
    }

    /**
     * A queued run whose row differs from its events (edited by hand) is passed over: no trainer is started for it and
     * nothing is written (found by a review of the claim check: the pool started a trainer, whose claim was refused, and
     * then wrote three start_failed events and failed the run); the next run is started; once rebuilt, it is started.
     */
    @Test
    void a_queued_run_whose_row_differs_from_its_events_is_passed_over_until_rebuilt() throws Exception {
        Path file = dir.resolve("pool-edited.db");
        try (EventLog log = EventLog.open(file)) {
            String a = Fixtures.queued(log, Map.of("data", "bars"));
            String b = Fixtures.queued(log, Map.of("data", "bars"));
            TestLogs.rawExecute(file.toString(), "UPDATE runs SET epochs_done = 7 WHERE run_id = '" + a + "'");
            int events = log.events(a).size();
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 2);
            pool.tick();
            pool.tick();
            assertEquals(List.of(b), trainers.runIds());
            assertEquals(events, log.events(a).size(), "nothing written for a");
            assertEquals("queued", log.run(a).orElseThrow().status());
            log.rebuild();
            pool.tick();
            assertEquals(List.of(b, a), trainers.runIds());
        }
    }

    @Test
    void leaves_as_many_of_the_oldest_queued_runs_as_idle_workers_elsewhere_have_free_slots() {
        try (EventLog log = TestLogs.open(dir, "pool3.db")) {
            String a = Fixtures.queued(log, Map.of("data", "bars"));
            String b = Fixtures.queued(log, Map.of("data", "bars"));
            String c = Fixtures.queued(log, Map.of("data", "bars"));
            // a worker on another machine with 2 slots, one busy: one free slot; another dashboard's idle pool counts for nothing
            log.workerBeat(new sparselab.store.WorkerInfo("box-7:42", "box-7", 42L, 2, List.of("rbusy000000"), null, null, false));
            log.workerBeat(new sparselab.store.WorkerInfo("serve@box-8:43", "box-8", 43L, 4, List.of(), null, null, false));
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 2);
            pool.tick();
            assertEquals(List.of(b, c), trainers.runIds(), "a is left to the worker's free slot");
            log.workerStopped("box-7:42");
            trainers.starts.forEach(s -> s.process().exit());
            pool.tick();
            assertEquals(a, trainers.runIds().get(2), "with no worker left, the pool takes a too");
        }
    }

    @Test
    void a_run_left_to_a_worker_that_does_not_claim_it_is_started_here_after_a_while() throws Exception {
        try (EventLog log = TestLogs.open(dir, "pool4.db")) {
            String a = Fixtures.queued(log, Map.of("data", "bars"));
            // alive with a free slot, but it never claims (its data missing, say)
            log.workerBeat(new sparselab.store.WorkerInfo("box-7:42", "box-7", 42L, 1, List.of(), null, null, false));
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 1).leaveToWorkersFor(300);
            pool.tick();
            assertEquals(List.of(), trainers.runIds(), "left to the worker at first");
            Thread.sleep(400);
            pool.tick();
            assertEquals(List.of(a), trainers.runIds(), "then started here");
        }
    }

    @Test
    void runs_two_at_once_with_two_workers_and_skips_cancelled_runs() {
        try (EventLog log = TestLogs.open(dir, "pool2.db")) {
            String a = Fixtures.queued(log, Map.of("data", "bars"));
            String b = Fixtures.queued(log, Map.of("data", "bars"));
            log.append(b, new RunEvent.CancelRequested("test"));
            log.append(b, new RunEvent.Cancelled(0));
            String c = Fixtures.queued(log, Map.of("data", "bars"));
            String d = Fixtures.queued(log, Map.of("data", "bars"));
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 2);

            pool.tick();
            assertEquals(List.of(a, c), trainers.runIds());
            assertEquals(2, pool.active().size());
            pool.tick();
            assertEquals(List.of(a, c), trainers.runIds(), "d waits for a free worker");
        }
    }

    @Test
    void cancels_a_run_whose_trainer_died_after_a_cancel_request() throws Exception {
        try (EventLog log = TestLogs.open(dir, "pool4.db")) {
            String run = Fixtures.queued(log, Map.of("data", "bars"));
            log.claim(run, new RunEvent.Started(1, "h", 1, 0, null, Map.of()), r -> true).orElseThrow();
            log.append(run, new RunEvent.CancelRequested("test"));      // and the trainer dies before it reads it
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 1);
            pool.tick();
            assertEquals("running", log.run(run).orElseThrow().status(), "alive until its heartbeat is stale");
            Thread.sleep(Math.max(sparselab.log.RunRow.HEARTBEAT_TIMEOUT.toMillis(), LaunchPool.BEAT_MS) + 500);
            pool.tick();
            assertEquals("cancelled", log.run(run).orElseThrow().status());
            assertEquals(List.of(), trainers.runIds(), "and not trained again");
        }
    }

    @Test
    void a_dashboard_only_pool_starts_no_trainer() {
        try (EventLog log = TestLogs.open(dir, "pool3.db")) {
            Fixtures.queued(log, Map.of("data", "bars"));
            FakeTrainers trainers = new FakeTrainers();
            LaunchPool pool = new LaunchPool(log, trainers, 0).start(50);
            pool.tick();
            pool.wake();
            assertEquals(List.of(), trainers.runIds());
            pool.close();
        }
    }

    /**
     * A pool on a full log (found 2026-12-01 by a probe of a full disk: its heartbeat failed at every tick, and the
     * server's output said "launch pool: sparselab.store.StoreException$Full: ..." once a second for as long as the disk
     * stayed full). SQLite's page limit stands in for the full disk. Now it says so once, and once more when the log
     * takes writes again.
     */
    @Test
    void a_pool_on_a_full_log_says_so_once_not_at_every_tick() throws Exception {
        Path file = dir.resolve("full.db");
        EventLog.open(file).close();
        System.setProperty(EventLog.SQLITE_MAX_PAGES_PROPERTY, Long.toString(java.nio.file.Files.size(file) / 4096 + 10));
        EventLog log;
        try {
            log = EventLog.open(file);
        } finally {
            System.clearProperty(EventLog.SQLITE_MAX_PAGES_PROPERTY);
        }
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(LaunchPool.class);
        var lines = new ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent>();
        lines.start();
        logger.addAppender(lines);
        try (log) {
            Fixtures.queued(log, Map.of("data", "bars"));
            try {                                                   // fill it to the brim with other workers' heartbeats
                for (int i = 0; ; i++) log.workerBeat(new sparselab.store.WorkerInfo("w" + i, "h", 1, 1, List.of(), null, null, false));
            } catch (sparselab.store.StoreException.Full expected) {
                // full: the pool's first heartbeat, a row as large, does not fit either
            }
            LaunchPool pool = new LaunchPool(log, new FakeTrainers(), 1).start(20);
            Thread.sleep(1_000);                                    // about 50 ticks, each a failed heartbeat
            pool.close();
        } finally {
            logger.detachAppender(lines);
        }
        List<String> said = lines.list.stream().filter(e -> e.getLevel() == ch.qos.logback.classic.Level.WARN)
                .map(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage).toList();
        assertEquals(List.of("launch pool: the log " + file + " is full (database or disk is full): nothing of this write was stored and "
                + "what it held before is intact; free space on its disk, then try again; no trainer is started until it takes writes again"), said);
    }
}
