package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import sparselab.cli.ExitCodes;
import sparselab.groups.GroupCommand;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code sparselab group}: replicates of a point (--seeds) are summarised as mean +- sd; the figures and the words are
 * the group page's.
 */
class GroupCommandTest {
    @TempDir Path dir;

    private static void finished(EventLog log, String id, double loss) {
        finished(log, id, loss, 0.1);
    }

    private static void finished(EventLog log, String id, double loss, double meanActivation) {
        log.append(id, new RunEvent.Started(1, "h", 1, 0, "f00d", Map.of()));
        log.append(id, new RunEvent.EpochCompleted(1, loss, loss, 0, 0, meanActivation, new double[] {meanActivation}, 0, 0, 0, 0, false, loss / 2, 1, 1));
        log.append(id, new RunEvent.Finished(1, loss, loss / 2));
    }

    private String group(Path db, String name) {
        StringWriter out = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new GroupCommand()));
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--db", db.toString(), name), out.toString());
        return out.toString();
    }

    /** A ladder step that left the asked order carries a note; `ladder` printed it, `group` did not (the page does). */
    @Test
    void a_ladder_step_s_note_is_printed_as_ladder_prints_it() {
        Path db = dir.resolve("ladder.db");
        String a, b;
        try (EventLog log = EventLog.open(db)) {
            // tanh with the batch-mean estimator is refused while beta > 0: the activation waits for the estimator
            a = Fixtures.queued(log, Map.of("data", "bars", "hiddenActivation", "tanh", "estimator", "ema-threshold"));
            b = Fixtures.queued(log, Map.of("data", "bars", "hiddenActivation", "sigmoid", "estimator", "batch-mean"));
        }
        StringWriter ladderOut = new StringWriter();
        CommandLine ladder = ExitCodes.install(new CommandLine(new sparselab.cli.LadderCommand()));
        ladder.setOut(new PrintWriter(ladderOut, true));
        ladder.setErr(new PrintWriter(new StringWriter(), true));
        assertEquals(0, ladder.execute("--db", db.toString(), a, b, "--order", "estimator,hiddenActivation", "--name", "noted", "--queue-only"), ladderOut.toString());
        String note = ladderOut.toString().lines().filter(l -> l.contains("  (moved ahead of")).findFirst()
                .orElseThrow(() -> new AssertionError(ladderOut.toString()));
        String text = group(db, "noted");
        String said = note.substring(note.indexOf("  ("));
        assertTrue(text.lines().anyMatch(l -> l.startsWith("1 ") && l.endsWith(said)), said + " in\n" + text);
        assertTrue(text.lines().anyMatch(l -> l.matches("step\\s+run\\s+status\\s.*")), "a ladder's table has its step column\n" + text);
    }

    @Test
    void replicates_of_a_point_are_summarised_as_mean_and_sample_sd() {
        Path db = dir.resolve("g.db");
        try (EventLog log = EventLog.open(db)) {
            double[][] losses = {{1, 3}, {10, 10}, {0.0137, 0.01379}};
            String[] betas = {"0", "3", "1"};
            for (int p = 0; p < 3; p++) {
                for (int s = 0; s < 2; s++) {
                    String id = Fixtures.queued(log, Map.of("beta", betas[p], "seed", Integer.toString(1 + s)), "sweep", "reps");
                    finished(log, id, losses[p][s]);
                }
            }
            Fixtures.queued(log, Map.of("beta", "3", "seed", "3"), "sweep", "reps");   // still queued: not counted
        }
        StringWriter out = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new GroupCommand()));
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--db", db.toString(), "reps"));
        String text = out.toString();
        String beta0 = text.lines().filter(l -> l.startsWith("beta=0 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(beta0.matches("beta=0\\s+2\\s+2 \\+- 1\\.41\\s+1 \\+- 0\\.707\\s.*"), beta0);     // as the group page writes them
        String beta3 = text.lines().filter(l -> l.startsWith("beta=3 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(beta3.matches("beta=3\\s+2\\s+10 \\+- 0\\s+5 \\+- 0\\s.*"), beta3);
        // the columns line up, also with a small sd written out as the page writes it (the terminal said 6.364e-05)
        String header = text.lines().filter(l -> l.startsWith("point ")).findFirst().orElseThrow();
        String beta1 = text.lines().filter(l -> l.startsWith("beta=1 ")).findFirst().orElseThrow();
        assertTrue(beta1.contains(" +- 0.0000636 "), beta1);
        for (String line : List.of(beta0, beta3, beta1)) assertEquals(header.length(), line.length(), header + "\n" + line);
    }

    @Test
    void the_points_carry_the_dead_and_saturated_fractions_that_the_group_page_shows() {
        Path db = dir.resolve("m.db");
        // per point and seed: dead fraction, saturated fraction of the latest measured snapshot
        double[][][] fractions = {{{0.25, 0}, {0.75, 0.1}}, {{1, 0}, {1, 0}}};
        String[] betas = {"0", "3"};
        try (EventLog log = EventLog.open(db)) {
            for (int p = 0; p < 2; p++) {
                for (int s = 0; s < 2; s++) {
                    String id = Fixtures.queued(log, Map.of("beta", betas[p], "seed", Integer.toString(1 + s)), "sweep", "fr");
                    finished(log, id, 1 + s);
                    // an older snapshot's measures first: the latest counts, as on the page
                    log.append(id, new RunEvent.FilterMeasures(0, 0.5, 0.9, 0.9, 0.1, 0.1, 0.1));
                    double[] f = fractions[p][s];
                    log.append(id, new RunEvent.FilterMeasures(1, 0.5, f[0], f[1], 0.2, 0.3, 0.4));
                }
            }
        }
        StringWriter out = new StringWriter();
        CommandLine cl = ExitCodes.install(new CommandLine(new GroupCommand()));
        cl.setOut(new PrintWriter(out, true));
        assertEquals(0, cl.execute("--db", db.toString(), "fr"));
        String text = out.toString();
        String header = text.lines().filter(l -> l.startsWith("point ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(header.matches("point\\s+n\\s+loss\\s+held-out\\s+mean act\\.\\s+locality\\s+dead\\s+satur\\.\\s+lifetime\\s+digit\\s+strokes"), header);
        String beta0 = text.lines().filter(l -> l.startsWith("beta=0 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        String beta3 = text.lines().filter(l -> l.startsWith("beta=3 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertEquals("0.5 +- 0.354", column(header, beta0, "dead"), beta0);
        assertEquals("0.05 +- 0.0707", column(header, beta0, "satur."), beta0);
        assertEquals("1 +- 0", column(header, beta3, "dead"), beta3);
        assertEquals("0 +- 0", column(header, beta3, "satur."), beta3);
        // every unit dead in both of beta=3's runs: no stroke share to average, and each run's line says so
        assertEquals("-", column(header, beta3, "strokes"), beta3);
        assertEquals("0.4 +- 0", column(header, beta0, "strokes"), beta0);
        assertEquals(2, text.lines().filter(l -> l.matches("r[0-9a-f]+ .*") && l.contains(" all dead ")).count(), text);
        // the same numbers as the group page's points (the groups API): both come from Replicates
        try (EventLog log = EventLog.open(db)) {
            var g = new sparselab.groups.GroupQueries(log, new sparselab.runs.RunQueries(log)).group("fr", log.clock().instant());
            for (var p : g.points()) {
                String line = p.label().equals("beta=0") ? beta0 : beta3;
                for (String[] f : new String[][] {{"deadFraction", "dead"}, {"saturatedFraction", "satur."}}) {
                    var m = p.figures().get(f[0]);
                    assertEquals(sparselab.groups.GroupCommand.ms(m), column(header, line, f[1]), p.label() + " " + f[0]);
                }
            }
        }
    }

    @Test
    void the_progress_column_says_iterations_for_l_bfgs_runs_and_the_mean_activation_is_the_group_page_s() {
        Path db = dir.resolve("lbfgs.db");
        // per point and seed: the final mean activation of a full-batch L-BFGS run (each logged epoch one iteration)
        double[][] acts = {{0.25, 0.75}, {0.05, 0.0625}};
        String[] betas = {"0", "3"};
        try (EventLog log = EventLog.open(db)) {
            for (int p = 0; p < 2; p++) {
                for (int s = 0; s < 2; s++) {
                    String id = Fixtures.queued(log, Map.of("optimizer", "lbfgs", "batchSize", "0", "beta", betas[p],
                            "seed", Integer.toString(1 + s)), "sweep", "lb");
                    finished(log, id, 1 + s, acts[p][s]);
                }
            }
            Fixtures.queued(log, Map.of("optimizer", "lbfgs", "batchSize", "0"), "sweep", "both");
            Fixtures.queued(log, Map.of("optimizer", "adam", "batchSize", "10"), "sweep", "both");
            Fixtures.queued(log, Map.of("seed", "1"), "sweep", "sgd");
            Fixtures.queued(log, Map.of("seed", "2"), "sweep", "sgd");
        }
        String text = group(db, "lb");
        // a sweep's table starts with the run, as the group page's: only a ladder's runs have a step
        String head = text.lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertTrue(head.matches("run\\s+status\\s+iterations\\s+loss\\s+held-out\\s+mean act\\.\\s+locality.*"), head);
        String points = text.lines().filter(l -> l.startsWith("point ")).findFirst().orElseThrow(() -> new AssertionError(text));
        try (EventLog log = EventLog.open(db)) {
            // the same numbers as the group page's run table and its over-seeds points (the groups API)
            var g = new sparselab.groups.GroupQueries(log, new sparselab.runs.RunQueries(log)).group("lb", log.clock().instant());
            assertEquals(4, g.runs().size());
            for (var r : g.runs()) {
                String line = text.lines().filter(l -> l.startsWith(r.run().runId() + " ")).findFirst().orElseThrow(() -> new AssertionError(text));
                assertEquals(sparselab.cli.Figures.f(r.run().meanActivation()), cell(head, line, "mean act.", 10), line);
            }
            for (var p : g.points()) {
                var m = p.figures().get("meanActivation");
                String line = text.lines().filter(l -> l.startsWith(p.label() + " ")).findFirst().orElseThrow(() -> new AssertionError(text));
                assertEquals(sparselab.groups.GroupCommand.ms(m), column(points, line, "mean act."), line);
            }
        }
        String beta0 = text.lines().filter(l -> l.startsWith("beta=0 ")).findFirst().orElseThrow(() -> new AssertionError(text));
        assertEquals("0.5 +- 0.354", column(points, beta0, "mean act."), beta0);
        assertEquals(points.length(), beta0.length(), points + "\n" + beta0);

        // a group of both kinds says both, as the page does; a group of minibatch runs says epochs
        String both = group(db, "both").lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow();
        assertTrue(both.matches("run\\s+status\\s+epochs/iterations\\s+loss\\s.*"), both);
        String sgd = group(db, "sgd").lines().filter(l -> l.startsWith("run ")).findFirst().orElseThrow();
        assertTrue(sgd.matches("run\\s+status\\s+epochs\\s+loss\\s.*"), sgd);
    }

    /** The right-aligned cell of a column of the points table, found by its header. */
    private static String column(String header, String line, String title) {
        return cell(header, line, title, 23);
    }

    /** The right-aligned cell of a column {@code width} wide, found by its header. */
    private static String cell(String header, String line, String title, int width) {
        int end = header.indexOf(" " + title) + 1 + title.length();
        return line.substring(end - width, end).trim();
    }
}
