package sparselab.runs;

import io.javalin.Javalin;
import sparselab.store.EventLog;

/**
 * {@code GET /api/runs/{id}/flags}: the run's {@code divergence_flag} events, oldest first, each
 * {@code {epoch, cause, detail, units}} (docs/events.md), at most {@value #MAX} an answer: a condition that comes and
 * goes raises a flag each time it starts, so a long run may have hundreds of thousands. {@code ?limit=N} (default and
 * most {@value #MAX}) and {@code ?offset=K} page them; headers {@code X-Total-Flags} (how many the run has) and, when
 * more follow, {@code X-Next-Offset}. The run and compare pages mark them on their curves.
 */
public final class FlagRoutes {
    private final EventLog log;
    private final RunActions actions;

    public FlagRoutes(EventLog log, RunActions actions) {
        this.log = log;
        this.actions = actions;
    }

    /** The most flags an answer holds. */
    public static final int MAX = 10_000;

    public void register(Javalin app) {
        app.get("/api/runs/{id}/flags", ctx -> {
            String run = actions.require(ctx.pathParam("id")).runId();
            int limit = sparselab.server.Params.queryInt(ctx, "limit", MAX, 1, MAX);
            int offset = sparselab.server.Params.queryInt(ctx, "offset", 0, 0, Integer.MAX_VALUE);
            long total = log.flagCount(run);
            ctx.header("X-Total-Flags", Long.toString(total));
            if (offset + (long) limit < total) ctx.header("X-Next-Offset", Long.toString(offset + (long) limit));
            ctx.json(log.flags(run, offset, limit));   // those events alone: a long run's epochs are millions of others
        });
    }
}
