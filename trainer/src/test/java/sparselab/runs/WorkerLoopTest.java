package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;
import sparselab.store.EventLog;
import sparselab.store.LocalPostgres;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The worker loop in this process, on a real log. */
class WorkerLoopTest {
    @TempDir Path dir;

    private static RunConfig config(int epochs) {
        return ConfigLoader.resolve(null, null, List.of("data=bars", "limit=1000", "hidden=8", "epochs=" + epochs,
                "batchSize=5", "seed=3", "snapshotEvery=2"));
    }

    /**
     * Just after it failed to reach the log, a worker takes over no running run (found 2026-12-04 by a probe of many
     * machines: 1 s after a 25 s outage ended, an idle worker took over a run whose live trainer was about to write
     * again), for as long as a heartbeat may lapse; it still claims queued runs.
     */
    @Test
    void just_after_the_log_was_out_of_reach_a_worker_takes_over_no_running_run() throws Exception {
        java.time.Duration stale = java.time.Duration.ofSeconds(2);
        long now = System.nanoTime();
        assertEquals(stale, WorkerLoop.takeoverAfter(WorkerLoop.NEVER, now, stale), "no failure: the usual lapse");
        assertEquals(stale, WorkerLoop.takeoverAfter(now - 3_000_000_000L, now, stale), "a failure longer ago than a lapse");
        java.time.Duration afterFailure = WorkerLoop.takeoverAfter(now - 500_000_000L, now, stale);
        assertTrue(afterFailure.toDays() > 365, afterFailure.toString());
        try (EventLog log = EventLog.open(dir.resolve("outage.db"))) {
            RunConfig cfg = config(3);
            String running = log.create(new RunEvent.Created(cfg.toMap(), null, null, Map.of(), "cli", null));
            log.claim(running, new RunEvent.Started(1L, "elsewhere", 1, 0, "f", Map.of()), r -> true).orElseThrow();
            String queued = log.create(new RunEvent.Created(cfg.toMap(), null, null, Map.of(), "cli", null));
            Thread.sleep(stale.toMillis() + 200);                          // the running run's heartbeat has lapsed
            java.util.function.Function<RunRow, RunEvent.Started> started = r -> new RunEvent.Started(2L, "here", 1, 0, "f", Map.of());
            var first = log.claimNext(started, afterFailure, java.util.Set.of(), r -> true).orElseThrow();
            assertEquals(queued, first.runId(), "the queued run, not the lapsed one");
            assertTrue(log.claimNext(started, afterFailure, java.util.Set.of(), r -> true).isEmpty(), "no takeover");
            assertEquals(running, log.claimNext(started, stale, java.util.Set.of(), r -> true).orElseThrow().runId(), "once the grace is over");
        }
    }

