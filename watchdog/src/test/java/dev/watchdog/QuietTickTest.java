package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.DaemonTest;
import dev.watchdog.testing.FakePrometheus;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** A tick costs the store what changed: releases whose rules only read new values are not written. */
class QuietTickTest extends DaemonTest {

    @Override
    protected String rules() {
        return """
                groups:
                  - name: fleet
                    rules:
                      - name: error-rate
                        signal: errors
                        expr: sum by (service) (rate(errors_total[5m]))
                        select: {service: "{{service}}"}
                        unit: ratio
                        p1: "> 0.05"
                      - name: latency
                        signal: latency
                        expr: p95{service="{{service}}"}
                        unit: seconds
                        p1: "> 2"
                """;
    }

    void errors(String api, String web) {
        prometheus.answer("errors_total", FleetTest.series(Map.of(Map.of("service", "api"), api, Map.of("service", "web"), web)));
    }

    long written() {
        return (long) FleetBench.sample(daemon.metrics(), "watchdog_store_release_writes_total");
    }

    @Test
    @DisplayName("a tick where every rule stays ok writes no release row, yet the API shows the new values; a breach is written")
    void unchangedTickWritesNothing() throws Exception {
        errors("0.01", "0.02");
        prometheus.answer("p95", FakePrometheus.value("0.4"));
        String api = daemon.register(new JsonObject().put("service", "api").put("version", "2").put("environment", "prod"))
                .getString("id");
        daemon.register(new JsonObject().put("service", "web").put("version", "7").put("environment", "prod"));
        daemon.tick();
        long afterFirst = written();

        clock.advance(Duration.ofSeconds(15));
        errors("0.02", "0.03");
        prometheus.answer("p95", FakePrometheus.value("0.5"));
        daemon.tick();
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        assertEquals(afterFirst, written(), "two ticks that changed nothing durable wrote no release row");
        assertEquals(0.02, rule(daemon.release(api), "error-rate").getDouble("value"), "the API shows the latest reading");
        assertEquals(0.5, rule(daemon.release(api), "latency").getDouble("value"));

        daemon.stop();
        daemon = newDaemon();
        assertEquals(0.01, rule(daemon.release(api), "error-rate").getDouble("value"),
                "after a restart, the reading last written, until the first tick reads it again");
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        assertEquals(0.02, rule(daemon.release(api), "error-rate").getDouble("value"));

        errors("0.09", "0.03");
        clock.advance(Duration.ofSeconds(15));
        daemon.tick();
        assertEquals(1, written(), "the breach of one release is one row (counted since the restart)");
        assertEquals("p1", rule(daemon.release(api), "error-rate").getString("outcome"));
    }
}
