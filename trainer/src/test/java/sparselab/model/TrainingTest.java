package sparselab.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigKeys;
import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.data.Bars;
import sparselab.data.Dataset;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TrainingTest {

    static INDArray rows(Dataset ds) {
        return Nd4j.createFromArray(ds.pixels()).reshape(ds.count(), ds.dim());
    }

    static RunConfig cfg(String... kv) {
        Map<String, String> m = new HashMap<>();
        m.put("data", "bars");
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return ConfigKeys.build(m);
    }

    static List<EpochStats> train(SparseAutoencoder model, INDArray x, int from, int to) {
        List<EpochStats> out = new ArrayList<>();
        for (int e = from; e <= to; e++) out.add(model.trainEpoch(e, x, () -> false));
        return out;
    }

    static double[] losses(List<EpochStats> s) {
        return s.stream().mapToDouble(EpochStats::loss).toArray();
    }

    /** Bars settings that recover the parts within seconds. */
    static final Map<String, String> BARS = Map.ofEntries(
            Map.entry("hidden", "32"), Map.entry("hiddenActivation", "sigmoid"), Map.entry("outputActivation", "sigmoid"),
            Map.entry("estimator", "batch-mean"), Map.entry("rho", "0.1"), Map.entry("beta", "3"), Map.entry("weightDecay", "0.0001"),
            Map.entry("optimizer", "adam"), Map.entry("learningRate", "0.03"), Map.entry("batchSize", "20"),
            Map.entry("epochs", "15"), Map.entry("seed", "5"), Map.entry("data", "bars"));

    static int recovered(SparseAutoencoder model, float[][] parts) {
        return Math.max(Matching.partsRecovered(parts, model.encoderFilters(), 0.9),
                Matching.partsRecovered(parts, model.decoderFilters(), 0.9));
    }

    @Test
    void sparse_run_recovers_the_bars_and_plain_run_is_reported() {
        INDArray x = rows(Bars.generate(8, 4000, 1.0 / 8, 42));
        float[][] parts = Bars.parts(8);
        RunConfig sparse = ConfigLoader.resolve(null, BARS);
        RunConfig plain = ConfigLoader.resolve("plain", new HashMap<>(Map.of("seed", "5")) {{
            putAll(BARS);
            put("beta", "0");
        }});
        SparseAutoencoder s = new SparseAutoencoder(sparse, 64);
        List<EpochStats> ss = train(s, x, 1, sparse.epochs());
        SparseAutoencoder p = new SparseAutoencoder(plain, 64);
        train(p, x, 1, plain.epochs());
        int sparseHits = recovered(s, parts), plainHits = recovered(p, parts);
        System.out.printf("bars: sparse recovers %d/16 (encoder %d, decoder %d), plain %d/16 (encoder %d, decoder %d); sparse mean activation %.3f, final loss %.4f%n",
                sparseHits, Matching.partsRecovered(parts, s.encoderFilters(), 0.9), Matching.partsRecovered(parts, s.decoderFilters(), 0.9),
                plainHits, Matching.partsRecovered(parts, p.encoderFilters(), 0.9), Matching.partsRecovered(parts, p.decoderFilters(), 0.9),
                ss.get(ss.size() - 1).meanActivation(), ss.get(ss.size() - 1).loss());
        assertTrue(sparseHits >= 15, "sparse run recovered only " + sparseHits + " of 16 bars");
    }

    @Test
    void same_config_and_seed_give_identical_losses_and_resume_reproduces_the_uninterrupted_run() {
        INDArray x = rows(Bars.generate(8, 500, 1.0 / 8, 1));
        RunConfig c = cfg("hidden", "12", "dropout", "0.3", "shuffle", "true", "batchSize", "16", "optimizer", "adam",
                "learningRate", "0.01", "beta", "0.5", "estimator", "ema-mean", "weightDecay", "0.001", "seed", "9");
        double[] a = losses(train(new SparseAutoencoder(c, 64), x, 1, 4));
        double[] b = losses(train(new SparseAutoencoder(c, 64), x, 1, 4));
        assertArrayEquals(a, b, 0.0, "two identical runs");

        SparseAutoencoder first = new SparseAutoencoder(c, 64);
        double[] head = losses(train(first, x, 1, 2));
        byte[] saved = first.state().toBytes();
        SparseAutoencoder resumed = new SparseAutoencoder(c, 64);
        resumed.restore(ModelState.fromBytes(saved));
        double[] tail = losses(train(resumed, x, 3, 4));
        assertArrayEquals(a, new double[] {head[0], head[1], tail[0], tail[1]}, 0.0, "resumed at epoch 2");
        assertEquals(ModelState.fromBytes(saved), first.state());
    }

    /**
     * With shuffling each batch's rows are gathered at its step: an epoch must train on exactly the samples of the
     * epoch's permutation, in order, as an epoch without shuffling over the permuted samples does (the last batch
     * partial: 500 = 31 x 16 + 4), in float32 (the vector loops) and float64.
     */
    @Test
    void a_shuffled_epoch_trains_on_its_permutation_of_the_samples_in_order() {
        INDArray x = rows(Bars.generate(8, 500, 1.0 / 8, 3));
        for (org.nd4j.linalg.api.buffer.DataType type : new org.nd4j.linalg.api.buffer.DataType[] {
                org.nd4j.linalg.api.buffer.DataType.FLOAT, org.nd4j.linalg.api.buffer.DataType.DOUBLE}) {
            RunConfig shuffled = cfg("hidden", "12", "shuffle", "true", "batchSize", "16", "optimizer", "sgd",
                    "learningRate", "0.05", "beta", "0.5", "seed", "7");
            RunConfig inOrder = shuffled.with("shuffle", "false");
            int[] perm = SparseAutoencoder.permutation(500, SparseAutoencoder.epochSeed(7, 1, 1));
            INDArray permuted = Nd4j.pullRows(x.castTo(type), 1, perm);
            SparseAutoencoder a = new SparseAutoencoder(shuffled, 64, type), b = new SparseAutoencoder(inOrder, 64, type);
            EpochStats sa = a.trainEpoch(1, x, () -> false), sb = b.trainEpoch(1, permuted, () -> false);
            assertEquals(32, sa.batches(), type + ": every batch, the partial one too");
            assertEquals(sb.loss(), sa.loss(), 0.0, type + ": the same batches in the same order");
            assertArrayEquals(b.encoderFilters(), a.encoderFilters(), type + ": the same weights");
            assertArrayEquals(b.decoderFilters(), a.decoderFilters(), type + ": the same weights");
            // and the next epoch's permutation is another one: not the first epoch's batches again
            assertNotEquals(b.trainEpoch(2, permuted, () -> false).loss(), a.trainEpoch(2, x, () -> false).loss(), type + ": epoch 2 shuffles anew");
        }
    }

    @Test
    void batch_size_one_trains_with_every_estimator_and_reports_limiter_hits() {
        INDArray x = rows(Bars.generate(8, 300, 1.0 / 8, 2));
        for (String est : new String[] {"batch-mean", "ema-mean", "ema-threshold"}) {
            RunConfig c = cfg("hidden", "10", "batchSize", "1", "estimator", est, "limiter", "3", "beta", "0.1", "rho", "0.05",
                    "eps", "0.001", "learningRate", "0.05", "dropout", "0.5");
            SparseAutoencoder m = new SparseAutoencoder(c, 64);
            EpochStats first = m.trainEpoch(1, x, () -> false);
            EpochStats second = m.trainEpoch(2, x, () -> false);
            System.out.printf("batch 1, %s: loss %.4f -> %.4f, clipped %d (%.3f), max|sp| %.3f, %.0f samples/s%n", est,
                    first.loss(), second.loss(), second.clipped(), second.clippedFraction(), second.maxAbsSp(), second.samplesPerSec());
            assertEquals(300, second.batches());
            assertFalse(second.diverged());
            assertTrue(Double.isFinite(second.loss()));
            assertTrue(second.maxAbsSp() <= 3 + 1e-6);
            assertTrue(second.clipped() >= 0 && second.clippedFraction() <= 1);
        }
    }

    @Test
    void limiter_clips_the_sparse_term_and_counts_the_hits() {
        INDArray x = rows(Bars.generate(8, 400, 1.0 / 8, 3));
        RunConfig c = cfg("hidden", "16", "batchSize", "10", "limiter", "0.01", "beta", "1", "rho", "0.05");
        EpochStats s = new SparseAutoencoder(c, 64).trainEpoch(1, x, () -> false);
        assertTrue(s.clippedFraction() > 0, "nothing clipped");
        assertTrue(s.maxAbsSp() <= 0.01 + 1e-7, "max |sp| " + s.maxAbsSp());
        assertEquals(s.clipped() / (16.0 * 40), s.clippedFraction(), 1e-12);
    }

    @Test
    void eps_in_estimate_offsets_rho_hat_by_eps_over_one_minus_lam() {
        INDArray x = rows(Bars.generate(8, 3000, 1.0 / 8, 4));
        // a tiny learning rate keeps the activations nearly still, so the running value's offset shows plainly
        RunConfig base = cfg("hidden", "8", "batchSize", "1", "estimator", "ema-mean", "rhoMomentum", "0.99", "eps", "0.001",
                "learningRate", "0.000001", "beta", "0.1", "shuffle", "false");
        EpochStats with = new SparseAutoencoder(base.with("epsInEstimate", "true"), 64).trainEpoch(1, x, () -> false);
        EpochStats without = new SparseAutoencoder(base, 64).trainEpoch(1, x, () -> false);
        for (int j = 0; j < 8; j++) {
            double offset = with.rhoHat()[j] - without.rhoHat()[j];
            assertEquals(0.1, offset, 0.005, "unit " + j + " offset");
        }
        double meanWithout = java.util.Arrays.stream(without.rhoHat()).average().orElseThrow();
        assertEquals(without.meanActivation(), meanWithout, 0.02, "without the bug rho_hat tracks the mean activation");
    }

    @Test
    void epoch_statistics_agree_with_a_direct_evaluation() {
        INDArray x = rows(Bars.generate(8, 250, 1.0 / 8, 6));
        for (String loss : new String[] {"squared", "cross-entropy"}) {
            RunConfig c = cfg("hidden", "10", "batchSize", "25", "learningRate", "0.0000001", "optimizer", "sgd", "loss", loss,
                    "weightDecay", "0.01", "beta", "0.5", "rho", "0.1", "shuffle", "false");
            SparseAutoencoder m = new SparseAutoencoder(c, 64);
            double before = m.reconstructionError(x);
            EpochStats s = m.trainEpoch(1, x, () -> false);
            assertEquals(10, s.batches());
            assertEquals(before, s.recon(), 1e-4 * Math.abs(before), loss + " recon");
            assertTrue(s.decay() > 0 && s.penalty() > 0);
            int[] stopAfter = {0};
            EpochStats early = m.trainEpoch(2, x, () -> stopAfter[0]++ >= 3);
            assertTrue(early.stopped());
            assertEquals(3, early.batches());
        }
    }

    @Test
    void fused_sgd_computes_what_nd4js_sgd_updater_computes() {
        INDArray x = rows(Bars.generate(8, 300, 1.0 / 8, 8));
        for (String batch : new String[] {"1", "7", "50"}) {
            RunConfig c = cfg("hidden", "12", "batchSize", batch, "optimizer", "sgd", "learningRate", "0.05", "weightDecay", "0.001",
                    "beta", "0.5", "rho", "0.1", "dropout", "0.2", "limiter", "2");
            SparseAutoencoder fused = new SparseAutoencoder(c, 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            SparseAutoencoder reference = new SparseAutoencoder(c, 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            reference.useUpdaterForSgd();
            double[] a = losses(train(fused, x, 1, 3));
            double[] b = losses(train(reference, x, 1, 3));
            assertArrayEquals(b, a, 1e-9, "batch " + batch);
            assertTrue(fused.params().equalsWithEps(reference.params(), 1e-9), "batch " + batch);
            assertFalse(fused.params().equalsWithEps(new SparseAutoencoder(c, 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE).params(), 1e-3),
                    "the parameters moved");
        }
    }

    @Test
    void the_learning_rate_schedule_gives_each_epoch_its_step_size() {
        RunConfig exp = cfg("optimizer", "adam", "learningRate", "0.1", "lrSchedule", "exponential", "lrDecay", "0.5", "epochs", "10");
        SparseAutoencoder e = new SparseAutoencoder(exp, 64);
        assertEquals(0.1, e.learningRate(1), 1e-12);
        assertEquals(0.05, e.learningRate(2), 1e-12);
        assertEquals(0.025, e.learningRate(3), 1e-12);
        assertEquals(0.1, new SparseAutoencoder(cfg("learningRate", "0.1", "lrDecay", "0.5"), 64).learningRate(5), 0.0, "constant");
    }

    /**
     * A scheduled run's second epoch is the constant run's second epoch at the scheduled step size: the two start the
     * epoch from the same state (parameters, updater moments, rho_hat, counters) and must end it with the same loss
     * and parameters; the same epoch at the undecayed rate ends elsewhere.
     */
    @Test
    void the_schedule_changes_the_step_size_the_updaters_use() {
        INDArray x = rows(Bars.generate(8, 300, 1.0 / 8, 3));
        for (String opt : new String[] {"sgd", "nesterov", "adam"}) {
            Map<String, String> base = new HashMap<>(Map.of("hidden", "12", "batchSize", "20", "optimizer", opt, "learningRate", "0.05",
                    "beta", "0.5", "rho", "0.1", "weightDecay", "0.001", "epochs", "4"));
            base.put("data", "bars");
            Map<String, String> scheduled = new HashMap<>(base);
            scheduled.put("lrSchedule", "exponential");
            scheduled.put("lrDecay", "0.3");
            SparseAutoencoder s = new SparseAutoencoder(ConfigKeys.build(scheduled), 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            SparseAutoencoder c = new SparseAutoencoder(ConfigKeys.build(base), 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            assertArrayEquals(losses(train(c, x, 1, 1)), losses(train(s, x, 1, 1)), 0.0, opt + ": epoch 1 is at learningRate");
            ModelState afterOne = s.state();

            Map<String, String> slower = new HashMap<>(base);
            slower.put("learningRate", "0.015");                       // 0.05 x 0.3
            SparseAutoencoder atDecayed = new SparseAutoencoder(ConfigKeys.build(slower), 64, org.nd4j.linalg.api.buffer.DataType.DOUBLE);
            atDecayed.restore(afterOne);
            double sLoss = losses(train(s, x, 2, 2))[0];
            double dLoss = losses(train(atDecayed, x, 2, 2))[0];
            assertEquals(dLoss, sLoss, 1e-12, opt);
            assertTrue(s.params().equalsWithEps(atDecayed.params(), 1e-12), opt + ": epoch 2 at 0.05 x 0.3");
            c.restore(afterOne);
            train(c, x, 2, 2);
            assertFalse(s.params().equalsWithEps(c.params(), 1e-6), opt + ": not at the undecayed rate");
        }
    }

    @Test
    void weights_are_written_as_w1_b1_w2_b2_little_endian_float32() {
        RunConfig c = cfg("hidden", "3");
        SparseAutoencoder m = new SparseAutoencoder(c, 5);
        byte[] w = m.weightsLE();
        assertEquals(4 * (2 * 3 * 5 + 3 + 5), w.length);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(w).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        float[][] w1 = m.encoderFilters();
        assertEquals(w1[0][0], b.getFloat(0));
        assertEquals(w1[2][4], b.getFloat(4 * 14));
        assertEquals(0f, b.getFloat(4 * 15));  // b1 starts at 0
        float[][] dec = m.decoderFilters();   // W2 (5 x 3) row-major: W2[i][j] = dec[j][i]
        assertEquals(dec[1][0], b.getFloat(4 * (18 + 1)));
    }
}
