package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.store.EventLog;
import sparselab.store.WorkerInfo;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which interrupted runs on this host may be resumed (found in an earlier stop, left open until 2026-12-03): a run
 * whose heartbeat lapsed inside a {@code sparselab worker} that lives on (its training thread ended without recording
 * why) was refused as "its trainer is still alive (paused?)", because the worker's process, which trains its runs in
 * its own JVM, was alive; other workers took it over, but `resume` and the dashboard's Resume could not. A trainer of its
 * own that is alive (paused) is still refused, and so is a pool's trainer: a pool's pid is never a run's.
 */
class ResumableTest {
    @TempDir Path dir;

    @Test
    void a_run_whose_heartbeat_lapsed_inside_a_live_worker_may_be_resumed_a_live_trainer_of_its_own_not() throws Exception {
        Process paused = new ProcessBuilder("sleep", "120").start();      // alive: a paused trainer of its own
        try (EventLog log = EventLog.open(dir.resolve("resumable.db"))) {
            long me = ProcessHandle.current().pid(), other = paused.pid();    // this JVM: the worker's process
            String host = Provenance.host();
            var cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "epochs=5"));
            String inWorker = Runs.create(log, cfg, null, "test", null);
            log.claim(inWorker, new RunEvent.Started(me, host, 1, 0, null, Map.of(), null, "w-stuck"), r -> true).orElseThrow();
            String own = Runs.create(log, cfg.with("seed", "2"), null, "test", null);
            log.claim(own, new RunEvent.Started(other, host, 1, 0, null, Map.of(), null, host + ":" + other), r -> true).orElseThrow();
            log.workerBeat(new WorkerInfo("w-stuck", host, me, 1, List.of(), null, null, false));

            Instant now = Instant.now(), later = now.plus(Duration.ofMinutes(5));      // the heartbeats lapsed
            RunRow a = log.require(inWorker), b = log.require(own);
            assertFalse(RunExecutor.mayResume(a, now, log.workers()), "a run that beats is no one's to resume");
            assertEquals("interrupted", a.effectiveStatus(later));
            assertTrue(RunExecutor.mayResume(a, later, log.workers()), "the run's trainer inside a live worker is gone");
            assertFalse(RunExecutor.mayResume(a, later, List.of()), "without the worker's row: a live process, as before");
            assertFalse(RunExecutor.mayResume(b, later, log.workers()), "a live trainer of its own (paused) is not gone");
            assertTrue(RunExecutor.whyNotResumable(b, later, log.workers()).contains("is still alive (paused?)"),
                    RunExecutor.whyNotResumable(b, later, log.workers()));
            // a dashboard's pool of the trainer's pid: a pool's trainers are processes of their own, so it says nothing
            log.workerBeat(new WorkerInfo(WorkerLoop.POOL_PREFIX + host + ":" + other, host, other, 1, List.of(), null, null, false));
            assertFalse(RunExecutor.mayResume(b, later, log.workers()), "a pool's pid is never a run's");
        } finally {
            paused.destroy();
        }
    }
}
