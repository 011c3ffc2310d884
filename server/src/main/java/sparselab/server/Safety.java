package sparselab.server;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;

import java.net.URI;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The dashboard's guard, run before every request. The Host header must name an allowed host (so a page on
 * another site cannot reach the dashboard through DNS rebinding); every state-changing request must come from the
 * dashboard's own origin (so another site cannot make the browser POST to it); and every read of the API
 * ({@code /api/...}, the weight images included) must come from the dashboard's own pages or from the user
 * (address bar, script), so another site's {@code <img>} or {@code <script>} cannot make the server draw images or
 * query the log. A request without Origin, Sec-Fetch-Site and Referer (curl) is let through: it is not a browser
 * acting for another site. Every answer carries the {@link #HEADERS security headers}.
 */
public final class Safety {
    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH);

    /**
     * Sent with every answer: no framing (clickjacking), no MIME sniffing, no Referer to other sites, resources not
     * embeddable by other origins, and a content security policy that lets the pages load only their own scripts,
     * styles (the pages' scripts set a few inline style attributes), images and API.
     */
    public static final Map<String, String> HEADERS = Map.of(
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "same-origin",
            "Cross-Origin-Resource-Policy", "same-origin",
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
                    + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");

    private final Set<String> allowedHosts;

    /** @param allowedHosts host names (no port) that may appear in the Host header, lower case */
    public Safety(Set<String> allowedHosts) {
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /** The host names of a dashboard bound to {@code bindHost}: the loopback names, plus the bind host itself. */
    public static Set<String> hostsFor(String bindHost) {
        java.util.Set<String> hosts = new java.util.HashSet<>(Set.of("localhost", "127.0.0.1", "[::1]"));
        String h = bindHost.toLowerCase(Locale.ROOT);
        if (!h.equals("0.0.0.0") && !h.equals("::") && !h.isBlank()) hosts.add(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h);
        return hosts;
    }

    public void check(Context ctx) {
        HEADERS.forEach(ctx::header);
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.contains(hostName(host))) {
            throw new ForbiddenResponse("Host '" + clip(host == null ? "" : host) + "' is not allowed; open the dashboard as http://localhost:PORT or http://127.0.0.1:PORT");
        }
        if (!STATE_CHANGING.contains(ctx.method())) {
            if (ctx.path().startsWith("/api/")) checkRead(ctx, host);
            return;
        }
        String origin = ctx.header("Origin");
        if (origin != null) {
            if (!sameOrigin(origin, host)) {
                throw new ForbiddenResponse("Origin '" + clip(origin) + "' is not this dashboard's origin (" + clip(host) + "); state-changing requests must come from the dashboard's own pages");
            }
            return;
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new ForbiddenResponse("Sec-Fetch-Site '" + clip(site) + "' is refused; state-changing requests must come from the dashboard's own pages");
        }
    }

    /**
     * A read of the API from a browser must be the dashboard's own (Sec-Fetch-Site same-origin) or the user's (none:
     * typed, bookmarked); browsers that send no Sec-Fetch-Site are judged by Origin, then by Referer.
     */
    private static void checkRead(Context ctx, String host) {
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null) {
            if (site.equals("same-origin") || site.equals("none")) return;
            throw new ForbiddenResponse("Sec-Fetch-Site '" + clip(site) + "' is refused; the API answers the dashboard's own pages only");
        }
        String origin = ctx.header("Origin");
        if (origin != null && !sameOrigin(origin, host)) {
            throw new ForbiddenResponse("Origin '" + clip(origin) + "' is not this dashboard's origin (" + clip(host) + "); the API answers the dashboard's own pages only");
        }
        String referer = ctx.header("Referer");
        if (origin == null && referer != null && !sameOrigin(referer, host)) {
            throw new ForbiddenResponse("Referer '" + clip(referer) + "' is not a page of this dashboard (" + clip(host) + "); the API answers the dashboard's own pages only");
        }
    }

    private static String clip(String header) {
        return header.length() <= 100 ? header : header.substring(0, 100) + "...";
    }

    static String hostName(String hostHeader) {
        String h = hostHeader.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static boolean sameOrigin(String origin, String host) {
        try {
            URI u = URI.create(origin);
            if (!"http".equals(u.getScheme()) && !"https".equals(u.getScheme())) return false;
            String authority = u.getRawAuthority();
            return authority != null && authority.equalsIgnoreCase(host.trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
