package sparselab.cli;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import sparselab.config.RunConfig;
import sparselab.model.EpochStats;
import sparselab.runs.RunExecutor;

import java.io.PrintWriter;

/**
 * Progress of a foreground run. On a terminal: a progress bar over all batches of the run, with the last epoch's
 * figures as its extra message. Otherwise (output piped or redirected, where a bar cannot redraw itself): one plain
 * line per epoch with its figures in full.
 */
final class ProgressListener implements RunExecutor.Listener, AutoCloseable {
    private final PrintWriter plain;
    private ProgressBar bar;
    private String runId;
    private int epochs;

    /** @param plain where the plain lines go when there is no terminal; null to draw the bar */
    ProgressListener(PrintWriter plain) {
        this.plain = plain;
    }

    /** A bar on a terminal, plain lines to {@code err} otherwise. */
    static ProgressListener forConsole(PrintWriter err) {
        return new ProgressListener(System.console() == null ? err : null);
    }

    @Override
    public void started(String runId, int fromEpoch, int epochs, long batchesPerEpoch) {
        this.runId = runId;
        this.epochs = epochs;
        if (plain != null) {
            plain.printf("run %s: %s at epoch %d of %d (%d batches per epoch)%n", runId, fromEpoch == 0 ? "starting" : "resuming",
                    fromEpoch + 1, epochs, batchesPerEpoch);
            plain.flush();
            return;
        }
        bar = new ProgressBarBuilder().setTaskName("run " + runId).setInitialMax(batchesPerEpoch * epochs)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        bar.stepTo(batchesPerEpoch * fromEpoch);
        bar.setExtraMessage("epoch " + (fromEpoch + 1) + "/" + epochs);
    }

    @Override
    public void batch() { if (bar != null) bar.step(); }

    @Override
    public void epoch(EpochStats s, Double heldout) {
        if (plain != null) {
            plain.printf("run %s: epoch %d/%d loss %s recon %s%s mean activation %s (%.1f s)%n", runId, s.epoch(), epochs,
                    RunConfig.num(s.loss()), RunConfig.num(s.recon()), heldout != null ? " held-out " + RunConfig.num(heldout) : "",
                    RunConfig.num(s.meanActivation()), s.seconds());
            plain.flush();
            return;
        }
        if (bar == null) return;
        bar.setExtraMessage("epoch " + s.epoch() + "/" + epochs + " loss " + RunConfig.num(round(s.loss()))
                + (heldout != null ? " held-out " + RunConfig.num(round(heldout)) : ""));
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    @Override
    public void close() { if (bar != null) bar.close(); }
}
