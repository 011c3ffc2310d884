package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.log.RunRow;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The group driver ({@code Worker --group}) in this process, on tiny bars runs. */
class GroupsTest {
    @TempDir Path dir;

    @Test
    void trains_the_groups_queued_runs_one_at_a_time_in_creation_order_and_leaves_other_runs_queued() {
        EventLog log = EventLog.open(dir.resolve("group.db"));
        RunConfig cfg = ConfigLoader.resolve(null, null, List.of("data=bars", "limit=200", "hidden=4", "epochs=1", "batchSize=20"));
        String first = Runs.create(log, cfg, null, "sweep", "g");
        String other = Runs.create(log, cfg, null, "cli", null);
        String second = Runs.create(log, cfg.with("beta", "0"), null, "sweep", "g");

        int trained = Groups.runQueued(log, "g", new RunExecutor(log, RunExecutor.Listener.NONE));

        assertEquals(2, trained);
        RunRow a = log.run(first).orElseThrow();
        RunRow b = log.run(second).orElseThrow();
        assertEquals("finished", a.status());
        assertEquals("finished", b.status());
        assertTrue(eventId(log, first, "finished") < eventId(log, second, "started"), "first created, first trained, one at a time");
        assertEquals("queued", log.run(other).orElseThrow().status());
        assertEquals(List.of(), Groups.queued(log, "g"));
    }

    /** "Letters" means what it means for a tag: of any script; a space, slash or quote is none. */
    @Test
    void a_group_name_is_letters_and_digits_of_any_script_or_a_few_signs() {
        for (String ok : List.of("ünï", "β-sweep", "実験1", "a_b.c:d+e-f")) Groups.checkName("name", ok);
        for (String bad : List.of("a b", "a/b", "a\"b", "", "x".repeat(81), "-x", "--name")) {     // "group -x" reads as an option
            assertThrows(sparselab.config.ConfigException.class, () -> Groups.checkName("name", bad), bad);
        }
        EventLog log = EventLog.open(dir.resolve("names.db"));
        assertEquals("ünï", Groups.newName(log, "ünï", "sweep"));
    }

    private static long eventId(EventLog log, String run, String type) {
        return log.events(run).stream().filter(e -> e.type().equals(type)).findFirst().orElseThrow().id();
    }
}
