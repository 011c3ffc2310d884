package sparselab.server;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import io.javalin.http.staticfiles.Location;
import io.javalin.json.JavalinJackson;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sparselab.compare.CompareRoutes;
import sparselab.compare.Comparison;
import sparselab.config.ConfigException;
import sparselab.config.Limits;
import sparselab.data.DataException;
import sparselab.gallery.GalleryRoutes;
import sparselab.gallery.UnitMatches;
import sparselab.groups.GroupQueries;
import sparselab.groups.GroupRoutes;
import sparselab.launch.LaunchPool;
import sparselab.launch.LaunchRoutes;
import sparselab.launch.QueueFullException;
import sparselab.launch.Launches;
import sparselab.launch.RunCreator;
import sparselab.live.LiveRoutes;
import sparselab.live.RunFeed;
import sparselab.store.EventLog;
import sparselab.log.Json;
import sparselab.store.StoreException;
import sparselab.runs.RunActions;
import sparselab.runs.RunQueries;
import sparselab.runs.FlagRoutes;
import sparselab.runs.RunsRoutes;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Builds the dashboard: the JSON API under {@code /api}, the pages from {@code classpath:/web}, Chart.js from its
 * WebJar, the Host/Origin guard and security headers ({@link Safety}), and the error mapping (4xx with a bounded
 * message naming the field or limit: 400 refused input or data, 413 body too large, 429 queue full; anything else a
 * logged 500 without a stack trace). Everything it uses is passed in, so each test builds its own.
 */
public final class App {
    private static final Logger LOG = LoggerFactory.getLogger(App.class);

    private final EventLog log;
    private final Clock clock;
    /** The runs' actions of the built app (null before {@link #build}). */
    private volatile RunActions actions;
    private final LaunchPool pool;
    private final RunCreator creator;
    private final Set<String> allowedHosts;
    private final Limits limits;
    /**
     * True once a request found the log's server unreachable, until a probe reaches it again: meanwhile the API answers
     * 503 at once instead of each request waiting for the pool's connection timeout (see build).
     */
    private volatile boolean logDown;
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    /** Set when the dashboard stops: a probe ends then, even while the log stays open and its server down. */
    private volatile boolean stopped;
    private static final String LOG_DOWN = "the event log cannot be reached (its server is down or restarting); try again later";
    /** Retry-After of a 429: the queue is full (a slot frees when a run ends), or the heavy work is busy (seconds). */
    static final String QUEUE_RETRY_SECONDS = "30", BUSY_RETRY_SECONDS = "5";
    private int maxStreams = DEFAULT_MAX_STREAMS;

    /** Live streams (GET /api/stream) open at once by default; one more is answered 503 and its page polls. */
    public static final int DEFAULT_MAX_STREAMS = 32;

    /** An app with the default {@link Limits}. */
    public App(EventLog log, Clock clock, LaunchPool pool, RunCreator creator, Set<String> allowedHosts) {
        this(log, clock, pool, creator, allowedHosts, Limits.defaults());
    }

    /**
     * @param creator      how a run is created (Runs.create in production; it checks the log limits of runs)
     * @param allowedHosts host names the Host header may carry (see {@link Safety#hostsFor})
     * @param limits       the queue's bound and the largest image drawn
     */
    public App(EventLog log, Clock clock, LaunchPool pool, RunCreator creator, Set<String> allowedHosts, Limits limits) {
        this.log = log;
        this.clock = clock;
        this.pool = pool;
        this.creator = creator;
        this.allowedHosts = allowedHosts;
        this.limits = limits;
    }

    private java.time.Duration streamLifetime = DEFAULT_STREAM_LIFETIME;

    /**
     * How long one live stream stays open before the server ends it (the browser's EventSource opens a new one within
     * seconds): a client that stopped reading (a stalled process, a suspended laptop) gives its slot back.
     */
    public static final java.time.Duration DEFAULT_STREAM_LIFETIME = java.time.Duration.ofMinutes(5);

