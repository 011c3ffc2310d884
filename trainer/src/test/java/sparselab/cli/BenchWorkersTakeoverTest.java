package sparselab.cli;

import org.junit.jupiter.api.Test;
import sparselab.log.Projection;
import sparselab.log.RunEvent;
import sparselab.log.RunRow;
import sparselab.log.StoredEvent;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** bench-workers' takeover part: when it stops waiting for a takeover, from the run's row (no database). */
class BenchWorkersTakeoverTest {
    private long seq;

    private RunRow apply(RunRow s, RunEvent e) {
        seq++;
        return Projection.evolve(s, new StoredEvent(seq, "r0000000001", seq, "2026-12-01T00:00:0" + Math.min(seq, 9) + ".000Z", e));
    }

    private RunRow running(long lease) {
        RunRow r = apply(null, new RunEvent.Created(Map.of("epochs", "400"), null, "fp", Map.of(), "bench", null));
        return apply(r, new RunEvent.Started(9, "h", 2, 0, "fp", Map.of(), lease, "bench-first"));
    }

    @Test
    void a_run_that_ended_before_its_takeover_is_said_at_once_and_one_that_runs_is_waited_for() {
        assertNull(BenchWorkersCommand.noTakeover(running(1)), "running, its heartbeat lapsing: the takeover may still come");
        RunRow finished = apply(running(1), new RunEvent.Finished(400, 0.1, null));
        String why = BenchWorkersCommand.noTakeover(finished);
        assertNotNull(why, "finished by the killed worker: nothing left to take over");
        assertTrue(why.contains("ended (finished, 0 of 400 epochs) before another worker took it over"), why);
        String failed = BenchWorkersCommand.noTakeover(apply(running(1), new RunEvent.Failed(3, "out of memory")));
        assertTrue(failed != null && failed.contains("failed") && failed.contains("out of memory"), failed);
        assertNull(BenchWorkersCommand.noTakeover(running(2)), "taken over");
    }
}
