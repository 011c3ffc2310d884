package sparselab.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import sparselab.config.RunConfig;
import sparselab.model.EpochStats;
import sparselab.runs.RunExecutor;

/** A progress bar over all batches of the run, with the last epoch's figures as its extra message. */
final class ProgressListener implements RunExecutor.Listener, AutoCloseable {
    private ProgressBar bar;
    private int epochs;
    private int epoch;

    @Override
    public void started(String runId, int fromEpoch, int epochs, long batchesPerEpoch) {
        this.epochs = epochs;
        this.epoch = fromEpoch + 1;
        bar = new ProgressBarBuilder().setTaskName("run " + runId).setInitialMax(batchesPerEpoch * epochs)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        bar.stepTo(batchesPerEpoch * fromEpoch);
        bar.setExtraMessage("epoch " + epoch + "/" + epochs);
    }

    @Override
    public void batch() { if (bar != null) bar.step(); }

    @Override
    public void epoch(EpochStats s, Double heldout) {
        if (bar == null) return;
        epoch = s.epoch() + 1;
        bar.setExtraMessage("epoch " + s.epoch() + "/" + epochs + " loss " + RunConfig.num(round(s.loss()))
                + (heldout != null ? " held-out " + RunConfig.num(round(heldout)) : ""));
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    @Override
    public void close() { if (bar != null) bar.close(); }
}
