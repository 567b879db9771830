package dev.watchdog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.Poll;
import dev.watchdog.testing.RealPostgres;
import dev.watchdog.testing.Replicas;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A fleet spread over shards: three replicas of the jar on one real PostgreSQL with eight shards
 * watch 300 releases of distinct services. Each release's rule is one query naming its service, so
 * the fake Prometheus's log says when each release was evaluated, and by which replica (each asks
 * under a path of its own name).
 */
class ShardsIT {

    static final Path DIR = Path.of("target", "it", "shards");
    static final int RELEASES = 300;
    static final Duration INTERVAL = Duration.ofSeconds(2);
    static final Pattern SERVICE = Pattern.compile("service=\"(svc-\\d+)\"");

    static Vertx vertx;
    static FakePrometheus prometheus;
    static RealPostgres postgres;
    static Replicas replicas;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx).start();
        postgres = RealPostgres.start(DIR.resolve("pg"));
        replicas = Replicas.start(DIR.resolve("replicas"), 3, """
                prometheus: {url: "%s/{replica}", timeout: 2s}
                evaluation: {interval: 2s}
                rules: [rules/*.yml]
                %s
                rollback:
                  default: {webhook: {url: "http://127.0.0.1:9/never"}}
                """.formatted(prometheus.url(), postgres.storageConfig(8)), """
                groups:
                  - name: fleet
                    rules:
                      - name: marker
                        signal: traffic
                        expr: release_marker{service="{{service}}"}
                        p1: "> 1"
                """);
    }

    @AfterAll
    static void stop() {
        if (replicas != null) {
            replicas.stopAll();
        }
        if (postgres != null) {
            postgres.stop();
        }
        vertx.close().await();
    }

    @Test
    @DisplayName("8 shards over 3 replicas, 300 releases; kill one: every release is still evaluated every interval, never by two at once")
    void everyReleaseEveryIntervalNoneTwice() {
        for (int i = 1; i <= RELEASES; i++) {
            replicas.register(i % 3, new JsonObject().put("service", String.format("svc-%03d", i)).put("version", "1")
                    .put("environment", "it").put("window", "1h"));
        }
        Poll.until(Duration.ofSeconds(60), "every release to be evaluated", () -> services(Instant.EPOCH).size() == RELEASES);
        assertEquals(8, ledShards().size(), "every shard has a leader");
        Poll.until(Duration.ofSeconds(30), "each replica to lead at most its fair share, 3 of the 8 shards",
                () -> ledShards().size() == 8 && ledCounts().stream().allMatch(n -> n <= 3));

        Instant from = Instant.now();
        waitFor(INTERVAL.multipliedBy(4));
        int victim = replicas.leaders().get(0);
        Instant killed = Instant.now();
        replicas.kill9(victim);
        Poll.until(Duration.ofSeconds(30), "the survivors to lead all 8 shards", () -> ledShards().size() == 8);
        waitFor(INTERVAL.multipliedBy(5));
        Instant to = Instant.now().minus(INTERVAL);

        Map<String, List<FakePrometheus.Asked>> asked = askedBetween(from, to);
        assertEquals(RELEASES, asked.size(), "every release was evaluated");
        List<String> late = new ArrayList<>();
        List<String> twice = new ArrayList<>();
        asked.forEach((service, queries) -> {
            List<Instant> at = queries.stream().map(FakePrometheus.Asked::at).toList();
            for (int k = 1; k < at.size(); k++) {
                Duration gap = Duration.between(at.get(k - 1), at.get(k));
                // Across the kill: the interval under way, then a takeover within two intervals.
                boolean acrossKill = at.get(k - 1).isBefore(killed) && at.get(k).isAfter(killed);
                Duration bound = acrossKill ? INTERVAL.multipliedBy(3).plusSeconds(1) : INTERVAL.multipliedBy(2).plusMillis(500);
                if (gap.compareTo(bound) > 0) {
                    late.add(service + " went " + gap + " unevaluated at " + at.get(k - 1));
                }
                String before = replica(queries.get(k - 1));
                String after = replica(queries.get(k));
                if (!before.equals(after) && gap.compareTo(INTERVAL.dividedBy(2)) < 0) {
                    twice.add(service + " was evaluated by " + before + " and by " + after + " within " + gap + " at "
                            + at.get(k));
                }
            }
        });
        assertEquals(List.of(), twice, "no release evaluated by two replicas within half an interval");
        assertEquals(List.of(), late.stream().limit(10).toList(), "every release evaluated every interval, across the kill at "
                + killed + " (" + late.size() + " late)");
    }

    static void waitFor(Duration d) {
        Instant until = Instant.now().plus(d);
        Poll.until(d.plusSeconds(5), "time to pass", () -> Instant.now().isAfter(until));
    }

    static TreeSet<Integer> ledShards() {
        TreeSet<Integer> shards = new TreeSet<>();
        for (int i = 0; i < replicas.size(); i++) {
            JsonObject s = replicas.statusOf(i);
            if (s != null) {
                s.getJsonArray("led").forEach(n -> shards.add((Integer) n));
            }
        }
        return shards;
    }

    /** How many shards each live replica says it leads. */
    static List<Integer> ledCounts() {
        List<Integer> counts = new ArrayList<>();
        for (int i = 0; i < replicas.size(); i++) {
            JsonObject s = replicas.statusOf(i);
            if (s != null) {
                counts.add(s.getJsonArray("led").size());
            }
        }
        return counts;
    }

    static java.util.Set<String> services(Instant since) {
        return askedBetween(since, Instant.now()).keySet();
    }

    /** The replica that asked: each queries Prometheus under a path of its own name. */
    static String replica(FakePrometheus.Asked asked) {
        return asked.path().substring(1, asked.path().indexOf("/api/"));
    }

    /** The queries about each release that arrived between {@code from} and {@code to}, in order. */
    static Map<String, List<FakePrometheus.Asked>> askedBetween(Instant from, Instant to) {
        return prometheus.asked.stream().filter(a -> !a.at().isBefore(from) && !a.at().isAfter(to))
                .map(a -> {
                    Matcher m = SERVICE.matcher(a.query());
                    return m.find() ? Map.entry(m.group(1), a) : null;
                })
                .filter(e -> e != null)
                .collect(Collectors.groupingBy(Map.Entry::getKey, Collectors.mapping(Map.Entry::getValue,
                        Collectors.toList())));
    }
}
