package sparselab.runs;

import com.fasterxml.jackson.databind.JsonNode;
import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import sparselab.config.ConfigException;
import sparselab.log.Json;
import sparselab.log.RunRow;
import sparselab.server.JsonBody;
import sparselab.server.Params;
import sparselab.store.RunFilter;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The runs API: the table, one run, its timeline, metrics (JSON and CSV), snapshots, rates, tags, cancel. */
public final class RunsRoutes {
    private static final List<String> STATUSES = RunRow.STATUSES;

    private final RunQueries queries;
    private final RunActions actions;
    private final Clock clock;

    public RunsRoutes(RunQueries queries, RunActions actions, Clock clock) {
        this.queries = queries;
        this.actions = actions;
        this.clock = clock;
    }

    public void register(Javalin app) {
        app.get("/api/runs", this::list);
        app.get("/api/workers", ctx -> ctx.json(queries.workers(clock.instant())));
        app.get("/api/runs/{id}", this::one);
        app.get("/api/runs/{id}/events", this::events);
        app.get("/api/runs/{id}/metrics", this::figures);
        app.get("/api/runs/{id}/curves", ctx -> ctx.json(queries.curves(actions.require(ctx.pathParam("id")))));
        app.get("/api/runs/{id}/metrics.csv", this::csv);
        app.get("/api/runs/{id}/metrics.json", this::fullJson);
        app.get("/api/runs/{id}/rhohat", this::rhoHat);
        app.get("/api/runs/{id}/measures", ctx -> listed(ctx, "X-Total-Measures", queries.measures(actions.require(ctx.pathParam("id")).runId())));
        app.get("/api/runs/{id}/snapshots", ctx -> listed(ctx, "X-Total-Snapshots", queries.snapshots(actions.require(ctx.pathParam("id")).runId())));
        app.post("/api/runs/{id}/tags", this::tags);
        app.post("/api/runs/{id}/cancel", this::cancel);
    }

