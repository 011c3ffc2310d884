package sparselab.store;

/**
 * Which runs a page of the runs list keeps: a status as a user sees it ({@code interrupted} included) and a text
 * that occurs in the run's id, status, preset, group, origin, tags or configuration (or, written key=value, equals
 * one configuration value). Null or blank keeps everything.
 */
public record RunFilter(String status, String text) {
    public static final RunFilter ALL = new RunFilter(null, null);
}
