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
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Instant queries over the Prometheus HTTP API ({@code GET /api/v1/query}). */
public final class PrometheusClient {

    /**
     * Answers larger than this are parsed on a worker thread. A fleet's select answer holds a series
     * per service (about 1 MB for 10,000) and takes tens of milliseconds to parse: time the event
     * loop owes the API and /metrics, and that the other cores can share.
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
        return limiter.submit(() -> send(promql, time));
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
                .compose(PrometheusClient::parseRange)
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

    static Future<Map<Instant, List<Series>>> parseRange(Http.Response response) {
        return parseData(response).compose(data -> {
            if (!"matrix".equals(data.getString("resultType"))) {
                return Future.failedFuture(new QueryException(Kind.BAD_RESPONSE, null,
                        "a range query returned a " + data.getString("resultType"), true));
            }
            Map<Instant, List<Series>> out = new HashMap<>();
            for (Object item : data.getJsonArray("result")) {
                JsonObject series = (JsonObject) item;
                Map<String, String> labels = new HashMap<>();
                series.getJsonObject("metric", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
                for (Object point : series.getJsonArray("values")) {
                    JsonArray pair = (JsonArray) point;
                    Instant at = Instant.ofEpochMilli(Math.round(pair.getDouble(0) * 1000));
                    out.computeIfAbsent(at, k -> new ArrayList<>()).add(new Series(labels, value(pair)));
                }
            }
            return Future.succeededFuture(out);
        });
    }

    /** A batch for one tick: identical queries at that tick's time are sent once. */
    public Batch batch(Instant time) {
        return new Batch(time);
    }

    private Future<List<Series>> send(String promql, Instant time) {
        long started = System.nanoTime();
        Http.Request request = request("/api/v1/query").query("query", promql)
                .query("time", String.valueOf(time.toEpochMilli() / 1000.0));
        return http.send(request)
                .recover(e -> Future.failedFuture(networkError(e)))
                .compose(this::parseAside)
                .andThen(ar -> recordQuery(ar.cause(), started));
    }

    private Future<List<Series>> parseAside(Http.Response response) {
        Buffer body = response.body();
        return body.length() <= PARSED_ASIDE ? parse(response)
                : vertx.executeBlocking(() -> parse(response), false).compose(parsed -> parsed);
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

    static Future<List<Series>> parse(Http.Response response) {
        return parseData(response).compose(data -> {
            try {
                return Future.succeededFuture(series(data));
            } catch (RuntimeException e) {
                return Future.failedFuture(new QueryException(Kind.BAD_RESPONSE, null, e.getMessage(), true));
            }
        });
    }

    /** The {@code data} of a successful answer; Prometheus's own errors and foreign answers told apart. */
    private static Future<JsonObject> parseData(Http.Response response) {
        JsonObject body;
        try {
            body = response.body().toJsonObject();
        } catch (DecodeException | ClassCastException e) {
            body = null;
        }
        // The API's status is the string "success" or "error"; another server's JSON (Spring's error page) has a number.
        Object status = body == null ? null : body.getValue("status");
        if (body == null || (!"success".equals(status) && !"error".equals(status))) {
            return Future.failedFuture(new QueryException(Kind.BAD_RESPONSE, null,
                    "HTTP " + response.status() + " without a Prometheus API body"));
        }
        if ("error".equals(status)) {
            return Future.failedFuture(new QueryException(Kind.API, body.getString("errorType"),
                    body.getString("errorType") + ": " + body.getString("error")));
        }
        List<String> warnings = warnings(body);
        return warnings.isEmpty() ? Future.succeededFuture(body.getJsonObject("data"))
                : Future.failedFuture(new PartialData(warnings));
    }

    /** The answer's {@code warnings}, as text; none when there are none or they are not a list. */
    private static List<String> warnings(JsonObject body) {
        Object warnings = body.getValue("warnings");
        if (!(warnings instanceof JsonArray list) || list.isEmpty()) {
            return List.of();
        }
        return list.stream().map(String::valueOf).toList();
    }

    private static List<Series> series(JsonObject data) {
        String type = data.getString("resultType");
        if ("scalar".equals(type)) {
            return List.of(new Series(Map.of(), value(data.getJsonArray("result"))));
        }
        if (!"vector".equals(type)) {
            throw new IllegalArgumentException("the query returned a " + type + "; rules need an instant vector or a scalar");
        }
        List<Series> out = new ArrayList<>();
        for (Object item : data.getJsonArray("result")) {
            JsonObject sample = (JsonObject) item;
            Map<String, String> labels = new HashMap<>();
            sample.getJsonObject("metric", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            out.add(new Series(labels, value(sample.getJsonArray("value"))));
        }
        return out;
    }

    /** Prometheus writes values as strings, including {@code NaN}, {@code +Inf} and {@code -Inf}. */
    static double value(JsonArray pair) {
        String text = pair.getString(1);
        return switch (text) {
            case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    /**
     * The queries of one tick, each distinct one sent once; a {@code select} rule's answer is indexed
     * once by the selected labels, so that each release finds its series without a scan. Use from one
     * context only.
     */
    public final class Batch implements Query {
        private final Instant time;
        private final Map<QueryKey, Future<List<Series>>> sent = new HashMap<>();
        private final Map<IndexKey, Future<Map<List<String>, List<Series>>>> indexes = new HashMap<>();

        private Batch(Instant time) {
            this.time = time;
        }

        public Future<List<Series>> query(String promql) {
            return query(promql, time);
        }

        @Override
        public Future<List<Series>> at(String promql, Instant at) {
            return query(promql, at);
        }

        /** The range before a breach (its onset), not deduplicated: asked once per rule and breach. */
        @Override
        public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
            return queryRange(promql, start, end, step);
        }

        /** A query at another time than the tick's (a baseline): deduplicated all the same. */
        public Future<List<Series>> query(String promql, Instant at) {
            return sent.computeIfAbsent(new QueryKey(promql, at), q -> PrometheusClient.this.query(promql, at));
        }

        @Override
        public Future<List<Series>> selected(String promql, Instant at, Selection.Selector selector) {
            Future<Map<List<String>, List<Series>>> index = indexes.computeIfAbsent(
                    new IndexKey(promql, at, selector.labels()),
                    k -> query(promql, at).map(series -> Selection.index(series, selector.labels())));
            return index.map(byKey -> byKey.getOrDefault(selector.values(), List.of()));
        }

        /** A query at a time. */
        private record QueryKey(String promql, Instant at) {}

        /** A query's answer indexed by the values of some labels. */
        private record IndexKey(String promql, Instant at, List<String> labels) {}

        /** How many distinct queries were sent. */
        public int size() {
            return sent.size();
        }
    }
}
