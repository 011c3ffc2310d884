package sparselab.model;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import sparselab.config.ConfigKeys;
import sparselab.config.RunConfig;
import sparselab.data.Bars;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Full-batch L-BFGS training (optimizer=lbfgs, batchSize=0): the chunked objective, the iterations, the resume. */
class FullBatchTrainerTest {

    static RunConfig lbfgs(String... kv) {
        Map<String, String> m = new java.util.HashMap<>(Map.of("data", "bars", "optimizer", "lbfgs", "batchSize", "0",
                "estimator", "batch-mean", "hiddenActivation", "sigmoid", "outputActivation", "sigmoid"));
        for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
        return ConfigKeys.build(m);
    }

    /**
     * Chunks of at most 5 over 23 samples (six chunks of 3 and 4, three a lane): the value equals {@link SparseAutoencoder#objective} on
     * the whole set, the gradient equals {@link SparseAutoencoder#gradient} on the whole set (one batch), and both agree
     * with central finite differences of the chunked value on every coordinate. The KL term is a function of rho_hat
     * over all samples, so a per-chunk rho_hat would fail this. With and without dead pixels (zero in every sample:
     * the first, two in the middle, the last), as the digits' borders are.
     */
    @ParameterizedTest(name = "{0} output, {1} loss, epsInEstimate {2}, dead pixels {3}")
    @CsvSource({"sigmoid, squared, false, false", "sigmoid, squared, false, true", "sigmoid, cross-entropy, false, true",
            "identity, squared, true, false", "identity, squared, true, true"})
    void chunked_objective_is_the_whole_set_objective_and_its_gradient_matches_finite_differences(
            String out, String loss, String epsInEstimate, boolean dead) {
        RunConfig cfg = lbfgs("hidden", "5", "outputActivation", out, "loss", loss, "beta", "3", "rho", "0.1",
                "weightDecay", "0.01", "eps", "0.000001", "epsInEstimate", epsInEstimate, "seed", "7");
        int d = 16, n = 23;
        SparseAutoencoder model = new SparseAutoencoder(cfg, d, DataType.DOUBLE);
        model.params().muli(4.0);
        SplittableRandom rng = new SplittableRandom(3);
        double[] xs = new double[n * d];
        for (int i = 0; i < xs.length; i++) xs[i] = rng.nextDouble();
        if (dead) for (int i = 0; i < xs.length; i++) if (java.util.Set.of(0, 5, 6, 15).contains(i % d)) xs[i] = 0;
        INDArray x = Nd4j.createFromArray(xs).reshape(n, d);
        FullBatchTrainer chunked = new FullBatchTrainer(cfg, d, DataType.DOUBLE, model.params(), 5);

        INDArray g = Nd4j.create(DataType.DOUBLE, model.params().length());
        double value = chunked.valueAndGradient(x, g);
        double[] analytic = g.toDoubleVector();
        if (!cfg.epsInEstimate()) {
            // SparseAutoencoder.objective leaves epsInEstimate out; the chunked objective puts it in value and gradient alike
            assertEquals(model.objective(x), value, 1e-12 * Math.abs(value), "value against the one-batch objective");
            double[] oneBatch = model.gradient(x).toDoubleVector();
            for (int i = 0; i < analytic.length; i++) {
                assertEquals(oneBatch[i], analytic[i], 1e-12 * Math.max(1, Math.abs(oneBatch[i])), "gradient coordinate " + i);
            }
        }
        INDArray p = model.params();
        double step = 1e-6, worst = 0;
        for (int i = 0; i < analytic.length; i++) {
            double keep = p.getDouble(0, i);
            p.putScalar(0, i, keep + step);
            double up = chunked.value(x);
            p.putScalar(0, i, keep - step);
            double down = chunked.value(x);
            p.putScalar(0, i, keep);
            double numeric = (up - down) / (2 * step);
            worst = Math.max(worst, Math.abs(numeric - analytic[i]) / Math.max(Math.max(Math.abs(numeric), Math.abs(analytic[i])), 1e-3));
        }
        assertTrue(worst < 1e-5, "worst relative error " + worst);
    }

    static INDArray bars(int count) {
        var ds = Bars.generate(8, count, 1.0 / 8, 3);
        return Nd4j.createFromArray(ds.pixels()).reshape(ds.count(), ds.dim());
    }

    static double[] losses(SparseAutoencoder m, INDArray x, int from, int to) {
        double[] out = new double[to - from + 1];
        for (int e = from; e <= to; e++) out[e - from] = m.trainEpoch(e, x, () -> false).loss();
        return out;
    }

