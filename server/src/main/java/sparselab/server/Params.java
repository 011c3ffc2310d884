package sparselab.server;

import io.javalin.http.BadRequestResponse;
import io.javalin.http.Context;

import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;

/** Reading request parameters with refusals that name the parameter; a parameter given twice is refused before ({@link #refuseRepeated}). */
public final class Params {
    private Params() {}

    public static int pathInt(Context ctx, String name, int min, int max) {
        return parseInt(ctx.pathParam(name), name, min, max);
    }

    /**
     * Refuses a query that gives a parameter more than once ({@code ?status=a&status=b}), whichever the parameter and
     * the route: run before every API request, so that no route reads the first value and drops the others.
     */
    public static void refuseRepeated(Context ctx) {
        for (Map.Entry<String, List<String>> p : ctx.queryParamMap().entrySet()) {
            if (p.getValue().size() > 1) {
                throw new BadRequestResponse(sparselab.config.ConfigException.clip(p.getKey(), 60) + ": given more than once; give it once");
            }
        }
    }

    /**
     * The query parameters each API route reads, by its path as registered; a route not named here reads none.
     * {@code /api/ignored} is not named: it takes {@code preset} and any configuration key, and refuses an unknown key
     * itself ({@code Launches.ignored}, with the configuration's own message).
     */
    public static final Map<String, List<String>> ROUTE_PARAMS = Map.of(
            "/api/runs", List.of("status", "q", "before", "limit"),
            "/api/runs/{id}/events", List.of("limit", "before"),
            "/api/runs/{id}/flags", List.of("limit", "offset"),
            "/api/runs/{id}/rhohat", List.of("rows"),
            "/api/runs/{id}/snapshots/{epoch}/grid.png", List.of("scale", "matchTo", "matchEpoch"),
            "/api/runs/{id}/snapshots/{epoch}/filters/{unit}.png", List.of("scale"),
            "/api/compare", List.of("runs"),
            "/api/diff", List.of("runs"),
            "/api/stream", List.of("run", "group"));

    /** The routes that read parameters of their own besides those above, and check them themselves. */
    public static final java.util.Set<String> OWN_PARAMS = java.util.Set.of("/api/ignored");

    /**
     * Refuses a query parameter the matched route does not read ({@code ?stauts=finished}, {@code ?group=} on
     * {@code /api/runs}): a typo answers 400 instead of an unfiltered answer that looks filtered. Run before every
     * API request that matched a route ({@code route}: its path as registered).
     */
    public static void refuseUnknown(Context ctx, String route) {
        if (OWN_PARAMS.contains(route)) return;
        List<String> known = ROUTE_PARAMS.getOrDefault(route, List.of());
        for (String name : ctx.queryParamMap().keySet()) {
            if (known.contains(name)) continue;
            String shown = name.isEmpty() ? "''" : sparselab.config.ConfigException.clip(name, 60);
            throw new BadRequestResponse(shown + ": unknown parameter; this route takes " + (known.isEmpty() ? "none" : String.join(", ", known)));
        }
    }

    /** A query parameter's integer; absent or empty: {@code def}. */
    public static int queryInt(Context ctx, String name, int def, int min, int max) {
        String v = ctx.queryParam(name);
        return v == null || v.isBlank() ? def : parseInt(v, name, min, max);
    }

    private static int parseInt(String v, String name, int min, int max) {
        int n;
        // ASCII digits only: Integer.parseInt also takes '+5' and other scripts' digits ('５')
        if (!v.trim().matches("-?[0-9]+")) throw new BadRequestResponse(name + ": '" + sparselab.config.ConfigException.clip(v.trim(), 60) + "' is not an integer");
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {           // digits beyond an int
            throw new BadRequestResponse(name + ": " + sparselab.config.ConfigException.clip(v.trim(), 60) + " is out of range [" + min + ", " + max + "]");
        }
        if (n < min || n > max) throw new BadRequestResponse(name + ": " + n + " is out of range [" + min + ", " + max + "]");
        return n;
    }

    /** A comma-separated list of run ids, distinct, between {@code min} and {@code max} of them. */
    public static List<String> runIds(Context ctx, String name, int min, int max) {
        String v = ctx.queryParam(name);
        if (v == null || v.isBlank()) throw new BadRequestResponse(name + ": missing; give " + min + " to " + max + " run ids separated by commas");
        List<String> ids = List.copyOf(new LinkedHashSet<>(Arrays.stream(v.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()));
        if (ids.size() < min || ids.size() > max) {
            // one word that is no run id is most often ids joined by another separator ('r1;r2', 'r1 r2')
            String one = ids.size() == 1 && !sparselab.store.EventLog.isRunId(ids.get(0))
                    ? " ('" + sparselab.config.ConfigException.clip(ids.get(0), 60) + "' is no run id)" : "";
            throw new BadRequestResponse(name + ": " + ids.size() + " distinct run id" + (ids.size() == 1 ? "" : "s") + " given" + one + "; give "
                    + min + " to " + max + " run ids separated by commas");
        }
        return ids;
    }
}
