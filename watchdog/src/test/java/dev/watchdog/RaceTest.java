package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A tick that sees a P0 races a deploy script ending the same release (finish, or DELETE), at many
 * timings: Prometheus answers after 0 to 15 ms, and the request leaves 0 to 30 ms after the tick
 * began. Whatever the order, what the API answered is the truth: 200 finished/cancelled means no
 * rollback call ever arrives for that release; 409 means the rollback won, and exactly one arrives.
 */
class RaceTest extends DaemonTest {

    static final int ROUNDS = 48;

    @Override
    protected String rules() {
        return """
                groups:
                  - name: race
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: error_ratio{service="{{service}}"}
                        unit: ratio
                        p0: "> 0.05"
                """;
    }

    @Override
    protected void prepare() {
        prometheus.otherwise(q -> value("0"));
    }

    /** One round: the release, and what the deploy script was told. */
    record Round(String id, int status, String state) {}

    @Test
    @DisplayName("P0 tick against POST finish: 200 finished means no rollback call ever; 409 means exactly one")
    void tickAgainstFinish() {
        assertRaces("POST", "/finish", "passed");
    }

    @Test
    @DisplayName("P0 tick against DELETE: 200 cancelled means no rollback call ever; 409 means exactly one")
    void tickAgainstCancel() {
        assertRaces("DELETE", "", "cancelled");
    }

    private void assertRaces(String method, String suffix, String ended) {
        List<Round> rounds = new ArrayList<>();
        for (int i = 0; i < ROUNDS; i++) {
            rounds.add(race(i, method, suffix));
        }
        // Later ticks and the outbox get every chance to send what they would send.
        for (int i = 0; i < 3; i++) {
            clock.advance(Duration.ofSeconds(15));
            daemon.tick();
        }
        for (Round r : rounds) {
            if (r.status() == 409) {
                Poll.until(Duration.ofSeconds(10), "the rollback of " + r.id(),
                        () -> "rolled_back".equals(daemon.release(r.id()).getString("state")));
            }
        }
        for (Round r : rounds) {
            long calls = deployer.calls.stream().filter(c -> (r.id() + ":rollback").equals(c.header("Idempotency-Key")))
                    .count();
            if (r.status() == 200) {
                assertEquals(ended, r.state(), "the answer's state");
                assertEquals(0, calls, "a rollback call after the API answered " + ended + " for " + r.id());
                assertEquals(ended, daemon.release(r.id()).getString("state"));
            } else {
                assertEquals(409, r.status(), "only 200 or 409 for " + r.id());
                assertEquals(1, calls, "rollback calls for " + r.id() + ", which the API refused to end");
            }
        }
        assertEquals(deployer.calls.size(), rounds.stream().filter(r -> r.status() == 409).count(),
                "no call for any other release");
        long won = rounds.stream().filter(r -> r.status() == 200).count();
        assertTrue(won > 0 && won < ROUNDS, "both orders happened (" + won + " of " + ROUNDS + " ended first); "
                + "otherwise the timings did not race");
    }

    /** Registers a release whose rule breaches P0, then runs a tick and the request at once. */
    private Round race(int i, String method, String suffix) {
        String service = "svc" + i;
        JsonObject release = daemon.register(new JsonObject().put("service", service).put("version", "1.0." + i)
                .put("environment", "production").put("window", "1h"));
        // The breach begins after the registration: one already there would page, not roll back.
        FakePrometheus.Answer p0 = value("0.5");
        prometheus.answer("\"" + service + "\"", new FakePrometheus.Answer(p0.status(), p0.body(), i % 4 * 5L));
        String id = release.getString("id");
        Executor later = CompletableFuture.delayedExecutor(i * 7L % 31, TimeUnit.MILLISECONDS);
        CompletableFuture<Void> tick = CompletableFuture.runAsync(daemon::tick);
        CompletableFuture<Round> decision = CompletableFuture.supplyAsync(() -> {
            var response = daemon.call(method, "/api/v1/releases/" + id + suffix, Daemon.DEPLOYER, null);
            JsonObject body = response.bodyAsJsonObject();
            return new Round(id, response.statusCode(), body.getString("state"));
        }, later);
        tick.join();
        Round round = decision.join();
        // Healthy from now on: a rolled-back release's verification recovers and it stops being watched.
        prometheus.answer("\"" + service + "\"", value("0"));
        return round;
    }
}
