package sparselab.model;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The epoch's sparse-term statistics from the rho_hat recorded after each batch, against the textbook formulas written
 * out entry by entry in float64: the penalty beta sum KL(rho || rho_hat), the mean and largest |sp| after the limiter,
 * the limiter's hits and each unit's range. The history has a stale fourth row (from a longer epoch before) that a
 * stopped epoch of three batches must not read.
 */
class SparseStatsTest {
    private static final double[][] RECORDED = {{0.0005, 0.2, 0.9}, {0.05, 0.6, 0.999}, {0.3, 0.01, 0.5}};
    private static final double[] STALE = {0.7, 0.7, 0.7};

    @ParameterizedTest
    @CsvSource({"off, FLOAT", "3, FLOAT", "off, DOUBLE", "3, DOUBLE"})
    void match_the_formulas_entry_by_entry_over_the_recorded_rows_only(String limiter, DataType type) {
        double beta = 2, rho = 0.1, eps = 0.001;
        RunConfig cfg = ConfigLoader.resolve(null, Map.of("hidden", "3", "beta", "2", "rho", "0.1", "eps", "0.001",
                "limiter", limiter, "batchSize", "10", "optimizer", "sgd"));
        SparseAutoencoder model = new SparseAutoencoder(cfg, 4, type);
        INDArray history = Nd4j.create(type, 4, 3);
        for (int k = 0; k < 3; k++) history.putRow(k, Nd4j.createFromArray(RECORDED[k]).castTo(type));
        history.putRow(3, Nd4j.createFromArray(STALE).castTo(type));

        double lim = limiter.equals("off") ? Double.POSITIVE_INFINITY : Double.parseDouble(limiter);
        double kl = 0, absSum = 0, maxAbs = 0;
        long clipped = 0;
        double[] lo = {1, 1, 1}, hi = {0, 0, 0};
        for (int k = 0; k < 3; k++) {
            for (int j = 0; j < 3; j++) {
                double r = history.getDouble(k, j);           // the value as stored (float32 rounds it)
                kl += rho * Math.log(rho / (r + eps)) + (1 - rho) * Math.log((1 - rho) / (1 - r + eps));
                double sp = beta * (-rho / (r + eps) + (1 - rho) / (1 - r + eps));
                if (Math.abs(sp) > lim) {
                    clipped++;
                    sp = Math.signum(sp) * lim;
                }
                absSum += Math.abs(sp);
                maxAbs = Math.max(maxAbs, Math.abs(sp));
                lo[j] = Math.min(lo[j], r);
                hi[j] = Math.max(hi[j], r);
            }
        }
        SparseAutoencoder.SparseStats s = model.sparseStats(history, 3);
        assertEquals(beta * kl, s.penaltySum(), 1e-12 * Math.abs(beta * kl), "penalty");
        assertEquals(absSum, s.absSpSum(), 1e-12 * absSum, "sum of |sp|");
        assertEquals(maxAbs, s.maxAbsSp(), 1e-12 * maxAbs, "largest |sp|");
        assertEquals(clipped, s.clipped(), "limiter hits");
        if (!limiter.equals("off")) assertTrue(clipped > 0 && clipped < 9, "some entries are clipped, not all (the test's premise): " + clipped);
        assertArrayEquals(lo, s.unitMin(), 0, "each unit's smallest rho_hat");
        assertArrayEquals(hi, s.unitMax(), 0, "each unit's largest rho_hat");
    }
}
