package dev.watchdog;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.MutableClock;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: what one tick costs as releases grow, with a fake Prometheus that takes
 * 5 ms per query. Releases of one service share queries; releases of distinct services do not.
 * Run with {@code mvn -B test -Dtest=TickBench -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TickBench {

    static final String RULES = """
            groups:
              - name: bench
                rules:
            """ + rules(6);

    static String rules(int n) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            out.append("""
                      - name: rule-%d
                        signal: errors
                        expr: metric_%d{service="{{service}}"}
                        p1: "> 100"
                """.formatted(i, i));
        }
        return out.toString();
    }

    @Test
    void measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        FakePrometheus prometheus = new FakePrometheus(vertx).start();
        prometheus.otherwise(q -> new FakePrometheus.Answer(200, FakePrometheus.value("1").body(), 5));
        WebhookRecorder deployer = new WebhookRecorder(vertx).start();
        try {
            for (boolean sameService : List.of(true, false)) {
                for (int releases : List.of(1, 10, 50, 200)) {
                    Path dir = Files.createTempDirectory("tickbench");
                    MutableClock clock = new MutableClock(Instant.parse("2026-11-21T10:00:00Z"));
                    Daemon daemon = new Daemon(vertx, dir, clock, prometheus.url(), deployer.url("/rollback"), RULES).start();
                    for (int i = 0; i < releases; i++) {
                        daemon.register(new JsonObject().put("service", sameService ? "api" : "svc-" + i)
                                .put("version", "1." + i).put("environment", "env-" + i));
                    }
                    List<Long> millis = new ArrayList<>();
                    int before = prometheus.queries.size();
                    for (int t = 0; t < 5; t++) {
                        clock.advance(Duration.ofSeconds(15));
                        long started = System.nanoTime();
                        daemon.tick();
                        millis.add((System.nanoTime() - started) / 1_000_000);
                    }
                    int perTick = (prometheus.queries.size() - before) / 5;
                    Collections.sort(millis);
                    System.out.printf("TICK %s releases=%d rules=6 queries/tick=%d tick ms: median=%d max=%d%n",
                            sameService ? "same-service" : "distinct-services", releases, perTick, millis.get(2), millis.get(4));
                    daemon.stop();
                }
            }
        } finally {
            vertx.close().await();
        }
    }
}
