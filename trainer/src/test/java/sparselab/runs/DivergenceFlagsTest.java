package sparselab.runs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.config.ConfigLoader;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;
import sparselab.log.StoredEvent;

import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each divergence flag on a run built to raise it, trained through {@link RunExecutor} on the generated bars; and the
 * {@code stopOn} key deciding whether a flagged run goes on.
 */
class DivergenceFlagsTest {
    @TempDir Path dir;

    private record Result(RunExecutor.Outcome outcome, List<RunEvent.DivergenceFlag> flags, List<String> types) {
        List<String> causes() { return flags.stream().map(RunEvent.DivergenceFlag::cause).toList(); }

        RunEvent.DivergenceFlag first(String cause) {
            return flags.stream().filter(f -> f.cause().equals(cause)).findFirst()
                    .orElseThrow(() -> new AssertionError("no " + cause + " flag; flags: " + flags));
        }
    }

    private Result run(String preset, String... sets) {
        try (EventLog log = EventLog.open(dir.resolve("flags-" + System.nanoTime() + ".db"))) {
            String run = Runs.create(log, ConfigLoader.resolve(preset, null, List.of(sets)), preset, "test", null);
            RunExecutor.Outcome o = new RunExecutor(log, RunExecutor.Listener.NONE).execute(run, false);
            List<StoredEvent> events = log.events(run);
            List<RunEvent.DivergenceFlag> flags = events.stream().map(StoredEvent::event)
                    .filter(e -> e instanceof RunEvent.DivergenceFlag).map(e -> (RunEvent.DivergenceFlag) e).toList();
            return new Result(o, flags, events.stream().map(StoredEvent::type).toList());
        }
    }

    /** The blog's first version on bars, with an eps whose offset eps / (1 - lam) = 1 lifts every running rate past 1. */
    private static final String[] V1_PAST_ONE = {"data=bars", "limit=600", "hidden=12", "beta=3", "epochs=4", "eps=0.01"};

    @Test
    void rho_hat_above_one_is_flagged_with_its_unit_count_and_the_nan_loss_does_not_stop_the_run() {
        Result r = run("original-v1", V1_PAST_ONE);
        RunEvent.DivergenceFlag f = r.first("rho_hat_outside");
        assertEquals(1, f.epoch());
        assertNotNull(f.units());
        assertTrue(f.units() > 0 && f.units() <= 12, "units " + f.units());
        assertTrue(f.detail().contains("max 1."), f.detail());
        // 1 - rho_hat + eps < 0: the penalty takes the log of a negative number, but the weights stay finite
        assertTrue(r.causes().contains("non_finite"), r.flags().toString());
        assertEquals("finished", r.outcome().status(), "a warning does not stop the run: " + r.types());
        assertEquals(1, r.causes().stream().filter("rho_hat_outside"::equals).count(), "flagged once, when it starts");
        assertEquals(1, r.causes().stream().filter("non_finite"::equals).count(), "the NaN loss of every epoch is one episode");
    }

    @Test
    void stop_on_names_the_cause_that_stops_a_run() {
        String[] sets = java.util.stream.Stream.concat(java.util.Arrays.stream(V1_PAST_ONE), java.util.stream.Stream.of("stopOn=rho_hat_outside"))
                .toArray(String[]::new);
        Result r = run("original-v1", sets);
        assertEquals("diverged", r.outcome().status(), r.types().toString());
        assertEquals("diverged at epoch 1", r.outcome().message());
        int flag = r.types().indexOf("divergence_flag"), diverged = r.types().indexOf("diverged");
        assertTrue(flag >= 0 && flag < diverged, r.types().toString());
        assertFalse(r.types().contains("finished"));
    }