    private void list(Context ctx) {
        String status = ctx.queryParam("status");
        if (status != null && !status.isBlank() && !STATUSES.contains(status)) {
            throw new BadRequestResponse("status: unknown status '" + ConfigException.clip(status, 60) + "'; expected one of " + String.join(", ", STATUSES));
        }
        String q = ctx.queryParam("q");
        String refused = RunFilter.refusal(q);                  // the rule of runs -q too
        if (refused != null) throw new BadRequestResponse("q: " + refused);
        int b = Params.queryInt(ctx, "before", -1, 0, Integer.MAX_VALUE);     // absent or empty: the first page
        Long before = b < 0 ? null : (long) b;
        int limit = Params.queryInt(ctx, "limit", 100, 1, 1000);
        RunQueries.RunPage page = queries.list(status, q, before, limit, clock.instant());
        if (page.next() != null) ctx.header("X-Next-Before", Long.toString(page.next()));
        if (page.runs().isEmpty() && before == null) {
            // a key=value whose key is no configuration key (a typo) matches nothing: said, as `runs -q` says it
            // (percent-encoded, UTF-8: a header holds ASCII, the words as typed need not)
            String unknown = RunFilter.unknownKeys(q, false);
            if (!unknown.isEmpty()) ctx.header("X-Unknown-Keys", java.net.URLEncoder.encode(unknown, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        ctx.json(page.runs());
    }

    /**
     * The run's timeline, newest events first chosen: at most {@code limit} (default and most {@value #TIMELINE_MAX},
     * so that a run of fewer events comes whole), before seq {@code before} when given (the cursor for older ones);
     * the run's total in a header.
     */
    private void events(Context ctx) {
        RunRow r = actions.require(ctx.pathParam("id"));
        int limit = Params.queryInt(ctx, "limit", TIMELINE_MAX, 1, TIMELINE_MAX);
        int b = Params.queryInt(ctx, "before", -1, 0, Integer.MAX_VALUE);     // absent or empty: the newest
        long before = b < 0 ? Long.MAX_VALUE : b;
        ctx.header("X-Total-Events", Long.toString(r.lastSeq()));
        ctx.json(queries.timeline(r.runId(), before, limit));
    }

    static final int TIMELINE_MAX = 10_000;

    /** At most {@link Curves#POINTS} of a run's snapshots or measures; how many it has in header {@code total}. */
    private static void listed(Context ctx, String total, RunQueries.Listed<?> listed) {
        ctx.header(total, Integer.toString(listed.total()));
        ctx.json(listed.items());
    }

    private void one(Context ctx) {
        RunRow r = actions.require(ctx.pathParam("id"));
        List<Integer> epochs = queries.snapshotEpochs(r.runId());
        String twin = actions.twinOf(r);
        List<String> can = actions.actionsFor(r).stream().filter(a -> twin == null || !a.equals("twin")).toList();   // it has one
        ctx.json(new RunDetail(queries.view(r, clock.instant()), r.configMap(), r.dataFingerprint(), r.pid(), r.host(),
                r.heartbeatAt(), epochs, r.lastCheckpointEpoch(), can, r.worker(), r.lease(), twin, actions.sparseRunsOf(r),
                sparselab.config.ConfigKeys.ignored(r.configMap())));
    }

    /**
     * Every epoch's figures, streamed a page at a time: a long run's are hundreds of megabytes (a run may have 800,000
     * epochs within the default limits), which a few requests at once, built whole, took the dashboard's heap with.
     */
    private void figures(Context ctx) throws java.io.IOException {
        MetricsExport.Pages pages = queries.figures(actions.require(ctx.pathParam("id")).runId());
        ctx.contentType("application/json");
        streamed(ctx, out -> MetricsExport.writeFigures(out, pages));
    }

    private void csv(Context ctx) throws java.io.IOException {
        String id = actions.require(ctx.pathParam("id")).runId();
        MetricsExport.Pages pages = queries.figures(id);   // a log that cannot be read fails here, before the answer begins
        ctx.header("Content-Disposition", "attachment; filename=\"" + id + "-metrics.csv\"");
        ctx.contentType("text/csv; charset=utf-8");
        streamed(ctx, out -> MetricsExport.writeCsv(out, pages));   // streamed, as the figures are
    }

    /**
     * Writes a streamed answer. A failure before any of it was sent is answered as any other (the bytes written so
     * far are dropped); one after its status and first bytes were sent cannot be a status any more, so the connection
     * is cut without ending the answer: the client sees an incomplete download (curl: exit 18; a browser: a failed
     * download), where the answer used to end cleanly, a file that looked whole but lacked its last epochs.
     */
    private static void streamed(Context ctx, MetricsExport.Chunks body) throws java.io.IOException {
        java.io.Writer out = new java.io.BufferedWriter(new java.io.OutputStreamWriter(ctx.outputStream(), java.nio.charset.StandardCharsets.UTF_8));
        try {
            body.writeTo(out);
        } catch (RuntimeException | java.io.IOException | Error e) {
            if (ctx.res().isCommitted()) {
                org.slf4j.LoggerFactory.getLogger(RunsRoutes.class).warn("{} {}: the answer was cut part way (an incomplete download for the client)",
                        ctx.method(), ctx.path());
                org.eclipse.jetty.server.Request.getBaseRequest(ctx.req()).getHttpChannel().abort(e);
            } else {
                ctx.res().resetBuffer();
            }
            throw e;                                         // said as any failure is (the server's log)
        }
        out.close();
    }

    /** Every epoch with its per-unit rates, as a download. */
    private void fullJson(Context ctx) throws java.io.IOException {
        RunRow r = actions.require(ctx.pathParam("id"));
        MetricsExport.Prepared doc = queries.export(r);    // a log that cannot be read fails here, before the answer begins
        ctx.header("Content-Disposition", "attachment; filename=\"" + r.runId() + "-metrics.json\"");
        ctx.contentType("application/json");
        streamed(ctx, doc::writeTo);                       // streamed: a long run's rates are hundreds of megabytes
    }

    private void rhoHat(Context ctx) {
        String id = actions.require(ctx.pathParam("id")).runId();
        ctx.json(queries.rhoHat(id, Params.queryInt(ctx, "rows", 200, 2, 100_000)));
    }

    private void tags(Context ctx) {
        String id = actions.require(ctx.pathParam("id")).runId();
        List<ConfigException.FieldError> errors = new java.util.ArrayList<>();
        JsonNode body = JsonBody.object(JsonBody.text(ctx), "{\"tags\": [\"name\", ...]}", Set.of("tags"), errors);
        if (!errors.isEmpty()) throw new ConfigException(errors);
        JsonNode tags = body.get("tags");
        // named in fields too, as every other refusal of a tag is; and what was sent instead of a list, said
        if (tags == null) throw new ConfigException("tags", "missing; send {\"tags\": [\"name\", ...]}");
        if (!tags.isArray()) throw new ConfigException("tags", "expected a list of strings, not " + JsonBody.describe(tags));
        List<String> list = new java.util.ArrayList<>();
        for (JsonNode t : tags) {
            // [1] is a number, not the tag "1": say what was sent rather than that "1" is not a tag
            if (!t.isTextual()) throw new ConfigException("tags", "each tag is a JSON string; got " + JsonBody.describe(t));
            list.add(t.asText());
        }
        ctx.json(Map.of("runId", id, "tags", actions.tag(id, list)));
    }

    private void cancel(Context ctx) {
        sparselab.server.JsonBody.none(ctx);
        String id = ctx.pathParam("id");
        ctx.json(Map.of("runId", id, "status", actions.cancel(id)));
    }
}
