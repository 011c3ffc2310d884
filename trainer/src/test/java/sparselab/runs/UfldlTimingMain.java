package sparselab.runs;

import sparselab.config.ConfigLoader;
import sparselab.config.RunConfig;
import sparselab.log.EpochMetrics;
import sparselab.store.EventLog;
import sparselab.log.MeasuresRow;
import sparselab.model.EpochStats;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Times the {@code ufldl} preset (full-batch L-BFGS) on the demo digits through {@link RunExecutor}, as a run would
 * train ({@code SPARSELAB_DATA} must hold {@code mnist}); arguments: [epochs]. Prints, asserts nothing.
 */
public final class UfldlTimingMain {
    public static void main(String[] args) throws Exception {
        String epochs = args.length > 0 ? args[0] : "400";
        Path db = Files.createTempDirectory("ufldl-timing").resolve("t.db");
        EventLog log = EventLog.open(db);
        RunConfig c = ConfigLoader.resolve("ufldl", null, List.of("data=mnist", "epochs=" + epochs));
        String run = Runs.create(log, c, "ufldl", "test", null);
        long t0 = System.nanoTime();
        long[] evals = new long[1];
        double[] trainSeconds = new double[1];
        RunExecutor.Outcome o = new RunExecutor(log, new RunExecutor.Listener() {
            @Override public void epoch(EpochStats s, Double heldout) {
                evals[0] += s.batches();
                trainSeconds[0] += s.seconds();
                if (s.epoch() % 25 == 0 || s.epoch() <= 2) {
                    System.out.printf("epoch %d: loss %.5f recon %.5f penalty %.5f decay %.5f, %d evaluations, %.3f s, %.2f s since start%n",
                            s.epoch(), s.loss(), s.recon(), s.penalty(), s.decay(), s.batches(), s.seconds(), (System.nanoTime() - t0) / 1e9);
                }
            }
        }).execute(run, false);
        double total = (System.nanoTime() - t0) / 1e9;
        List<EpochMetrics> rows = log.metrics(run);
        System.out.printf("%s: %s; %d epochs, %d evaluations in %.1f s (%.3f s/epoch; %.1f s in the iterations themselves)%n",
                o.status(), o.message(), rows.size(), evals[0], total, total / rows.size(), trainSeconds[0]);
        for (MeasuresRow m : log.measures(run)) {
            System.out.printf("measures epoch %d: locality %s dead %s saturated %s lifetime %s digitLike %s%n", m.epoch(), m.locality(),
                    m.deadFraction(), m.saturatedFraction(), m.lifetimeSparsity(), m.digitLikeness());
        }
    }
}
