package sparselab.log;

import java.net.InetAddress;

/**
 * This machine's name, as trainers write it into their {@code started} events and workers into their rows, and whether
 * a process of it has ended. A process in a pid namespace of its own (a container, even one that shares the machine's
 * network and so its host name; {@code unshare --pid}) sees other pids than the machine's: its name carries the
 * namespace ({@code vm~pid4026532201}), so that its trainers are never judged by pids it cannot see, nor others' by its.
 */
public final class ThisHost {
    private ThisHost() {}

    /** The host name, looked up once (a lookup may wait for the resolver), and the pid namespace where it is not the machine's first. */
    public static final String NAME = lookup() + namespace(pidNamespace());

    /** The inode of a machine's first pid namespace, the same on every Linux (the kernel's PROC_PID_INIT_INO). */
    static final long INITIAL_PID_NAMESPACE = 0xEFFFFFFCL;

    private static String lookup() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "unknown";
        }
    }

    /** This process's pid namespace as Linux names it ({@code pid:[4026531836]}), or "" where there is none to read. */
    private static String pidNamespace() {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/ns/pid")).toString();
        } catch (Exception e) {
            return "";
        }
    }

    /** The suffix of the host's name for a pid namespace ({@code pid:[N]}): "" for the machine's first one or none, else {@code ~pidN}. */
    static String namespace(String link) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("^pid:\\[(\\d{1,19})]$").matcher(link);
        if (!m.matches()) return "";
        long inode = Long.parseLong(m.group(1));
        return inode == INITIAL_PID_NAMESPACE ? "" : "~pid" + inode;
    }

    /**
     * True when the trainer process {@code pid} of {@code host} is known to have ended: it ran on this machine, in this
     * pid namespace, and no process with that pid is alive. A trainer elsewhere, in another container of this machine,
     * or a pid taken by another process since, is not known gone.
     */
    public static boolean trainerGone(String host, Long pid) {
        return pid != null && NAME.equals(host) && ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }
}
