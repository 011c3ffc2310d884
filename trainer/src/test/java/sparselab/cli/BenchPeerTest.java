package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** bench's numpy peer: said and skipped when the interpreter or numpy is missing; answers when numpy is there. */
class BenchPeerTest {
    @TempDir Path dir;

    @Test
    void without_numpy_the_peer_says_so_in_one_line_and_is_left_out() throws Exception {
        Path python = dir.resolve("python3");
        Files.writeString(python, "#!/bin/sh\necho \"ModuleNotFoundError: No module named 'numpy'\" >&2\nexit 1\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        StringWriter text = new StringWriter();
        assertNull(BenchCommand.Peer.start(python, new PrintWriter(text, true)));
        assertTrue(text.toString().contains("numpy is not importable") && text.toString().contains("left out"), text.toString());
        assertEquals(1, text.toString().lines().count());
    }

    @Test
    void without_an_interpreter_the_peer_says_so_and_is_left_out() throws Exception {
        StringWriter text = new StringWriter();
        assertNull(BenchCommand.Peer.start(dir.resolve("no-such-python"), new PrintWriter(text, true)));
        assertTrue(text.toString().contains("no python3 found"), text.toString());
    }

    /** A folder given as --python (found 2026-12-01 by a probe of bench: "error: IOException: ... Permission denied", exit 1). */
    @Test
    void a_folder_as_the_interpreter_is_said_and_the_peer_left_out() throws Exception {
        StringWriter text = new StringWriter();
        assertNull(BenchCommand.Peer.start(dir, new PrintWriter(text, true)));
        assertEquals("peer: no python3 found at " + dir + " (a folder); the numpy columns are left out", text.toString().strip());
    }

    /**
     * A bench stopped while its peer works (SIGTERM, as `timeout` sends; Ctrl-C alike) leaves no peer folder and no peer
     * process (found 2026-12-01 by a probe of bench: the folder, 30-58 MB of digits, stayed in /tmp, and the peer ran on
     * for 10-30 s). A peer that answers "ready" and then nothing stands in for a slow one; --python without --peer is refused.
     */
    @Test
    void a_bench_stopped_midway_leaves_no_peer_folder_or_process() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path pid = dir.resolve("peer.pid");
        Path python = dir.resolve("python3");
        Files.writeString(python, "#!/bin/sh\necho $$ > " + pid + "\necho 'ready numpy 9.9 scipy none'\nexec sleep 600\n");
        Files.setPosixFilePermissions(python, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<String> cmd = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Djava.io.tmpdir=" + tmp));
        cmd.addAll(sparselab.runs.NativeEnv.openblasFlags());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), BenchMain.class.getName(), "--peer", "numpy", "--python", python.toString(),
                "--epochs", "1", "--iterations", "0"));
        Process bench = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("bench.out").toFile()).start();
        try {
            long until = System.nanoTime() + 120_000_000_000L;
            while (!(Files.exists(pid) && Files.size(pid) > 0 && peerFolders(tmp) == 1) && System.nanoTime() < until) Thread.sleep(100);
            assertEquals(1, peerFolders(tmp), "the peer started: " + Files.readString(dir.resolve("bench.out")));
            long peerPid = Long.parseLong(Files.readString(pid).strip());
            bench.destroy();                                       // SIGTERM
            assertTrue(bench.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
            assertEquals(0, peerFolders(tmp), "the peer's folder is deleted");
            long gone = System.nanoTime() + 10_000_000_000L;
            while (ProcessHandle.of(peerPid).map(ProcessHandle::isAlive).orElse(false) && System.nanoTime() < gone) Thread.sleep(100);
            assertFalse(ProcessHandle.of(peerPid).map(ProcessHandle::isAlive).orElse(false), "the peer process is stopped");
        } finally {
            bench.destroyForcibly();
        }
        StringWriter err = new StringWriter();
        picocli.CommandLine cl = ExitCodes.install(new picocli.CommandLine(new BenchCommand()));
        cl.setErr(new PrintWriter(err, true));
        assertEquals(ExitCodes.REFUSED, cl.execute("--python", python.toString()));
        assertEquals("refused: --python goes with --peer numpy (the peer's interpreter)", err.toString().strip());
    }

    /** bench in a JVM of its own, as the launcher runs it: exits with its code. */
    public static final class BenchMain {
        public static void main(String[] args) {
            System.exit(ExitCodes.install(new picocli.CommandLine(new BenchCommand())).execute(args));
        }
    }

    private static long peerFolders(Path tmp) throws java.io.IOException {
        try (var list = Files.list(tmp)) {
            return list.filter(f -> f.getFileName().toString().startsWith("sparselab-peer")).count();
        }
    }

    @Test
    void with_numpy_the_peer_measures_a_gemm_and_reports_a_bad_command() throws Exception {
        Path python = BenchCommand.Peer.defaultPython();
        assumeTrue(python != null, "no python3 here");
        StringWriter text = new StringWriter();
        try (BenchCommand.Peer peer = BenchCommand.Peer.start(python, new PrintWriter(text, true))) {
            assumeTrue(peer != null, "numpy is not importable here: " + text);
            Double rate = peer.number("gemm 64 1", "GEMM");
            assertNotNull(rate);
            assertTrue(rate > 0);
            assertNull(peer.ask("nonsense", "a bad command"));
            assertTrue(text.toString().contains("unknown command"), text.toString());
            // bench's rounds: the first call of a batch size warms up, later ones go on with the same weights
            float[] pixels = new float[200 * 16];
            for (int i = 0; i < pixels.length; i++) pixels[i] = (i * 37 % 101) / 101f;
            peer.load("tiny", new sparselab.data.Dataset("tiny", pixels, 200, 4, 4, new int[0], "t"));
            String[] first = peer.ask("batch tiny 10 4 1", "round 1"), second = peer.ask("batch tiny 10 4 2", "round 2");
            assertNotNull(first, text.toString());
            assertNotNull(second, text.toString());
            assertTrue(Double.parseDouble(first[0]) > 0 && Double.parseDouble(second[0]) > 0);
            assertEquals("2", first[1], "a warm-up epoch and one timed");
            assertEquals("4", second[1], "two more epochs on the same weights, no second warm-up");
            // the step's five products alone: samples/s over the same batch shapes
            Double products = peer.number("products tiny 10 4 3", "products");
            assertNotNull(products, text.toString());
            assertTrue(products > 0 && Double.isFinite(products), "products " + products);
            assertNull(peer.number("products tiny 10", "products without a count"), "a short command is an error, not a crash");
            assertTrue(peer.number("gemm 32 1", "GEMM") != null, "the peer answers after an error");
            // scipy's L-BFGS-B on the ufldl objective, in float32 products and all in float64: the same objective (scipy is
            // optional for the peer: without it the rest above stands)
            assumeFalse(text.toString().contains("scipy none") || peer.ask("ufldl tiny 4 1 5", "scipy") == null, "scipy is not importable here: " + text);
            String[] f32 = peer.ask("ufldl tiny 4 3 5", "scipy float32"), f64 = peer.ask("ufldl tiny 4 3 5 float64", "scipy float64");
            assertNotNull(f32, text::toString);
            assertNotNull(f64, text::toString);
            assertEquals("3", f32[1], "iterations");
            assertEquals("3", f64[1], "iterations");
            double a = Double.parseDouble(f32[3]), b = Double.parseDouble(f64[3]);
            assertTrue(Double.isFinite(a) && Math.abs(a - b) <= 1e-4 * Math.abs(b), "objective after 3 iterations: float32 " + a + ", float64 " + b);
        }
    }

    @Test
    void the_yardstick_measures_on_every_product_thread_whatever_the_last_run_used() {
        sparselab.model.ProductThreads.use(1);                        // as a small minibatch leaves it
        double rate = new BenchCommand.Yardstick(256).sample(2);
        assertTrue(rate > 0 && Double.isFinite(rate), "rate " + rate);
        assertEquals(sparselab.model.ProductThreads.all(), org.nd4j.linalg.factory.Nd4j.factory().blas().getMaxThreads());
    }

    @Test
    void a_logged_time_below_the_bare_one_is_called_noise_without_negative_shares_and_a_real_cost_gets_its_shares() {
        String cost = BenchCommand.costLine(24, 7.0, 7.5, 7_700_000);
        assertTrue(cost.endsWith("ratio 1.071 (the log adds 7.1% to the bare time; its share of the logged time 6.67%; log 7.7 MB)"), cost);
        assertTrue(cost.startsWith("logging cost: epochs 2..24 (batch 100, adam; 24 epochs from --epochs, at least 20) took 7.000 s "
                + "without the log and 7.500 s with it"), cost);
        assertTrue(BenchCommand.costLine(24, 7.0, 7.0, 1).contains("adds 0.0%"));
        String noise = BenchCommand.costLine(24, 7.857, 6.371, 7_700_000);
        assertTrue(noise.endsWith("ratio 0.811: faster with the log, which is this machine's noise: the cost is below what this run can "
                + "measure (the two times 19% apart; log 7.7 MB)"), noise);
        assertFalse(noise.contains("share") || noise.contains("adds"), "no negative share: " + noise);
    }
}