    @Test
    void a_limiter_that_clips_most_entries_is_flagged() {
        // threshold 2: no sigmoid unit ever counts as active, rho_hat decays towards 0 and sp sits at -3
        Result r = run("original", "data=bars", "limit=600", "hidden=12", "beta=3", "epochs=3", "threshold=2");
        RunEvent.DivergenceFlag f = r.first("limiter_saturated");
        assertEquals(1, f.epoch());
        assertTrue(f.detail().startsWith("limiter clipped"), f.detail());
        assertEquals(1, r.first("rho_hat_at_bound").epoch(), "rho_hat = 0.05 x 0.99^540 is below eps = 0.001 after epoch 1");
        assertEquals(12, r.first("rho_hat_at_bound").units());
        assertEquals("finished", r.outcome().status());
        assertFalse(run("original", "data=bars", "limit=600", "hidden=12", "beta=3", "epochs=3", "threshold=2", "stopOn=limiter_saturated")
                .types().contains("finished"));
    }

    @Test
    void sp_and_penalty_growing_and_loss_rising_are_flagged_after_three_epochs() {
        // no limiter and a decaying rate: |sp| = beta rho / (rho_hat + eps) doubles every epoch, the penalty and loss climb
        Result r = run("original", "data=bars", "limit=800", "hidden=12", "beta=3", "epochs=8", "threshold=2", "limiter=off",
                "dropout=0", "batchSize=10", "learningRate=0.0001");
        assertTrue(r.first("sp_growing").epoch() >= 1 + sparselab.model.DivergenceWatch.K, r.flags().toString());
        assertTrue(r.first("penalty_growing").epoch() >= 1 + sparselab.model.DivergenceWatch.K, r.flags().toString());
        assertTrue(r.first("loss_rising").epoch() >= 1 + sparselab.model.DivergenceWatch.LOSS_K, r.flags().toString());
        assertEquals("finished", r.outcome().status());
        Result stopped = run("original", "data=bars", "limit=800", "hidden=12", "beta=3", "epochs=8", "threshold=2", "limiter=off",
                "dropout=0", "batchSize=10", "learningRate=0.0001", "stopOn=loss_rising");
        assertEquals("diverged at epoch " + r.first("loss_rising").epoch(), stopped.outcome().message());
    }

    @Test
    void non_finite_weights_are_flagged_and_stop_the_run_whatever_stop_on_says() {
        Result r = run(null, "data=bars", "limit=500", "hidden=16", "hiddenActivation=relu", "outputActivation=identity", "beta=0",
                "optimizer=sgd", "learningRate=50", "batchSize=10", "epochs=20", "stopOn=none");
        assertEquals("diverged", r.outcome().status());
        RunEvent.DivergenceFlag f = r.first("non_finite");
        assertTrue(f.detail().startsWith("parameters not finite"), f.detail());
        assertEquals(r.first("non_finite").epoch(), Integer.parseInt(r.outcome().message().replace("diverged at epoch ", "")));
    }

    @Test
    void a_non_sparse_run_raises_no_rho_hat_flag_where_its_sparse_twin_does() {
        // sgd at a huge step saturates the sigmoid units: rho_hat reaches 0 or 1
        String[] sets = {"data=bars", "hidden=16", "epochs=5", "optimizer=sgd", "learningRate=10000", "seed=1"};
        Result sparse = run(null, java.util.stream.Stream.concat(java.util.Arrays.stream(sets), java.util.stream.Stream.of("beta=0.1"))
                .toArray(String[]::new));
        assertTrue(sparse.causes().contains("rho_hat_at_bound"), sparse.flags().toString());
        Result plain = run(null, java.util.stream.Stream.concat(java.util.Arrays.stream(sets), java.util.stream.Stream.of("beta=0", "stopOn=any"))
                .toArray(String[]::new));
        assertFalse(plain.causes().contains("rho_hat_at_bound") || plain.causes().contains("rho_hat_outside"), plain.flags().toString());
        assertFalse(plain.types().contains("diverged"), "stopOn=any has no rho_hat flag to stop on: " + plain.types());
    }

    @Test
    void healthy_runs_raise_no_flag() {
        assertEquals(List.of(), run("ufldl", "data=bars", "limit=800", "hidden=12", "epochs=15").flags());
        assertEquals(List.of(), run("original", "data=bars", "limit=800", "hidden=12", "epochs=10").flags());
        assertEquals(List.of(), run(null, "data=bars", "limit=800", "hidden=12", "epochs=10", "beta=1", "rho=0.1").flags());
    }
}
