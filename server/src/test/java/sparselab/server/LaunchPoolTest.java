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
}
