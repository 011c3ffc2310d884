package sparselab.compare;

import io.javalin.Javalin;
import sparselab.server.Params;

import java.time.Clock;

/** The compare API: curves, snapshot epochs and the configuration diff of 2 to 8 runs; the diff alone. */
public final class CompareRoutes {
    private final Comparison comparison;
    private final Clock clock;

    public CompareRoutes(Comparison comparison, Clock clock) {
        this.comparison = comparison;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.get("/api/compare", ctx -> ctx.json(comparison.compare(Params.runIds(ctx, "runs", 2, 8), clock.instant())));
        app.get("/api/diff", ctx -> ctx.json(comparison.diff(Params.runIds(ctx, "runs", 2, 8))));
    }
}
