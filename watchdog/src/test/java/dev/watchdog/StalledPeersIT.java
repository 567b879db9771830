package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Peers that answer and then stall, for real: the built jar (256 MB heap) against a real Prometheus
 * behind a proxy that, for some services' queries, sends its headers and then nothing, a byte every
 * 200 ms, or 300 MB; and a rollback target that stalls or redirects. Each stalled exchange ends at
 * its deadline as an error (never a breach), while every other release is judged and escalated on
 * time.
 */
class StalledPeersIT {

    static final Path DIR = Path.of("target", "it", "stalled-peers");
    static final String RULES = RealStack.errorRateRules("p1: \"> 0.01\"", "p0: \"> 0.5\"", "for: 0s");
    static final Duration LEVEL_TWO = Duration.ofSeconds(4);

    static RealStack stack;
    static WebhookRecorder people;
    static FaultProxy prometheus;
    static FaultProxy target;
    RealDaemon daemon;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        people = stack.recorder;
        prometheus = FaultProxy.start(stack.vertx, stack.prometheus.url());
        target = FaultProxy.start(stack.vertx, people.url("").replaceAll("/$", ""));
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.stop();
        }
        target.set(Mode.pass());
    }

    @Test
    @DisplayName("queries stalled after their headers, or trickling: each an error at its deadline, while another release is judged and escalated on time")
    void stalledQueries() {
        prometheus.when("service=\"stalled\"", Mode.stall()).when("service=\"trickle\"", Mode.trickle());
        daemon = daemon("stalled", Duration.ofSeconds(2));
        String stalled = register("stalled", "it");
        String trickle = register("trickle", "it");
        serviceErrors(0.03);
        String judged = register("demo", "stalled-queries");
        Poll.until(Duration.ofSeconds(20), "the breaching release paged at level 2", () -> pages("/l2", judged) > 0);
        Instant opened = Instant.parse(daemon.release(judged).getJsonObject("incident").getString("openedAt"));
        Instant paged = people.calls("/l2").stream().filter(c -> judged.equals(new JsonObject(c.body()).getString("release")))
                .findFirst().orElseThrow().at();
        assertTrue(paged.isBefore(opened.plus(LEVEL_TWO).plusSeconds(4)), "level 2 due at " + opened.plus(LEVEL_TWO)
                + ", paged at " + paged);
        for (String id : List.of(stalled, trickle)) {
            Poll.until(Duration.ofSeconds(20), "the stalled query an error", () -> "error".equals(rule(id).getString("outcome")));
            assertEquals("no answer from Prometheus in time", rule(id).getString("message"));
            assertEquals("watching", daemon.release(id).getString("state"), "a stalled query is never a breach");
        }
        prometheus.when("service=\"stalled\"", null).when("service=\"trickle\"", null);
    }

    @Test
    @DisplayName("a 300 MB answer with a 256 MB heap: an error naming the cap, no OutOfMemoryError, others judged; smaller answers judged again")
    void hugeAnswer() {
        prometheus.when("service=\"huge\"", Mode.huge(300L << 20));
        daemon = daemon("huge", Duration.ofSeconds(5));
        serviceErrors(0);
        String huge = register("huge", "it");
        String judged = register("demo", "huge-answer");
        Poll.until(Duration.ofSeconds(30), "the huge answer an error", () -> "error".equals(rule(huge).getString("outcome")));
        assertEquals("the answer is larger than 16777216 bytes (prometheus.maxAnswerBytes): narrow the query",
                rule(huge).getString("message"));
        Poll.until(Duration.ofSeconds(20), "the other release judged", () -> "ok".equals(rule(judged).getString("outcome")));
        prometheus.when("service=\"huge\"", null);
        Poll.until(Duration.ofSeconds(20), "the answers small again: judged (no data)",
                () -> "inconclusive".equals(rule(huge).getString("outcome")));
        assertFalse(daemon.log().contains("OutOfMemoryError"), "no OutOfMemoryError in the log");
        assertEquals(200, daemon.status("/healthz"));
    }

    @Test
    @DisplayName("a rollback target that stalls after its headers: each attempt cut off at its timeout, retried, then rollback_failed and paged")
    void stalledRollbackTarget() {
        target.set(Mode.stall());
        daemon = daemon("stalled-target", Duration.ofSeconds(2));
        serviceErrors(0.9);
        String id = register("demo", "stalled-target");
        Poll.until(Duration.ofSeconds(40), "the rollback to fail loudly", () -> "rollback_failed".equals(
                daemon.release(id).getString("state")));
        long attempts = target.requests.stream().filter(r -> r.startsWith("POST /rollback")).count();
        assertTrue(attempts >= 2, "retried: " + attempts + " attempts");
        Poll.until(Duration.ofSeconds(10), "level 2 paged at once", () -> pages("/l2", id) > 0);
    }

    @Test
    @DisplayName("a 303 from the rollback target is a failed delivery: not followed, not retried, the signature goes nowhere else")
    void redirectedRollback() {
        target.set(Mode.redirect(303, people.url("/elsewhere")));
        daemon = daemon("redirected", Duration.ofSeconds(2));
        serviceErrors(0.9);
        String id = register("demo", "redirected");
        Poll.until(Duration.ofSeconds(30), "the rollback to fail", () -> "rollback_failed".equals(
                daemon.release(id).getString("state")));
        assertEquals(List.of(), people.calls("/elsewhere"), "nothing followed the redirect");
        assertEquals(1, target.requests.stream().filter(r -> r.startsWith("POST /rollback")).count(), "a 3xx is final");
        assertTrue(daemon.get("/api/v1/releases/" + id + "/events").contains("HTTP 303 (redirects are not followed)"));
    }

    private static void serviceErrors(double ratio) {
        stack.service.errorRatio(ratio);
        String ratioNow = "sum(rate(http_requests_total{status=\"500\"}[5s])) / sum(rate(http_requests_total[5s]))";
        String seen = ratio == 0 ? ratioNow + " == 0" : ratioNow + " > " + ratio / 2 + " <= " + Math.min(1.0, ratio * 2);
        Poll.until(Duration.ofSeconds(30), "Prometheus to see an error ratio " + ratio,
                () -> stack.prometheus.query(seen).contains("\"value\""));
    }

    private static long pages(String path, String id) {
        return people.calls(path).stream().filter(c -> id.equals(new JsonObject(c.body()).getString("release"))).count();
    }

    private JsonObject rule(String id) {
        return daemon.release(id).getJsonArray("rules").getJsonObject(0);
    }

    private String register(String service, String environment) {
        return daemon.register(new JsonObject().put("service", service).put("version", "1.4.0")
                .put("environment", environment).put("window", "1h").put("bake", "1h"));
    }

    private static RealDaemon daemon(String name, Duration timeout) {
        return RealDaemon.start(DIR.resolve(name), port -> """
                prometheus: {url: "%s", timeout: %ds}
                evaluation: {interval: 1s}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens:
                    - {name: tests, role: deployer, token: "%s"}
                receivers:
                  l1: {webhook: {url: "%s"}, minInterval: 0s}
                  l2: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0s, notify: [l1]}
                      - {after: %ds, notify: [l2]}
                    announce: []
                    preexisting: rollback   # the rollback tests register into a failing service
                rollback:
                  default:
                    webhook: {url: "%s", timeout: 1s, retry: {initial: 200ms, max: 500ms, for: 4s}}
                    verify: 0s
                """.formatted(prometheus.url(), timeout.toSeconds(), port, RealDaemon.TOKEN, people.url("/l1"),
                people.url("/l2"), LEVEL_TWO.toSeconds(), target.url() + "/rollback"), RULES, Map.of());
    }
}
