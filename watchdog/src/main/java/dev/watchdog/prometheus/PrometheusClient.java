package dev.watchdog.prometheus;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Durations;
import dev.watchdog.core.Series;
import dev.watchdog.http.Failures;
import dev.watchdog.http.Http;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.QueryException.Kind;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Instant and range queries over the Prometheus HTTP API ({@code GET /api/v1/query}, {@code
 * /api/v1/query_range}). Answers are read as they stream ({@link AnswerReader}) into the shape the
 * caller keeps; large ones on a worker thread.
 */
public final class PrometheusClient {

    /**
     * Answers larger than this are read on a worker thread. A fleet's select answer holds a series
     * per service (about 1 MB for 10,000): time the event loop owes the API and /metrics, and that
     * the other cores can share.
     */
    static final int PARSED_ASIDE = 64 * 1024;

    private final Vertx vertx;
    private final Http http;
    private final WatchdogConfig.Prometheus config;
    private final WatchdogMetrics metrics;
    private final Limiter limiter;

    public PrometheusClient(Vertx vertx, WatchdogConfig.Prometheus config, WatchdogMetrics metrics) {
        // Vert.x keeps 5 connections per host by default, which would cap maxConcurrency silently.
        this.vertx = vertx;
        this.http = new Http(vertx,
                new PoolOptions().setHttp1MaxSize(config.maxConcurrency()).setHttp2MaxSize(config.maxConcurrency()));
        this.config = config;
        this.metrics = metrics;
        this.limiter = new Limiter(config.maxConcurrency());
    }

    /** Evaluates {@code promql} at {@code time}; fails with {@link QueryException}. At most maxConcurrency run at once. */
    public Future<List<Series>> query(String promql, Instant time) {
        return instant(promql, time, Answers::vector);
    }

    /**
     * Evaluates {@code promql} at {@code time}, its series by their values of {@code labels} (see
     * {@link Answers#indexed}); {@code wanted}, if given, the only keys kept.
     */
    Future<Indexed> indexed(String promql, Instant time, List<String> labels, Answers.@Nullable Wanted wanted) {
        return instant(promql, time, response -> Answers.indexed(response, labels, wanted));
    }

    /** Evaluates {@code promql} at every step from {@code start} to {@code end}: each step's series. */
    public Future<Map<Instant, List<Series>>> queryRange(String promql, Instant start, Instant end, Duration step) {
        long started = System.nanoTime();
        Http.Request request = request("/api/v1/query_range").query("query", promql)
                .query("start", String.valueOf(start.toEpochMilli() / 1000.0))
                .query("end", String.valueOf(end.toEpochMilli() / 1000.0))
                .query("step", String.valueOf(step.toMillis() / 1000.0));
        return limiter.submit(() -> http.send(request))
                .recover(e -> Future.failedFuture(networkError(e)))
                .compose(response -> read(response, Answers::matrix))
                .andThen(ar -> recordQuery(ar.cause(), started));
    }

    /**
     * A GET of the API within the deadline for the whole exchange ({@code timeout}, also asked of
     * Prometheus itself), reading at most {@code maxAnswerBytes}.
     */
    private Http.Request request(String path) {
        Http.Request request = Http.Request.get(config.url() + path, config.timeout()).maxAnswer(config.maxAnswerBytes())
                .query("timeout", Durations.format(config.timeout()));
        for (Map.Entry<String, dev.watchdog.core.Secret> header : config.headers().entrySet()) {
            request = request.header(header.getKey(), header.getValue().value());
        }
        return request;
    }

    /** A batch for one tick: identical queries at that tick's time are sent once. */
    public Batch batch(Instant time) {
        return new Batch(this, time);
    }

    private <T> Future<T> instant(String promql, Instant time, Function<Http.Response, T> shape) {
        return limiter.submit(() -> {
            long started = System.nanoTime();
            Http.Request request = request("/api/v1/query").query("query", promql)
                    .query("time", String.valueOf(time.toEpochMilli() / 1000.0));
            return http.send(request)
                    .recover(e -> Future.failedFuture(networkError(e)))
                    .compose(response -> read(response, shape))
                    .andThen(ar -> recordQuery(ar.cause(), started));
        });
    }

    /** Reads an answer into its shape, on a worker thread when it is large. */
    private <T> Future<T> read(Http.Response response, Function<Http.Response, T> shape) {
        if (response.body().length() <= PARSED_ASIDE) {
            try {
                return Future.succeededFuture(shape.apply(response));
            } catch (RuntimeException e) {
                return Future.failedFuture(e);
            }
        }
        return vertx.executeBlocking(() -> shape.apply(response), false);
    }

    /** {@code failure}: null when the query succeeded; partial data is a success that carried warnings. */
    private void recordQuery(@Nullable Throwable failure, long started) {
        if (failure instanceof PartialData) {
            metrics.prometheusWarnings();
        }
        QueryException e = failure instanceof QueryException q ? q : null;
        metrics.query(e == null ? "success" : e.kind().label(), e == null || e.fromPrometheus(),
                (System.nanoTime() - started) / 1e9);
    }

    /** In our words: a library's message names the URL, which may carry credentials. */
    private static QueryException networkError(Throwable e) {
        Http.Kind kind = e instanceof Http.Failure f ? f.kind() : Http.Kind.NETWORK;
        return switch (kind) {
            case TIMEOUT -> new QueryException(Kind.TIMEOUT, null, "no answer from Prometheus in time");
            case TOO_LARGE -> new QueryException(Kind.BAD_RESPONSE, null, e.getMessage()
                    + " (prometheus.maxAnswerBytes): narrow the query", true);
            case NETWORK -> new QueryException(Kind.NETWORK, null, "cannot reach Prometheus: "
                    + (e instanceof Http.Failure ? e.getMessage() : Failures.describe(e)));
        };
    }
}
