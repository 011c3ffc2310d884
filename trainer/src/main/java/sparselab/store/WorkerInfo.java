package sparselab.store;

import java.util.List;

/**
 * A worker as the workers view shows it.
 *
 * @param name        unique name of the worker (given, or host:pid)
 * @param host        its machine
 * @param pid         its process
 * @param slots       how many runs it trains at once
 * @param runs        the runs it trains now
 * @param startedAt   when it started (the database's clock, UTC)
 * @param heartbeatAt its last beat (the database's clock, UTC)
 * @param stopped     true when it stopped cleanly
 */
public record WorkerInfo(String name, String host, long pid, int slots, List<String> runs, String startedAt,
                         String heartbeatAt, boolean stopped) {}
