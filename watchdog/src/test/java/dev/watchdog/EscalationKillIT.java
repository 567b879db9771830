package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder.Call;
import dev.watchdog.testing.WebhookRecorder.Reply;
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
 * An escalation killed twice, for real: the jar, a real Prometheus seeing a P1, three levels at
 * T+0, T+8s and T+16s. The daemon is killed with SIGKILL while level 1's page is in flight (its
 * receiver hangs), and again between levels 2 and 3. What the people see: each level paged once,
 * on time, with one key per page.
 */
class EscalationKillIT {

    static final Path DIR = Path.of("target", "it", "escalation-kill");
    static final String RULES = RealStack.errorRateRules("p1: \"> 0.01\"", "p0: \"> 0.5\"");

    static RealStack stack;
    static WebhookRecorder people;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        people = stack.recorder;
        stack.service.errorRatio(0.2);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    @Test
    @DisplayName("kill -9 with level 1's page in flight, and between levels 2 and 3: each level paged once, on time")
    void ladderSurvivesKill9() {
        people.reply(Reply.hanging());
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), port -> """
                prometheus: {url: "%s", timeout: 2s}
                evaluation: {interval: 500ms}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens: [{name: tests, role: deployer, token: "%s"}]
                receivers:
                  level1: {webhook: {url: "%s", timeout: 30s}, minInterval: 0s}
                  level2: {webhook: {url: "%s"}, minInterval: 0s}
                  level3: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels: [{after: 0s, notify: [level1]}, {after: 8s, notify: [level2]}, {after: 16s, notify: [level3]}]
                    announce: []
                rollback:
                  default: {webhook: {url: "%s"}}
                """.formatted(stack.prometheus.url(), port, RealDaemon.TOKEN, people.url("/level1"),
                people.url("/level2"), people.url("/level3"), people.url("/rollback")), RULES, Map.of());
        try {
            String id = daemon.register(new JsonObject().put("service", "demo").put("version", "1.0.0")
                    .put("environment", "ladder").put("window", "1h"));
            Poll.until(Duration.ofSeconds(30), "level 1's page to arrive, and hang", () -> pages("/level1", id).size() == 1);
            Instant opened = Instant.parse(daemon.release(id).getJsonObject("incident").getString("openedAt"));
            daemon.kill9();
            daemon.restart();
            Instant back = Instant.now();
            Poll.until(Duration.ofSeconds(30), "level 2 paged", () -> delivered("/level2", id).size() == 1);
            // Killed once the page's answer is stored: a kill between a receiver's 2xx and that write sends it
            // again after the restart (at least once, as documented), which is not what this test is about.
            Poll.until(Duration.ofSeconds(10), "level 2's page recorded as sent", () -> new io.vertx.core.json.JsonArray(
                    daemon.get("/api/v1/releases/" + id + "/notifications")).stream()
                    .map(io.vertx.core.json.JsonObject.class::cast)
                    .anyMatch(n -> "level2".equals(n.getString("receiver")) && "sent".equals(n.getString("status"))));
            daemon.kill9();
            daemon.restart();
            Instant backAgain = Instant.now();
            Poll.until(Duration.ofSeconds(30), "level 3 paged", () -> delivered("/level3", id).size() == 1);
            double ticks = daemon.metric("watchdog_evaluations_total");
            Poll.until(Duration.ofSeconds(10), "four more ticks", () -> daemon.metric("watchdog_evaluations_total") >= ticks + 4);

            assertEquals(2, pages("/level1", id).size(), "level 1: the page in flight at the kill, and once more");
            assertEquals(1, keys(pages("/level1", id)), "both with the same key");
            assertEquals(1, delivered("/level1", id).size(), "level 1 paged once");
            assertEquals(List.of(1, 1), List.of(pages("/level2", id).size(), pages("/level3", id).size()));
            assertOnTime(opened.plusSeconds(8), back, delivered("/level2", id).get(0).at());
            assertOnTime(opened.plusSeconds(16), backAgain, delivered("/level3", id).get(0).at());
            assertEquals("degraded", daemon.release(id).getString("state"));
            assertEquals(List.of(), people.calls("/rollback"));
        } finally {
            daemon.stop();
        }
    }

    /**
     * Not before it is due, and within three seconds (the tick is 500 ms) of when it was due or the
     * daemon was back, whichever is later: a level that fell due while the process was down (a
     * restart on a loaded machine can take longer than a level's wait) is paged as soon as it is up.
     */
    private static void assertOnTime(Instant due, Instant back, Instant arrived) {
        Instant from = due.isAfter(back) ? due : back;
        assertTrue(!arrived.isBefore(due.minusMillis(50)), "early: due " + due + ", arrived " + arrived);
        assertTrue(arrived.isBefore(from.plusSeconds(3)), "late: due " + due + ", back " + back + ", arrived " + arrived);
    }

    private static List<Call> pages(String path, String release) {
        return people.calls(path).stream().filter(c -> release.equals(new JsonObject(c.body()).getString("release"))).toList();
    }

    private static List<Call> delivered(String path, String release) {
        return people.answeredOk.stream().filter(c -> c.path().equals(path))
                .filter(c -> release.equals(new JsonObject(c.body()).getString("release"))).toList();
    }

    private static long keys(List<Call> calls) {
        return calls.stream().map(c -> c.header("Idempotency-Key")).distinct().count();
    }
}
