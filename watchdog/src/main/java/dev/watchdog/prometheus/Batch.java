package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The queries of one tick: each distinct one sent once, its answer one future that every rule of
 * every release waiting for it shares. A {@code select} rule's query is read straight into an index
 * by the selected labels' values, keeping only the keys of the releases judged now (see {@link
 * #want}), so that each release finds its series without a scan and nothing else of a fleet's answer
 * is kept. A batch lives for one tick, and its answers with it. Use from one context only.
 */
public final class Batch implements Query {

    private final PrometheusClient client;
    private final Instant time;
    private final Map<Key, Future<?>> sent = new HashMap<>();
    private final Map<List<String>, Answers.Wanted> wanted = new HashMap<>();

    Batch(PrometheusClient client, Instant time) {
        this.client = client;
        this.time = time;
    }

    /** A query at a time, read whole ({@code labels} null) or indexed by the values of these labels. */
    private record Key(String promql, Instant at, @Nullable List<String> labels) {}

    /**
     * The keys an index by {@code labels} keeps: the releases judged this tick. Before any query with
     * these labels is sent; without it, an index keeps every key.
     */
    public void want(List<String> labels, Collection<List<String>> keys) {
        wanted.put(labels, Answers.Wanted.of(keys));
    }

    public Future<List<Series>> query(String promql) {
        return query(promql, time);
    }

    /** A query at any time (a baseline's is not the tick's): deduplicated all the same. */
    @SuppressWarnings("unchecked")
    public Future<List<Series>> query(String promql, Instant at) {
        return (Future<List<Series>>) sent.computeIfAbsent(new Key(promql, at, null), k -> client.query(promql, at));
    }

    /** A query's answer by its series' values of {@code labels}, each series without them. */
    @SuppressWarnings("unchecked")
    public Future<Indexed> indexed(String promql, Instant at, List<String> labels) {
        return (Future<Indexed>) sent.computeIfAbsent(new Key(promql, at, labels),
                k -> client.indexed(promql, at, labels, wanted.get(labels)));
    }

    @Override
    public Future<List<Series>> at(String promql, Instant at) {
        return query(promql, at);
    }

    @Override
    public Future<List<Series>> selected(String promql, Instant at, Selection.Selector selector) {
        return indexed(promql, at, selector.labels()).map(byKey -> byKey.get(selector.values()));
    }

    /** The range before a breach (its onset), not deduplicated: asked once per rule and breach. */
    @Override
    public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
        return client.queryRange(promql, start, end, step);
    }

    /** How many distinct queries were sent. */
    public int size() {
        return sent.size();
    }
}