    /** {@link #DEFAULT_STREAM_LIFETIME} otherwise. */
    public App streamLifetime(java.time.Duration d) {
        this.streamLifetime = d;
        return this;
    }

    /** The most live streams open at once (default {@value #DEFAULT_MAX_STREAMS}). */
    public App maxStreams(int n) {
        if (n < 0) throw new IllegalArgumentException("maxStreams " + n);
        this.maxStreams = n;
        return this;
    }

    /**
     * Reads the log on a thread of its own (one such thread at a time), every 2 s while it cannot be reached: when it
     * answers, the API serves requests again, whether or not a request came meanwhile (before, only a request started
     * a probe, so the first request after the server was back still got the 503).
     */
    private void probe() {
        if (!probing.compareAndSet(false, true)) return;
        Thread t = new Thread(() -> {
            try {
                while (logDown && !stopped) {
                    try {
                        log.run("r0000000000");
                        logDown = false;
                        if (actions != null) actions.logAnsweredAgain(clock.instant());
                    } catch (RuntimeException e) {
                        if (!StoreException.unreachable(e)) logDown = false;     // reachable after all: the request will say what is wrong
                    }
                    if (logDown) Thread.sleep(2000);
                }
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            } finally {
                probing.set(false);
            }
            if (logDown && !stopped && !Thread.currentThread().isInterrupted()) probe();    // set again as this thread ended
        }, "log-probe");
        t.setDaemon(true);
        t.start();
    }

    /** Whether the API answers 503 at once because the log's server could not be reached (tests). */
    boolean logDown() { return logDown; }

    /** The page a browser gets for an address that is no page of the dashboard: the address (clipped, escaped) and the pages. */
    static String notFoundPage(String path) {
        String p = path.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
        return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, "
                + "initial-scale=1\"><title>sparselab — no such page</title><link rel=\"stylesheet\" href=\"/style.css\"><link rel=\"icon\" href=\"data:,\"></head>\n<body>\n"
                + "<header><span class=\"brand\">sparselab</span><nav aria-label=\"pages\"><a href=\"/index.html\">Runs</a>"
                + "<a href=\"/workers.html\">Workers</a><a href=\"/launch.html\">Launch</a></nav></header>\n<main id=\"main\">"
                + "<h1>No such page</h1><p class=\"error\">The dashboard has no page at <code>" + p + "</code>.</p>"
                + "<p>Its pages: <a href=\"/index.html\">the runs</a> (a run's own page, the compare and group pages are linked from "
                + "there), <a href=\"/workers.html\">the workers</a> and <a href=\"/launch.html\">the launch form</a>.</p></main>\n"
                + "</body></html>\n";
    }

    /**
     * The methods Javalin's 405 (a known path, another method) lists for the path, HEAD left out (refused on every API
     * route), as an Allow header's value ("GET, POST"); null for a 405 of ours, which sets its own.
     */
    static String allowedMethods(HttpResponseException e) {
        String listed = e.getDetails().getOrDefault("availableMethods", e.getDetails().get("Available methods"));
        if (listed == null) return null;
        List<String> methods = java.util.Arrays.stream(listed.split(",")).map(String::trim)
                .filter(m -> !m.isEmpty() && !m.equals("HEAD")).toList();
        return methods.isEmpty() ? null : String.join(", ", methods);
    }

