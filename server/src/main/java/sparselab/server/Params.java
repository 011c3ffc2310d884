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
        refuseBrokenEscapes(ctx.queryString());
        for (Map.Entry<String, List<String>> p : ctx.queryParamMap().entrySet()) {
            if (p.getValue().size() > 1) {
                throw new BadRequestResponse(shown(p.getKey()) + ": given more than once; give it once");
            }
        }
    }

    private static String shown(String name) {
        return name.isEmpty() ? "''" : sparselab.config.ConfigException.clip(name, 60);
    }

    /** A '%' not followed by two hex digits. */
    private static final java.util.regex.Pattern BROKEN_ESCAPE = java.util.regex.Pattern.compile("%(?![0-9A-Fa-f]{2})");

    /**
     * Refuses a query part whose %-escapes do not decode ({@code ?status=queued%}, {@code ?q=%ZZ}, escapes of bytes that
     * are no UTF-8): the web server drops such a part without a word, so a filter mistyped so read as no filter at all
     * (found 2026-12-04 by a probe of many machines: {@code /api/runs?status=queued%} answered every run).
     */
    static void refuseBrokenEscapes(String query) {
        if (query == null || query.indexOf('%') < 0) return;
        for (String part : query.split("&")) {
            int eq = part.indexOf('=');
            String name = eq < 0 ? part : part.substring(0, eq);
            java.util.regex.Matcher broken = BROKEN_ESCAPE.matcher(part);
            if (broken.find()) {
                String at = part.substring(broken.start(), Math.min(part.length(), broken.start() + 3));
                throw new BadRequestResponse(shown(name.replaceAll("%.*", "")) + ": the query part '" + sparselab.config.ConfigException.clip(part, 60)
                        + "' holds '" + at + "', which is no %-escape; write a '%' as %25");
            }
            for (String piece : eq < 0 ? new String[] {part} : new String[] {name, part.substring(eq + 1)}) {
                // the decoder writes U+FFFD for bytes that are no UTF-8 (a client's own U+FFFD, sent as it is or escaped, is text)
                String decoded = java.net.URLDecoder.decode(piece.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
                long replaced = decoded.chars().filter(c -> c == 0xFFFD).count();
                long meant = piece.chars().filter(c -> c == 0xFFFD).count() + piece.toUpperCase(java.util.Locale.ROOT).split("%EF%BF%BD", -1).length - 1;
                if (replaced > meant) {
                    throw new BadRequestResponse(shown(name.replaceAll("%.*", "")) + ": the query part '" + sparselab.config.ConfigException.clip(part, 60)
                            + "' escapes bytes that are no UTF-8 text");
                }
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
            throw new BadRequestResponse(shown(name) + ": unknown parameter; this route takes " + (known.isEmpty() ? "none" : String.join(", ", known)));
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
