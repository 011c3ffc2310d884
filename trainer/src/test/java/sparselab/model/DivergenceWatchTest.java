package sparselab.model;

import org.junit.jupiter.api.Test;
import sparselab.config.ConfigException;
import sparselab.config.ConfigKeys;
import sparselab.model.DivergenceWatch.Cause;
import sparselab.model.DivergenceWatch.Flag;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The detector alone, fed made-up epochs. */
class DivergenceWatchTest {

    private static EpochStats epoch(int e, double loss, double penalty, double maxAbsSp, double clippedFraction,
                                    EpochStats.Health health) {
        return new EpochStats(e, 10, 100, loss, loss - penalty, penalty, 0, 0.1, new double[] {0.1}, maxAbsSp / 2, maxAbsSp,
                0, clippedFraction, !Double.isFinite(loss) || !health.paramsFinite(), false, 1, 100, health);
    }

    private static final EpochStats.Health OK = new EpochStats.Health(0, 0, 0.05, 0.2, true);

    private static List<Cause> causes(List<Flag> flags) {
        return flags.stream().map(Flag::cause).toList();
    }

    @Test
    void a_falling_loss_raises_nothing() {
        DivergenceWatch w = new DivergenceWatch(3, true, EnumSet.noneOf(Cause.class));
        for (int e = 1; e <= 10; e++) assertEquals(List.of(), w.observe(epoch(e, 10.0 / e, 0.5, 2, 0, OK)), "epoch " + e);
    }

    @Test
    void loss_rising_needs_two_rises_of_one_percent_in_a_row_and_is_flagged_once_per_episode() {
        DivergenceWatch w = new DivergenceWatch(3, true, EnumSet.noneOf(Cause.class));
        double[] loss = {5, 6, 7, 6.5, 7, 8, 9, 10, 11, 4, 5, 6, 7, 7.01, 7.02, 7.03};
        List<Integer> flagged = new java.util.ArrayList<>();
        for (int i = 0; i < loss.length; i++) {
            if (causes(w.observe(epoch(i + 1, loss[i], 0.5, 2, 0, OK))).contains(Cause.LOSS_RISING)) flagged.add(i + 1);
        }
        assertEquals(List.of(3, 6, 12), flagged, "rises below 1% an epoch (7 -> 7.01 -> ...) are no flag");
    }

    @Test
    void sp_growth_counts_only_above_the_floor_and_by_ten_percent_an_epoch() {
        DivergenceWatch w = new DivergenceWatch(1, false, EnumSet.noneOf(Cause.class));
        double[] small = {1, 2, 4, 8};                  // doubling but below 10 x beta
        for (int i = 0; i < small.length; i++) assertFalse(causes(w.observe(epoch(i + 1, 1, 0.5, small[i], 0, OK))).contains(Cause.SP_GROWING));
        DivergenceWatch slow = new DivergenceWatch(1, false, EnumSet.noneOf(Cause.class));
        double[] creeping = {20, 21, 22, 23, 24};       // above the floor but under 10% a step
        for (int i = 0; i < creeping.length; i++) assertFalse(causes(slow.observe(epoch(i + 1, 1, 0.5, creeping[i], 0, OK))).contains(Cause.SP_GROWING));
        DivergenceWatch fast = new DivergenceWatch(1, false, EnumSet.noneOf(Cause.class));
        double[] growing = {5, 8, 13, 21};
        List<Flag> last = null;
        for (int i = 0; i < growing.length; i++) last = fast.observe(epoch(i + 1, 1, 0.5, growing[i], 0, OK));
        assertEquals(List.of(Cause.SP_GROWING), causes(last));
        assertTrue(last.get(0).detail().contains("5 -> 21"), last.get(0).detail());
    }

    @Test
    void the_penalty_growing_while_the_loss_falls_is_no_flag() {
        DivergenceWatch w = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        double[] pen = {0.1, 0.2, 0.4, 0.8};
        for (int i = 0; i < pen.length; i++) assertEquals(List.of(), w.observe(epoch(i + 1, 10 - i, pen[i], 1, 0, OK)));
        DivergenceWatch up = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        List<Flag> last = null;
        for (int i = 0; i < pen.length; i++) last = up.observe(epoch(i + 1, 10, pen[i], 1, 0, OK));
        assertEquals(List.of(Cause.PENALTY_GROWING), causes(last));
    }

