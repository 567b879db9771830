package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAlertmanager;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Deploy-noise silences at a real Alertmanager: made at registration for the release's service and
 * environment until its bake ends, silencing only that noise; expired early on a rollback or a cancel.
 */
class SilencesIT {

    static final Path DIR = Path.of("target", "it", "silences");
    static final String RULES = """
            groups:
              - name: g
                rules:
                  - name: error-rate
                    signal: errors
                    expr: error_ratio{service="{{service}}"}
                    p1: "> 0.01"
            """;

    static Vertx vertx;
    static WebhookRecorder recorder;
    static RealAlertmanager alertmanager;
    static RealDaemon daemon;

    @BeforeAll
    static void start() {
        RealStack.deleteRecursively(DIR);
        vertx = Vertx.vertx();
        recorder = new WebhookRecorder(vertx).start();
        alertmanager = RealAlertmanager.routingTo(recorder.url("/am"), DIR.resolve("alertmanager"));
        daemon = RealDaemon.start(DIR.resolve("daemon"), "http://127.0.0.1:9", recorder.url("/rollback"), null, "1s", RULES, """
                receivers:
                  pager: {alertmanager: {url: "%s"}}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [pager]}]
                    deployNoise:
                      alertmanager: pager
                      matchers: ['alertname=~"KubePodCrashLooping|KubePodNotReady"']
                """.formatted(alertmanager.url()));
    }

    @AfterAll
    static void stop() {
        if (daemon != null) {
            daemon.stop();
        }
        if (alertmanager != null) {
            alertmanager.stop();
        }
        vertx.close().await();
    }

    static String register(String service) {
        return daemon.register(new JsonObject().put("service", service).put("version", "2.0.0").put("environment", "prod")
                .put("window", "2h").put("bake", "30m"));
    }

    /** The watchdog's silences for a release, by state. */
    static List<JsonObject> silences(String release) {
        return alertmanager.silences().stream().map(JsonObject.class::cast)
                .filter(s -> s.getString("comment", "").contains("(release " + release + ")")).toList();
    }

    static String state(JsonObject silence) {
        return silence.getJsonObject("status").getString("state");
    }

    /** The alert of {@code alertname} for a service, as Alertmanager holds it: active or suppressed. */
    static String alertState(String alertname, String service) {
        return alertmanager.alerts().stream().map(JsonObject.class::cast)
                .filter(a -> alertname.equals(a.getJsonObject("labels").getString("alertname")))
                .filter(a -> service.equals(a.getJsonObject("labels").getString("service")))
                .map(a -> a.getJsonObject("status").getString("state")).findFirst().orElse("absent");
    }

    static void fire(String alertname, String service) {
        alertmanager.post(new JsonArray().add(new JsonObject().put("labels", new JsonObject().put("alertname", alertname)
                .put("service", service).put("environment", "prod"))
                .put("startsAt", Instant.now().toString()).put("endsAt", Instant.now().plusSeconds(600).toString())));
    }

    @Test
    @DisplayName("registration silences the listed noise for the release's service and environment, until the bake ends; a rollback expires it")
    void silencedUntilBakeThenExpiredByRollback() {
        String id = register("checkout");
        Poll.until(Duration.ofSeconds(20), "the silence", () -> silences(id).size() == 1);
        JsonObject silence = silences(id).get(0);
        assertEquals("active", state(silence));
        assertEquals("release-watchdog", silence.getString("createdBy"));
        Map<String, String> matchers = silence.getJsonArray("matchers").stream().map(JsonObject.class::cast)
                .collect(Collectors.toMap(m -> m.getString("name"), m -> m.getString("value")));
        assertEquals(Map.of("alertname", "KubePodCrashLooping|KubePodNotReady", "service", "checkout",
                "environment", "prod"), matchers);
        Instant bakeUntil = Instant.parse(daemon.release(id).getString("bakeUntil"));
        assertTrue(Duration.between(bakeUntil, Instant.parse(silence.getString("endsAt"))).abs().toSeconds() < 2,
                "ends with the bake: " + silence.getString("endsAt") + " vs " + bakeUntil);

        fire("KubePodCrashLooping", "checkout");
        fire("KubePodCrashLooping", "search");
        fire("HighErrorRate", "checkout");
        Poll.until(Duration.ofSeconds(10), "Alertmanager to judge the alerts",
                () -> "suppressed".equals(alertState("KubePodCrashLooping", "checkout")));
        assertEquals("active", alertState("KubePodCrashLooping", "search"), "another service's noise is not hidden");
        assertEquals("active", alertState("HighErrorRate", "checkout"), "a real alert is not hidden");

        assertEquals(200, daemon.call("POST", "/api/v1/releases/" + id + "/rollback", RealDaemon.ONCALL_TOKEN,
                "{\"reason\": \"users see errors\"}").status());
        Poll.until(Duration.ofSeconds(20), "the silence to expire", () -> "expired".equals(state(silences(id).get(0))));
        Poll.until(Duration.ofSeconds(10), "the noise to show again",
                () -> "active".equals(alertState("KubePodCrashLooping", "checkout")));
    }

    @Test
    @DisplayName("a cancelled release's silence is expired at once")
    void expiredByCancel() {
        String id = register("search");
        Poll.until(Duration.ofSeconds(20), "the silence", () -> silences(id).size() == 1
                && "active".equals(state(silences(id).get(0))));
        assertEquals(200, daemon.call("DELETE", "/api/v1/releases/" + id, RealDaemon.TOKEN, "{\"reason\": \"aborted\"}")
                .status());
        Poll.until(Duration.ofSeconds(20), "the silence to expire", () -> "expired".equals(state(silences(id).get(0))));
        assertTrue(daemon.get("/api/v1/releases/" + id + "/events").contains("deploy noise silence expired early"));
    }
}