    public Javalin build() {
        List<String> apiGets = new java.util.ArrayList<>();
        Set<String> apiPaths = new java.util.HashSet<>();
        Javalin app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.http.maxRequestSize = JsonBody.MAX_BYTES;       // a declared Content-Length; JsonBody.text bounds what is read
            config.http.prefer405over404 = true;                    // a known path with the wrong method: 405, not 404
            // Jetty's own refusals (request line or headers over its limits, a malformed URI): JSON with the headers
            config.jetty.modifyServer(server -> server.setErrorHandler(new JettyRefusals()));
            config.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JettyRefusals()));
            config.jsonMapper(new JavalinJackson(Json.MAPPER.copy(), false));
            config.staticFiles.add(sf -> {
                sf.hostedPath = "/";
                sf.directory = "/web";
                sf.location = Location.CLASSPATH;
            });
            config.staticFiles.enableWebjars();
            config.events.handlerAdded(h -> {        // each GET of the API, for its HEAD below
                if (h.getHttpMethod() == HandlerType.GET && h.getPath().startsWith("/api/")) apiGets.add(h.getPath());
                if (h.getHttpMethod().isHttpMethod() && h.getPath().startsWith("/api/")) apiPaths.add(h.getPath());
            });
        });
        Safety safety = new Safety(allowedHosts);
        app.before(safety::check);
        app.before("/api/*", ctx -> {
            Params.refuseRepeated(ctx);       // for every route and parameter: none reads a first value and drops the others
            if (logDown) {                    // each request would wait for the pool's connection timeout: answer at once
                probe();
                ctx.header("Retry-After", "10");
                throw new HttpResponseException(503, LOG_DOWN);
            }
        });

        // a parameter the route does not read is refused, on every route, rather than ignored (a typo would look like a
        // filter that matched everything); a HEAD is a 405 whatever its query (below)
        app.beforeMatched("/api/*", ctx -> {
            if (ctx.method() != HandlerType.HEAD) Params.refuseUnknown(ctx, ctx.endpointHandlerPath());
        });

        RunQueries queries = new RunQueries(log);
        RunActions actions = new RunActions(log, clock, limits.maxLogBytes());
        this.actions = actions;                              // told by the probe when the log answers again
        new RunsRoutes(queries, actions, clock).register(app);
        new FlagRoutes(log, actions).register(app);
        new CompareRoutes(new Comparison(log, queries), clock).register(app);
        new GalleryRoutes(log, limits.maxImagePixels(), new UnitMatches(log)).register(app);
        new LiveRoutes(new RunFeed(log, clock, maxStreams, 500), streamLifetime).register(app);
        Launches launches = new Launches(log, creator, pool, limits);
        new LaunchRoutes(launches, actions, pool).register(app);
        new GroupRoutes(log, new GroupQueries(log, queries), launches, actions, clock).register(app);

        for (String path : Params.ROUTE_PARAMS.keySet()) {             // the table names routes, not typos of them
            if (!apiPaths.contains(path)) throw new IllegalStateException("Params.ROUTE_PARAMS names " + path + ", which is no route");
        }
        for (String path : Params.OWN_PARAMS) {
            if (!apiPaths.contains(path)) throw new IllegalStateException("Params.OWN_PARAMS names " + path + ", which is no route");
        }

        // Javalin answers a HEAD of a GET route 200 with an empty body without running the route, whatever the GET
        // would answer (404, 400): every such HEAD is refused instead, 405 with Allow: GET (a HEAD of an unknown path
        // is still a 404, of a page or a static file a HEAD as the web server answers it)
        for (String path : List.copyOf(apiGets)) {
            app.head(path, ctx -> {
                ctx.header("Allow", "GET");
                throw new HttpResponseException(405, "HEAD: the API answers GET only; send GET");
            });
        }

        app.exception(ConfigException.class, (e, ctx) -> ctx.status(400).json(ApiError.of(400, e)));
        app.exception(DataException.class, (e, ctx) -> {
            // the web takes no IDX path: the dashboard's machine needs the digits (found 2026-12-04 by a probe of many
            // machines: the answer advised --set data=idx:..., and its field repeated "data: ")
            String m = e.getMessage().replace(sparselab.data.DataSets.MISSING_MNIST_ADVICE, " on the dashboard's machine, or start the "
                    + "dashboard with SPARSELAB_DATA naming a folder that holds them");
            ctx.status(400).json(ApiError.of(400, "data", m, m.replaceFirst("^data: ", "")));
        });
        // a 429 says when to ask again: a queue slot frees when a run ends, a drawing's turn within seconds
        app.exception(QueueFullException.class, (e, ctx) -> ctx.status(429).header("Retry-After", QUEUE_RETRY_SECONDS)
                .json(ApiError.of(429, null, e.getMessage())));
        // Javalin's own 404 quotes the whole path: quoted clipped, as every other refusal quotes what was sent
        app.exception(io.javalin.router.EndpointNotFound.class, (e, ctx) -> {
            String path = ConfigException.clip(ctx.path(), 60);
            ctx.header("Vary", "Accept");                    // the answer of a page's address depends on what was asked for
            if (ctx.method() == io.javalin.http.HandlerType.GET && !ctx.path().startsWith("/api/")
                    && String.valueOf(ctx.header("Accept")).contains("text/html")) {
                // a browser asking for a page: a page that says so and links the dashboard's pages, not an API answer
                ctx.status(404).html(notFoundPage(path));
                return;
            }
            ctx.status(404).json(ApiError.of(404, null, "Endpoint " + ctx.method().name() + " " + path + " not found"));
        });
        app.exception(HttpResponseException.class, (e, ctx) -> {
            if (e.getStatus() == 429) ctx.header("Retry-After", BUSY_RETRY_SECONDS);
            String allowed = e.getStatus() == 405 ? allowedMethods(e) : null;
            if (allowed != null) {
                // a 405 names the methods the path answers, in Allow (RFC 9110) and in words; HEAD is refused (above)
                ctx.header("Allow", allowed);
                // the method as sent (Javalin names one it does not know INVALID), clipped
                ctx.status(405).json(ApiError.of(405, null, ConfigException.clip(ctx.req().getMethod(), 20) + ": " + ConfigException.clip(ctx.path(), 60)
                        + " answers " + allowed.replace(", ", " and ") + " only"));
                return;
            }
            ctx.status(e.getStatus()).json(ApiError.of(e.getStatus(), null, e.getMessage()));
        });
        app.exception(StoreException.Corrupt.class, (e, ctx) -> {
            LOG.error("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.status(500).json(ApiError.of(500, null, e.getMessage()));
        });
        app.exception(StoreException.NotFound.class, (e, ctx) -> ctx.status(404).json(ApiError.of(404, null, e.getMessage())));
        app.exception(StoreException.Conflict.class, (e, ctx) -> ctx.status(409).json(ApiError.of(409, null, e.getMessage())));
        // a run held by a write that does not end (a trainer stopped inside one): nothing was written, ask again later
        app.exception(StoreException.Busy.class, (e, ctx) -> ctx.status(503).header("Retry-After", "10").json(ApiError.of(503, null, e.getMessage())));
        // the log's disk is full (SQLITE_FULL): nothing of the write was stored, the log is intact; 507 Insufficient Storage
        app.exception(StoreException.Full.class, (e, ctx) -> {
            LOG.warn("{} {}: {}", ctx.method(), ctx.path(), e.getMessage());
            ctx.status(507).json(ApiError.of(507, null, e.getMessage()));
        });
        app.exception(Exception.class, (e, ctx) -> {
            if (StoreException.unreachable(e)) {            // the log's server is down or restarting: ask again later
                LOG.warn("{} {}: the log cannot be reached: {}", ctx.method(), ctx.path(), StoreException.unreachableWhy(e));
                logDown = true;
                probe();                                    // until it answers again
                ctx.status(503).header("Retry-After", "10").json(ApiError.of(503, null, LOG_DOWN));
                return;
            }
            LOG.error("{} {} failed", ctx.method(), ctx.path(), e);
            ctx.status(500).json(new ApiError(500, "internal error; see the server log", Map.of()));
        });
        app.events(e -> e.serverStopping(() -> stopped = true));
        return app;
    }
}
