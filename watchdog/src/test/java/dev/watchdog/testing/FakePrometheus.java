package dev.watchdog.testing;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/** A stand-in for Prometheus's {@code /api/v1/query}: answers from a function of the query, records what it was asked. */
public final class FakePrometheus {

    /** One canned answer: HTTP status and body, possibly after a delay. */
    public record Answer(int status, String body, long delayMillis) {}

    public final List<String> queries = new CopyOnWriteArrayList<>();
    /** Every query with when it arrived, and the path it came to (a prefix before /api/v1 tells clients apart). */
    public final List<Asked> asked = new CopyOnWriteArrayList<>();

    /** A query, when it arrived, and its path. */
    public record Asked(java.time.Instant at, String query, String path) {}
    public final AtomicInteger inFlight = new AtomicInteger();
    public final AtomicInteger maxInFlight = new AtomicInteger();
    /** Answers by fragment, each in force from the time it was set. */
    private final Map<String, List<Since>> byQuery = new ConcurrentHashMap<>();
    private final AtomicLong lastAsked = new AtomicLong(Long.MIN_VALUE);
    private final Map<String, Function<java.time.Instant, Answer>> byQueryAndTime = new ConcurrentHashMap<>();
    private volatile Function<String, Answer> fallback = q -> vector(Map.of(), "1");
    private final Vertx vertx;
    private final Clock clock;
    private HttpServer server;

    public FakePrometheus(Vertx vertx) {
        this(vertx, null);
    }

    /** With the test's clock, an answer holds after the clock's time when it is set. */
    public FakePrometheus(Vertx vertx, Clock clock) {
        this.vertx = vertx;
        this.clock = clock;
    }

    public FakePrometheus start() {
        server = vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").await();
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.actualPort();
    }

    /** An answer and the time from which it holds. */
    private record Since(long fromMillis, Answer answer) {}

    /**
     * Answers queries that contain {@code fragment} with {@code answer}, as a series would that
     * changed now (the test's clock; without one, just after the latest time asked about): a range
     * query sees the earlier answer before then, and the first answer before it was set, as if the
     * series had always been so.
     */
    public void answer(String fragment, Answer answer) {
        long now = clock == null ? lastAsked.get() + 1 : clock.millis();
        byQuery.computeIfAbsent(fragment, f -> new CopyOnWriteArrayList<>()).add(new Since(now, answer));
    }

    /** Answers queries that contain {@code fragment} by the time they are asked at (baselines look back). */
    public void answerAt(String fragment, Function<java.time.Instant, Answer> byTime) {
        byQueryAndTime.put(fragment, byTime);
    }

    /** Answers every other query with {@code answer}. */
    public void otherwise(Function<String, Answer> answer) {
        fallback = answer;
    }

    public void close() {
        server.close().await();
    }

    private Answer answer(String query, Instant time) {
        return byQueryAndTime.entrySet().stream().filter(e -> query.contains(e.getKey()))
                .map(e -> e.getValue().apply(time)).findFirst()
                .orElseGet(() -> byQuery.entrySet().stream().filter(e -> query.contains(e.getKey()))
                        .map(e -> at(e.getValue(), time.toEpochMilli())).findFirst().orElseGet(() -> fallback.apply(query)));
    }

    private static Answer at(List<Since> history, long millis) {
        Answer answer = history.get(0).answer();
        for (Since since : history) {
            if (since.fromMillis() <= millis) {
                answer = since.answer();
            }
        }
        return answer;
    }

    /** A range query answered as the instant answers at each step would be: each series with its labels. */
    private Answer range(String query, long startMillis, long endMillis, long stepMillis) {
        Map<JsonObject, JsonArray> bySeries = new java.util.LinkedHashMap<>();
        for (long t = startMillis; t <= endMillis; t += stepMillis) {
            JsonObject data = new JsonObject(answer(query, Instant.ofEpochMilli(t)).body()).getJsonObject("data");
            JsonArray samples = data == null ? new JsonArray() : data.getJsonArray("result", new JsonArray());
            for (int i = 0; i < samples.size(); i++) {
                JsonObject sample = samples.getJsonObject(i);
                bySeries.computeIfAbsent(sample.getJsonObject("metric", new JsonObject()), m -> new JsonArray())
                        .add(new JsonArray().add(t / 1000.0).add(sample.getJsonArray("value").getString(1)));
            }
        }
        JsonArray result = new JsonArray();
        bySeries.forEach((metric, values) -> result.add(new JsonObject().put("metric", metric).put("values", values)));
        return ok(new JsonObject().put("resultType", "matrix").put("result", result));
    }

    private static long seconds(String text) {
        return Math.round(Double.parseDouble(text) * 1000);
    }

    public static Answer vector(Map<String, String> labels, String... values) {
        JsonArray result = new JsonArray();
        for (int i = 0; i < values.length; i++) {
            JsonObject metric = new JsonObject();
            labels.forEach(metric::put);
            if (values.length > 1) {
                metric.put("pod", "p" + i);
            }
            result.add(new JsonObject().put("metric", metric).put("value", new JsonArray().add(1.7e9).add(values[i])));
        }
        return ok(new JsonObject().put("resultType", "vector").put("result", result));
    }

    public static Answer value(String value) {
        return vector(Map.of(), value);
    }

    public static Answer empty() {
        return vector(Map.of());
    }

    public static Answer ok(JsonObject data) {
        return new Answer(200, new JsonObject().put("status", "success").put("data", data).encode(), 0);
    }

    public static Answer error(int status, String type, String message) {
        return new Answer(status, new JsonObject().put("status", "error").put("errorType", type).put("error", message).encode(), 0);
    }

    private void handle(HttpServerRequest request) {
        String query = request.getParam("query");
        queries.add(query);
        asked.add(new Asked(java.time.Instant.now(), query, request.path()));
        boolean range = request.path().endsWith("/query_range");
        long time = seconds(request.getParam(range ? "end" : "time"));
        Answer answer = range ? range(query, seconds(request.getParam("start")), time, seconds(request.getParam("step")))
                : answer(query, Instant.ofEpochMilli(time));
        lastAsked.accumulateAndGet(time, Math::max);
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        Runnable reply = () -> {
            inFlight.decrementAndGet();
            request.response().setStatusCode(answer.status()).putHeader("Content-Type", "application/json").end(answer.body());
        };
        if (answer.delayMillis() > 0) {
            vertx.setTimer(answer.delayMillis(), t -> reply.run());
        } else {
            reply.run();
        }
    }
}
