package sparselab.server;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.Deflater;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The launcher ({@code ./sparselab}) runs a {@code serve} that outlives a rebuild of the jars (found 2026-12-02 by a new
 * user's walkthrough: with the dashboard left on, a source change and then any {@code ./sparselab} command rebuilt the
 * jars in place, and the dashboard answered 500 with {@code NoClassDefFoundError} for every class it had not loaded
 * yet). The launcher now runs from a snapshot of the project's own jars. Here: the real launcher script, in a folder laid
 * out as a build leaves it (its jars made from this test's class path), a real {@code serve} started by it, then the
 * build's jars rewritten in place with other bytes, as Maven rewrites them; a request that loads classes the server had
 * not loaded before still answers as it should.
 */
class LauncherRebuildTest {
    @TempDir Path dir;

    private static final Pattern URL = Pattern.compile("dashboard on (http://127\\.0\\.0\\.1:[0-9]+/)");

    /** {@code target/classes} (or a jar) of this test's class path whose path contains {@code module}. */
    private static Path entry(String module) {
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            String s = p.toString().replace('\\', '/');
            if (s.contains("/" + module + "/target/classes") || p.getFileName().toString().startsWith("sparselab-" + module + "-")
                    && s.endsWith(".jar")) {
                return p;
            }
        }
        throw new AssertionError(module + " is not on the class path: " + System.getProperty("java.class.path"));
    }

    /** A jar of a class folder, or a copy of a jar. */
    private static void jar(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from)) {
            Files.copy(from, to);
            return;
        }
        try (OutputStream out = Files.newOutputStream(to); JarOutputStream jar = new JarOutputStream(out);
             Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile).sorted()::iterator) {
                jar.putNextEntry(new JarEntry(from.relativize(f).toString().replace('\\', '/')));
                Files.copy(f, jar);
                jar.closeEntry();
            }
        }
    }

    /** The jar rewritten in place (same file, as Maven writes it): its entries in reverse order, compressed otherwise. */
    private static void rewriteInPlace(Path jarFile) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (JarFile in = new JarFile(jarFile.toFile()); JarOutputStream out = new JarOutputStream(bytes)) {
            out.setLevel(Deflater.BEST_SPEED);
            List<JarEntry> entries = new ArrayList<>(Collections.list(in.entries()));
            Collections.reverse(entries);
            for (JarEntry e : entries) {
                if (e.isDirectory()) continue;
                out.putNextEntry(new JarEntry(e.getName()));
                try (var s = in.getInputStream(e)) {
                    s.transferTo(out);
                }
                out.closeEntry();
            }
        }
        byte[] before = Files.readAllBytes(jarFile);
        Object inode = Files.getAttribute(jarFile, "unix:ino");
        Files.write(jarFile, bytes.toByteArray());                   // truncates and writes the same file
        assertEquals(inode, Files.getAttribute(jarFile, "unix:ino"), "rewritten in place");
        assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(jarFile)), "other bytes");
    }

    @Test
    void a_serve_started_by_the_launcher_answers_after_its_jars_are_rebuilt_in_place() throws Exception {
        Path root = dir.resolve("sparselab");
        Path lib = root.resolve("server/target/lib");
        Files.createDirectories(lib);
        Path launcher = root.resolve("sparselab");
        Files.copy(Path.of("..", "sparselab"), launcher);
        assertTrue(launcher.toFile().setExecutable(true));
        // the build's layout: server/target/sparselab.jar, the project's other jars and the libraries in lib/
        jar(entry("server"), root.resolve("server/target/sparselab.jar"));
        for (String module : List.of("trainer", "web", "migrations")) {
            jar(entry(module), lib.resolve("sparselab-" + module + "-0.1.0-SNAPSHOT.jar"));
        }
        for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path p = Path.of(e);
            String name = p.getFileName().toString();
            if (Files.isRegularFile(p) && name.endsWith(".jar") && !name.startsWith("sparselab-")) {
                Files.createSymbolicLink(lib.resolve(name), p.toAbsolutePath());
            }
        }

        Path out = dir.resolve("serve.out");
        ProcessBuilder pb = new ProcessBuilder(launcher.toString(), "serve", "--db", dir.resolve("a.db").toString(), "--port", "0",
                "--workers", "1").redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + java.io.File.pathSeparator + System.getenv("PATH"));
        Process serve = pb.start();
        try {
            String base = null;
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (base == null) {
                Matcher m = URL.matcher(read(out));
                if (m.find()) base = m.group(1);
                else {
                    assertTrue(serve.isAlive(), () -> "serve ended early: " + read(out));
                    assertTrue(System.nanoTime() < deadline, () -> "no dashboard in 120 s: " + read(out));
                    Thread.sleep(100);
                }
            }
            assertFalse(read(out).contains("building"), read(out));
            HttpClient http = HttpClient.newHttpClient();
            assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + "api/runs")).build(), HttpResponse.BodyHandlers.ofString()).statusCode());

            rewriteInPlace(root.resolve("server/target/sparselab.jar"));
            rewriteInPlace(lib.resolve("sparselab-trainer-0.1.0-SNAPSHOT.jar"));

            // a ladder request loads its classes on first use: with the rewritten jars on its class path this was a 500
            HttpResponse<String> ladder = http.send(HttpRequest.newBuilder(URI.create(base + "api/ladder"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"a\": \"r0000000001\", \"b\": \"r0000000002\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(404, ladder.statusCode(), ladder.body());
            assertTrue(ladder.body().contains("r0000000001"), ladder.body());
            for (String page : List.of("", "launch.html", "api/workers", "api/runs")) {
                assertEquals(200, http.send(HttpRequest.newBuilder(URI.create(base + page)).build(), HttpResponse.BodyHandlers.ofString()).statusCode(), page);
            }
            // a run launched now trains in a trainer the dashboard starts, from the same snapshot (the build's jars are
            // rewritten under it too)
            HttpResponse<String> launched = http.send(HttpRequest.newBuilder(URI.create(base + "api/launch"))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"config\": {\"data\": \"bars\", \"hidden\": \"4\", \"epochs\": \"1\", \"limit\": \"200\"}}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(201, launched.statusCode(), launched.body());
            String run = sparselab.log.Json.MAPPER.readTree(launched.body()).get("runId").asText();
            String status = "";
            for (long until = System.nanoTime() + 180_000_000_000L; System.nanoTime() < until && !status.equals("finished") && !status.equals("failed"); ) {
                Thread.sleep(500);
                status = sparselab.log.Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(URI.create(base + "api/runs/" + run)).build(),
                        HttpResponse.BodyHandlers.ofString()).body()).get("summary").get("status").asText();
            }
            assertEquals("finished", status, () -> read(out));
            assertFalse(read(out).contains("NoClassDefFoundError"), read(out));
            assertFalse(read(out).contains("ClassNotFoundException"), read(out));

            // the snapshot it runs from: the project's four jars, named by their content
            try (Stream<Path> snapshots = Files.list(root.resolve("server/target/run"))) {
                List<Path> all = snapshots.toList();
                assertEquals(1, all.size(), all.toString());
                try (Stream<Path> jars = Files.list(all.get(0))) {
                    assertEquals(List.of("sparselab-migrations-0.1.0-SNAPSHOT.jar", "sparselab-trainer-0.1.0-SNAPSHOT.jar",
                            "sparselab-web-0.1.0-SNAPSHOT.jar", "sparselab.jar"), jars.map(p -> p.getFileName().toString()).sorted().toList());
                }
            }

            serve.destroy();
            assertTrue(serve.waitFor(60, TimeUnit.SECONDS), () -> "serve did not stop: " + read(out));
        } finally {
            if (serve.isAlive()) serve.destroyForcibly();
            try (Stream<Path> links = Files.list(lib)) {                // the links only, not the libraries they name
                for (Path link : (Iterable<Path>) links.filter(Files::isSymbolicLink)::iterator) Files.delete(link);
            }
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return "";
        }
    }
}
