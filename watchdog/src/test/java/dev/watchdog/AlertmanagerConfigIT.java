package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.RealProcess;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The shipped alertmanager/ checked by the tools operators run: amtool accepts the config and its
 * templates, every route sends its alerts to the receivers it says, promtool accepts the watchdog's
 * own alerting rules and passes their tests. AlertmanagerDeliveryIT runs the config for real.
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
