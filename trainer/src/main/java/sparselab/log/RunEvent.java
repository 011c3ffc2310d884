package sparselab.log;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;
import java.util.Map;

/**
 * Every fact the event log records about a run: one record per event type. The payload of a row is the
 * record as JSON; {@link #type()} is the row's {@code type}. Documented in docs/events.md.
 */
public sealed interface RunEvent {

    /** The stored type name of this event. */
    default String type() { return EventTypes.nameOf(getClass()); }

    /**
     * A run was created and queued (from the command line, the web page, a sweep, a ladder).
     *
     * @param config          every configuration key with its canonical text
     * @param preset          the preset it started from, or null
     * @param dataFingerprint SHA-256 of the data set (null when queued before the data were loaded)
     * @param provenance      code version, Java, ND4J, OS, ... (string values)
     * @param origin          who created it: cli, web, sweep, ladder, twin, clone
     * @param group           a sweep or ladder group name, or null
     * @param ladder          the run's place in an ablation ladder, or null (absent in runs that are no ladder step)
     */
    record Created(Map<String, String> config, String preset, String dataFingerprint,
                   Map<String, String> provenance, String origin, String group,
                   @JsonInclude(JsonInclude.Include.NON_NULL) LadderStep ladder) implements RunEvent {
        /** A run that is no ladder step. */
        public Created(Map<String, String> config, String preset, String dataFingerprint,
                       Map<String, String> provenance, String origin, String group) {
            this(config, preset, dataFingerprint, provenance, origin, group, null);
        }
    }

    /**
     * One step of an ablation ladder from run {@code from} to run {@code to} (see sparselab.runs.Ladder): step 0 has
     * the configuration of {@code from}; step k changes {@code changedKeys} (usually one key) to {@code to}'s values.
     *
     * @param note why the step differs from the asked order (a key moved ahead, keys merged), or null
     */
    record LadderStep(String from, String to, int step, int steps, List<String> changedKeys, String note) {}

    /**
     * A trainer took the run (first start, resume or takeover) and holds its lease until the run ends or another
     * claim supersedes it.
     *
     * @param fromEpoch the last completed epoch it continues from (0 on a fresh start)
     * @param lease     the fencing token: one more than the run's previous lease; only the holder of the run's
     *                  current lease may append the run's training events (absent in logs written before leases)
     * @param worker    the worker's name as the workers view lists it: a worker's, or a dashboard pool's
     *                  {@code serve@host:pid} for a trainer that pool started (host:pid of the trainer itself for one
     *                  started by the command line)
     */
    record Started(long pid, String host, int threads, int fromEpoch, String dataFingerprint,
                   Map<String, String> provenance,
                   @JsonInclude(JsonInclude.Include.NON_NULL) Long lease,
                   @JsonInclude(JsonInclude.Include.NON_NULL) String worker) implements RunEvent {
        /** A start without a lease (tests and logs written before leases). */
        public Started(long pid, String host, int threads, int fromEpoch, String dataFingerprint, Map<String, String> provenance) {
            this(pid, host, threads, fromEpoch, dataFingerprint, provenance, null, null);
        }
    }

    /**
     * The trainer stopped on request of its worker (Ctrl-C) after a whole epoch and a checkpoint: the run is
     * queued again and the next claim resumes it from that checkpoint.
     */
    record Released(int epoch, String reason) implements RunEvent {}

    /**
     * A worker would not train the run (its copy of the data set has another fingerprint, cannot be loaded there, or
     * the configuration does not build there); the run stays queued for another worker, and while it waits, its
     * newest refusal says why (EventLog.refusals: {@code runs}, the pages).
     */
    record Refused(String worker, String host, String reason) implements RunEvent {
        /** Who refused the run, and why, as a line: {@code refused by worker NAME (host HOST): why}. */
        public String says() {
            return "refused by worker " + worker + " (host " + host + "): " + reason;
        }
    }

    /**
     * Someone asked that a run that stopped early (interrupted, cancelled, failed) be trained on: it is queued
     * again, and the next claim continues from its last checkpoint.
     */
    record Requeued(String by) implements RunEvent {}

