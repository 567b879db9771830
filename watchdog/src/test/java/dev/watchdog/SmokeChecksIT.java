package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Smoke checks the Prometheus way, for real: Debian's blackbox_exporter runs on docs/blackbox/blackbox.yml
 * and probes a service the test controls; a real Prometheus scrapes the probes with the job of
 * docs/blackbox/prometheus.yml (only the addresses and the intervals changed); the daemon, from the
 * built jar, judges the shipped rules/smoke.yml (with `for` cut to seconds, so the test takes seconds).
 */
class SmokeChecksIT {

    static final Path DIR = Path.of("target", "it", "smoke");
    static final Path DOCS = Path.of("..", "docs", "blackbox");

    /** The statuses the service answers with; the test turns them. */
    static volatile int health = 200;
    static volatile int login = 200;

    static Vertx vertx;
    static RealProcess blackbox;
    static RealPrometheus prometheus;
    static WebhookRecorder deployer;

    @BeforeAll
    static void start() throws IOException {
        String exporter = RealProcess.binary("prometheus-blackbox-exporter", "prometheus-blackbox-exporter");
        clean(DIR);
        vertx = Vertx.vertx();
        HttpServer service = vertx.createHttpServer().requestHandler(SmokeChecksIT::serve).listen(0, "127.0.0.1").await();
        int probes = RealProcess.freePort();
        blackbox = RealProcess.start(List.of(exporter, "--config.file=" + DOCS.resolve("blackbox.yml"),
                "--web.listen-address=127.0.0.1:" + probes), Map.of(), DIR.resolve("blackbox.log"));
        String scrape = Files.readString(DOCS.resolve("prometheus.yml"))
                .replace("https://api.example.com", "http://127.0.0.1:" + service.actualPort())
                .replace("127.0.0.1:9115", "127.0.0.1:" + probes)
                .replace("scrape_interval: 15s", "scrape_interval: 1s")
                .replace("scrape_timeout: 10s", "scrape_timeout: 1s");
        prometheus = RealPrometheus.withConfig("global: {evaluation_interval: 1s}\n" + scrape, DIR.resolve("prometheus"));
        Poll.until(Duration.ofSeconds(30), "Prometheus to scrape blackbox_exporter's probe of the login journey",
                () -> prometheus.query("probe_success{service=\"api\",journey=\"login\"}").contains("\"1\"]"));
        deployer = new WebhookRecorder(vertx).start();
    }

    @AfterAll
    static void stop() {
        if (prometheus != null) {
            prometheus.stop();
        }
        if (blackbox != null) {
            blackbox.stop();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    /** /health, a login that answers a token, and the list of projects: what docs/blackbox/ probes. */
    static void serve(HttpServerRequest request) {
        switch (request.path()) {
            case "/health" -> request.response().setStatusCode(health).end(new JsonObject().put("status",
                    health == 200 ? "ok" : "failing").encode());
            case "/api/auth/login" -> request.body().onSuccess(body -> request.response().setStatusCode(login)
                    .putHeader("Content-Type", "application/json")
                    .end(login == 200 ? "{\"token\": \"t-1\"}" : "{\"error\": \"internal\"}"));
            case "/api/projects" -> request.response().setStatusCode(200).end("[]");
            default -> request.response().setStatusCode(404).end();
        }
    }

    @Test
    @DisplayName("a failing journey probed by blackbox_exporter is a P1 (no rollback); the health endpoint failing rolls back")
    void journeysAndHealth() throws IOException {
        String rules = Files.readString(Path.of("..", "rules", "smoke.yml"))
                .replaceAll("for: \\d+m", "for: 2s");
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), prometheus.url(), deployer.url("/rollback"), null,
                "1s", rules);
        try {
            String id = daemon.register(new JsonObject().put("service", "api").put("version", "2.0.0")
                    .put("previousVersion", "1.9.0").put("environment", "production").put("window", "1h"));
            Poll.until(Duration.ofSeconds(30), "the journeys and the health endpoint to be judged ok",
                    () -> outcome(daemon, id, "smoke-journeys").equals("ok") && outcome(daemon, id, "smoke-health").equals("ok"));

            login = 500;
            Poll.until(Duration.ofSeconds(30), "the failing login journey to be a P1",
                    () -> outcome(daemon, id, "smoke-journeys").equals("p1"));
            JsonObject release = daemon.release(id);
            assertEquals("degraded", release.getString("state"), release.encode());
            JsonObject journeys = rule(release, "smoke-journeys");
            assertEquals(0.0, journeys.getDouble("value"), journeys.encode());
            assertEquals(Map.of("login", 0.0, "projects", 1.0), byJourney(journeys.getJsonArray("series")), journeys.encode());
            assertEquals("P1", release.getJsonObject("incident").getString("severity"), release.encode());
            assertEquals("ok", outcome(daemon, id, "smoke-health"));
            assertTrue(deployer.calls.isEmpty(), "a failing journey is for the team to decide: no rollback");

            health = 503;
            Poll.until(Duration.ofSeconds(30), "the rollback webhook", () -> !deployer.calls.isEmpty());
            JsonObject reason = new JsonObject(deployer.calls.get(0).body()).getJsonObject("reason");
            assertEquals("smoke-health", reason.getString("rule"));
            assertEquals("P0", reason.getString("severity"));
            assertEquals(0.0, reason.getDouble("value"));
        } finally {
            daemon.stop();
            health = 200;
            login = 200;
        }
    }

    static String outcome(RealDaemon daemon, String id, String rule) {
        String body = daemon.get("/api/v1/releases/" + id);
        return body.isEmpty() ? "" : rule(new JsonObject(body), rule).getString("outcome");
    }

    static JsonObject rule(JsonObject release, String name) {
        return release.getJsonArray("rules").stream().map(JsonObject.class::cast)
                .filter(r -> r.getString("name").equals(name)).findFirst().orElseThrow();
    }

    static Map<String, Double> byJourney(JsonArray series) {
        return series.stream().map(JsonObject.class::cast).collect(Collectors.toMap(
                s -> s.getJsonObject("labels").getString("journey"), s -> s.getDouble("value")));
    }

    static void clean(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> paths = Files.walk(dir)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(dir);
    }
}
