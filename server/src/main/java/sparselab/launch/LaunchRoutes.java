package sparselab.launch;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import sparselab.runs.RunActions;
import sparselab.server.JsonBody;

import java.util.Map;

/** The launch API: keys and presets for the form, launch, non-sparse twin, resume. */
public final class LaunchRoutes {
    private final Launches launches;
    private final RunActions actions;
    private final LaunchPool pool;

    public LaunchRoutes(Launches launches, RunActions actions, LaunchPool pool) {
        this.launches = launches;
        this.actions = actions;
        this.pool = pool;
    }

    public void register(Javalin app) {
        app.get("/api/keys", ctx -> ctx.json(Launches.keys()));
        app.get("/api/presets", ctx -> ctx.json(Launches.presets()));
        app.get("/api/ignored", ctx -> ctx.json(Launches.ignored(ctx.queryParam("preset"), keyValues(ctx))));
        app.post("/api/launch", this::launch);
        app.post("/api/runs/{id}/twin", this::twin);
        app.post("/api/runs/{id}/resume", this::resume);
        app.get("/api/pool", ctx -> ctx.json(Map.of("workers", pool.workers(), "active", pool.active())));
    }

    /** The query's parameters but {@code preset}, each given once (a repeated one is refused before: Params.refuseRepeated). */
    private static Map<String, String> keyValues(Context ctx) {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        ctx.queryParamMap().forEach((k, v) -> { if (!k.equals("preset") && !v.isEmpty()) m.put(k, v.get(0)); });
        return m;
    }

    private void launch(Context ctx) {
        String id = launches.launch(LaunchRequest.parse(JsonBody.text(ctx)), "web");
        ctx.status(HttpStatus.CREATED).json(Map.of("runId", id, "status", "queued"));
    }

    private void twin(Context ctx) {
        sparselab.server.JsonBody.none(ctx);
        String id = launches.twin(actions.require(ctx.pathParam("id")), actions::twinOf);
        ctx.status(HttpStatus.CREATED).json(Map.of("runId", id, "status", "queued"));
    }

    private void resume(Context ctx) {
        sparselab.server.JsonBody.none(ctx);
        String id = ctx.pathParam("id");
        launches.resume(actions, id);                       // 404, 409 or 429 before anything is written
        ctx.status(HttpStatus.ACCEPTED).json(Map.of("runId", id, "status", "resuming"));
    }
}