    /**
     * Two slots train two full-batch runs at once in this JVM, which share OpenBLAS's thread count: their lanes run in
     * turn while the slots run, and the rule is back when the worker ends.
     */
    @Test
    void a_worker_with_two_slots_trains_full_batch_runs_with_their_lanes_in_turn_and_restores_the_rule() throws Exception {
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=1000", "hidden=8", "epochs=4",
                "optimizer=lbfgs", "batchSize=0", "seed=5", "snapshotEvery=2"));
        sparselab.model.ProductThreads.Lanes before = sparselab.model.ProductThreads.lanes();
        try (EventLog log = EventLog.open(dir.resolve("slots.db"))) {
            String a = log.create(new RunEvent.Created(cfg.toMap(), null, null, Map.of(), "cli", null));
            String b = log.create(new RunEvent.Created(cfg.toMap(), null, null, Map.of(), "cli", null));
            java.util.Set<sparselab.model.ProductThreads.Lanes> during = java.util.concurrent.ConcurrentHashMap.newKeySet();
            Thread probe = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    during.add(sparselab.model.ProductThreads.lanes());
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            probe.start();
            WorkerLoop worker = new WorkerLoop(log, "w-slots", 2, 50, 0);
            int[] trained = {-1};
            Thread t = new Thread(() -> trained[0] = worker.run());
            t.start();
            try {
                long deadline = System.currentTimeMillis() + 120_000;
                while (!List.of(a, b).stream().allMatch(r -> log.run(r).orElseThrow().status().equals("finished"))) {
                    assertTrue(System.currentTimeMillis() < deadline, "both runs finish");
                    Thread.sleep(20);
                }
            } finally {
                worker.stop();
                t.join(60_000);
                probe.interrupt();
            }
            assertEquals(2, trained[0]);
            for (String run : List.of(a, b)) {
                assertEquals("finished", log.run(run).orElseThrow().status());
                assertEquals(4, log.events(run).stream().filter(e -> e.event() instanceof RunEvent.EpochCompleted).count(), run);
            }
            assertTrue(during.contains(sparselab.model.ProductThreads.Lanes.IN_TURN), "the lanes in turn while the slots ran: " + during);
            assertEquals(before, sparselab.model.ProductThreads.lanes(), "the rule restored");
        } finally {
            sparselab.model.ProductThreads.useLanes(before);
        }
    }

    @Test
    void a_run_whose_data_has_another_fingerprint_here_is_refused_with_an_event_and_left_queued() {
        try (EventLog log = EventLog.open(dir.resolve("fp.db"))) {
            String run = log.create(new RunEvent.Created(config(2).toMap(), null, "0123456789abcdef-not-these-bars", Map.of(), "cli", null));
            int trained = new WorkerLoop(log, "w-fp", 1, 50, 1500).run();
            assertEquals(0, trained);
            RunRow r = log.run(run).orElseThrow();
            assertEquals("queued", r.status(), "left for another worker");
            List<RunEvent.Refused> refusals = log.events(run).stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.Refused).map(e -> (RunEvent.Refused) e).toList();
            assertEquals(1, refusals.size(), "refused once, not once per poll");
            assertEquals("w-fp", refusals.get(0).worker());
            assertTrue(refusals.get(0).reason().contains("fingerprint"), refusals.get(0).reason());
            assertTrue(log.workers().stream().anyMatch(w -> w.name().equals("w-fp") && w.stopped()));
        }
    }

    @Test
    void a_run_whose_configuration_does_not_build_here_is_refused_and_the_worker_trains_the_next() {
        try (EventLog log = EventLog.open(dir.resolve("newer.db"))) {
            // a run created by a newer sparselab, with a key this one does not know, queued before a run it can train
            Map<String, String> newer = new java.util.TreeMap<>(config(2).toMap());
            newer.put("warmupEpochs", "3");
            String strange = log.create(new RunEvent.Created(newer, null, null, Map.of(), "cli", null));
            // and one whose data set is not on this machine (loaded outside the claim, then refused)
            Map<String, String> elsewhere = new java.util.TreeMap<>(config(2).toMap());
            elsewhere.put("data", "idx:" + dir.resolve("only-on-box-2.idx"));
            String missing = log.create(new RunEvent.Created(elsewhere, null, null, Map.of(), "cli", null));
            String fine = Runs.create(log, config(2), null, "test", null);
            int trained = new WorkerLoop(log, "w-old", 1, 50, 1500).run();
            assertEquals(1, trained, "the slot lived on and trained the next run");
            assertEquals("queued", log.run(missing).orElseThrow().status());
            List<String> why = log.events(missing).stream().map(StoredEvent::event).filter(e -> e instanceof RunEvent.Refused)
                    .map(e -> ((RunEvent.Refused) e).reason()).toList();
            assertEquals(1, why.size(), why.toString());
            assertTrue(why.get(0).contains("cannot be loaded on this machine") && why.get(0).contains("only-on-box-2.idx"), why.get(0));
            assertEquals("finished", log.run(fine).orElseThrow().status());
            assertEquals("queued", log.run(strange).orElseThrow().status(), "left for a worker that knows the key");
            List<RunEvent.Refused> refusals = log.events(strange).stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.Refused).map(e -> (RunEvent.Refused) e).toList();
            assertEquals(1, refusals.size());
            assertTrue(refusals.get(0).reason().contains("warmupEpochs"), refusals.get(0).reason());
        }
    }

    @Test
    void a_data_set_that_arrives_after_a_refusal_is_loaded_and_its_run_trained() throws Exception {
        System.setProperty(WorkerLoop.UNLOADABLE_PROPERTY, "300");
        try (EventLog log = EventLog.open(dir.resolve("late.db"))) {
            Path images = dir.resolve("late-images-idx3-ubyte.gz");
            Map<String, String> cfg = new java.util.TreeMap<>(config(2).toMap());
            cfg.put("data", "idx:" + images);
            cfg.put("holdout", "0");
            String run = log.create(new RunEvent.Created(cfg, null, null, Map.of(), "cli", null));
            WorkerLoop worker = new WorkerLoop(log, "w-late", 1, 50, 0);
            Thread t = new Thread(worker::run);
            t.start();
            try {
                long deadline = System.currentTimeMillis() + 60_000;
                while (log.events(run).stream().noneMatch(e -> e.event() instanceof RunEvent.Refused)) {
                    assertTrue(System.currentTimeMillis() < deadline, "refused while the file is missing");
                    Thread.sleep(20);
                }
                byte[] px = new byte[40 * 8 * 8];
                for (int i = 0; i < px.length; i++) px[i] = (byte) (i * 37);
                sparselab.data.Idx.writeImages(images, px, 40, 8, 8);       // ./sparselab data, or the copy, arrives
                while (!log.run(run).orElseThrow().status().equals("finished")) {
                    assertTrue(System.currentTimeMillis() < deadline, "trained once the file is there: " + log.run(run).orElseThrow().status());
                    Thread.sleep(50);
                }
            } finally {
                worker.stop();
                t.join(60_000);
                System.clearProperty(WorkerLoop.UNLOADABLE_PROPERTY);
            }
            assertEquals(1, log.events(run).stream().filter(e -> e.event() instanceof RunEvent.Refused).count(), "one refused event, not one a try");
        }
    }

    @Test
    void a_stopped_worker_releases_its_run_after_a_whole_epoch_and_the_next_one_finishes_it_with_the_same_numbers() throws Exception {
        System.setProperty(RunExecutor.CHECKPOINT_PROPERTY, "1000");   // no checkpoint but the release's own
        try (EventLog log = EventLog.open(LocalPostgres.testDatabase())) {
            String whole = Runs.create(log, config(40), null, "test", null);
            assertEquals("finished", new RunExecutor(log, RunExecutor.Listener.NONE).execute(whole, false).status());
            String run = Runs.create(log, config(40), null, "test", null);
            WorkerLoop first = new WorkerLoop(log, "first", 1, 50, 0);
            Thread t = new Thread(first::run);
            t.start();
            long deadline = System.currentTimeMillis() + 120_000;
            while (log.run(run).orElseThrow().epochsDone() < 2) {
                assertTrue(System.currentTimeMillis() < deadline);
                Thread.sleep(5);
            }
            first.stop();                                       // Ctrl-C
            t.join(120_000);
            assertFalse(t.isAlive());
            RunRow released = log.run(run).orElseThrow();
            assertEquals("queued", released.status());
            assertTrue(released.epochsDone() < 40, "released before the end");
            assertEquals(released.epochsDone(), released.lastCheckpointEpoch(), "the released epoch ends with a checkpoint");
            assertTrue(log.events(run).stream().anyMatch(e -> e.event() instanceof RunEvent.Released));
            // its last line: a released run is not one it trained (it said "trained 1 run(s)")
            assertEquals("trained 0 run(s), released 1 run(s) to the queue, to go on from their checkpoints", first.summary());
            WorkerLoop second = new WorkerLoop(log, "second", 1, 50, 1000);
            assertEquals(1, second.run());
            assertEquals("trained 1 run(s)", second.summary());
            assertEquals("finished", log.run(run).orElseThrow().status());
            assertEquals(log.metrics(whole).stream().map(EpochMetrics::loss).toList(),
                    log.metrics(run).stream().map(EpochMetrics::loss).toList());
            assertEquals(40, log.epochs(run).size());
            List<RunEvent.Started> starts = log.events(run).stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.Started).map(e -> (RunEvent.Started) e).toList();
            assertEquals(2, starts.size());
            String fingerprint = log.run(whole).orElseThrow().dataFingerprint();
            assertTrue(fingerprint != null && !fingerprint.isBlank());
            for (RunEvent.Started s : starts) {
                assertEquals(fingerprint, s.dataFingerprint(), "each worker's start records the data it trained on");
            }
        } finally {
            System.clearProperty(RunExecutor.CHECKPOINT_PROPERTY);
        }
    }

    /**
     * Ctrl-C whose runs do not end their epoch in time (the log unreachable, say): the worker's last line says what it
     * leaves and what becomes of it, instead of ending silently when the wait runs out.
     */
    @Test
    void a_stop_whose_runs_do_not_end_in_time_says_what_it_leaves() throws Exception {
        try (EventLog log = EventLog.open(dir.resolve("stop.db"))) {
            WorkerLoop loop = new WorkerLoop(log, "w1", 1, 100, 0);
            java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
            Thread hook = loop.stopHook(new java.util.concurrent.CountDownLatch(1), new java.io.PrintStream(bytes, true), true, 1);
            hook.start();
            hook.join(10_000);
            List<String> lines = bytes.toString().lines().toList();
            assertEquals(List.of("worker w1: stopping; each run finishes its epoch, checkpoints and is queued again (up to 1 s)",
                    "worker w1: stopped without ending its run (no epoch ended within 1 s; is the log reachable?); left as it is: "
                            + "a worker takes it over from its last checkpoint once its heartbeat has lapsed, or resume it"), lines);
            // a loop that ends in time says nothing more
            java.util.concurrent.CountDownLatch ended = new java.util.concurrent.CountDownLatch(1);
            ended.countDown();
            bytes.reset();
            Thread quiet = loop.stopHook(ended, new java.io.PrintStream(bytes, true), true, 1);
            quiet.start();
            quiet.join(10_000);
            assertEquals("", bytes.toString());
        }
        assertEquals("worker w: stopped without ending runs r1, r2 (no epoch ended within 120 s; is the log reachable?); left as they "
                + "are: a worker takes each over from its last checkpoint once its heartbeat has lapsed, or resume it",
                WorkerLoop.leftLine("w", List.of("r1", "r2"), 120));
    }
}
