package sparselab.runs;

import sparselab.analysis.FilterMeasures;
import sparselab.analysis.StrokeMeasures;
import sparselab.config.RunConfig;
import sparselab.data.DataSets;
import sparselab.data.Dataset;
import sparselab.log.RunEvent;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * The filter measures of a weight snapshot ({@link FilterMeasures#report}) as a {@code filter_measures} event, with what
 * a run has at hand: the snapshot's W1 and b1, at most {@link #MAX_IMAGES} held-out images (for the units' rates and the
 * lifetime sparsity of the hidden code) and the class-mean images of the training samples when they have labels (for
 * digit-likeness; none for bars). A measure that cannot be computed, or is NaN, is written as null: all of them, the
 * stroke share too, when W1 or b1 holds a NaN or infinite weight (a diverged run's last snapshot).
 *
 * <p>The images and class means are prepared once per run; a snapshot then costs one (n x d) x (d x H) product and a few
 * passes over W1 (milliseconds for MNIST).
 */
final class SnapshotMeasures {
    /** Held-out images used for the units' rates and lifetime sparsity. */
    static final int MAX_IMAGES = 1000;

    private final RunConfig cfg;
    private final int visible, rows, cols;
    private final float[] heldOut;      // n x visible, n <= MAX_IMAGES, or null without a held-out split
    private final float[] trainImages;  // for the rates when there is no held-out split
    private final float[] classMeans;   // classes x visible, or null without labels

    SnapshotMeasures(RunConfig cfg, DataSets.Split split) {
        this.cfg = cfg;
        this.visible = split.train().dim();
        this.rows = split.train().rows();
        this.cols = split.train().cols();
        this.heldOut = split.heldout().count() > 0 ? first(split.heldout()) : null;
        this.trainImages = heldOut == null ? first(split.train()) : null;
        Dataset train = split.train();
        this.classMeans = train.count() > 0 && train.labels().length == train.count() ? FilterMeasures.classMeans(train) : null;
    }

    private static float[] first(Dataset d) {
        int n = Math.min(d.count(), MAX_IMAGES);
        return Arrays.copyOf(d.pixels(), n * d.dim());
    }

    /**
     * The measures of one snapshot. The dead and saturated fractions are of the units' rates on the held-out images
     * (without a split, the first {@link #MAX_IMAGES} training images), as the run's estimator counts a unit active
     * (its mean activation; above {@code threshold} for {@code ema-threshold}; above 0 for a tanh or relu unit under
     * another estimator, where a mean is no rate), not of the estimator's rho_hat: a
     * running average with eps in it (the blog's first version) reads about 0.1 for a unit that never fires.
     *
     * @param weightsLE the snapshot blob (W1, b1, W2, b2 as little-endian float32)
     */
    RunEvent.FilterMeasures of(int epoch, byte[] weightsLE) {
        int hidden = cfg.hidden();
        var floats = ByteBuffer.wrap(weightsLE).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] w1 = new float[hidden * visible];
        float[] b1 = new float[hidden];
        floats.get(w1).get(b1);
        if (!FilterMeasures.finite(w1) || !FilterMeasures.finite(b1)) return none(epoch);
        // a mean is a rate only for activations in (0, 1): tanh or relu (beta 0, or ema-threshold) count a unit active above 0
        double threshold = cfg.estimator() == sparselab.config.Choices.Estimator.EMA_THRESHOLD ? cfg.threshold()
                : cfg.hiddenActivation().inUnitInterval() ? Double.NaN : 0.0;
        // with held-out images, report counts the rates from the activations it computes anyway; without, from the training images
        int n = trainImages == null ? 0 : trainImages.length / visible;
        double[] rates = heldOut != null ? null
                : FilterMeasures.rates(FilterMeasures.hiddenActivations(trainImages, n, w1, b1, hidden, visible, cfg.hiddenActivation()), n, hidden, threshold);
        FilterMeasures.FilterReport r = FilterMeasures.report(w1, b1, hidden, visible, cfg.hiddenActivation(), rates, threshold,
                cfg.rho(), heldOut, classMeans);
        if (r.equals(FilterMeasures.NOT_FINITE)) return none(epoch);       // the rates or the activations were not finite
        return new RunEvent.FilterMeasures(epoch, orNull(r.locality()), orNull(r.deadFraction()), orNull(r.saturatedFraction()),
                orNull(r.lifetimeSparsity()), orNull(r.digitLikeness()), orNull(StrokeMeasures.strokeShare(w1, hidden, rows, cols)));
    }

    /** Every measure null: the snapshot's filters or their rates are not finite. */
    private static RunEvent.FilterMeasures none(int epoch) {
        return new RunEvent.FilterMeasures(epoch, null, null, null, null, null, null);
    }

    private static Double orNull(double v) {
        return Double.isFinite(v) ? v : null;
    }
}
