package sparselab.server;

import java.util.regex.Pattern;

/** The shape of run ids ({@code EventLog.newRunId}: "r" and ten hex digits), to refuse anything else early. */
public final class Ids {
    private static final Pattern RUN_ID = Pattern.compile("r[0-9a-f]{10}");

    private Ids() {}

    public static boolean isRunId(String s) { return s != null && RUN_ID.matcher(s).matches(); }

    /** {@code s} cut to 40 characters, for messages. */
    public static String shown(String s) { return s.length() > 40 ? s.substring(0, 40) + "..." : s; }
}
