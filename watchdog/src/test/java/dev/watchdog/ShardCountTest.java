package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.Daemon;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.MutableClock;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import dev.watchdog.testing.WebhookRecorder;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The shard count of replicas on PostgreSQL changed as an operator would, one replica at a time:
 * while a replica leads under the old count, one under the new count leads nothing (two counts would
 * put a release in two replicas' shards); once the old one stops, the new one leads every shard and
 * goes on from the stored state: every release still watched and judged, an incident opened before
 * climbing its ladder on time, opened once.
 */
class ShardCountTest {

    static final Instant T0 = Instant.parse("2026-11-21T10:00:00Z");
    static final String RULES = """
            groups:
              - name: fleet
                rules:
                  - {name: marker, signal: traffic, expr: 'marker{service="{{service}}"}', p1: "> 1"}
            """;

    static Vertx vertx;
    static RealPostgres postgres;
    static FakePrometheus prometheus;
    static WebhookRecorder people;
    static final MutableClock CLOCK = new MutableClock(T0);

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        postgres = RealPostgres.start(Path.of("target", "it", "shard-count-pg"));
        prometheus = new FakePrometheus(vertx, CLOCK).start();
        prometheus.otherwise(q -> FakePrometheus.value(q.contains("svc-3\"") ? "5" : "0"));
        people = new WebhookRecorder(vertx).start();
    }

    @AfterAll
    static void stop() {
        people.close();
        prometheus.close();
        postgres.stop();
        vertx.close().await();
    }

    static Daemon replica(String name, int shards) throws Exception {
        String storage = "storage:\n  postgres: {url: \"" + postgres.url() + "\", user: " + RealPostgres.USER + ", password: \""
                + RealPostgres.PASSWORD + "\", shards: " + shards + ", lease: 2s}\n";
        String extra = """
                receivers:
                  l1: {webhook: {url: "%s"}, minInterval: 0s}
                  l2: {webhook: {url: "%s"}, minInterval: 0s}
                escalation:
                  default:
                    levels:
                      - {after: 0s, notify: [l1]}
                      - {after: 5m, notify: [l2]}
                    announce: []
                """.formatted(people.url("/l1"), people.url("/l2"));
        Path dir = Files.createTempDirectory("shards-" + name);
        Daemon d = new Daemon(vertx, dir, CLOCK, prometheus.url(), people.url("/rollback"), RULES, extra, storage);
        // Two replicas in one process: each named, as two processes would be by their host and port.
        Path config = dir.resolve("watchdog.yml");
        Files.writeString(config, Files.readString(config).replace("server:\n", "server:\n  replica: " + name + "\n"));
        return d.start();
    }

    static JsonArray led(Daemon d) {
        return d.call("GET", "/api/v1/status", Daemon.VIEWER, null).bodyAsJsonObject().getJsonArray("led");
    }

    static double judged(Daemon d) {
        return FleetBench.sample(d.metrics(), "watchdog_judged_releases_total");
    }

    @Test
    @DisplayName("2 shards to 3, one replica at a time: the new count leads once the old has stopped, and goes on from the stored state")
    void changeTheCount() throws Exception {
        Daemon old = replica("old", 2);
        Poll.until(Duration.ofSeconds(20), "the old replica to lead both shards", () -> led(old).size() == 2);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            ids.add(old.register(new JsonObject().put("service", "svc-" + i).put("version", "1").put("environment", "prod")
                    .put("window", "2h").put("bake", "1h")).getString("id"));
        }
        old.tick();
        CLOCK.advance(Duration.ofSeconds(15));
        old.tick();
        assertEquals(12.0, judged(old), "the old replica judged every release");
        assertEquals("degraded", old.release(ids.get(3)).getString("state"));
        Poll.until(Duration.ofSeconds(10), "level 1 paged", () -> people.calls("/l1").size() == 1);

        Daemon next = replica("next", 3);
        CLOCK.advance(Duration.ofSeconds(15));
        next.tick();
        old.tick();
        assertEquals(new JsonArray(), led(next), "under another count than the leader's, it leads nothing");
        assertEquals(0.0, judged(next));

        old.stop();
        Poll.until(Duration.ofSeconds(20), "the new count to lead every shard", () -> led(next).size() == 3);
        next.tick();
        CLOCK.advance(Duration.ofSeconds(15));
        next.tick();
        assertEquals(12.0, judged(next), "every release judged under the new count");
        for (String id : ids) {
            assertEquals(id.equals(ids.get(3)) ? "degraded" : "watching", next.release(id).getString("state"), id);
        }
        CLOCK.advance(Duration.ofMinutes(5));
        next.tick();
        Poll.until(Duration.ofSeconds(10), "level 2 paged on time", () -> people.calls("/l2").size() == 1);
        assertEquals(1, people.calls("/l1").size(), "the incident went on: not opened again");
        next.stop();
    }
}
