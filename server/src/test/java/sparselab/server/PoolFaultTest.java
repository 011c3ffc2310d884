package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.launch.LaunchPool;
import sparselab.launch.TrainerSpawner;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The dashboard's pool when trainers cannot start (docs/reliability.md, item 11). */
class PoolFaultTest {
    @TempDir Path dir;

    @Test
    void a_run_whose_trainer_cannot_start_is_retried_with_backoff_then_failed_while_newer_runs_train() throws Exception {
        try (EventLog log = TestLogs.open(dir, "pool.db")) {
            String broken = Fixtures.queued(log, Map.of("data", "bars"));
            String fine = Fixtures.queued(log, Map.of("data", "bars"));
            FakeTrainers good = new FakeTrainers();
            List<String> tried = new ArrayList<>();
            TrainerSpawner spawner = (id, resume, name) -> {
                tried.add(id);
                if (id.equals(broken)) throw new IllegalStateException("cannot run java: no such file");
                return good.spawn(id, resume, name);
            };
            LaunchPool pool = new LaunchPool(log, spawner, 1);
            pool.tick();
            assertEquals(List.of(broken, fine), tried, "the newer run is not held up by the broken one");
            assertEquals("queued", log.require(broken).status());
            assertTrue(log.require(broken).error().contains("start attempt 1 failed"), log.require(broken).error());
            log.append(fine, new RunEvent.Started(1, "h", 1, 0, null, Map.of()));   // the fine run's trainer claimed it
            good.starts.get(0).process().exit();
            long deadline = System.currentTimeMillis() + 60_000;
            while (!log.require(broken).status().equals("failed")) {
                assertTrue(System.currentTimeMillis() < deadline, "still " + log.require(broken).status());
                pool.tick();
                Thread.sleep(100);
            }
            long failedStarts = log.events(broken).stream().filter(e -> e.event() instanceof RunEvent.StartFailed).count();
            assertEquals(LaunchPool.MAX_START_ATTEMPTS, failedStarts);
            assertTrue(log.require(broken).error().contains("could not be started"), log.require(broken).error());
            long triesWhenFailed = tried.stream().filter(broken::equals).count();
            assertEquals(LaunchPool.MAX_START_ATTEMPTS, triesWhenFailed);
            Thread.sleep(100);
            pool.tick();
            assertEquals(triesWhenFailed, tried.stream().filter(broken::equals).count(), "a failed run is not tried again");
        }
    }

    @Test
    void a_failed_start_of_a_run_a_worker_elsewhere_claimed_meanwhile_writes_nothing_to_it() {
        try (EventLog log = TestLogs.open(dir, "shared.db")) {
            String run = Fixtures.queued(log, Map.of("data", "bars"));
            List<String> tried = new ArrayList<>();
            // the local trainer cannot start, and a worker on another machine claims the run in the meantime
            TrainerSpawner spawner = (id, resume, name) -> {
                tried.add(id);
                if (tried.size() == 1) log.claim(id, new RunEvent.Started(4242, "box-2", 1, 0, null, Map.of(), null, "box-2"), r -> true).orElseThrow();
                throw new IllegalStateException("cannot run java: no such file");
            };
            LaunchPool pool = new LaunchPool(log, spawner, 1);
            for (int i = 0; i < 5; i++) pool.tick();
            assertEquals(List.of(run), tried, "not tried again once another trainer holds it");
            assertEquals("running", log.require(run).status(), "the other worker's run is not failed");
            assertTrue(log.events(run).stream().noneMatch(e -> e.event() instanceof RunEvent.StartFailed || e.event() instanceof RunEvent.Failed));
        }
    }

    @Test
    void a_plain_file_where_the_trainers_output_folder_goes_fails_the_run_naming_the_folder_and_the_cause_once() throws Exception {
        Path logs = dir.resolve("logs");
        java.nio.file.Files.writeString(logs, "not a folder");
        try (EventLog log = EventLog.open(dir.resolve("pool.db").toString())) {     // SQLite: the output goes to logs/ beside it
            String run = Fixtures.queued(log, Map.of("data", "bars"));
            LaunchPool pool = new LaunchPool(log, TrainerSpawner.background(log), 1);
            long deadline = System.currentTimeMillis() + 60_000;
            while (!log.require(run).status().equals("failed")) {
                assertTrue(System.currentTimeMillis() < deadline, "still " + log.require(run).status());
                pool.tick();
                Thread.sleep(100);
            }
            String error = log.require(run).error();
            String cause = "cannot create the folder " + logs.toAbsolutePath() + " for the trainers' output: a file of that name is in the way";
            assertEquals("the trainer could not be started (" + LaunchPool.MAX_START_ATTEMPTS + " attempts): cannot start a trainer for run "
                    + run + ": " + cause, error);
            for (var e : log.events(run)) {
                if (e.event() instanceof RunEvent.StartFailed sf) assertEquals("cannot start a trainer for run " + run + ": " + cause, sf.error());
            }
            assertTrue(java.nio.file.Files.isRegularFile(logs), "the file in the way is left as it was");
        }
        // a plain file where a folder above it goes: named as what is not a folder (the system's words otherwise)
        Path below = logs.resolve("trainers");
        java.io.IOException e = assertThrows(java.io.IOException.class, () -> java.nio.file.Files.createDirectories(below));
        String said = sparselab.runs.BackgroundTrainer.folderProblem(below, e);
        assertEquals("cannot create the folder " + below + " for the trainers' output: the file " + logs + " is in the way (not a folder)", said);
        Path locked = dir.resolve("locked"), inside = locked.resolve("logs");          // as a folder without write permission answers
        assertEquals("cannot create the folder " + inside + " for the trainers' output: permission denied (" + locked + ")",
                sparselab.runs.BackgroundTrainer.folderProblem(inside, new java.nio.file.AccessDeniedException(locked.toString())));
    }
}
