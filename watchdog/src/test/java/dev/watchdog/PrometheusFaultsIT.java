package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.FaultProxy;
import dev.watchdog.testing.FaultProxy.Mode;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
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
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Prometheus failing for real, under a release whose service is healthy: killed with SIGKILL and
 * started again; and, behind a proxy, answering too late, answering 502 from the proxy, answering a
 * sign-in page. Each time the user sees the rule's outcome turn to error with what went wrong,
 * watchdog_prometheus_up at 0, level 1 told once that the watch is blind after blindAfter, and when
 * Prometheus answers again: the rule ok, up at 1, level 1 told it sees again. Never a rollback,
 * never an incident.
 */
class PrometheusFaultsIT {

    static final Path DIR = Path.of("target", "it", "prometheus-faults");
    static final Duration BLIND_AFTER = Duration.ofSeconds(2);
    static final String RULES = """
            groups:
              - name: golden-signals
                rules:
                  - name: error-rate
                    signal: errors
                    expr: |
                      sum(rate(http_requests_total{service="{{service}}",status=~"5.."}[1m]))
                        / sum(rate(http_requests_total{service="{{service}}"}[1m]))
                    unit: ratio
                    p1: "> 0.01"
                    p0: "> 0.05"
            """;

    static RealStack stack;
    static WebhookRecorder people;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        people = stack.recorder;
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    @DisplayName("Prometheus killed: error 'connection refused', up 0, blind notice; started again: ok, up 1, seeing notice")
    void killedAndRestarted() {
        RealDaemon daemon = daemon("killed", stack.prometheus.url());
        try {
            String id = watch(daemon, "killed");
            stack.prometheus.kill9();
            assertBlind(daemon, id, "cannot reach Prometheus: connection refused", 1);
            stack.prometheus.restart();
            assertSeeing(daemon, id, 1);
            assertNothingDone(daemon, id);
        } finally {
            daemon.stop();
        }
    }

    @Test
    @DisplayName("behind a proxy: too slow, 502 from the proxy, a sign-in page: each an error, blind, then ok again")
    void slowFailingAndGarbage() {
        FaultProxy proxy = FaultProxy.start(stack.vertx, stack.prometheus.url());
        RealDaemon daemon = daemon("proxied", proxy.url());
        try {
            String id = watch(daemon, "proxied");
            List<Map.Entry<Mode, String>> faults = List.of(
                    Map.entry(Mode.slow(Duration.ofSeconds(3)), "no answer from Prometheus in time"),
                    Map.entry(Mode.answer(502, "text/html", "<html>502 Bad Gateway</html>"),
                            "HTTP 502 without a Prometheus API body"),
                    Map.entry(Mode.garbage(), "HTTP 200 without a Prometheus API body"));
            int episode = 0;
            for (Map.Entry<Mode, String> fault : faults) {
                episode++;
                proxy.set(fault.getKey());
                assertBlind(daemon, id, fault.getValue(), episode);
                proxy.set(Mode.pass());
                assertSeeing(daemon, id, episode);
            }
            assertNothingDone(daemon, id);
        } finally {
            daemon.stop();
            proxy.close();
        }
    }

    /** The rule's outcome is an error saying why, the metric says Prometheus is down, and level 1 hears once, on time. */
    private static void assertBlind(RealDaemon daemon, String id, String message, int episode) {
        Poll.until(Duration.ofSeconds(15), "error-rate to read error: " + message,
                () -> "error".equals(rule(daemon, id).getString("outcome")));
        JsonObject rule = rule(daemon, id);
        assertEquals(message, rule.getString("message"));
        assertNull(rule.getValue("value"), "no value without an answer");
        assertEquals(0.0, daemon.metric("watchdog_prometheus_up"), "watchdog_prometheus_up while it cannot answer");
        Instant since = Instant.parse(rule.getString("since"));
        Poll.until(Duration.ofSeconds(15), "level 1 told the watch is blind", () -> notices(id, "blind").size() == episode);
        Instant told = notices(id, "blind").get(episode - 1).at();
        assertTrue(!told.isBefore(since.plus(BLIND_AFTER).minusMillis(100)), "blind notice before blindAfter: error since "
                + since + ", told at " + told);
        assertEquals("error", rule(daemon, id).getString("outcome"));
    }

    private static void assertSeeing(RealDaemon daemon, String id, int episode) {
        Poll.until(Duration.ofSeconds(30), "error-rate ok again", () -> "ok".equals(rule(daemon, id).getString("outcome")));
        Poll.until(Duration.ofSeconds(10), "level 1 told the watch sees again", () -> notices(id, "seeing").size() == episode);
        assertEquals(1.0, daemon.metric("watchdog_prometheus_up"));
        assertEquals(episode, notices(id, "blind").size(), "one blind notice per outage");
    }

    /** A failing Prometheus is never a breach: nothing rolled back, no incident, still watching. */
    private static void assertNothingDone(RealDaemon daemon, String id) {
        JsonObject release = daemon.release(id);
        assertEquals("watching", release.getString("state"));
        assertNull(release.getValue("incident"));
        assertEquals(List.of(), people.calls("/rollback"));
        String events = daemon.get("/api/v1/releases/" + id + "/events");
        assertTrue(!events.contains("rollback_requested") && !events.contains("degraded"), events);
    }

    private static List<WebhookRecorder.Call> notices(String id, String kind) {
        return people.calls("/oncall").stream().filter(c -> {
            JsonObject body = new JsonObject(c.body());
            return id.equals(body.getString("release")) && kind.equals(body.getString("kind"));
        }).toList();
    }

    private static JsonObject rule(RealDaemon daemon, String id) {
        return daemon.release(id).getJsonArray("rules").getJsonObject(0);
    }

    private static String watch(RealDaemon daemon, String environment) {
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", "1.4.0")
                .put("environment", environment).put("window", "1h"));
        Poll.until(Duration.ofSeconds(30), "error-rate ok", () -> "ok".equals(rule(daemon, id).getString("outcome")));
        return id;
    }

    private static RealDaemon daemon(String name, String prometheusUrl) {
        return RealDaemon.start(DIR.resolve(name), port -> """
                prometheus: {url: "%s", timeout: 1s}
                evaluation: {interval: 300ms, blindAfter: %ds}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: tests, role: deployer, token: "%s"}
                receivers:
                  oncall: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [oncall]}]
                    announce: []
                rollback:
                  default:
                    webhook: {url: "%s", timeout: 2s}
                """.formatted(prometheusUrl, BLIND_AFTER.toSeconds(), port, RealDaemon.TOKEN, people.url("/oncall"),
                people.url("/rollback")), RULES, Map.of());
    }
}
