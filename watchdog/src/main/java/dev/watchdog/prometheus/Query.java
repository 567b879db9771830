package dev.watchdog.prometheus;

import dev.watchdog.core.Series;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Evaluates PromQL at a time. */
@FunctionalInterface
public interface Query {
    Future<List<Series>> at(String promql, Instant time);

    /** Every step's series from {@code start} to {@code end}; by default there is no range to be had. */
    default Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
        return Future.failedFuture(new UnsupportedOperationException("no range queries here"));
    }

    /** The series a {@code select} rule's release takes of the answer: those whose labels have its values. */
    default Future<List<Series>> selected(String promql, Instant time, Selection.Selector selector) {
        return at(promql, time).map(series -> Selection.filter(series, selector));
    }
}
