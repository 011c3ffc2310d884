package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Threads and reproducibility, in separate JVMs (the thread count of the OpenBLAS that ND4J loads is fixed when it
 * loads), each training the same minibatch and full-batch runs and printing every figure's bits. At a fixed thread
 * count the figures are bit-identical from run to run (what resuming relies on). Between one and two product threads
 * the minibatch figures differ in the last bits only: OpenBLAS splits some of its sums between threads, which changes
 * their rounding (docs/performance.md). The full batch's and those of minibatches cut into lanes (at least 64
 * samples) are the same bits: their products run on one thread either way, two lanes at once on two cores and in turn
 * on one.
 */
class ThreadsDeterminismTest {
    @Test
    void the_same_seed_and_thread_count_give_bit_identical_figures_and_one_thread_differs_only_in_the_last_bits() throws Exception {
        assumeTrue(Runtime.getRuntime().availableProcessors() >= 2, "needs two cores");
        List<String> two = run("2");
        List<String> twoAgain = run("2");
        List<String> one = run("1");
        assertEquals("threads 2", two.get(0));
        assertEquals("threads 1", one.get(0));
        assertTrue(two.size() > 10, "figures printed: " + two);
        assertEquals(two, twoAgain, "two runs on two threads");
        assertEquals(two.size(), one.size());
        double worst = 0;
        for (int i = 1; i < two.size(); i++) {
            String[] a = two.get(i).split(" "), b = one.get(i).split(" ");
            assertEquals(a.length, b.length);
            assertEquals(a[0], b[0]);
            for (int k = a.length - 4 < 1 ? 1 : a.length - 4; k < a.length; k++) {
                if (!a[k].matches("[0-9a-f]{16}")) continue;
                double x = Double.longBitsToDouble(Long.parseUnsignedLong(a[k], 16));
                double y = Double.longBitsToDouble(Long.parseUnsignedLong(b[k], 16));
                worst = Math.max(worst, Math.abs(x - y) / Math.abs(x));
            }
        }
        assertTrue(worst < 1e-5, "worst relative difference between one and two threads " + worst);
        // the full batch's products and those of batches cut into lanes (at least 64 samples) have one thread either
        // way (two lanes at once on two, in turn on one): the same bits, and so has their held-out error (chunks of
        // 1,000 samples, also in lanes)
        java.util.function.Predicate<String> inLanes = l -> l.startsWith("optimizer=lbfgs")
                || l.contains("batchSize=100,") || l.contains("batchSize=400") || l.contains("batchSize=500") || l.contains("batchSize=330");
        List<String> laned = two.stream().filter(inLanes).toList();
        assertEquals(25, laned.size());
        assertEquals(laned, one.stream().filter(inLanes).toList());
        System.out.printf("one against two product threads: worst relative difference %.2e%n", worst);
    }

    /** {@link Losses} in a JVM of its own with {@code threads} product threads and these JVM flags; its lines. */
    static List<String> run(String threads, String... jvmFlags) throws IOException, InterruptedException {
        return runMain(Losses.class, threads, jvmFlags);
    }

    /** {@code main} in a training JVM of its own (the vector module, {@code threads} product threads); its lines. */
    static List<String> runMain(Class<?> main, String threads, String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g",
                "--add-modules", Elementwise.MODULE));
        cmd.addAll(sparselab.runs.NativeEnv.openblasFlags());     // the OpenBLAS this JVM multiplies with
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("OMP_NUM_THREADS", threads);
        pb.environment().put("SD_MASTER_THREADS", "1");
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), "the " + main.getSimpleName() + " JVM did not end");
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }

    /** Trains a minibatch run and a full-batch run on 28x28 bars; prints the product threads, then every figure's bits. */
    public static final class Losses {
        public static void main(String[] args) {
            System.out.println("threads " + Nd4j.factory().blas().getMaxThreads());
            Dataset ds = Bars.generate(28, 2000, 3.0 / 28, 4);
            INDArray x = Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
            List<String> lines = new ArrayList<>();
            for (String opt : List.of("optimizer=sgd,batchSize=50,learningRate=0.1", "optimizer=adam,batchSize=100,learningRate=0.01",
                    "optimizer=lbfgs,batchSize=0", "optimizer=sgd,batchSize=400,learningRate=0.1",
                    "optimizer=adam,batchSize=500,learningRate=0.01,dropout=0.1",
                    // 2000 = 6 x 330 + 20: the last batch not in lanes (on a lane's one thread, as the epoch's first batch)
                    "optimizer=nesterov,batchSize=330,learningRate=0.05,loss=cross-entropy,shuffle=false,estimator=ema-threshold,hiddenActivation=tanh")) {
                List<String> sets = new ArrayList<>(List.of("data=bars", "hidden=64", "beta=3", "rho=0.1", "weightDecay=0.003"));
                sets.addAll(List.of(opt.split(",")));
                RunConfig cfg = ConfigLoader.resolve(null, null, sets);
                SparseAutoencoder m = new SparseAutoencoder(cfg, ds.dim(), DataType.FLOAT);
                for (int e = 1; e <= 4; e++) {
                    EpochStats s = m.trainEpoch(e, x, () -> false);
                    lines.add(opt + " epoch " + e + ": " + bits(s.loss()) + " " + bits(s.recon()) + " " + bits(s.penalty())
                            + " " + bits(s.decay()));
                }
                lines.add(opt + " held-out " + bits(m.reconstructionError(x)));
            }
            lines.forEach(System.out::println);
        }

        private static String bits(double v) {
            return String.format("%016x", Double.doubleToRawLongBits(v));
        }
    }
}
