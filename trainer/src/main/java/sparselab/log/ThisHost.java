package sparselab.log;

import java.net.InetAddress;

/** This machine's name, as trainers write it into their {@code started} events, and whether a process of it has ended. */
public final class ThisHost {
    private ThisHost() {}

    /** The host name, looked up once (a lookup may wait for the resolver). */
    public static final String NAME = lookup();

    private static String lookup() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /**
     * True when the trainer process {@code pid} of {@code host} is known to have ended: it ran on this machine and no
     * process with that pid is alive. A trainer elsewhere, or a pid taken by another process since, is not known gone.
     */
    public static boolean trainerGone(String host, Long pid) {
        return pid != null && NAME.equals(host) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
