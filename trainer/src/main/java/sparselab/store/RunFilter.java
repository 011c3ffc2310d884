package sparselab.store;

/**
 * Which runs a page of the runs list keeps: a status as a user sees it ({@code interrupted} included) and a text
 * that occurs, in any case, in the run's id, status, preset, group or origin, in one of its tags, or in one key or
 * value of its configuration (or, written key=value, equals one configuration value). The text is matched as it is
 * written, against what a user reads: never against the JSON the configuration and tags are stored as, so a quote,
 * brace, colon or comma matches only a run that has one in a value or tag. Null or blank keeps everything.
 */
public record RunFilter(String status, String text) {
    public static final RunFilter ALL = new RunFilter(null, null);
}
