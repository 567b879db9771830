package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAlertmanager;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A real Alertmanager (Debian's package) on the shipped alertmanager/ config and templates, with its
 * secret files and PagerDuty's address pointed at a recorder: the notifications people read, as
 * Slack and PagerDuty receive them, and a release's P1 inhibited while its P0 fires.
 */
class AlertmanagerDeliveryIT {

    static final Path SHIPPED = AlertmanagerConfigIT.SHIPPED;
    static final Path CONFIG = AlertmanagerConfigIT.CONFIG;
    static final Path DIR = Path.of("target", "it", "alertmanager-delivery");

    static Vertx vertx;
    static WebhookRecorder people;
    static RealAlertmanager alertmanager;
    static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws IOException {
        vertx = Vertx.vertx();
        people = new WebhookRecorder(vertx).start();
        Path dir = DIR;
        // A notification log left by an earlier run would make Alertmanager think it already notified.
        RealStack.deleteRecursively(dir);
        Path secrets = Files.createDirectories(dir.resolve("secrets"));
        Files.writeString(secrets.resolve("pagerduty-releases-key"), "releases-routing-key");
        Files.writeString(secrets.resolve("pagerduty-watchdog-key"), "watchdog-routing-key");
        Files.writeString(secrets.resolve("slack-releases-url"), people.url("/slack/releases"));
        Files.writeString(secrets.resolve("slack-watchdog-ops-url"), people.url("/slack/watchdog-ops"));
        // The shipped config, with its secret files and PagerDuty's address pointed at the test's.
        String config = Files.readString(CONFIG).replace("/etc/alertmanager/secrets/", secrets.toAbsolutePath() + "/")
                .replace("https://events.pagerduty.com/v2/enqueue", people.url("/pagerduty"));
        assertTrue(config.contains(people.url("/pagerduty")), "the shipped config names PagerDuty's URL");
        Files.createDirectories(dir.resolve("templates"));
        try (Stream<Path> templates = Files.list(SHIPPED.resolve("templates"))) {
            for (Path t : templates.toList()) {
                Files.copy(t, dir.resolve("templates").resolve(t.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        alertmanager = RealAlertmanager.withConfig(Files.writeString(dir.resolve("alertmanager.yml"), config), dir);
    }

    @AfterAll
    static void stop() {
        if (alertmanager != null) {
            alertmanager.stop();
        }
        if (vertx != null) {
            vertx.close().await();
        }
    }

    @Test
    @DisplayName("P0 pages with the release, version, rule, value and runbook; its P1 is inhibited; another release's P1 reaches the team")
    void releaseAlerts() throws Exception {
        // Started a minute ago, so each group flushes at once instead of after its group_wait. The P0
        // goes first and is paged before the P1s arrive: Alertmanager's inhibitor learns of alerts on
        // its own subscription, and a P1 group flushed in the same instant as its P0 could escape it.
        Instant minuteAgo = Instant.now().minusSeconds(60);
        post(new JsonArray().add(releaseAlert("rel_A", "api", "1.4.0", "error-rate", "P0",
                "[P0] Rolling back api 1.4.0 (production): error-rate 7.3 %", "- error-rate: 7.3 % (P0 > 5 %)",
                minuteAgo)));
        Poll.until(Duration.ofSeconds(20), "the page for rel_A",
                () -> people.calls("/pagerduty").stream().anyMatch(c -> c.body().contains("rel_A")));
        post(new JsonArray()
                .add(releaseAlert("rel_A", "api", "1.4.0", "latency-p95", "P1",
                        "[P1] Breach in api 1.4.0 (production): latency-p95 2.4 s", "- latency-p95: 2.4 s (P1 > 2 s)",
                        minuteAgo))
                .add(releaseAlert("rel_B", "web", "2.0.0", "error-rate", "P1",
                        "[P1] Breach in web 2.0.0 (production): error-rate 1.2 %", "- error-rate: 1.2 % (P1 > 1 %)",
                        minuteAgo)));
        Poll.until(Duration.ofSeconds(20), "rel_A and rel_B in #releases", () -> attachments("/slack/releases").stream()
                .filter(a -> a.getString("text").contains("Release rel_")).count() >= 2);

        JsonObject page = new JsonObject(people.calls("/pagerduty").stream().filter(c -> c.body().contains("rel_A"))
                .findFirst().orElseThrow().body());
        assertEquals("releases-routing-key", page.getString("routing_key"));
        assertEquals("trigger", page.getString("event_action"));
        assertEquals("[P0] Rolling back api 1.4.0 (production): error-rate 7.3 %",
                page.getJsonObject("payload").getString("summary"));
        assertEquals("critical", page.getJsonObject("payload").getString("severity"));
        JsonObject details = page.getJsonObject("payload").getJsonObject("custom_details");
        assertEquals("rel_A", details.getString("release"));
        assertEquals("1.4.0", details.getString("version"));
        assertTrue(details.getString("alerts").contains("- error-rate: 7.3 % (P0 > 5 %)"), details.encode());
        assertEquals("https://runbooks.example/error-rate", page.getJsonArray("links").getJsonObject(0).getString("href"));

        List<JsonObject> slack = attachments("/slack/releases");
        JsonObject p0 = only(slack, "rel_A");
        assertEquals("[FIRING:1] P0 api 1.4.0 (production) error-rate", p0.getString("title"));
        assertEquals("danger", p0.getString("color"));
        assertEquals("""
                *[P0] Rolling back api 1.4.0 (production): error-rate 7.3 %*
                Release rel_A: api 1.4.0 in production, rule error-rate, severity P0
                - error-rate: 7.3 % (P0 > 5 %)
                Acknowledge: watchdog release ack rel_A
                Runbook: https://runbooks.example/error-rate""", p0.getString("text").strip());
        JsonObject b = only(slack, "rel_B");
        assertEquals("[FIRING:1] P1 web 2.0.0 (production) error-rate", b.getString("title"));
        assertEquals("warning", b.getString("color"));
        assertTrue(b.getString("text").contains("- error-rate: 1.2 % (P1 > 1 %)"), b.getString("text"));
        assertTrue(slack.stream().noneMatch(a -> a.getString("text").contains("latency-p95")),
                "rel_A's P1 is inhibited while its P0 fires: " + slack);
        assertTrue(attachments("/slack/watchdog-ops").stream().noneMatch(a -> a.getString("text").contains("Release rel_")),
                "incidents do not reach the watchdog's operators");

        JsonObject inhibited = alerts("release=\"rel_A\"", "severity=\"P1\"").getJsonObject(0);
        assertEquals("suppressed", inhibited.getJsonObject("status").getString("state"));
        assertFalse(inhibited.getJsonObject("status").getJsonArray("inhibitedBy").isEmpty(), inhibited.encode());
    }

    @Test
    @DisplayName("a failed rollback pages the release's on-call and tells the watchdog's operators")
    void rollbackFailed() throws Exception {
        post(new JsonArray().add(rollbackFailedAlert().put("startsAt", Instant.now().toString())));
        // Both routes wait 0s before the first notification: a few seconds is plenty.
        Poll.until(Duration.ofSeconds(5), "the rollback-failed page",
                () -> people.calls("/pagerduty").stream().anyMatch(c -> c.body().contains("WatchdogRollbackFailed")));
        Poll.until(Duration.ofSeconds(5), "the rollback-failed message to the operators",
                () -> people.calls("/slack/watchdog-ops").stream().anyMatch(c -> c.body().contains("WatchdogRollbackFailed")));
        JsonObject page = new JsonObject(people.calls("/pagerduty").stream()
                .filter(c -> c.body().contains("WatchdogRollbackFailed")).findFirst().orElseThrow().body());
        assertEquals("releases-routing-key", page.getString("routing_key"));
        assertEquals("A release rollback failed", page.getJsonObject("payload").getString("summary"));
        assertEquals("https://runbooks.example/release-watchdog#watchdogrollbackfailed",
                page.getJsonArray("links").getJsonObject(0).getString("href"));
        JsonObject ops = attachments("/slack/watchdog-ops").stream()
                .filter(a -> a.getString("title").contains("WatchdogRollbackFailed")).findFirst().orElseThrow();
        assertEquals("[FIRING:1] WatchdogRollbackFailed", ops.getString("title"));
        assertEquals("danger", ops.getString("color"));
        assertEquals("""
                *A release rollback failed*
                WatchdogRollbackFailed, critical
                The rollback webhook gave up or was refused.
                Runbook: https://runbooks.example/release-watchdog#watchdogrollbackfailed""", ops.getString("text").strip());
    }

    private static JsonObject releaseAlert(String release, String service, String version, String rule, String severity,
                                           String summary, String line, Instant startsAt) {
        return new JsonObject()
                .put("labels", new JsonObject().put("alertname", "ReleaseWatchdogIncident").put("service", service)
                        .put("environment", "production").put("release", release).put("version", version)
                        .put("rule", rule).put("severity", severity))
                .put("annotations", new JsonObject().put("summary", summary)
                        .put("description", line + "\nAcknowledge: watchdog release ack " + release)
                        .put("runbook_url", "https://runbooks.example/" + rule))
                .put("startsAt", startsAt.toString());
    }

    private static void post(JsonArray alerts) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(alertmanager.url() + "/api/v2/alerts"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(5))
                .POST(HttpRequest.BodyPublishers.ofString(alerts.encode())).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
    }

    private static JsonArray alerts(String... filters) throws Exception {
        StringBuilder query = new StringBuilder("?silenced=true&inhibited=true");
        for (String f : filters) {
            query.append("&filter=").append(URLEncoder.encode(f, StandardCharsets.UTF_8));
        }
        return new JsonArray(HTTP.send(HttpRequest.newBuilder(URI.create(alertmanager.url() + "/api/v2/alerts" + query))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
    }

    private static List<JsonObject> attachments(String path) {
        return people.calls(path).stream().map(c -> new JsonObject(c.body()).getJsonArray("attachments").getJsonObject(0))
                .toList();
    }

    private static JsonObject only(List<JsonObject> attachments, String release) {
        List<JsonObject> of = attachments.stream().filter(a -> a.getString("text").contains("Release " + release)).toList();
        assertEquals(1, of.size(), "one message for " + release + ": " + attachments);
        return of.get(0);
    }

    /** The rollback-failed alert of watchdog.rules.yml as Prometheus sends it. */
    static JsonObject rollbackFailedAlert() {
        return new JsonObject()
                .put("labels", new JsonObject().put("alertname", "WatchdogRollbackFailed").put("severity", "critical")
                        .put("component", "release-watchdog").put("job", "watchdog"))
                .put("annotations", new JsonObject().put("summary", "A release rollback failed")
                        .put("description", "The rollback webhook gave up or was refused.")
                        .put("runbook_url", "https://runbooks.example/release-watchdog#watchdogrollbackfailed"));
    }
}