    @Test
    void lbfgs_lowers_the_autoencoder_objective_monotonically_through_trainEpoch() {
        INDArray x = bars(1500);
        RunConfig cfg = lbfgs("hidden", "16", "beta", "3", "rho", "0.1", "weightDecay", "0.0001", "seed", "5");
        SparseAutoencoder m = new SparseAutoencoder(cfg, 64);
        double previous = Double.POSITIVE_INFINITY, first = Double.NaN;
        for (int e = 1; e <= 40; e++) {
            EpochStats s = m.trainEpoch(e, x, () -> false);
            assertTrue(s.loss() <= previous, "epoch " + e + ": " + s.loss() + " > " + previous);
            assertEquals(s.recon() + s.penalty() + s.decay(), s.loss(), 1e-6 * s.loss(), "loss = recon + penalty + decay");
            assertEquals(16, s.rhoHat().length);
            assertEquals(0, s.clipped());
            assertEquals(s.batches() * 1500L, s.samples(), "samples count every evaluation");
            if (e == 1) first = s.loss();
            previous = s.loss();
        }
        assertEquals(40, m.epoch());
        assertTrue(m.iteration() >= 30, "iterations " + m.iteration());
        assertTrue(previous < 0.5 * first, "from " + first + " to " + previous);
        // the reported loss is that of the weights the model now holds (what a snapshot shows)
        assertEquals(m.fullBatch().value(x), previous, 1e-6 * previous);
    }

    @Test
    void resume_from_model_state_bytes_repeats_the_uninterrupted_losses_bit_for_bit() {
        INDArray x = bars(2 * FullBatchTrainer.DEFAULT_CHUNK + 1001); // four chunks, two a lane, the last one longer
        RunConfig cfg = lbfgs("hidden", "12", "beta", "3", "rho", "0.1", "weightDecay", "0.001", "seed", "9");
        double[] all = losses(new SparseAutoencoder(cfg, 64), x, 1, 14);

        SparseAutoencoder first = new SparseAutoencoder(cfg, 64);
        double[] head = losses(first, x, 1, 6);
        byte[] saved = first.state().toBytes();
        assertEquals(2, ByteBuffer.wrap(saved).order(ByteOrder.LITTLE_ENDIAN).getInt(4), "format version 2 carries the L-BFGS state");
        assertTrue(ModelState.fromBytes(saved).optimizerState().length > 0);
        SparseAutoencoder resumed = new SparseAutoencoder(cfg, 64);
        resumed.restore(ModelState.fromBytes(saved));
        double[] tail = losses(resumed, x, 7, 14);
        double[] joined = new double[14];
        System.arraycopy(head, 0, joined, 0, 6);
        System.arraycopy(tail, 0, joined, 6, 8);
        assertArrayEquals(all, joined, 0.0);
        assertEquals(14, resumed.epoch());
        assertTrue(resumed.iteration() > first.iteration(), "the iteration count continues from the checkpoint");
    }

    @Test
    void a_checkpoint_written_in_one_buffer_is_the_state_byte_for_byte() {
        INDArray x = bars(FullBatchTrainer.DEFAULT_CHUNK + 500);
        SparseAutoencoder m = new SparseAutoencoder(lbfgs("hidden", "12", "beta", "3", "rho", "0.1", "seed", "4"), 64);
        losses(m, x, 1, 5);
        byte[] oneBuffer = m.stateBytes();
        assertArrayEquals(m.state().toBytes(), oneBuffer);
        assertTrue(ModelState.fromBytes(oneBuffer).optimizerState().length > 1000, "the L-BFGS pairs are in it");
        // an optimizer without an L-BFGS state writes version 1, as before
        SparseAutoencoder sgd = new SparseAutoencoder(TrainingTest.cfg("hidden", "6", "batchSize", "10", "optimizer", "adam"), 64);
        sgd.trainEpoch(1, x.get(org.nd4j.linalg.indexing.NDArrayIndex.interval(0, 200), org.nd4j.linalg.indexing.NDArrayIndex.all()), () -> false);
        assertArrayEquals(sgd.state().toBytes(), sgd.stateBytes());
        assertEquals(1, ByteBuffer.wrap(sgd.stateBytes()).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        // a state that carries its own optimizer blob cannot take a second one
        org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> m.state().toBytes(4, b -> b.putInt(1)));
    }

