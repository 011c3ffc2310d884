package sparselab.runs;

/** One epoch's figures without the per-unit rates (those are read separately: they are H times larger). */
public record MetricPoint(int epoch, Double loss, Double recon, Double heldout, Double penalty, Double decay,
                          Double meanActivation, Double meanAbsSp, Double maxAbsSp, Long clipped, Double clippedFraction,
                          boolean diverged, Double seconds, Double samplesPerSec) {

    static final String COLUMNS = "epoch, loss, recon, heldout, penalty, decay, mean_activation, mean_abs_sp, max_abs_sp, "
            + "clipped, clipped_fraction, diverged, seconds, samples_per_sec";

    static MetricPoint read(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new MetricPoint(rs.getInt("epoch"), d(rs, "loss"), d(rs, "recon"), d(rs, "heldout"), d(rs, "penalty"), d(rs, "decay"),
                d(rs, "mean_activation"), d(rs, "mean_abs_sp"), d(rs, "max_abs_sp"), l(rs, "clipped"), d(rs, "clipped_fraction"),
                rs.getInt("diverged") != 0, d(rs, "seconds"), d(rs, "samples_per_sec"));
    }

    private static Double d(java.sql.ResultSet rs, String c) throws java.sql.SQLException {
        double v = rs.getDouble(c);
        return rs.wasNull() || !Double.isFinite(v) ? null : v;
    }

    private static Long l(java.sql.ResultSet rs, String c) throws java.sql.SQLException {
        long v = rs.getLong(c);
        return rs.wasNull() ? null : v;
    }
}
