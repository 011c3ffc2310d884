package sparselab.runs;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.log.RunEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The dead and saturated fractions of a snapshot are of what its units do on images (found 2026-12-01 by a probe of
 * the science docs: they were of the epoch's rho_hat, and with the blog's first version, eps in a running average,
 * every unit of a run that silenced them all read about 0.1 active, so "dead 0.000" where none fired).
 */
class SnapshotMeasuresTest {
    /** A snapshot blob whose every unit has activation sigmoid(bias) on any image: W1 = 0, b1 = bias. */
    private static byte[] constantUnits(int hidden, int visible, float bias) {
        ByteBuffer b = ByteBuffer.allocate(4 * (2 * hidden * visible + hidden + visible)).order(ByteOrder.LITTLE_ENDIAN);
        b.position(4 * hidden * visible);
        for (int j = 0; j < hidden; j++) b.putFloat(bias);
        return b.array();
    }

    private static RunEvent.FilterMeasures measures(String estimator, String holdout, float bias) {
        return measures(holdout, bias, "beta=3", "estimator=" + estimator);
    }

    private static RunEvent.FilterMeasures measures(String holdout, float bias, String... sets) {
        List<String> all = new java.util.ArrayList<>(List.of("data=bars", "limit=300", "hidden=6", "rho=0.1", "holdout=" + holdout));
        all.addAll(List.of(sets));
        RunConfig cfg = ConfigLoader.resolve(null, null, all);
        Dataset data = DataSets.load(cfg.data(), sparselab.runs.Runs.dataDir(), cfg.limit());
        SnapshotMeasures m = new SnapshotMeasures(cfg, DataSets.split(data, cfg.holdout(), cfg.seed()));
        return m.of(3, constantUnits(cfg.hidden(), data.dim(), bias));
    }

    @Test
    void units_that_never_fire_are_dead_whatever_the_estimator_said() {
        for (String holdout : List.of("0.1", "0")) {             // on held-out images; without a split, on training images
            RunEvent.FilterMeasures silent = measures("batch-mean", holdout, -20f);       // sigmoid(-20): about 2e-9
            assertEquals(1.0, silent.deadFraction(), holdout);
            assertEquals(0.0, silent.saturatedFraction(), holdout);
            RunEvent.FilterMeasures firing = measures("batch-mean", holdout, 20f);
            assertEquals(0.0, firing.deadFraction(), holdout);
            assertEquals(1.0, firing.saturatedFraction(), holdout);
        }
    }

    @Test
    void with_ema_threshold_a_unit_is_active_above_the_threshold_as_its_estimator_counts() {
        float logit04 = (float) Math.log(0.4 / 0.6);             // every activation 0.4
        assertEquals(1.0, measures("ema-threshold", "0.1", logit04).deadFraction(), "never above theta 0.5: dead");
        assertEquals(0.0, measures("batch-mean", "0.1", logit04).deadFraction(), "a mean rate of 0.4 is alive");
        assertEquals(0.0, measures("ema-threshold", "0.1", 2f).deadFraction());
    }

    /** A tanh unit's mean is no rate (a unit at -0.5 on every image is as silent as one at 0): active above 0. */
    @Test
    void a_tanh_unit_under_a_mean_estimator_is_active_above_zero() {
        float b = 0.2f;                                          // tanh(0.2) = 0.197 on every image: active on all
        assertEquals(0.0, measures("0.1", b, "beta=0", "hiddenActivation=tanh").deadFraction());
        assertEquals(1.0, measures("0.1", b, "beta=0", "hiddenActivation=tanh").saturatedFraction(), "active on every image");
        assertEquals(1.0, measures("0.1", -b, "beta=0", "hiddenActivation=tanh").deadFraction(), "below 0 on every image");
    }
}
