package sparselab.store;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * What {@code --db} names: an SQLite file (any path) or a PostgreSQL database
 * ({@code postgresql://user@host:port/db}). The password of a PostgreSQL log is looked for as libpq (psql) looks for
 * it: in the URL ({@code user:password@}), else {@code PGPASSWORD}, else the password file ({@code PGPASSFILE} or
 * {@code ~/.pgpass}, {@code ~} being HOME as libpq reads it; the libpq format); it is never part of {@link #display()}.
 */
record Backend(Kind kind, Path file, String jdbcUrl, String user, String password, String display, String query) {

    /** What a child process is given as --db: {@link #display()} with the URL's query (never a password, which is refused there). */
    String locator() { return query == null || query.isBlank() ? display : display + "?" + query; }

    enum Kind { SQLITE, POSTGRESQL }

    /**
     * @param create for SQLite: create the file when missing (false: refuse a missing file)
     */
    static Backend parse(String db, boolean create) {
        return parse(db, create, System::getenv);
    }

    /** {@link #parse(String, boolean)} with the environment variables {@code env} gives (PGUSER, PGPASSWORD, PGPASSFILE). */
    static Backend parse(String db, boolean create, java.util.function.UnaryOperator<String> env) {
        if (db == null || db.isBlank()) throw new StoreException.BadLog("--db: empty; give a file path or a postgresql:// URL");
        String s = db.trim();
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) return postgres(s, env);
        // a slash short (postgresql:/host/db) or a scheme in capitals: no file path was meant
        if (s.matches("(?i)^postgres(ql)?:.*")) {
            String shown = redact(s);
            throw new StoreException.BadLog("--db: '" + shown + "' is not a postgresql:// URL; write it as postgresql://user@host:port/db"
                    + " (the scheme in lower case, two slashes after it; a file of that name: ./" + shown + ")");
        }
        // a JDBC URL, as Java tools write them: said how to write it here
        if (s.regionMatches(true, 0, "jdbc:postgresql://", 0, 18)) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "' is a JDBC URL; write it without jdbc: as postgresql://"
                    + redact(s).substring(18));
        }
        if (s.matches("^[A-Za-z][A-Za-z0-9+.-]*://.*") || s.startsWith("jdbc:")) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "' is neither a file path nor a postgresql:// URL");
        }
        Path file = Path.of(s).toAbsolutePath().normalize();
        if (Files.isDirectory(file)) throw new StoreException.BadLog("--db: " + file + " is a folder, not a log file");
        if (!create && Files.exists(file) && !Files.isRegularFile(file)) {
            throw new StoreException.BadLog("--db: " + file + " is not a regular file, not a log");
        }
        if (!create && !Files.isRegularFile(file)) {
            throw new StoreException.BadLog("--db: no log at " + file + " (train, sweep, serve, demo, stress or copy --to creates one)");
        }
        if (!create && size(file) == 0) {      // SQLite would take it as an empty database and the tables would be made
            throw new StoreException.BadLog("--db: " + file + " is an empty file, not a log (train, sweep, serve, demo, stress or copy --to creates one); left as it is");
        }
        return new Backend(Kind.SQLITE, file, "jdbc:sqlite:" + file, null, null, file.toString(), null);
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            return -1;
        }
    }

    private static Backend postgres(String s, java.util.function.UnaryOperator<String> env) {
        refuseUnescapedUserInfo(s);
        URI uri;
        try {
            uri = new URI(s);
        } catch (URISyntaxException e) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "' is not a valid postgresql:// URL: " + e.getReason());
        }
        String parameters = driverParameters(uri.getRawQuery());   // refuses a password parameter before any message quotes the URL
        String host = uri.getHost();
        String hostPort = uri.getRawAuthority() == null ? "" : uri.getRawAuthority().replaceFirst("^.*@", "");
        java.util.regex.Matcher portText = java.util.regex.Pattern.compile("^(\\[[^]]*]|[^:]*):(.*)$").matcher(hostPort);
        if (portText.matches() && !portText.group(2).matches("[0-9]{1,9}")) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "': the port '" + clip(portText.group(2)) + "' is not a number");
        }
        if (host == null || host.isBlank()) throw new StoreException.BadLog("--db: '" + redact(s) + "' names no host");
        int port = uri.getPort() < 0 ? 5432 : uri.getPort();
        if (port < 1 || port > 65535) throw new StoreException.BadLog("--db: '" + redact(s) + "': the port " + port + " is out of range [1, 65535]");
        // raw: decoded once, below (getPath() decodes, and a second decoding read "a%25b" as a broken escape)
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceFirst("^/", "");
        if (path.isBlank() || path.contains("/")) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "' names no database (postgresql://user@host:port/db)");
        }
        String user = null;
        String urlPassword = null;
        if (uri.getRawUserInfo() != null) {
            String[] ui = uri.getRawUserInfo().split(":", 2);
            user = decode(ui[0]);
            if (ui.length > 1) urlPassword = decode(ui[1]);
        }
        if (uri.getRawQuery() != null) {          // the driver connects as a user= parameter: the log's name says so too
            for (String kv : uri.getRawQuery().split("&")) {
                String[] two = kv.split("=", 2);
                // the driver reads its parameters as a form does ('+' a space): so is this one read
                if (two[0].equalsIgnoreCase("user") && two.length > 1 && !two[1].isBlank()) user = URLDecoder.decode(two[1], StandardCharsets.UTF_8);
            }
        }
        String who = user == null || user.isBlank() ? Optional.ofNullable(env.apply("PGUSER")).orElse(System.getProperty("user.name")) : user;
        String db = decode(path);
        // as libpq (psql) looks for it: the URL's, else PGPASSWORD, else the password file
        String password = Optional.ofNullable(urlPassword).filter(p -> !p.isEmpty())
                .or(() -> Optional.ofNullable(env.apply("PGPASSWORD")).filter(p -> !p.isEmpty()))
                .or(() -> pgpass(host, port, db, who, env)).orElse(null);
        user = who;
        // a URL again (a name with '@', '/' or a space escaped), which child processes are given as their --db
        String display = "postgresql://" + encode(user) + "@" + host + ":" + port + "/" + encode(db);
        String jdbc = "jdbc:postgresql://" + host + ":" + port + "/" + URLEncoder.encode(db, StandardCharsets.UTF_8) + "?" + parameters;
        return new Backend(Kind.POSTGRESQL, null, jdbc, user, password, display, uri.getRawQuery());
    }

    /**
     * The PostgreSQL JDBC driver's parameters: those of the URL's query ({@code ?sslmode=verify-full}, ...), as given,
     * after the defaults they may override: {@code connectTimeout} 10 s (a server that does not answer the connection)
     * and {@code loginTimeout} 20 s (one that accepts it and then never answers: without it, opening the log would wait
     * for ever), {@code socketTimeout} 300 s and {@code tcpKeepAlive} (a server or network that goes silent in the
     * middle of a statement: without them, a trainer's write waited for ever while its heartbeat, on another
     * connection, kept its run from being taken over; a write that times out is tried again, and the store refuses an
     * epoch it holds already), and {@code ApplicationName}.
     */
    static String driverParameters(String rawQuery) {
        java.util.Map<String, String> p = new java.util.LinkedHashMap<>();
        p.put("connectTimeout", "10");
        p.put("loginTimeout", "20");
        p.put("socketTimeout", "300");
        p.put("tcpKeepAlive", "true");
        p.put("ApplicationName", "sparselab");
        if (rawQuery != null) {
            for (String kv : rawQuery.split("&")) {
                if (kv.isBlank()) continue;
                String[] two = kv.split("=", 2);
                if (two[0].toLowerCase(java.util.Locale.ROOT).contains("password")) {   // it would be in the driver's URL, which messages may quote
                    throw new StoreException.BadLog("--db: a password is not taken as a URL parameter (" + clip(two[0])
                            + "); give it by PGPASSWORD, ~/.pgpass or user:password@ in the URL");
                }
                if (org.postgresql.PGProperty.forName(two[0]) == null) throw unknownParameter(two[0]);
                p.put(two[0], two.length > 1 ? two[1] : "");
            }
        }
        return p.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(java.util.stream.Collectors.joining("&"));
    }

    private static String clip(String s) { return s.length() <= 20 ? s : s.substring(0, 20) + "..."; }

    /**
     * A query parameter the PostgreSQL JDBC driver does not know: the driver would ignore it (a mistyped
     * {@code sslmod=require} would connect without requiring the TLS it asked for), so it is refused, naming the driver's
     * parameter it most likely meant (the same name in other capitals, or a letter or two away).
     */
    private static StoreException.BadLog unknownParameter(String key) {
        String meant = sparselab.config.ConfigKeys.nearest(key,
                java.util.Arrays.stream(org.postgresql.PGProperty.values()).map(org.postgresql.PGProperty::getName).toList());
        return new StoreException.BadLog("--db: '" + clip(key) + "' is not a parameter of the PostgreSQL driver"
                + (meant != null ? " (did you mean " + meant + "?)" : "") + "; its parameters (sslmode, connectTimeout,"
                + " currentSchema, ...) are written as the driver names them");
    }

    /** The password of the first matching line of the libpq password file, if any. */
    static Optional<String> pgpass(String host, int port, String db, String user, java.util.function.UnaryOperator<String> env) {
        String f = env.apply("PGPASSFILE");
        // ~ as libpq reads it: HOME when set, else the account's home folder
        String home = env.apply("HOME");
        Path file = f != null && !f.isBlank() ? Path.of(f)
                : Path.of(home != null && !home.isBlank() ? home : System.getProperty("user.home"), ".pgpass");
        if (!Files.isRegularFile(file)) return Optional.empty();
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String line : lines) {
            if (line.isBlank() || line.startsWith("#")) continue;
            List<String> f5 = fields(line);
            if (f5.size() != 5) continue;
            if (matches(f5.get(0), host) && matches(f5.get(1), Integer.toString(port)) && matches(f5.get(2), db)
                    && matches(f5.get(3), user)) {
                return Optional.of(f5.get(4));
            }
        }
        return Optional.empty();
    }

    private static boolean matches(String pattern, String value) { return pattern.equals("*") || pattern.equals(value); }

    /** The colon-separated fields of a password-file line; backslash escapes ':' and '\'. */
    private static List<String> fields(String line) {
        List<String> out = new java.util.ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\' && i + 1 < line.length()) {
                cur.append(line.charAt(++i));
            } else if (c == ':' && out.size() < 4) {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** A URL's percent-escapes decoded, a '+' kept (as libpq and psql read it: "a+b" is the user or database a+b, not "a b"). */
    private static String decode(String s) { return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8); }

    /** A user or database name as {@link #decode} reads it back: letters, digits and {@code .-_*} as they are, the rest escaped. */
    private static String encode(String s) { return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20"); }

    /** A query parameter that names a password ({@code password=}, {@code sslpassword=}): never quoted. */
    private static final java.util.regex.Pattern PASSWORD_PARAMETER = java.util.regex.Pattern.compile("(?i)[?&]([^=&?]*password[^=&]*)=");

    /**
     * A user name or password with a character that a URL reads as the end of its host part ('/', '?', '#') or as the
     * end of the user's part ('@'), unescaped: the URL would be cut there, and a message about its "port" or "host"
     * would quote a piece of the password. Refused first, naming the escapes (as psql reads them).
     */
    private static void refuseUnescapedUserInfo(String s) {
        int start = s.indexOf("//") + 2;
        String head = s;
        java.util.regex.Matcher pw = PASSWORD_PARAMETER.matcher(s);
        if (pw.find()) head = s.substring(0, pw.start());          // refused later, and never quoted
        int end = start;
        while (end < head.length() && "/?#".indexOf(head.charAt(end)) < 0) end++;
        int lastAt = head.lastIndexOf('@');
        // the last '@' beyond the host part with no '=' before it: the user's part holds a '/', '?' or '#' (an '@' in a
        // query's value, ?sslrootcert=/home/jdoe@corp/root.crt, comes after its '=' and is left to the driver)
        boolean cut = lastAt > end && head.substring(end, lastAt).indexOf('=') < 0;
        long ats = head.substring(start, cut ? lastAt : end).chars().filter(c -> c == '@').count();
        if (cut || ats > 1) {
            throw new StoreException.BadLog("--db: '" + redact(s) + "': " + (cut ? "the user name or password holds a '/', '?' or '#'"
                    : "more than one '@' before the host") + ", which a URL reads as the end of its part; escape them in the user name "
                    + "and password as %2F, %3F, %23 and %40 (a ':' in the user name as %3A), or give the password in PGPASSWORD or ~/.pgpass");
        }
    }

    /** The URL with any password replaced, for messages. */
    static String redact(String s) {
        // a query parameter that names a password (password=, sslpassword=): its value and all after it hidden, first
        // (its value may hold '@' or ':', which the user's part below would read as its own)
        String head = s, tail = "";
        java.util.regex.Matcher pw = PASSWORD_PARAMETER.matcher(s);
        if (pw.find()) {
            head = s.substring(0, pw.start());
            tail = s.charAt(pw.start()) + pw.group(1) + "=***" + (s.indexOf('&', pw.end()) >= 0 ? "&..." : "");
        }
        // the user's part, in what is left: from the first ':' after the scheme (and its slashes, however many) to the
        // last '@' (a password may hold ':', '/', '?' or '@'); a query's '@' only hides more
        java.util.regex.Matcher scheme = java.util.regex.Pattern.compile("^(jdbc:)?[A-Za-z][A-Za-z0-9+.-]*:/*").matcher(head);
        int from = scheme.find() ? scheme.end() : 0;
        int at = head.lastIndexOf('@'), colon = head.indexOf(':', from);
        boolean atsBefore = at > from && head.substring(from, at).indexOf('@') >= 0;   // user@secret@host: no ':' to cut at
        if (at > from && colon >= 0 && colon < at) head = head.substring(0, colon) + ":***" + head.substring(at);
        else if (atsBefore) head = head.substring(0, from) + "***" + head.substring(at);
        // a user's password that itself holds "?password=": its '@' lies beyond the cut, so all after the ':' is hidden
        else if (at < 0 && colon >= 0 && !tail.isEmpty() && s.indexOf('@', head.length()) >= 0) head = head.substring(0, colon) + ":***";
        return head + tail;
    }
}
