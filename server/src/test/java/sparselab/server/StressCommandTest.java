package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static sparselab.server.Cli.run;

/** {@code stress} on a real SQLite log with real trainers: it leaves the runs it did not launch alone. */
class StressCommandTest {
    @TempDir Path dir;

    private static boolean cancelAsked(EventLog log, String run) {
        return log.eventsAfter(0, Integer.MAX_VALUE).stream().anyMatch(e -> e.runId().equals(run) && e.event() instanceof RunEvent.CancelRequested);
    }

    @Test
    void a_log_that_holds_runs_is_refused_without_allow_existing_and_left_as_it_was() {
        Path db = dir.resolve("real.db");
        String queued;
        try (EventLog log = EventLog.open(db)) {
            queued = Fixtures.queued(log, Map.of("data", "bars", "epochs", "3"));
        }
        Cli.Result r = run("stress", "--db", db.toString(), "--seconds", "1");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("already holds 1 run") && r.err().contains("--allow-existing"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
        assertFalse(r.out().contains("stress:"), "nothing was started: " + r.out());
        try (EventLog log = EventLog.open(db)) {
            assertEquals(1, log.runs().size());
            assertEquals("queued", log.run(queued).orElseThrow().status());
            assertFalse(cancelAsked(log, queued));
        }
    }

    @Test
    void with_allow_existing_it_cancels_only_the_runs_it_launched() {
        Path db = dir.resolve("shared.db");
        String other;
        try (EventLog log = EventLog.open(db)) {
            other = Fixtures.queued(log, Map.of("data", "bars", "epochs", "100"));
            log.append(other, new RunEvent.Started(4242, "another-host", 1, 0, "f00d", Map.of()));    // another machine trains it
        }
        Cli.Result r = run("stress", "--db", db.toString(), "--allow-existing", "--seconds", "3", "--clients", "3", "--trainers", "1");
        assertEquals(0, r.code(), r.out() + r.err());
        try (EventLog log = EventLog.open(db)) {
            assertEquals("running", log.run(other).orElseThrow().status(), r.out());
            assertFalse(cancelAsked(log, other), "stress asked to cancel a run it did not launch");
            // the runs its clients launched (on a loaded machine possibly none in 3 s) are all ended
            assertTrue(log.runs().stream().filter(x -> !x.runId().equals(other)).allMatch(x -> x.ended()), r.out());
        }
    }
}
