package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealDaemon;
import dev.watchdog.testing.RealStack;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The race of the issue, for real: the built jar ticking every 300 ms against a real Prometheus that
 * sees the service failing, and a deploy script that registers a release and ends it (finish, or
 * DELETE) 0 to 400 ms later, so that the end lands before, during and after the tick that sees the
 * P0. What the API answered decides what the deployer gets: after 200 finished/cancelled no rollback
 * call ever; after 409 exactly one; never two.
 */
class RaceIT {

    static final Path DIR = Path.of("target", "it", "race");
    static final int ROUNDS = 30;
    static final String RULES = RealStack.errorRateRules("p0: \"> 0.05\"");

    static RealStack stack;
    static WebhookRecorder deployer;

    @BeforeAll
    static void start() {
        stack = RealStack.start(DIR);
        deployer = stack.recorder;
        stack.service.errorRatio(0.2);
    }

    @AfterAll
    static void stop() {
        if (stack != null) {
            stack.stop();
        }
    }

    /** One round: the release and what the deploy script was told. */
    record Round(String id, int status, String state, String ended) {}

    @Test
    @DisplayName("P0 ticks against finish and DELETE at many timings: no rollback after 200, exactly one after 409")
    void raceAgainstTheTick() {
        RealDaemon daemon = RealDaemon.start(DIR.resolve("daemon"), port -> """
                prometheus: {url: "%s", timeout: 2s}
                evaluation: {interval: 300ms}
                rules: [rules/*.yml]
                storage: {path: data/}
                server:
                  listen: 127.0.0.1:%d
                  tokens: [{name: tests, role: deployer, token: "%s"}]
                escalation:
                  default: {preexisting: rollback}   # each release is registered into the failing service
                rollback:
                  default: {webhook: {url: "%s", timeout: 2s}, verify: 0s}
                """.formatted(stack.prometheus.url(), port, RealDaemon.TOKEN, deployer.url("/rollback")), RULES, Map.of());
        try {
            Poll.until(Duration.ofSeconds(30), "Prometheus to see the service failing",
                    () -> stack.prometheus.query("sum(rate(http_requests_total{status=\"500\"}[5s]))"
                            + " / sum(rate(http_requests_total[5s])) > 0.1").contains("\"value\""));
            List<Round> rounds = new ArrayList<>();
            for (int i = 0; i < ROUNDS; i++) {
                rounds.add(race(daemon, i));
            }
            for (Round r : rounds) {
                if (r.status() == 409) {
                    Poll.until(Duration.ofSeconds(20), "the rollback of " + r.id(),
                            () -> "rolled_back".equals(daemon.release(r.id()).getString("state")));
                }
            }
            double ticks = daemon.metric("watchdog_evaluations_total");
            Poll.until(Duration.ofSeconds(10), "three more ticks", () -> daemon.metric("watchdog_evaluations_total") >= ticks + 3);
            for (Round r : rounds) {
                int calls = deployer.withKey(r.id() + ":rollback").size();
                if (r.status() == 200) {
                    assertEquals(r.ended(), r.state());
                    assertEquals(0, calls, "a rollback call after the API answered " + r.ended() + " for " + r.id());
                    assertEquals(r.ended(), daemon.release(r.id()).getString("state"));
                } else {
                    assertEquals(409, r.status(), "only 200 or 409 for " + r.id());
                    assertEquals(1, calls, "rollback calls for " + r.id() + ", which the API refused to end");
                }
            }
            assertEquals(rounds.stream().filter(r -> r.status() == 409).count(), deployer.calls.size());
            long ended = rounds.stream().filter(r -> r.status() == 200).count();
            assertTrue(ended > 0 && ended < ROUNDS, ended + " of " + ROUNDS + " ended first: the timings did not race");
        } finally {
            daemon.stop();
        }
    }

    /** Registers a release of the failing service and ends it a moment later. */
    private static Round race(RealDaemon daemon, int i) {
        String id = daemon.register(new JsonObject().put("service", "demo").put("version", "3.0." + i)
                .put("environment", "race-" + i).put("window", "1h"));
        // The moment the script ends it: spread over two ticks (not a wait for behaviour).
        LockSupport.parkNanos(Duration.ofMillis(i * 37L % 400).toNanos());
        boolean finish = i % 2 == 0;
        RealDaemon.Answer answer = finish
                ? daemon.call("POST", "/api/v1/releases/" + id + "/finish", RealDaemon.TOKEN, null)
                : daemon.call("DELETE", "/api/v1/releases/" + id, RealDaemon.TOKEN, null);
        String state = answer.status() == 200 ? answer.json().getString("state") : null;
        return new Round(id, answer.status(), state, finish ? "passed" : "cancelled");
    }
}
