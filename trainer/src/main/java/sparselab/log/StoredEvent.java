package sparselab.log;

/**
 * An event as it stands in the log.
 *
 * @param id    global order of appends
 * @param runId the run it belongs to
 * @param seq   its number within the run (1, 2, ...)
 * @param at    UTC time of the append, ISO-8601
 * @param event the decoded payload
 */
public record StoredEvent(long id, String runId, long seq, String at, RunEvent event) {
    public String type() { return event.type(); }
}
