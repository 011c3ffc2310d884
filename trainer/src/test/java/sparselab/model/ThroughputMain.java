package sparselab.model;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;

import java.util.Map;

/** Prints training samples/s on 10,000 random 784-dim rows with H = 196 at batch 1, 10 and 100 (no assertion). */
public final class ThroughputMain {
    public static void main(String[] args) {
        INDArray x = Nd4j.rand(DataType.FLOAT, 10_000, 784);
        for (String bs : new String[] {"1", "10", "100"}) {
            for (String preset : new String[] {"ufldl-sgd", "original"}) {
                RunConfig c = ConfigLoader.resolve(preset, Map.of("hidden", "196", "batchSize", bs));
                SparseAutoencoder m = new SparseAutoencoder(c, 784);
                m.trainEpoch(1, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 1000), org.nd4j.linalg.indexing.NDArrayIndex.all()), () -> false);
                EpochStats s = m.trainEpoch(2, x, () -> false);
                System.out.printf("batch %s, %s (%s, %s, dropout %s): %.0f samples/s%n", bs, preset, c.estimator().key(),
                        c.optimizer().key(), c.dropout(), s.samplesPerSec());
            }
        }
    }
}