    /**
     * A dashboard pool could not start a trainer for the queued run (the process did not start, or ended before it
     * claimed the run). The run stays queued and is tried again later; after the last attempt it fails.
     */
    record StartFailed(int attempt, String error) implements RunEvent {}

    /**
     * One training epoch completed. Epoch 0 is not an epoch: the first is 1.
     *
     * @param loss            recon + decay + penalty, mean over the epoch's batches
     * @param rhoHat          the rate estimate of every hidden unit at the end of the epoch
     * @param clipped         sparse-term entries the limiter clipped during the epoch
     * @param clippedFraction clipped / (hidden units * batches)
     * @param heldout         mean reconstruction error on the held-out samples, or null without a split and at a diverged epoch
     */
    record EpochCompleted(int epoch, double loss, double recon, double penalty, double decay,
                          double meanActivation, double[] rhoHat, double meanAbsSp, double maxAbsSp,
                          long clipped, double clippedFraction, boolean diverged, Double heldout,
                          double seconds, double samplesPerSec) implements RunEvent {}

    /**
     * The weights at the end of an epoch (epoch 0: before any update). The blob holds W1 (hidden x visible),
     * b1 (hidden), W2 (visible x hidden), b2 (visible) as little-endian float32, row-major, in that order.
     */
    record WeightSnapshot(int epoch, String blob, int visible, int hidden, int imageRows, int imageCols)
            implements RunEvent {}

    /** Everything needed to continue after {@code epoch}: the blob is a model state (see ModelState). */
    record Checkpoint(int epoch, String blob, long bytes) implements RunEvent {}

    /**
     * A sign of divergence seen at the end of {@code epoch} (see sparselab.model.DivergenceWatch): a warning; the run
     * goes on unless its {@code stopOn} key names the cause (then a {@code diverged} event follows).
     *
     * @param cause  rho_hat_outside, rho_hat_at_bound, limiter_saturated, sp_growing, penalty_growing, loss_rising or non_finite
     * @param detail the figures behind it, for people
     * @param units  the number of units concerned (rho_hat_outside), else null
     */
    record DivergenceFlag(int epoch, String cause, String detail, Integer units) implements RunEvent {}

    /** Training stopped: the loss or the parameters became NaN/Inf or exploded, or a flag named by stopOn was raised. */
    record Diverged(int epoch, String reason) implements RunEvent {}

    /** The run completed all its epochs. */
    record Finished(int epoch, double loss, Double heldout) implements RunEvent {}

    /** The run stopped on an error. */
    record Failed(int epoch, String error) implements RunEvent {}

    /** Someone asked the run to stop; the trainer honours it between batches. */
    record CancelRequested(String by) implements RunEvent {}

    /** The trainer stopped the run after a cancel request. */
    record Cancelled(int epoch) implements RunEvent {}

    /** The trainer is alive; a running run whose heartbeats stop reads as interrupted. */
    record Heartbeat(int epoch, long batch) implements RunEvent {}

    /**
     * Filter-shape measures of the weight snapshot of {@code epoch} (see sparselab.analysis.FilterMeasures); a measure
     * that could not be computed (no held-out images, no labels) is null.
     *
     * @param strokeShare the fraction of filters that read as pen strokes (sparselab.analysis.StrokeMeasures); null
     *                    when not computable and in events written before it existed
     */
    record FilterMeasures(int epoch, Double locality, Double deadFraction, Double saturatedFraction,
                          Double lifetimeSparsity, Double digitLikeness, Double strokeShare) implements RunEvent {
        /** Without a stroke share. */
        public FilterMeasures(int epoch, Double locality, Double deadFraction, Double saturatedFraction,
                              Double lifetimeSparsity, Double digitLikeness) {
            this(epoch, locality, deadFraction, saturatedFraction, lifetimeSparsity, digitLikeness, null);
        }
    }

    /** The run's tags were set to this list. */
    record Tagged(List<String> tags) implements RunEvent {}
}
