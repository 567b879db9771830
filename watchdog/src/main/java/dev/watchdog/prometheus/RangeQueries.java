package dev.watchdog.prometheus;

import dev.watchdog.evaluation.Observer;
import dev.watchdog.evaluation.Series;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Answers point queries from range queries: the first query of an expression at a time fetches a
 * chunk of steps from that time on with {@code query_range}, and the following steps are read from
 * it. A replay of a day at 15 s asks Prometheus a few dozen times per rule, not thousands.
 */
public final class RangeQueries implements Observer.Query {

    private static final int STEPS_PER_CHUNK = 500;

    private final PrometheusClient client;
    private final Duration step;
    private final Map<String, List<Chunk>> chunks = new HashMap<>();

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
        if (chunk == null) {
            Instant to = time.plus(step.multipliedBy(STEPS_PER_CHUNK - 1));
            chunk = new Chunk(time, to, client.queryRange(promql, time, to, step));
            known.add(chunk);
        }
        return chunk.points().map(points -> points.getOrDefault(time, List.of()));
    }
}
