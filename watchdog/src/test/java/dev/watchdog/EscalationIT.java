package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.demo.DemoService;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealAlertmanager;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealProcess;
import dev.watchdog.testing.RealPrometheus;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * P1 incidents for real: Prometheus and Alertmanager from Debian's packages on loopback, the daemon
 * from the built jar, receivers the test owns. Alertmanager delivers the incident and its
 * resolution; the ladder climbs on time, stops at an ack given through the CLI, and survives kill -9.
 */
class EscalationIT {

    static final Path DIR = Path.of("target", "it", "escalation");
    static final String RULES = RealStack.errorRateRules(
            "p1: \"> 0.01\"",
            "p0: \"> 0.5\"",
            "for: 1s",
            "annotations: {runbook: \"https://runbooks.example/error-rate\"}");

    static RealStack stack;
    static DemoService service;
    static WebhookRecorder people;
    static RealPrometheus prometheus;
    static RealAlertmanager alertmanager;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        service = stack.service;
        people = stack.recorder;
        prometheus = stack.prometheus;
        alertmanager = RealAlertmanager.routingTo(people.url("/am"), DIR.resolve("alertmanager"));
    }

    @AfterAll
    static void stop() {
        if (alertmanager != null) {
            alertmanager.stop();
        }
        if (stack != null) {
            stack.stop();
        }
    }

    @BeforeEach
    void healthy() {
        service.errorRatio(0);
        Poll.until(Duration.ofSeconds(30), "the error ratio back at 0",
                () -> prometheus.query("sum(rate(http_requests_total{status=\"500\"}[5s]))").contains("\"0\"]"));
    }

    static String registration(String version, String policy) {
        return new JsonObject().put("service", "demo").put("version", version).put("environment", "it")
                .put("window", "1h").put("policy", policy).encode();
    }

    @Test
    @DisplayName("a P1 incident reaches a webhook through a real Alertmanager of a cluster whose other member is down, with "
            + "the release's and the rule's labels and a link to the on-call page; its resolution as resolved")
    void throughAlertmanager() {
        String rules = RULES.replace("    annotations: {runbook: \"https://runbooks.example/error-rate\"}",
                "    annotations: {runbook: \"https://runbooks.example/error-rate\", summary: \"5xx of {{service}}\"}\n"
                + "        labels: {team: web}");
        RealDaemon daemon = RealDaemon.start(DIR.resolve("am"), prometheus.url(), people.url("/rollback"), null, "1s",
                rules, """
                receivers:
                  pager:
                    alertmanager: {urls: ["http://127.0.0.1:1", "%s"], headers: {Authorization: "Bearer am-token"}, resend: 2s}
                    minInterval: 0s
                    retry: {attempts: 2, initial: 100ms, max: 100ms}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [pager]}]
                """.formatted(alertmanager.url()));
        try {
            String id = daemon.register(new JsonObject(registration("1.4.0", "default"))
                    .put("labels", new JsonObject().put("cluster", "eu-1").put("team", "platform")));
            service.errorRatio(0.03);
            JsonObject firing = awaitAlert(id, "firing");
            JsonObject alert = firing.getJsonArray("alerts").getJsonObject(0);
            assertEquals(Map.of("alertname", "ReleaseWatchdogIncident", "service", "demo", "environment", "it",
                    "release", id, "rule", "error-rate", "severity", "P1", "version", "1.4.0", "cluster", "eu-1",
                    "team", "web"), alert.getJsonObject("labels").getMap());
            assertEquals(daemon.url() + "/#" + id, alert.getString("generatorURL"));
            assertEquals("5xx of demo", alert.getJsonObject("annotations").getString("rule_summary"));
            assertEquals("https://runbooks.example/error-rate", alert.getJsonObject("annotations").getString("runbook_url"));
            assertTrue(alert.getJsonObject("annotations").getString("summary").startsWith("[P1] Breach in demo 1.4.0 (it)"));

            service.errorRatio(0);
            JsonObject resolved = awaitAlert(id, "resolved");
            assertEquals("resolved", resolved.getJsonArray("alerts").getJsonObject(0).getString("status"));
            assertEquals("recovered", daemon.release(id).getJsonObject("incident").getString("resolution"));
        } finally {
            daemon.stop();
        }
    }

    private static JsonObject awaitAlert(String release, String status) {
        Poll.until(Duration.ofSeconds(60), "a " + status + " alert for " + release, () -> alertFor(release, status) != null);
        return alertFor(release, status);
    }

    private static JsonObject alertFor(String release, String status) {
        return people.calls("/am").stream().map(c -> new JsonObject(c.body()))
                .filter(b -> status.equals(b.getString("status")))
                .filter(b -> b.getJsonArray("alerts").stream().anyMatch(a ->
                        release.equals(((JsonObject) a).getJsonObject("labels").getString("release"))))
                .findFirst().orElse(null);
    }

    @Test
    @DisplayName("level 1 at once, level 2 on time, an ack through the CLI stops all; after kill -9 the next level fires once, on time")
    void ladderAckAndKill9() {
        RealDaemon daemon = RealDaemon.start(DIR.resolve("ladder"), prometheus.url(), people.url("/rollback"), null, "1s",
                RULES, """
                receivers:
                  level1: {webhook: {url: "%s"}, minInterval: 0s}
                  level2: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [level1]}, {after: 10s, notify: [level2]}]
                    repeat: 3s
                    announce: []
                  no-repeat:
                    levels: [{after: 0s, notify: [level1]}, {after: 10s, notify: [level2]}]
                    announce: []
                """.formatted(people.url("/level1"), people.url("/level2")));
        try {
            // A P1: level 1 at once, and nobody answers.
            String first = daemon.register(new JsonObject(registration("1.4.0", "default")));
            service.errorRatio(0.03);
            Poll.until(Duration.ofSeconds(60), "level 1 paged", () -> count("/level1", first, "opened") == 1);
            Instant opened = openedAt(daemon, first);
            Poll.until(Duration.ofSeconds(30), "level 2 paged", () -> count("/level2", first, "escalated") == 1);
            assertOnTime(opened.plusSeconds(10), arrival("/level2", first, "escalated"));
            assertTrue(count("/level1", first, "repeated") >= 2, "level 1 heard again every 3 s while nobody answered");

            // An ack through the CLI, as on-call gives it: nothing pages after it.
            RealProcess ack = RealProcess.watchdog(List.of("release", "ack", first, "--reason", "on it", "--url", daemon.url()),
                    Map.of("WATCHDOG_TOKEN", RealDaemon.ONCALL_TOKEN), DIR.resolve("ack.log"));
            assertEquals(0, ack.exitCode(30), ack.log());
            Poll.until(Duration.ofSeconds(10), "the ack told", () -> count("/level2", first, "acknowledged") == 1);
            int pages = pages(first);
            double ticks = daemon.metric("watchdog_evaluations_total");
            Poll.until(Duration.ofSeconds(30), "eight more ticks", () -> daemon.metric("watchdog_evaluations_total") >= ticks + 8);
            assertEquals(pages, pages(first), "no page after the ack");
            assertEquals("alice", daemon.release(first).getJsonObject("incident").getJsonObject("acknowledged").getString("who"));

            // A new release, a new P1, and the daemon killed before level 2 is due.
            String second = daemon.register(new JsonObject(registration("1.4.1", "no-repeat")));
            Poll.until(Duration.ofSeconds(60), "level 1 paged for the second release", () -> count("/level1", second, "opened") == 1);
            Poll.until(Duration.ofSeconds(10), "that page recorded as sent", () -> daemon.get("/api/v1/releases/" + second
                    + "/notifications").contains("\"status\":\"sent\""));
            Instant secondOpened = openedAt(daemon, second);
            daemon.kill9AndRestart();
            Poll.until(Duration.ofSeconds(30), "level 2 paged after the restart", () -> count("/level2", second, "escalated") == 1);
            assertOnTime(secondOpened.plusSeconds(10), arrival("/level2", second, "escalated"));
            double after = daemon.metric("watchdog_evaluations_total");
            Poll.until(Duration.ofSeconds(30), "five more ticks", () -> daemon.metric("watchdog_evaluations_total") >= after + 5);
            assertEquals(1, count("/level2", second, "escalated"), "level 2 once");
            assertEquals(1, count("/level1", second, "opened"), "level 1 not paged again");
        } finally {
            daemon.stop();
        }
    }

    /** On time: not before it is due, and within two evaluation intervals (1 s) after. */
    private static void assertOnTime(Instant due, Instant arrived) {
        assertTrue(!arrived.isBefore(due.minusMillis(50)), "early: due " + due + ", arrived " + arrived);
        assertTrue(arrived.isBefore(due.plusSeconds(3)), "late: due " + due + ", arrived " + arrived);
    }

    private static Instant openedAt(RealDaemon daemon, String id) {
        return Instant.parse(daemon.release(id).getJsonObject("incident").getString("openedAt"));
    }

    private static List<JsonObject> bodies(String path, String release) {
        return people.calls(path).stream().map(c -> new JsonObject(c.body()))
                .filter(b -> release.equals(b.getString("release"))).toList();
    }

    private static long count(String path, String release, String kind) {
        return bodies(path, release).stream().filter(b -> kind.equals(b.getString("kind"))).count();
    }

    private static Instant arrival(String path, String release, String kind) {
        return people.calls(path).stream().filter(c -> {
            JsonObject b = new JsonObject(c.body());
            return release.equals(b.getString("release")) && kind.equals(b.getString("kind"));
        }).findFirst().orElseThrow().at();
    }

    private static int pages(String release) {
        List<String> paging = List.of("opened", "escalated", "repeated", "reescalated", "reopened");
        return (int) (bodies("/level1", release).stream().filter(b -> paging.contains(b.getString("kind"))).count()
                + bodies("/level2", release).stream().filter(b -> paging.contains(b.getString("kind"))).count());
    }
}
