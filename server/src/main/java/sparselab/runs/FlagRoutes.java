package sparselab.runs;

import io.javalin.Javalin;
import sparselab.store.EventLog;
import sparselab.log.RunEvent;

import java.util.List;

/**
 * {@code GET /api/runs/{id}/flags}: the run's {@code divergence_flag} events, oldest first, each
 * {@code {epoch, cause, detail, units}} (docs/events.md). The compare page marks them on its curves.
 */
public final class FlagRoutes {
    private final EventLog log;
    private final RunActions actions;

    public FlagRoutes(EventLog log, RunActions actions) {
        this.log = log;
        this.actions = actions;
    }

    public void register(Javalin app) {
        app.get("/api/runs/{id}/flags", ctx -> ctx.json(flags(actions.require(ctx.pathParam("id")).runId())));
    }

    public List<RunEvent.DivergenceFlag> flags(String runId) {
        return log.flags(runId);     // those events alone: a long run's epochs are millions of others
    }
}