    @Test
    void states_without_an_optimizer_blob_stay_version_1_and_both_versions_round_trip() {
        ModelState v1 = new ModelState(2, 1, 3, 4, 0.5, new double[] {1, 2}, new double[0], new double[] {0.1});
        byte[] b1 = v1.toBytes();
        assertEquals(1, ByteBuffer.wrap(b1).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
        assertEquals(v1, ModelState.fromBytes(b1));
        ModelState v2 = v1.withOptimizerState(new byte[] {9, 8, 7});
        assertEquals(v2, ModelState.fromBytes(v2.toBytes()));
        assertArrayEquals(new byte[] {9, 8, 7}, ModelState.fromBytes(v2.toBytes()).optimizerState());
    }

    @Test
    void a_converged_run_keeps_reporting_the_same_loss_without_evaluating() {
        INDArray x = bars(200);
        RunConfig cfg = lbfgs("hidden", "2", "beta", "0", "weightDecay", "0.01", "seed", "1");
        SparseAutoencoder m = new SparseAutoencoder(cfg, 64);
        EpochStats s = null;
        int e = 1;
        for (; e <= 3000 && m.fullBatch().end() == null; e++) s = m.trainEpoch(e, x, () -> false);
        assertTrue(m.fullBatch().end() != null, "no convergence in 3000 iterations");
        EpochStats after = m.trainEpoch(e, x, () -> false);
        assertEquals(s.loss(), after.loss(), 0.0);
        assertEquals(0, after.batches());
        // the end survives a checkpoint
        SparseAutoencoder resumed = new SparseAutoencoder(cfg, 64);
        resumed.restore(ModelState.fromBytes(m.state().toBytes()));
        EpochStats again = resumed.trainEpoch(e + 1, x, () -> false);
        assertEquals(s.loss(), again.loss(), 0.0);
        assertEquals(1, again.batches(), "one evaluation to report the figures of the restored iterate");
        assertEquals(List.of(m.fullBatch().end()), List.of(resumed.fullBatch().end()));
    }

    @Test
    void the_samples_are_cut_into_chunks_of_at_most_the_chunk_size_an_even_number_of_them() {
        assertEquals(4, FullBatchTrainer.chunks(9000, 3000));   // the demo's 9,000 digits: 2,250 a chunk, two a lane
        assertEquals(2, FullBatchTrainer.chunks(6000, 3000));
        assertEquals(4, FullBatchTrainer.chunks(6001, 3000));
        assertEquals(6, FullBatchTrainer.chunks(23, 5));
        assertEquals(1, FullBatchTrainer.chunks(1, 3000));      // one sample: lane 1 has nothing to do
        assertEquals(2, FullBatchTrainer.chunks(2, 1));
        assertEquals(3, FullBatchTrainer.chunks(3, 1));
    }

    /**
     * The two lanes at once (a thread each, one product thread each) and in turn on one product thread do the same
     * arithmetic: value, gradient and every figure of the evaluation have the same bits, in float32 with the vector
     * loops (chunks of 1,750 and 1,751, two a lane), with cross-entropy's softplus, and in float64 with six uneven chunks.
     * And with one sample (one chunk: the second lane has none).
     */
    @ParameterizedTest(name = "{0} samples, {1}, {2}")
    @CsvSource({"7001, squared, FLOAT, 3000", "7001, cross-entropy, FLOAT, 3000", "23, squared, DOUBLE, 5", "1, squared, FLOAT, 3000"})
    void the_lanes_at_once_and_in_turn_give_the_same_bits(int n, String loss, String type, int chunk) {
        RunConfig cfg = lbfgs("hidden", "12", "loss", loss, "beta", "3", "rho", "0.1", "weightDecay", "0.001", "seed", "6");
        DataType dt = DataType.valueOf(type);
        INDArray x = bars(n).castTo(dt);
        SparseAutoencoder model = new SparseAutoencoder(cfg, 64, dt);
        model.params().muli(3.0);
        FullBatchTrainer trainer = new FullBatchTrainer(cfg, 64, dt, model.params(), chunk);
        try {
            ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
            INDArray g1 = Nd4j.create(dt, model.params().length());
            double v1 = trainer.valueAndGradient(x, g1);
            FullBatchTrainer.Evaluation e1 = trainer.lastEvaluation();
            if (Runtime.getRuntime().availableProcessors() >= 2) {
                assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("sparselab-lane")),
                        "the second lane ran on a thread of its own");
            }
            ProductThreads.useLanes(ProductThreads.Lanes.IN_TURN);
            ProductThreads.use(1);
            INDArray g2 = Nd4j.create(dt, model.params().length());
            double v2 = trainer.valueAndGradient(x, g2);
            FullBatchTrainer.Evaluation e2 = trainer.lastEvaluation();
            assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v2), v1 + " against " + v2);
            assertArrayEquals(g1.toDoubleVector(), g2.toDoubleVector(), 0.0);
            assertEquals(List.of(e1.recon(), e1.penalty(), e1.decay(), e1.meanAbsSp(), e1.maxAbsSp()),
                    List.of(e2.recon(), e2.penalty(), e2.decay(), e2.meanAbsSp(), e2.maxAbsSp()));
            assertArrayEquals(e1.rhoHat(), e2.rhoHat(), 0.0);
            assertTrue(Double.isFinite(v1) && v1 > 0 && g1.amaxNumber().doubleValue() > 0, "a real evaluation: " + v1);
            // an interrupt does not cut an evaluation short (the second lane would go on writing the shared arrays):
            // the same bits, and the flag still set for the caller to see
            ProductThreads.useLanes(ProductThreads.Lanes.AT_ONCE);
            INDArray g3 = Nd4j.create(dt, model.params().length());
            Thread.currentThread().interrupt();
            double v3;
            try {
                v3 = trainer.valueAndGradient(x, g3);
            } finally {
                assertTrue(Thread.interrupted(), "the interrupt is kept");
            }
            assertEquals(Double.doubleToRawLongBits(v1), Double.doubleToRawLongBits(v3));
            assertArrayEquals(g1.toDoubleVector(), g3.toDoubleVector(), 0.0);
        } finally {
            ProductThreads.useLanes(ProductThreads.Lanes.AUTO);
            ProductThreads.use(ProductThreads.all());
        }
    }
}
