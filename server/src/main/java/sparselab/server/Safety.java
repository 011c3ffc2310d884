package sparselab.server;

import io.javalin.http.Context;
import io.javalin.http.ForbiddenResponse;
import io.javalin.http.HandlerType;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.util.Collections;
import java.util.List;
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
     * style sheets, images and API: no inline script or style (the pages' scripts set the few sizes they compute
     * through the element's style object, which the policy does not restrict).
     */
    public static final Map<String, String> HEADERS = Map.of(
            "X-Frame-Options", "DENY",
            "X-Content-Type-Options", "nosniff",
            "Referrer-Policy", "same-origin",
            "Cross-Origin-Resource-Policy", "same-origin",
            "Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
                    + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'");

    private final Set<String> allowedHosts;

    /** @param allowedHosts host names (no port) that may appear in the Host header, lower case */
    public Safety(Set<String> allowedHosts) {
        this.allowedHosts = allowedHosts.stream().map(Safety::canonical).collect(java.util.stream.Collectors.toUnmodifiableSet());
    }

    /**
     * The host names of a dashboard bound to {@code bindHost}: the loopback names, plus the bind host itself. A
     * wildcard bind ({@code 0.0.0.0}, {@code ::}) is meant to be reached from other machines, so it allows this
     * machine's own names too: its host name and canonical host name, and every address of its network interfaces.
     * Any other name is still refused, so a page on another site cannot reach the dashboard through DNS rebinding.
     */
    public static Set<String> hostsFor(String bindHost) {
        return hostsFor(bindHost, List.of());
    }

    /** {@link #hostsFor(String)} plus {@code extra} names (a DNS alias, a proxy's name) that the user allows. */
    public static Set<String> hostsFor(String bindHost, List<String> extra) {
        java.util.Set<String> hosts = new java.util.HashSet<>();
        for (String e : extra) hosts.add(canonical(e.trim().contains(":") && !e.trim().startsWith("[") ? "[" + e.trim() + "]" : e.trim()));
        for (String loopback : List.of("localhost", "127.0.0.1", "[::1]")) hosts.add(canonical(loopback));
        String h = bindHost.trim().toLowerCase(Locale.ROOT);
        if (isWildcard(h)) {
            hosts.addAll(machineNames());
        } else {
            hosts.add(canonical(h.contains(":") && !h.startsWith("[") ? "[" + h + "]" : h));
        }
        return hosts;
    }

    /** Whether {@code bindHost} binds every address of the machine ({@code 0.0.0.0}, {@code ::}, or blank). */
    public static boolean isWildcard(String bindHost) {
        String h = bindHost.trim();
        if (h.isEmpty()) return true;
        if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
        if (!h.matches("[0-9.:]+")) return false;    // a name, not an address literal: never resolved here
        try {
            return InetAddress.getByName(h).isAnyLocalAddress();
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** This machine's host name and canonical host name, and every address of its network interfaces, as Host names. */
    static Set<String> machineNames() {
        java.util.Set<String> names = new java.util.HashSet<>();
        try {
            InetAddress local = InetAddress.getLocalHost();
            names.add(local.getHostName().toLowerCase(Locale.ROOT));
            names.add(local.getCanonicalHostName().toLowerCase(Locale.ROOT));
            names.add(asHostName(local));
        } catch (java.io.IOException e) {
            // a machine whose own name does not resolve: its interface addresses below still serve
        }
        try {
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                for (InetAddress a : Collections.list(nic.getInetAddresses())) names.add(asHostName(a));
            }
        } catch (java.io.IOException e) {
            // no interfaces to list: the names above and the loopback names serve
        }
        return names;
    }

    /** An address as it appears in a Host header: dotted IPv4, or IPv6 in brackets without its scope. */
    private static String asHostName(InetAddress a) {
        String text = a.getHostAddress();
        int scope = text.indexOf('%');
        if (scope >= 0) text = text.substring(0, scope);
        return canonical(a instanceof Inet6Address ? "[" + text + "]" : text);
    }

    /**
     * A host name in the form it is compared in: lower case, and an IPv6 literal in one spelling (so that
     * {@code [::1]} and {@code [0:0:0:0:0:0:0:1]} are the same host). Only literals are parsed; nothing is resolved.
     */
    static String canonical(String hostName) {
        String h = hostName.toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]") && h.substring(1, h.length() - 1).matches("[0-9a-f:.]*:[0-9a-f:.]*")) {
            try {
                return "[" + InetAddress.getByName(h.substring(1, h.length() - 1)).getHostAddress() + "]";
            } catch (java.io.IOException | IllegalArgumentException e) {
                return h;
            }
        }
        return h;
    }

    public void check(Context ctx) {
        HEADERS.forEach(ctx::header);
        String host = ctx.header("Host");
        if (host == null || !allowedHosts.contains(canonical(hostName(host)))) {
            throw new ForbiddenResponse("Host '" + clip(host == null ? "" : host) + "' is not allowed; open the dashboard by a name it answers to "
                    + "(http://localhost:PORT on this machine; serve --allow-host NAME adds a name)");
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
        String referer = ctx.header("Referer");                // as for reads: a client that sends neither header above
        if (referer != null && !sameOrigin(referer, host)) {
            throw new ForbiddenResponse("Referer '" + clip(referer) + "' is not a page of this dashboard (" + clip(host) + "); state-changing requests must come from the dashboard's own pages");
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