    @Test
    void rho_hat_outside_carries_the_unit_count_and_the_limiter_flag_needs_a_limiter() {
        DivergenceWatch w = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        List<Flag> f = w.observe(epoch(1, 1, 0.5, 3, 0.9,
                EpochStats.Health.of(new double[] {0.1, 0.2, 0.9, 0.0005}, new double[] {0.3, 1.05, 1.2, 0.1}, 0.001, true)));
        assertEquals(List.of(Cause.RHO_HAT_OUTSIDE, Cause.RHO_HAT_AT_BOUND), causes(f), "no limiter: a clipped fraction cannot be flagged");
        assertEquals(2, f.get(0).units());
        assertTrue(f.get(0).detail().contains("max 1.2"), f.get(0).detail());
        // tiny and huge figures in powers of ten, not forty digits
        DivergenceWatch tiny = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        String d = tiny.observe(epoch(1, 1, 0.5, 3, 0, EpochStats.Health.of(new double[] {1.764e-20, 0.2}, new double[] {0.3, 2.5e7}, 0.001, true))).get(0).detail();
        assertTrue(d.contains("min 1.764E-20") && d.contains("max 2.5E+7"), d);
        assertEquals("0.0005", DivergenceWatch.fmt(0.0005));
        assertEquals("0", DivergenceWatch.fmt(0));
        assertEquals(3, f.get(1).units(), "the two above 1 and the one within eps of 0");
        // units past 1 are at the bound too, and the extremes are of every batch (found 2026-12-01 by a probe of the
        // science docs: "within eps of 0 or 1" for units at 1.1, and a min that is the first batch's in every run)
        assertEquals("rho_hat of 3 unit(s) within eps of 0 or 1, or past them (over the epoch's batches: min 0.0005, max 1.2)", f.get(1).detail());
        assertEquals("rho_hat of 2 unit(s) left (0, 1) (over the epoch's batches: min 0.0005, max 1.2)", f.get(0).detail());
        DivergenceWatch near = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        assertEquals(List.of(Cause.RHO_HAT_AT_BOUND), causes(near.observe(epoch(1, 1, 0.5, 3, 0,
                EpochStats.Health.of(new double[] {0.1, 0.2}, new double[] {0.3, 0.99999}, 0.001, true)))));
        DivergenceWatch lim = new DivergenceWatch(3, true, EnumSet.noneOf(Cause.class));
        assertEquals(List.of(Cause.LIMITER_SATURATED), causes(lim.observe(epoch(1, 1, 0.5, 3, 0.51, OK))));
        assertNull(lim.observe(epoch(2, 1, 0.5, 3, 0.49, OK)).stream().findFirst().orElse(null));
    }

    @Test
    void a_run_without_sparsity_raises_no_rho_hat_flag_but_every_other() {
        // units stuck on and one past 1: flagged at beta 3, where the sparse term reads rho_hat
        EpochStats.Health stuck = EpochStats.Health.of(new double[] {0.1, 0.9995, 0.2}, new double[] {0.3, 1.0, 1.2}, 0.001, true);
        DivergenceWatch sparse = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        assertEquals(List.of(Cause.RHO_HAT_OUTSIDE, Cause.RHO_HAT_AT_BOUND), causes(sparse.observe(epoch(1, 1, 0.5, 3, 0, stuck))));
        // beta 0 asks for no sparsity: rho_hat may go anywhere, so the same epochs raise nothing about it
        DivergenceWatch plain = new DivergenceWatch(0, false, DivergenceWatch.parseStopOn("any"));
        EpochStats first = epoch(1, 1, 0, 0, 0, stuck);
        List<Flag> f = plain.observe(first);
        assertEquals(List.of(), f);
        assertNull(plain.stopReason(first, f), "stopOn=any does not stop a non-sparse run on rho_hat");
        // the other causes still hold without sparsity: a rising loss, then a NaN loss
        assertEquals(List.of(), plain.observe(epoch(2, 2, 0, 0, 0, stuck)));
        assertEquals(List.of(Cause.LOSS_RISING), causes(plain.observe(epoch(3, 3, 0, 0, 0, stuck))));
        assertEquals(List.of(Cause.NON_FINITE), causes(plain.observe(epoch(4, Double.NaN, 0, 0, 0, stuck))));
    }

    @Test
    void only_non_finite_parameters_stop_a_run_unless_stop_on_names_the_cause() {
        DivergenceWatch w = new DivergenceWatch(3, false, EnumSet.noneOf(Cause.class));
        EpochStats nanLoss = epoch(1, Double.NaN, Double.NaN, 3, 0, OK);
        List<Flag> f = w.observe(nanLoss);
        assertEquals(List.of(Cause.NON_FINITE), causes(f));
        assertNull(w.stopReason(nanLoss, f), "a NaN loss with finite weights goes on");
        EpochStats nanWeights = epoch(2, Double.NaN, Double.NaN, 3, 0, new EpochStats.Health(0, 0, 0.1, 0.1, false));
        assertTrue(w.stopReason(nanWeights, w.observe(nanWeights)).startsWith("parameters not finite"));
        DivergenceWatch strict = new DivergenceWatch(3, false, DivergenceWatch.parseStopOn("non_finite"));
        assertEquals("stopOn: non_finite", strict.stopReason(nanLoss, strict.observe(nanLoss)));
    }

    @Test
    void stop_on_is_none_any_or_a_list_of_causes_and_refuses_others() {
        assertEquals(EnumSet.noneOf(Cause.class), DivergenceWatch.parseStopOn("none"));
        assertEquals(EnumSet.allOf(Cause.class), DivergenceWatch.parseStopOn("any"));
        assertEquals(EnumSet.of(Cause.LOSS_RISING, Cause.RHO_HAT_OUTSIDE), DivergenceWatch.parseStopOn("loss_rising, rho_hat_outside"));
        assertEquals("rho_hat_outside,loss_rising", ConfigKeys.build(Map.of("stopOn", "loss_rising,rho_hat_outside")).stopOn());
        assertEquals("none", ConfigKeys.build(Map.of()).stopOn());
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigKeys.build(Map.of("stopOn", "loss_rising,nan")));
        assertEquals("stopOn", e.errors().get(0).key());
        assertTrue(e.getMessage().contains("unknown cause 'nan'"), e.getMessage());
        assertEquals(EnumSet.of(Cause.LOSS_RISING, Cause.NON_FINITE), DivergenceWatch.parseStopOn("loss_rising+non_finite"), "+ joins causes too");
        ConfigException inList = assertThrows(ConfigException.class, () -> ConfigKeys.build(Map.of("stopOn", "any,bogus")));
        assertTrue(inList.getMessage().contains("'any' stands alone"), inList.getMessage());
    }
}
