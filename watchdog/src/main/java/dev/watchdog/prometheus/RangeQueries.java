package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Answers point queries from range queries: once an expression is walked (asked one step after a
 * time it was asked at), a chunk of steps from that time on is fetched with {@code query_range}, and the
 * following steps are read from it. A replay of a day at 15 s asks Prometheus a few times per
 * expression, not thousands. An expression's first chunk is short, because some are asked only a few
 * times (an SLO window clipped to a young release's age changes every minute); its later chunks are
 * long. An expression asked at times that do not follow each other (counts since the release, whose
 * window grows with every step, asked now and a day, a week, two weeks earlier) is asked as it is:
 * one instant query, not a chunk of steps nobody will read.
 */
public final class RangeQueries implements Query {

    private static final int FIRST_CHUNK = 8;
    private static final int STEPS_PER_CHUNK = 2000;

    private final PrometheusClient client;
    private final Duration step;
    private final Map<String, List<Chunk>> chunks = new HashMap<>();
    private final Map<String, Set<Instant>> asked = new HashMap<>();

    public RangeQueries(PrometheusClient client, Duration step) {
        this.client = client;
        this.step = step;
    }

    private record Chunk(Instant from, Instant to, Future<Map<Instant, List<Series>>> points) {
        boolean covers(Instant t, Duration step) {
            return !t.isBefore(from) && !t.isAfter(to) && Duration.between(from, t).toMillis() % step.toMillis() == 0;
        }
    }

    @Override
    public synchronized Future<List<Series>> at(String promql, Instant time) {
        List<Chunk> known = chunks.computeIfAbsent(promql, k -> new ArrayList<>());
        Chunk chunk = known.stream().filter(c -> c.covers(time, step)).findFirst().orElse(null);
        Set<Instant> times = asked.computeIfAbsent(promql, k -> new HashSet<>());
        times.add(time);
        if (chunk == null && !times.contains(time.minus(step))) {
            return client.query(promql, time);
        }
        if (chunk == null) {
            Instant to = time.plus(step.multipliedBy((known.isEmpty() ? FIRST_CHUNK : STEPS_PER_CHUNK) - 1));
            chunk = new Chunk(time, to, client.queryRange(promql, time, to, step));
            known.add(chunk);
        }
        Future<Map<Instant, List<Series>>> points = chunk.points();
        if (points.succeeded()) {
            // Answered at once, on the caller's thread: a replay asks thousands of times.
            return Future.succeededFuture(points.result().getOrDefault(time, List.of()));
        }
        return points.map(p -> p.getOrDefault(time, List.of()));
    }
}
