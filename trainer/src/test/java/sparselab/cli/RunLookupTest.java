package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.RunConfig;
import sparselab.log.RunEvent;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A run named on the command line that is none: said with what it is not, or the run whose id it begins. */
class RunLookupTest {
    @TempDir Path dir;

    private static String create(EventLog log) {
        return log.create(new RunEvent.Created(RunConfig.defaults().toMap(), null, "fp", Map.of(), "cli", null));
    }

    @Test
    void an_id_cut_short_names_the_run_it_begins_and_anything_else_says_what_a_run_id_is() {
        try (EventLog log = EventLog.open(dir.resolve("ids.db"))) {
            String a = create(log);
            String b = create(log);
            assertEquals(a, RunLookup.require(log, a).runId());
            String in = " in " + log.describe();
            // one character short: the run it begins
            ExitCodes.RefusedException cut = assertThrows(ExitCodes.RefusedException.class, () -> RunLookup.require(log, a.substring(0, 10)));
            assertEquals("no run " + a.substring(0, 10) + in + "; did you mean " + a + "?", cut.getMessage());
            // the shape of an id, no such run
            String none = a.equals("r0123456789") ? "r9876543210" : "r0123456789";
            assertEquals("no run " + none + in, RunLookup.notFound(log, none));
            // not an id at all
            assertEquals("no run run-1" + in + " (a run id is r and ten hex digits, as `./sparselab runs` lists them)", RunLookup.notFound(log, "run-1"));
            // "r" alone and a start shared by both runs: no guess
            String shared = "r";
            assertTrue(RunLookup.notFound(log, shared).endsWith("(a run id is r and ten hex digits, as `./sparselab runs` lists them)"));
            int common = 0;
            while (common < 11 && a.charAt(common) == b.charAt(common)) common++;
            if (common >= 4) {
                String both = a.substring(0, common);
                assertTrue(RunLookup.notFound(log, both).contains("begin with it: give one whole"), RunLookup.notFound(log, both));
            }
        }
    }
}
