package dev.watchdog;

import static dev.watchdog.testing.FakePrometheus.value;
import static dev.watchdog.testing.FakePrometheus.vector;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.DaemonTest;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code for} counts from when the data shows the breach began, not from the tick that first saw it. */
class ForRunsOutTest extends DaemonTest {

    static final Instant BREACH = T0.plusSeconds(20);

    @Override
    protected String rules() {
        return """
                groups:
                  - name: g
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: error_ratio{service="{{service}}"}
                        unit: ratio
                        p0: "> 0.05"
                        for: 30s
                      - name: fleet-error-rate
                        signal: errors
                        expr: failed_share
                        select: {service: "{{service}}"}
                        unit: ratio
                        p0: "> 0.05"
                        for: 30s
                """;
    }

    @Override
    protected void prepare() {
        prometheus.answerAt("failed_share", t -> vector(Map.of("service", "api"), t.isBefore(BREACH) ? "0.001" : "0.2"));
        prometheus.answerAt("error_ratio", t -> value(t.isBefore(BREACH) ? "0.001" : "0.2"));
    }

    @Test
    @DisplayName("a breach first seen 10 s after it began rolls back 30 s after it began, not 30 s after it was seen")
    void countsFromTheOnset() {
        String id = daemon.register(new JsonObject().put("service", "api").put("version", "1.4.0")
                .put("environment", "prod")).getString("id");
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        clock.set(BREACH.plusSeconds(10));
        daemon.tick();
        assertEquals("pending", rule(daemon.release(id), "error-rate").getString("outcome"));
        assertEquals("pending", rule(daemon.release(id), "fleet-error-rate").getString("outcome"));
        assertEquals(0, deployer.calls.size());
        // The onset is found on a grid of a hundredth of `for` (300 ms here): the breach began at 20 s.
        clock.set(BREACH.plusSeconds(30).plusMillis(300));
        daemon.tick();
        assertEquals("p0", rule(daemon.release(id), "error-rate").getString("outcome"),
                "for ran out 30 s after the data shows the breach began, not 30 s after the tick that saw it");
        assertEquals("p0", rule(daemon.release(id), "fleet-error-rate").getString("outcome"),
                "a select rule's onset is found in the release's own series of the range");
        deployer.arrived(1, Duration.ofSeconds(5)).await();
    }
}
