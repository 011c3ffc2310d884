package sparselab.model;

/**
 * What one call of {@link SparseAutoencoder#trainEpoch} measured. Every per-batch quantity is taken on the
 * batch's forward pass, before that batch's update.
 *
 * <p>With {@code optimizer=lbfgs} an epoch is one L-BFGS iteration on the whole training set ({@link FullBatchTrainer}):
 * {@code batches} counts the objective evaluations, {@code samples} = evaluations x N, and the figures are those of the
 * iterate after the iteration (no mean over batches).
 *
 * @param epoch           the epoch number passed in
 * @param batches         batches actually trained (fewer than the epoch has when {@code stopped})
 * @param samples         samples actually trained
 * @param loss            recon + decay + penalty, the mean over the epoch's batches of each batch's value
 * @param recon           mean over batches of the batch's reconstruction loss (per sample)
 * @param penalty         mean over batches of beta * sum_j KL_eps(rho || rho_hat_j), rho_hat after the batch's estimator update
 * @param decay           lambda/2 (|W1|^2 + |W2|^2) at the end of the epoch
 * @param meanActivation  mean of A (before dropout) over the epoch's samples and all hidden units
 * @param rhoHat          the estimator's value per unit at epoch end; for batch-mean the mean activation over the epoch
 * @param meanAbsSp       mean of |sp| over units and batches (after the limiter)
 * @param maxAbsSp        max of |sp| over units and batches (after the limiter)
 * @param clipped         entries of sp clipped by the limiter over the epoch (0 when off)
 * @param clippedFraction clipped / (H * batches)
 * @param diverged        NaN or Inf in the loss or the parameters, or loss &gt; 1e3 x the first epoch's loss
 * @param stopped         the stop signal ended the epoch early
 * @param seconds         wall time of the epoch (a measurement, not part of any result)
 * @param samplesPerSec   samples / seconds
 * @param health          what the divergence watch reads besides the figures above (see {@link Health})
 */
public record EpochStats(int epoch, int batches, long samples, double loss, double recon, double penalty, double decay,
                         double meanActivation, double[] rhoHat, double meanAbsSp, double maxAbsSp, long clipped,
                         double clippedFraction, boolean diverged, boolean stopped, double seconds, double samplesPerSec,
                         Health health) {

    /**
     * The extremes of rho_hat over every batch of the epoch (not only its end) and whether the parameters are finite.
     * A running estimate can leave (0, 1) inside an epoch and come back, or turn the loss NaN before the epoch ends.
     *
     * @param unitsOutside units whose rho_hat was &lt;= 0 or &gt;= 1 after some batch of the epoch
     * @param unitsAtBound units whose rho_hat came within eps of 0 or 1 (or past them) after some batch: there the
     *                     sparse term is set by eps, not by rho_hat (|sp| up to beta (1 - rho) / eps)
     * @param rhoHatMin    the smallest rho_hat of any unit after any batch (NaN when nothing was trained)
     * @param rhoHatMax    the largest
     * @param paramsFinite no parameter is NaN or infinite at the end of the epoch
     */
    public record Health(int unitsOutside, int unitsAtBound, double rhoHatMin, double rhoHatMax, boolean paramsFinite) {
        /** From per-unit extremes: the counts outside (0, 1) and within eps of its ends, the extremes. */
        public static Health of(double[] unitMin, double[] unitMax, double eps, boolean paramsFinite) {
            int outside = 0, atBound = 0;
            double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < unitMin.length; j++) {
                // written as "not inside" so that a NaN (a diverging run) counts as outside and at a bound
                if (!(unitMin[j] > 0) || !(unitMax[j] < 1)) outside++;
                if (!(unitMin[j] > eps) || !(unitMax[j] < 1 - eps)) atBound++;
                lo = Math.min(lo, unitMin[j]);
                hi = Math.max(hi, unitMax[j]);
            }
            if (unitMin.length == 0) lo = hi = Double.NaN;
            return new Health(outside, atBound, lo, hi, paramsFinite);
        }
    }
}
