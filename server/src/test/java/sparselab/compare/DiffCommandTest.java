package sparselab.compare;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sparselab.cli.ExitCodes;
import sparselab.config.RunConfig;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

class DiffCommandTest {
    @TempDir Path dir;

    private String[] run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new DiffCommand()));
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new String[] {Integer.toString(code), out.toString(), err.toString()};
    }

    @Test
    void lists_only_the_differing_keys_of_a_run_and_its_twin() {
        Path db = dir.resolve("d.db");
        String a, b;
        try (EventLog log = EventLog.open(db)) {
            RunConfig sparse = RunConfig.defaults().with("beta", "3").with("hidden", "50");
            a = log.create(new RunEvent.Created(sparse.toMap(), null, "fp", Map.of(), "cli", null));
            b = log.create(new RunEvent.Created(sparse.nonSparseTwin().toMap(), null, "fp", Map.of(), "twin", null));
        }
        String[] r = run(a, b, "--db", db.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].lines().anyMatch(l -> l.startsWith("beta") && l.contains("3") && l.contains("0")), r[1]);
        assertFalse(r[1].contains("hidden"), "keys that agree are left out: " + r[1]);
        assertTrue(r[1].contains("1 of " + sparselab.config.ConfigKeys.all().size() + " keys differ"), r[1]);
        String[] all = run(a, b, "--all", "--db", db.toString());
        assertTrue(all[1].contains("hidden"), all[1]);

        String[] unknown = run(a, "rnosuchrun0", "--db", db.toString());
        assertEquals("2", unknown[0]);
        assertTrue(unknown[2].contains("rnosuchrun0"), unknown[2]);
        String[] twice = run(a, a, "--db", db.toString());
        assertEquals("2", twice[0]);
        String[] one = run(a, "--db", db.toString());
        assertEquals("2", one[0]);
        assertTrue(one[2].contains("give two or more run ids to compare, got one (" + a + ")"), one[2]);
    }

    @Test
    void a_run_logged_before_a_key_existed_agrees_with_a_new_run_at_that_keys_default() {
        Path db = dir.resolve("old.db");
        String old, now;
        try (EventLog log = EventLog.open(db)) {
            Map<String, String> before = new java.util.LinkedHashMap<>(RunConfig.defaults().toMap());
            before.remove("lrSchedule");                                   // as logged before the key was added
            before.remove("lrDecay");
            old = log.create(new RunEvent.Created(before, null, "fp", Map.of(), "cli", null));
            now = log.create(new RunEvent.Created(RunConfig.defaults().with("lrDecay", "1").toMap(), null, "fp", Map.of(), "cli", null));
        }
        String[] r = run(old, now, "--db", db.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("0 of " + sparselab.config.ConfigKeys.all().size() + " keys differ: the runs have the same configuration"), r[1]);
        assertFalse(r[1].contains("key "), "no table header over no rows: " + r[1]);
    }

    @Test
    void a_long_value_keeps_its_columns_apart_and_one_past_the_widest_column_is_clipped_with_an_ellipsis() {
        Path db = dir.resolve("long.db");
        String a, b;
        String path = "idx:/" + "deep/".repeat(12) + "train-images.idx3-ubyte";
        try (EventLog log = EventLog.open(db)) {
            Map<String, String> long1 = new java.util.LinkedHashMap<>(RunConfig.defaults().with("stopOn", "sp_growing,loss_rising").toMap());
            long1.put("data", path);
            a = log.create(new RunEvent.Created(long1, null, "fp", Map.of(), "cli", null));
            b = log.create(new RunEvent.Created(RunConfig.defaults().with("stopOn", "none").toMap(), null, "fp", Map.of(), "cli", null));
        }
        String[] r = run(a, b, "--db", db.toString());
        assertEquals("0", r[0], r[2]);
        java.util.List<String> lines = r[1].lines().toList();
        int column = lines.get(0).indexOf(b);
        String stopOn = lines.stream().filter(l -> l.startsWith("stopOn")).findFirst().orElseThrow(() -> new AssertionError(r[1]));
        assertTrue(stopOn.contains("sp_growing,loss_rising  "), "two spaces at least after the long value: " + stopOn);
        assertEquals(column, stopOn.indexOf("none"), "b's value under b's id:\n" + r[1]);
        String data = lines.stream().filter(l -> l.startsWith("data")).findFirst().orElseThrow(() -> new AssertionError(r[1]));
        assertFalse(data.contains(path), data);
        assertTrue(data.contains(path.substring(0, 47) + "…"), data);
        assertEquals(column, data.indexOf("mnist"), "b's value under b's id:\n" + r[1]);
    }
}
