package sparselab.groups;

import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import sparselab.launch.Launches;
import sparselab.store.EventLog;
import sparselab.log.RunRow;
import sparselab.runs.Groups;
import sparselab.runs.RunActions;
import sparselab.server.JsonBody;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/** The groups API: a sweep or ladder as one table; queueing the ablation ladder between two runs. */
public final class GroupRoutes {
    private final EventLog log;
    private final GroupQueries queries;
    private final Launches launches;
    private final RunActions actions;
    private final Clock clock;

    public GroupRoutes(EventLog log, GroupQueries queries, Launches launches, RunActions actions, Clock clock) {
        this.log = log;
        this.queries = queries;
        this.launches = launches;
        this.actions = actions;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.get("/api/groups/{name}", ctx -> ctx.json(queries.group(ctx.pathParam("name"), clock.instant())));
        app.post("/api/ladder", this::ladder);
    }

    private void ladder(Context ctx) {
        LadderRequest req = LadderRequest.parse(JsonBody.text(ctx));
        RunRow a = actions.require(req.a());
        RunRow b = actions.require(req.b());
        String group = Groups.newName(log, req.name(), "ladder");
        List<Launches.QueuedStep> steps = launches.ladder(a, b, req.order(), group, req.seeds());
        ctx.status(HttpStatus.CREATED).json(Map.of("group", group, "runIds", steps.stream().map(Launches.QueuedStep::runId).toList(),
                "steps", steps));
    }
}
