package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAlertmanager;
import dev.watchdog.testing.RealProcess;
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
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped alertmanager/ as operators use it: amtool accepts the config, every route sends its
 * alerts to the receivers it says, promtool accepts the watchdog's own alerting rules and passes
 * their tests, and a real Alertmanager on the shipped config delivers the notifications people
 * read (Slack and PagerDuty bodies rendered from the shipped templates), with a release's P1
 * inhibited while its P0 fires.
 */
class AlertmanagerConfigIT {

    static final Path SHIPPED = Path.of("..", "alertmanager");
    static final Path CONFIG = SHIPPED.resolve("alertmanager.yml");
    static final Path DIR = Path.of("target", "it", "alertmanager-config");

    @Nested
    @DisplayName("checked by the tools")
    class Tools {

        @Test
        @DisplayName("amtool check-config accepts the config, its inhibition and its templates")
        void checkConfig() {
            Run run = run("check-config", amtool(), "check-config", CONFIG.toString());
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("SUCCESS"), run.output());
            assertTrue(run.output().contains("1 inhibit rules"), run.output());
            assertTrue(run.output().contains("4 receivers"), run.output());
            assertTrue(run.output().contains("1 templates"), run.output());
        }

        @Test
        @DisplayName("promtool check rules accepts the watchdog's own alerting rules")
        void checkRules() {
            Run run = run("check-rules", promtool(), "check", "rules", SHIPPED.resolve("watchdog.rules.yml").toString());
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("SUCCESS: 14 rules found"), run.output());
        }

        @Test
        @DisplayName("promtool test rules passes every test of the watchdog's own alerts")
        void testRules() throws IOException {
            List<String> command = new ArrayList<>(List.of(promtool(), "test", "rules"));
            try (Stream<Path> tests = Files.list(SHIPPED.resolve("tests"))) {
                tests.filter(p -> p.toString().endsWith(".yml")).sorted().forEach(p -> command.add(p.toString()));
            }
            assertTrue(command.size() > 3, "no test file in alertmanager/tests");
            Run run = run("test-rules", command.toArray(String[]::new));
            assertEquals(0, run.exit(), run.output());
            assertTrue(run.output().contains("SUCCESS"), run.output());
            assertFalse(run.output().contains("FAILED"), run.output());
        }

        @Test
        @DisplayName("a resolved alert renders as resolved, with its runbook")
        void resolvedTemplate() throws IOException {
            Path data = Files.createDirectories(DIR).resolve("resolved.json");
            Files.writeString(data, new JsonObject().put("receiver", "watchdog-operators").put("status", "resolved")
                    .put("alerts", new JsonArray().add(receiverFailing()
                            .put("status", "resolved").put("startsAt", "2026-11-21T10:00:00Z")
                            .put("endsAt", "2026-11-21T10:20:00Z")))
                    .put("groupLabels", new JsonObject().put("alertname", "WatchdogReceiverFailing"))
                    .put("commonLabels", receiverFailing().getJsonObject("labels"))
                    .put("commonAnnotations", new JsonObject()).put("externalURL", "http://alertmanager").encode());
            String glob = SHIPPED.resolve("templates").toAbsolutePath() + "/*.tmpl";
            Run title = run("render-title", amtool(), "template", "render", "--template.glob=" + glob,
                    "--template.text={{ template \"watchdog.slack.title\" . }} {{ template \"watchdog.slack.color\" . }}",
                    "--template.data=" + data.toAbsolutePath());
            assertEquals(0, title.exit(), title.output());
            assertEquals("[RESOLVED] WatchdogReceiverFailing good", title.output().strip());
            Run text = run("render-text", amtool(), "template", "render", "--template.glob=" + glob,
                    "--template.text={{ template \"watchdog.slack.text\" . }}", "--template.data=" + data.toAbsolutePath());
            assertEquals(0, text.exit(), text.output());
            assertEquals("""
                    *Release Watchdog cannot deliver to receiver pager* (resolved)
                    WatchdogReceiverFailing, warning, instance watchdog-1:8080, receiver pager
                    The last delivery to pager failed.
                    Runbook: https://runbooks.example/release-watchdog#watchdogreceiverfailing""", text.output().strip());
        }
    }

    /** Labels of an alert, the receivers it must reach. */
    record Route(String receivers, List<String> labels) {
        @Override
        public String toString() {
            return String.join(" ", labels) + " -> " + receivers;
        }
    }

    static Stream<Route> routes() {
        return Stream.of(
                new Route("release-pager", List.of("alertname=ReleaseWatchdogIncident", "severity=P0", "release=rel_1",
                        "service=api", "environment=production", "rule=error-rate")),
                new Route("release-team", List.of("alertname=ReleaseWatchdogIncident", "severity=P1", "release=rel_1",
                        "service=api", "environment=production", "rule=error-rate")),
                new Route("release-team,watchdog-operators", List.of("alertname=ReleaseWatchdogBlind", "severity=none",
                        "release=rel_1", "service=api")),
                new Route("release-pager,watchdog-operators", List.of("alertname=WatchdogRollbackFailed",
                        "severity=critical", "component=release-watchdog", "job=watchdog")),
                new Route("watchdog-pager", List.of("alertname=WatchdogEvaluationsStopped", "severity=critical",
                        "component=release-watchdog", "job=watchdog")),
                new Route("watchdog-pager", List.of("alertname=WatchdogPrometheusUnreachable", "severity=critical",
                        "component=release-watchdog", "job=watchdog", "instance=watchdog-1:8080")),
                new Route("watchdog-operators", List.of("alertname=WatchdogReceiverFailing", "severity=warning",
                        "component=release-watchdog", "receiver=pager")),
                new Route("watchdog-operators", List.of("alertname=SomethingElse", "severity=critical")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    @DisplayName("amtool config routes test: each kind of alert reaches its receivers")
    void routesTo(Route route) {
        List<String> command = new ArrayList<>(List.of(amtool(), "config", "routes", "test",
                "--config.file=" + CONFIG, "--verify.receivers=" + route.receivers()));
        command.addAll(route.labels());
        Run run = run("route", command.toArray(String[]::new));
        assertEquals(0, run.exit(), route + ": " + run.output());
        assertTrue(run.output().lines().anyMatch(route.receivers()::equals), route + ": " + run.output());
    }

    @Test
    @DisplayName("amtool config routes test fails when an alert does not reach the receivers said (the check can fail)")
    void routeMismatchFails() {
        Run run = run("route-mismatch", amtool(), "config", "routes", "test", "--config.file=" + CONFIG,
                "--verify.receivers=release-team", "alertname=ReleaseWatchdogIncident", "severity=P0", "release=rel_1");
        assertEquals(1, run.exit(), run.output());
    }

    @Nested
    @DisplayName("a real Alertmanager on the shipped config")
    class Delivery {

        static Vertx vertx;
        static WebhookRecorder people;
        static RealAlertmanager alertmanager;
        static final HttpClient HTTP = HttpClient.newHttpClient();

        @BeforeAll
        static void start() throws IOException {
            vertx = Vertx.vertx();
            people = new WebhookRecorder(vertx).start();
            Path dir = DIR.resolve("delivery");
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
                    Files.copy(t, dir.resolve("templates").resolve(t.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
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
            Instant minuteAgo = Instant.now().minusSeconds(60);
            post(new JsonArray()
                    .add(releaseAlert("rel_A", "api", "1.4.0", "error-rate", "P0",
                            "[P0] Rolling back api 1.4.0 (production): error-rate 7.3 %", "- error-rate: 7.3 % (P0 > 5 %)",
                            minuteAgo))
                    .add(releaseAlert("rel_A", "api", "1.4.0", "latency-p95", "P1",
                            "[P1] Breach in api 1.4.0 (production): latency-p95 2.4 s", "- latency-p95: 2.4 s (P1 > 2 s)",
                            minuteAgo))
                    .add(releaseAlert("rel_B", "web", "2.0.0", "error-rate", "P1",
                            "[P1] Breach in web 2.0.0 (production): error-rate 1.2 %", "- error-rate: 1.2 % (P1 > 1 %)",
                            minuteAgo)));

            Poll.until(Duration.ofSeconds(20), "the page for rel_A",
                    () -> people.calls("/pagerduty").stream().anyMatch(c -> c.body().contains("rel_A")));
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
    }

    /** The receiver-failing alert of watchdog.rules.yml as Prometheus sends it. */
    static JsonObject receiverFailing() {
        return new JsonObject()
                .put("labels", new JsonObject().put("alertname", "WatchdogReceiverFailing").put("severity", "warning")
                        .put("component", "release-watchdog").put("job", "watchdog").put("instance", "watchdog-1:8080")
                        .put("receiver", "pager"))
                .put("annotations", new JsonObject().put("summary", "Release Watchdog cannot deliver to receiver pager")
                        .put("description", "The last delivery to pager failed.")
                        .put("runbook_url", "https://runbooks.example/release-watchdog#watchdogreceiverfailing"));
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

    /** A tool's exit code and what it printed. */
    record Run(int exit, String output) {}

    static Run run(String name, String... command) {
        RealProcess process = RealProcess.start(List.of(command), java.util.Map.of(),
                DIR.resolve("logs").resolve(name + "-" + System.nanoTime() + ".log"));
        return new Run(process.exitCode(60), process.log());
    }

    static String amtool() {
        return RealProcess.binary("amtool", "prometheus-alertmanager");
    }

    static String promtool() {
        return RealProcess.binary("promtool", "prometheus");
    }
}
