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
 * line per epoch with its figures in full. Both say "iteration" for an L-BFGS run, whose every epoch is one.
 */
final class ProgressListener implements RunExecutor.Listener, AutoCloseable {
    private final RunExecutor.Lines plain;
    private ProgressBar bar;
    private int epochs;
    private String step;

    /** @param plain where the plain lines go when there is no terminal; null to draw the bar */
    ProgressListener(PrintWriter plain) {
        this.plain = plain == null ? null : new RunExecutor.Lines(plain);
    }

    /** A bar on a terminal, plain lines to {@code err} otherwise. */
    static ProgressListener forConsole(PrintWriter err) {
        return new ProgressListener(System.console() == null ? err : null);
    }

    @Override
    public void started(String runId, int fromEpoch, int epochs, long batchesPerEpoch, String step) {
        this.epochs = epochs;
        this.step = step;
        if (plain != null) {
            plain.started(runId, fromEpoch, epochs, batchesPerEpoch, step);
            return;
        }
        bar = new ProgressBarBuilder().setTaskName("run " + runId).setInitialMax(batchesPerEpoch * epochs)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).continuousUpdate().build();
        bar.stepTo(batchesPerEpoch * fromEpoch);
        bar.setExtraMessage(step + " " + (fromEpoch + 1) + "/" + epochs);
    }

    @Override
    public void batch() { if (bar != null) bar.step(); }

    @Override
    public void logged(EpochStats s, Double heldout) {
        if (plain != null) plain.logged(s, heldout);
    }

    @Override
    public void epoch(EpochStats s, Double heldout) {
        if (bar == null) return;
        bar.setExtraMessage(step + " " + s.epoch() + "/" + epochs + " loss " + RunConfig.num(round(s.loss()))
                + (heldout != null ? " held-out " + RunConfig.num(round(heldout)) : ""));
    }

    @Override
    public void replayed(EpochStats s) {
        if (plain != null) {
            plain.replayed(s);
            return;
        }
        if (bar != null) bar.setExtraMessage(step + " " + s.epoch() + "/" + epochs + " replayed, not logged again");
    }

    private static double round(double v) {
        return Double.isFinite(v) ? Math.round(v * 1e4) / 1e4 : v;
    }

    /** The bar's text after its count ("iteration 3/5 loss ..."), null without a bar. */
    String barMessage() { return bar == null ? null : bar.getExtraMessage(); }

    @Override
    public void close() { if (bar != null) bar.close(); }
}
