package sparselab.live;

import io.javalin.Javalin;
import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;
import io.javalin.http.HttpStatus;
import io.javalin.http.sse.SseClient;
import io.javalin.http.sse.SseHandler;
import sparselab.runs.RunView;
import sparselab.server.ApiError;
import sparselab.server.Ids;

import java.util.Map;
import java.util.function.Predicate;

/**
 * {@code GET /api/stream}: server-sent events, one {@code run} event (the run's table view as JSON) each time a run
 * changes. {@code ?run=ID} follows one run, {@code ?group=NAME} one group, neither every run. At most the feed's
 * capacity of streams are open at once; one more is answered 503 (the pages then poll instead). A stream is ended after
 * its lifetime (5 minutes by default), at the feed's next ping: the browser opens a new one within seconds, and a
 * client that stopped reading gives its slot back. Each event's id is the feed's position in the log; a client that
 * reconnects with it as {@code Last-Event-ID} is sent the runs that changed since ({@link RunFeed#MAX_REPLAY}).
 */
public final class LiveRoutes {
    private final RunFeed feed;
    private final long lifetimeNanos;

    /** @param lifetime how long a stream stays open; the feed's next ping after it ends the stream (the client reconnects) */
    public LiveRoutes(RunFeed feed, java.time.Duration lifetime) {
        this.feed = feed;
        this.lifetimeNanos = lifetime.toNanos();
    }

    public void register(Javalin app) {
        app.get("/api/stream", this::stream);
        app.events(e -> e.serverStopping(feed::close));
    }

    private void stream(Context ctx) throws Exception {
        Predicate<RunView> filter = filter(ctx);
        String run = ctx.queryParam("run");
        if (run != null && !feed.hasRun(run)) throw new io.javalin.http.NotFoundResponse("run '" + run + "' not found");
        if (!acceptsEvents(ctx.header("Accept"))) {
            throw new io.javalin.http.HttpResponseException(406, "send Accept: text/event-stream, as EventSource does, and nothing else"
                    + " in that header (this is a stream of server-sent events)");
        }
        // the slot is taken before the stream is opened, so a full feed answers with a status, not a stream
        // a client's number beyond the log's position is no position of it: the stream starts from where the log is
        long replayAfter = Math.min(lastEventId(ctx.header("Last-Event-ID")), feed.position());
        Runnable[] unsubscribe = new Runnable[1];
        SseClient[] holder = new SseClient[1];
        Object ready = new Object();
        long opened = System.nanoTime();
        Runnable handle = feed.subscribe(filter, new RunFeed.Subscriber() {
            public boolean send(RunView run) { return send(run, -1); }

            // writes to one client are serialised on it: the feed's thread and the request's thread both write
            public boolean send(RunView run, long id) {
                SseClient c = client();
                if (c == null) return true;
                synchronized (c) {
                    if (c.terminated()) return false;
                    if (id >= 0) c.sendEvent("run", run, Long.toString(id));
                    else c.sendEvent("run", run);
                    return !c.terminated();
                }
            }

            public boolean ready() { return client() != null; }

            public boolean ping() {
                SseClient c = client();
                if (c == null) return true;
                synchronized (c) {
                    if (c.terminated()) return false;
                    if (System.nanoTime() - opened > lifetimeNanos) {  // a client that stopped reading holds no slot for ever
                        c.close();
                        return false;
                    }
                    c.sendComment("ping");
                    return !c.terminated();
                }
            }

            private SseClient client() {
                synchronized (ready) { return holder[0]; }
            }
        }, replayAfter);
        if (handle == null) {
            ctx.status(HttpStatus.SERVICE_UNAVAILABLE).header("Retry-After", "30").json(new ApiError(503,
                    "too many live streams open (" + feed.capacity() + "); the page polls instead", Map.of()));
            return;
        }
        unsubscribe[0] = handle;
        try {
            new SseHandler(client -> {
                client.onClose(unsubscribe[0]);
                synchronized (client) {
                    // an id from the start: a stream that has sent no run yet can be reopened from here too (with the
                    // client's own Last-Event-ID when it sent one: the replay that follows comes after that position)
                    long at = replayAfter >= 0 ? replayAfter : feed.position();
                    if (at >= 0) client.sendEvent("connected", Map.of("position", at), Long.toString(at));
                    else client.sendComment("connected");
                    synchronized (ready) { holder[0] = client; }
                }
                client.keepAlive();
            }).handle(ctx);
        } catch (Exception | Error e) {
            handle.run();
            throw e;
        }
    }

    /** A reconnecting client's {@code Last-Event-ID}: the log position of the last event it got; -1 when none or not one. */
    static long lastEventId(String header) {
        if (header == null || !header.trim().matches("[0-9]{1,18}")) return -1;
        return Long.parseLong(header.trim());
    }

    /**
     * Whether the request asks for an event stream as Javalin's {@code SseHandler} serves one: an Accept header of
     * exactly {@code text/event-stream}, as EventSource sends it (the same header value the handler reads). Any other
     * (the type among other media ranges, with parameters) got an empty 200 from the handler, and its slot of the feed
     * was never given back.
     */
    static boolean acceptsEvents(String accept) {
        return "text/event-stream".equals(accept);
    }

    private static Predicate<RunView> filter(Context ctx) {
        String run = ctx.queryParam("run");
        String group = ctx.queryParam("group");
        if (run != null && group != null) throw new BadRequestResponse("group: give run or group, not both");
        if (run != null) {
            if (!Ids.isRunId(run)) throw new BadRequestResponse("run: '" + Ids.shown(run) + "' is not a run id");
            return v -> v.runId().equals(run);
        }
        if (group != null) {
            try {
                sparselab.runs.Groups.checkName("group", group);
            } catch (sparselab.config.ConfigException e) {
                throw new BadRequestResponse(e.getMessage());
            }
            return v -> group.equals(v.group());
        }
        return v -> true;
    }
}
