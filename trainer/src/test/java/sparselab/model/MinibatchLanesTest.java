package sparselab.model;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Minibatches of at least {@link SparseAutoencoder#LANES_MIN} samples are cut into two lanes' halves of rows: run at
 * once, they train as the whole batch does (every option's path). That the lanes at once and in turn give the same bits:
 * ThreadsDeterminismTest (a JVM with two product threads against one with one).
 */
class MinibatchLanesTest {
    @AfterEach
    void rulesBack() {
        SparseAutoencoder.useLanesFrom(SparseAutoencoder.LANES_MIN);
        ProductThreads.useLanes(ProductThreads.Lanes.AUTO);
    }

    private static final List<String> CASES = List.of(
            "batchSize=300,optimizer=sgd,learningRate=0.05",
            "batchSize=300,optimizer=sgd,learningRate=0.05,beta=0,weightDecay=0",
            "batchSize=300,optimizer=adam,learningRate=0.01,estimator=ema-mean",
            "batchSize=257,optimizer=nesterov,learningRate=0.05,hiddenActivation=relu,outputActivation=identity,estimator=ema-threshold",
            "batchSize=300,optimizer=adam,learningRate=0.01,hiddenActivation=tanh,estimator=ema-threshold",
            "batchSize=300,optimizer=adam,learningRate=0.01,loss=cross-entropy",
            "batchSize=300,optimizer=sgd,learningRate=0.05,limiter=2,shuffle=false",
            "batchSize=300,optimizer=sgd,learningRate=0.05,dropout=0.2",
            "batchSize=100,optimizer=adam,learningRate=0.01,estimator=ema-mean",
            "batchSize=64,optimizer=sgd,learningRate=0.05,shuffle=false");

    private static RunConfig config(String c) {
        List<String> sets = new ArrayList<>(List.of("data=bars", "hidden=21", "beta=0.5", "rho=0.1", "weightDecay=0.001", "seed=9"));
        sets.addAll(List.of(c.split(",")));
        return ConfigLoader.resolve(null, null, sets);
    }

    private static INDArray samples() {
        Dataset ds = Bars.generate(7, 940, 2.0 / 7, 3);            // 940 = 3 x 300 + 40: the last batch not in lanes (at 300)
        return Nd4j.create(ds.pixels(), new long[] {ds.count(), ds.dim()}, 'c');
    }

    /** Three epochs' figures, the held-out error and the parameters. */
    private static double[] train(RunConfig cfg, INDArray x, boolean lanes) {
        SparseAutoencoder.useLanesFrom(lanes ? SparseAutoencoder.LANES_MIN : Integer.MAX_VALUE);
        ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);          // at once whatever the machine's thread count
        SparseAutoencoder m = new SparseAutoencoder(cfg, (int) x.columns(), DataType.FLOAT);
        assertEquals(lanes, m.inLanesAt(cfg.batchSize()));
        int last = (int) (x.rows() % cfg.batchSize());                   // the epoch's last, smaller batch
        assertEquals(lanes && last >= SparseAutoencoder.LANES_MIN, m.inLanesAt(last), "the last batch of " + last);
        List<Double> f = new ArrayList<>();
        for (int e = 1; e <= 3; e++) {
            EpochStats s = m.trainEpoch(e, x, () -> false);
            f.addAll(List.of(s.loss(), s.recon(), s.penalty(), s.meanActivation()));
        }
        f.add(m.reconstructionError(x.get(NDArrayIndex.interval(0, 500), NDArrayIndex.all())));
        double[] p = m.params().toDoubleVector();
        double[] out = new double[f.size() + p.length];
        for (int i = 0; i < f.size(); i++) out[i] = f.get(i);
        System.arraycopy(p, 0, out, f.size(), p.length);
        return out;
    }

    /**
     * Every option's path (each optimizer, estimator, activation, loss, the limiter, dropout, with and without shuffling)
     * trains in lanes as on the whole batch, to float32 rounding: the lanes add their halves' squared errors and block
     * the products differently, nothing else.
     */
    @Test
    void a_batch_in_lanes_trains_as_the_whole_batch() {
        assertTrue(Elementwise.vectorised(), "the lanes need the vector loops");
        INDArray x = samples();
        for (String c : CASES) {
            RunConfig cfg = config(c);
            double[] whole = train(cfg, x, false), lanes = train(cfg, x, true);
            double scale = 0;
            for (int i = 13; i < whole.length; i++) scale = Math.max(scale, Math.abs(whole[i]));
            for (int i = 0; i < whole.length; i++) {
                assertTrue(Double.isFinite(lanes[i]), c + ": value " + i);
                double tol = i < 13 ? 1e-4 * Math.abs(whole[i]) + 1e-9 : 1e-4 * scale;
                assertEquals(whole[i], lanes[i], tol, c + ": " + (i < 13 ? "figure " + i : "parameter " + (i - 13)));
            }
        }
    }
}
