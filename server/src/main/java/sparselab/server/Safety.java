package sparselab.server;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;

import java.net.URI;
import java.util.Locale;
import java.util.Set;

/**
 * The dashboard's guard, run before every request: the Host header must name an allowed host (so a page on
 * another site cannot reach the dashboard through DNS rebinding), and every state-changing request must come
 * from the dashboard's own origin (so another site cannot make the browser POST to it). A script without an
 * Origin header (curl) is let through: it is not a browser acting for another site.
 */
public final class Safety {
    private static final Set<HandlerType> STATE_CHANGING = Set.of(HandlerType.POST, HandlerType.PUT, HandlerType.DELETE, HandlerType.PATCH);

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
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.contains(hostName(host))) {
            throw new ForbiddenResponse("Host '" + (host == null ? "" : host) + "' is not allowed; open the dashboard as http://localhost:PORT or http://127.0.0.1:PORT");
        }
        if (!STATE_CHANGING.contains(ctx.method())) return;
        String origin = ctx.header("Origin");
        if (origin != null) {
            if (!sameOrigin(origin, host)) {
                throw new ForbiddenResponse("Origin '" + origin + "' is not this dashboard's origin (" + host + "); state-changing requests must come from the dashboard's own pages");
            }
            return;
        }
        String site = ctx.header("Sec-Fetch-Site");
        if (site != null && !site.equals("same-origin") && !site.equals("none")) {
            throw new ForbiddenResponse("Sec-Fetch-Site '" + site + "' is refused; state-changing requests must come from the dashboard's own pages");
        }
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
