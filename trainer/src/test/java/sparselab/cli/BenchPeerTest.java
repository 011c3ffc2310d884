package sparselab.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void a_logged_time_below_the_bare_one_is_called_noise_and_a_real_cost_gets_no_remark() {
        assertEquals("", BenchCommand.noiseNote(7.0, 7.5));
        assertEquals("", BenchCommand.noiseNote(7.0, 7.0));
        assertEquals("; faster with the log, which is this machine's noise: the cost is below what this run can measure "
                + "(the fastest of 5 rounds each, 19% apart)", BenchCommand.noiseNote(7.857, 6.371));
    }
}
