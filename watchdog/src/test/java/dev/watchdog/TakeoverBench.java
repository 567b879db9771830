package dev.watchdog;

import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import dev.watchdog.testing.Replicas;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: how long after its leader is lost another replica leads. Three replicas
 * of the jar on a real PostgreSQL, evaluation interval 2s (so the lease is 2s); ten times the leader
 * is killed with SIGKILL, and ten times frozen with SIGSTOP (then thawed once another leads). The time
 * is from the signal to the first status answer of another replica saying it leads.
 * Run with {@code mvn -B verify -Dit.test=TakeoverBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class TakeoverBench {

    final int runs = Integer.getInteger("bench.runs", 10);

    @Test
    void measure() {
        Vertx vertx = Vertx.vertx();
        FakePrometheus prometheus = new FakePrometheus(vertx).start();
        RealPostgres postgres = RealPostgres.start(Path.of("target", "bench", "takeover-pg"));
        Replicas replicas = Replicas.start(Path.of("target", "bench", "takeover"), 3, """
                prometheus: {url: "%s"}
                evaluation: {interval: 2s}
                rules: [rules/*.yml]
                %s
                rollback:
                  default: {webhook: {url: "http://127.0.0.1:9/never"}}
                """.formatted(prometheus.url(), postgres.storageConfig(1)), """
                groups:
                  - name: g
                    rules:
                      - {name: marker, signal: traffic, expr: 'marker{service="{{service}}"}', p1: "> 1"}
                """);
        try {
            print("kill -9", takeovers(replicas, true));
            print("SIGSTOP", takeovers(replicas, false));
        } finally {
            replicas.stopAll();
            postgres.stop();
            vertx.close().await();
        }
    }

    private List<Long> takeovers(Replicas replicas, boolean kill) {
        List<Long> ms = new ArrayList<>();
        for (int run = 1; run <= runs; run++) {
            Poll.until(Duration.ofSeconds(30), "one leader", () -> replicas.leader().isPresent());
            int leader = replicas.leader().orElseThrow();
            long started = System.nanoTime();
            if (kill) {
                replicas.kill9(leader);
            } else {
                replicas.freeze(leader);
            }
            while (java.util.stream.IntStream.range(0, replicas.size()).filter(i -> i != leader).noneMatch(i -> {
                io.vertx.core.json.JsonObject s = replicas.statusOf(i);
                return s != null && s.getBoolean("leader", false);
            })) {
                LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
            }
            ms.add((System.nanoTime() - started) / 1_000_000);
            System.out.printf("run %d (%s of r%d): another leads after %d ms%n", run, kill ? "kill -9" : "SIGSTOP",
                    leader + 1, ms.get(ms.size() - 1));
            if (kill) {
                replicas.restart(leader);
            } else {
                replicas.thaw(leader);
            }
        }
        return ms;
    }

    private static void print(String how, List<Long> ms) {
        List<Long> sorted = new ArrayList<>(ms);
        Collections.sort(sorted);
        System.out.printf("%nTAKEOVER after=%s runs=%d interval=2s lease=2s ms: median=%d max=%d min=%d all=%s%n", how,
                sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1), sorted.get(0), ms);
    }
}
