package dev.watchdog;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.MutableClock;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
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
 * Measures, never asserts: a tick of 1000 releases (one service in 1000 environments, so that the 6
 * rules' queries are the same 6 for all and the store's part shows; a fake Prometheus answering at
 * once) with the embedded SQLite store and with a real PostgreSQL, in-process. The tick is one
 * transaction per shard: every release read (FOR UPDATE on PostgreSQL), stepped and written back.
 * Run with {@code mvn -B verify -Dit.test=StoreTickBench -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false}.
 */
class StoreTickBench {

    static final int RELEASES = Integer.getInteger("bench.releases", 1000);

    @Test
    void measure() throws Exception {
        Vertx vertx = Vertx.vertx();
        FakePrometheus prometheus = new FakePrometheus(vertx).start();
        WebhookRecorder deployer = new WebhookRecorder(vertx).start();
        RealPostgres postgres = RealPostgres.start(Path.of("target", "bench", "store-tick-pg"));
        try {
            for (String store : List.of("sqlite", "postgres")) {
                String storage = store.equals("sqlite") ? "storage: {path: data/}" : postgres.storageConfig(1);
                Daemon daemon = new Daemon(vertx, Files.createTempDirectory("storetick"),
                        new MutableClock(Instant.parse("2026-11-21T10:00:00Z")), prometheus.url(), deployer.url("/rollback"),
                        TickBench.RULES, "", storage).start();
                Poll.until(Duration.ofSeconds(30), "the daemon to lead", () -> daemon.call("GET", "/api/v1/status",
                        Daemon.VIEWER, null).bodyAsJsonObject().getBoolean("leader"));
                long registered = System.nanoTime();
                for (int i = 0; i < RELEASES; i++) {
                    daemon.register(new JsonObject().put("service", "api").put("version", "1").put("environment", "env-" + i));
                }
                double perRegistration = (System.nanoTime() - registered) / 1e6 / RELEASES;
                List<Long> millis = new ArrayList<>();
                for (int t = 0; t < 6; t++) {
                    daemon.clock().advance(Duration.ofSeconds(15));
                    long started = System.nanoTime();
                    daemon.tick();
                    millis.add((System.nanoTime() - started) / 1_000_000);
                }
                millis.remove(0);
                Collections.sort(millis);
                System.out.printf("%nSTORE-TICK store=%s releases=%d rules=6 tick ms: median=%d max=%d min=%d;"
                        + " registration ms each=%.2f%n", store, RELEASES, millis.get(2), millis.get(4), millis.get(0),
                        perRegistration);
                daemon.stop();
            }
        } finally {
            postgres.stop();
            vertx.close().await();
        }
    }
}
