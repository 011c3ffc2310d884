package sparselab.server;

import io.javalin.testtools.JavalinTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import sparselab.store.EventLog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Odd values in every parameter, path segment and body field the API reads (NUL, an overlong UTF-8 NUL, a lone
 * surrogate, invalid UTF-8, numbers beyond an int, a right-to-left override, 3,000 characters, ...): each answer is a
 * bounded 4xx or a 2xx, never a 5xx or a stack trace, on SQLite and PostgreSQL (a NUL in {@code q} was a 500 on
 * PostgreSQL, found by this test's first run).
 */
class OddInputsFaultTest {
    @TempDir Path dir;

    @Test
    void no_odd_value_anywhere_gets_a_5xx_or_a_stack_trace() {
        try (EventLog log = TestLogs.open(dir, "odd.db")) {
            String run = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3"), 3, 4, 8, null, "cli", "g1");
            String run2 = Fixtures.trained(log, Map.of("data", "bars", "epochs", "3", "seed", "2"), 3, 4, 8, null, "cli", "g1");
            var app = Fixtures.app(log);
            List<String> odd = List.of("%00", "a%00b", "a%1Bb", "%C0%80", "%ED%A0%80", "%FF", "-1", "2147483648", "99999999999999999999", "1e3", "0x10", "%20", "",
                    "%E2%80%AE", "a".repeat(3000), "%25", "..%2F..%2Fetc", "%0A", "NaN", "Infinity", "-0", "1.5", "%EF%BC%95");
            List<String> templates = new ArrayList<>();
            for (String v : odd) {
                templates.addAll(List.of("/api/runs?q=" + v, "/api/runs?status=" + v, "/api/runs?before=" + v, "/api/runs?limit=" + v,
                        "/api/runs/" + v, "/api/runs/" + run + "/events?limit=" + v, "/api/runs/" + run + "/events?before=" + v,
                        "/api/runs/" + run + "/rhohat?rows=" + v, "/api/runs/" + run + "/flags?offset=" + v,
                        "/api/runs/" + run + "/snapshots/" + v + "/grid.png", "/api/runs/" + run + "/snapshots/0/grid.png?scale=" + v,
                        "/api/runs/" + run + "/snapshots/0/filters/" + v + ".png", "/api/runs/" + run + "/snapshots/0/match/" + run2 + "/" + v,
                        "/api/runs/" + run + "/snapshots/0/grid.png?matchTo=" + run2 + "&matchEpoch=" + v,
                        "/api/runs/" + run + "/snapshots/0/grid.png?matchTo=" + v + "&matchEpoch=0",
                        "/api/compare?runs=" + run + "," + v, "/api/diff?runs=" + v + "," + run, "/api/groups/" + v, "/api/ignored?preset=" + v,
                        "/api/ignored?beta=" + v, "/api/ignored?" + v + "=1", "/api/runs/" + run + "/metrics.csv?x=" + v));
            }
            StringBuilder out = new StringBuilder();
            JavalinTest.test(app, (server, client) -> {
                for (String path : templates) {
                    try (var r = client.get(path)) {
                        String body = r.body().string();
                        if (r.code() >= 500 || body.contains("Exception") || body.length() > 20000 && r.code() >= 400) {
                            out.append("BAD GET " + path.substring(0, Math.min(160, path.length())) + " -> " + r.code() + " " + body.substring(0, Math.min(200, body.length())) + "\n");
                        }
                    } catch (Exception e) {
                        out.append("EXC " + path.substring(0, Math.min(160, path.length())) + " -> " + e + "\n");
                    }
                }
                List<String> bodies = new ArrayList<>();
                for (String v : List.of("\"\\u0000\"", "\"" + "x".repeat(5000) + "\"", "-1", "1e400", "null", "[]", "{}", "true", "\"\\ud800\"", "1.5", "9223372036854775808")) {
                    bodies.add("{\"config\":{\"data\":\"bars\",\"hidden\":" + v + "}}");
                    bodies.add("{\"config\":{\"data\":\"bars\",\"seed\":" + v + "}}");
                    bodies.add("{\"config\":{\"data\":\"bars\",\"beta\":" + v + "}}");
                    bodies.add("{\"config\":{\"data\":\"bars\"},\"group\":" + v + "}");
                    bodies.add("{\"preset\":" + v + ",\"config\":{\"data\":\"bars\"}}");
                    bodies.add("{\"config\":" + v + "}");
                }
                for (String b : bodies) {
                    try (var r = client.post("/api/launch", b)) {
                        String body = r.body().string();
                        if (r.code() >= 500 || body.contains("Exception")) out.append("BAD launch " + b.substring(0, Math.min(100, b.length())) + " -> " + r.code() + " " + body.substring(0, Math.min(200, body.length())) + "\n");
                    }
                }
                for (String b : List.of("{\"tags\":[\"\\ud800\"]}", "{\"tags\":null}", "{\"tags\":[null]}", "{\"tags\":[1]}", "{\"tags\":\"a\"}", "[]", "{\"tags\":[" + "\"a\",".repeat(1000) + "\"b\"]}")) {
                    try (var r = client.post("/api/runs/" + run + "/tags", b)) {
                        String body = r.body().string();
                        if (r.code() >= 500 || body.contains("Exception")) out.append("BAD tags " + b.substring(0, Math.min(100, b.length())) + " -> " + r.code() + " " + body.substring(0, Math.min(200, body.length())) + "\n");
                    }
                }
                for (String b : List.of("{\"a\":\"a\\u0000b\",\"b\":\"" + run2 + "\"}", "{\"a\":\"" + run + "\",\"b\":\"\\ud800\"}",
                        "{\"a\":\"" + run + "\",\"b\":\"" + run2 + "\",\"name\":\"\\u0000\"}", "{\"a\":\"" + run + "\",\"b\":\"" + run2 + "\",\"order\":[\"\\u0000\"]}",
                        "{\"a\":\"" + run + "\",\"b\":\"" + run + "\"}", "{\"a\":null,\"b\":1}", "{\"a\":\"" + run + "\",\"b\":\"" + run2 + "\",\"order\":\"x\"}",
                        "{\"a\":\"" + run + "\",\"b\":\"" + run2 + "\",\"order\":[" + "\"beta\",".repeat(500) + "\"beta\"]}")) {
                    try (var r = client.post("/api/ladder", b)) {
                        String body = r.body().string();
                        if (r.code() >= 500 || body.contains("Exception")) out.append("BAD ladder " + b.substring(0, Math.min(100, b.length())) + " -> " + r.code() + " " + body.substring(0, Math.min(200, body.length())) + "\n");
                    }
                }
            });
            org.junit.jupiter.api.Assertions.assertEquals("", out.toString());
        }
    }
}
