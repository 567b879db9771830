package dev.watchdog.prometheus;

import static dev.watchdog.testing.FakePrometheus.error;
import static dev.watchdog.testing.FakePrometheus.ok;
import static dev.watchdog.testing.FakePrometheus.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Series;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.testing.FakePrometheus;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PrometheusClientTest {

    static Vertx vertx;
    static FakePrometheus prometheus;
    static final Instant NOW = Instant.parse("2026-11-21T10:00:00Z");
    final WatchdogMetrics metrics = new WatchdogMetrics();

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx).start();
    }

    @AfterAll
    static void stop() {
        prometheus.close();
        vertx.close().await();
    }

    PrometheusClient client(int maxConcurrency, Duration timeout) {
        return new PrometheusClient(vertx,
                new WatchdogConfig.Prometheus(prometheus.url(), timeout, Map.of(), maxConcurrency), metrics);
    }

    List<Series> query(String q) {
        return client(4, Duration.ofSeconds(5)).query(q, NOW).await();
    }

    QueryException failure(String q, Duration timeout) {
        return assertThrows(QueryException.class, () -> client(4, timeout).query(q, NOW).await());
    }

    @Test
    @DisplayName("a vector comes back as series with labels; the query is sent with its time")
    void vector() {
        prometheus.answer("vector_q", FakePrometheus.vector(Map.of("job", "api"), "0.25", "0.5"));
        List<Series> series = query("vector_q");
        assertEquals(2, series.size());
        assertEquals(0.25, series.get(0).value());
        assertEquals("api", series.get(0).labels().get("job"));
        assertTrue(prometheus.queries.contains("vector_q"));
    }

    @Test
    @DisplayName("a scalar comes back as one series without labels")
    void scalar() {
        prometheus.answer("scalar_q", ok(new JsonObject().put("resultType", "scalar")
                .put("result", new JsonArray().add(1.7e9).add("42"))));
        assertEquals(List.of(new Series(Map.of(), 42)), query("scalar_q"));
    }

    @Test
    @DisplayName("NaN, +Inf and -Inf, as Prometheus writes them, are read")
    void specialValues() {
        prometheus.answer("special_q", FakePrometheus.vector(Map.of(), "NaN", "+Inf", "-Inf"));
        List<Series> series = query("special_q");
        assertTrue(Double.isNaN(series.get(0).value()));
        assertEquals(Double.POSITIVE_INFINITY, series.get(1).value());
        assertEquals(Double.NEGATIVE_INFINITY, series.get(2).value());
    }

    @Test
    @DisplayName("values as Go's strconv writes them are read to the last bit")
    void numbers() {
        List<String> texts = List.of("0", "-0.25", "1.5e-05", "2.5e+06", "0.30000000000000004", "1.7976931348623157e+308",
                "4.9e-324", "123456789012345678");
        prometheus.answer("numbers_q", FakePrometheus.vector(Map.of(), texts.toArray(String[]::new)));
        List<Series> series = query("numbers_q");
        for (int i = 0; i < texts.size(); i++) {
            assertEquals(Double.parseDouble(texts.get(i)), series.get(i).value(), 0.0, texts.get(i));
        }
    }

    @Test
    @DisplayName("an empty result is no data, not an error")
    void empty() {
        prometheus.answer("empty_q", FakePrometheus.empty());
        assertEquals(List.of(), query("empty_q"));
    }

    @Test
    @DisplayName("Prometheus's own errors keep their errorType, apart from network errors")
    void apiErrors() {
        prometheus.answer("bad_q", error(400, "bad_data", "parse error at char 3"));
        prometheus.answer("exec_q", error(422, "execution", "many-to-many matching not allowed"));
        prometheus.answer("slow_q", error(503, "timeout", "query timed out in expression evaluation"));
        QueryException bad = failure("bad_q", Duration.ofSeconds(5));
        assertEquals(QueryException.Kind.API, bad.kind());
        assertEquals("bad_data", bad.errorType());
        assertEquals("bad_data: parse error at char 3", bad.getMessage());
        assertEquals("execution", failure("exec_q", Duration.ofSeconds(5)).errorType());
        assertEquals("timeout", failure("slow_q", Duration.ofSeconds(5)).errorType());
    }

    @Test
    @DisplayName("a range vector, a non-API answer, a timeout and a refused connection are each told apart")
    void otherFailures() {
        prometheus.answer("matrix_q", ok(new JsonObject().put("resultType", "matrix").put("result", new JsonArray())));
        prometheus.answer("proxy_q", new FakePrometheus.Answer(502, "<html>bad gateway</html>", 0));
        prometheus.answer("hang_q", new FakePrometheus.Answer(200, "{}", 2_000));
        assertEquals(QueryException.Kind.BAD_RESPONSE, failure("matrix_q", Duration.ofSeconds(5)).kind());
        QueryException proxy = failure("proxy_q", Duration.ofSeconds(5));
        assertEquals(QueryException.Kind.BAD_RESPONSE, proxy.kind());
        assertEquals("HTTP 502 without a Prometheus API body", proxy.getMessage());
        assertEquals(QueryException.Kind.TIMEOUT, failure("hang_q", Duration.ofMillis(200)).kind());
        PrometheusClient nowhere = new PrometheusClient(vertx,
                new WatchdogConfig.Prometheus("http://127.0.0.1:1", Duration.ofSeconds(2), Map.of(), 1), metrics);
        QueryException refused = assertThrows(QueryException.class, () -> nowhere.query("up", NOW).await());
        assertEquals(QueryException.Kind.NETWORK, refused.kind());
        String text = metrics.scrape();
        assertTrue(text.contains("watchdog_prometheus_queries_total{outcome=\"timeout\"} 1.0"), text);
        assertTrue(text.contains("watchdog_prometheus_queries_total{outcome=\"network\"} 1.0"), text);
    }

    @Test
    @DisplayName("a JSON error page of another server (numeric status, as Spring's) is a bad response, counted as such")
    void foreignJsonError() {
        prometheus.answer("spring_q", new FakePrometheus.Answer(404, new JsonObject().put("timestamp", "2026-11-21T10:00:00Z")
                .put("status", 404).put("error", "Not Found").put("path", "/api/v1/query").encode(), 0));
        QueryException e = failure("spring_q", Duration.ofSeconds(5));
        assertEquals(QueryException.Kind.BAD_RESPONSE, e.kind());
        assertEquals("HTTP 404 without a Prometheus API body", e.getMessage());
        assertTrue(metrics.scrape().contains("watchdog_prometheus_up 0.0"), metrics.scrape());
    }

    @Test
    @DisplayName("watchdog_prometheus_up: 1 after Prometheus's own error or an answer of the wrong shape, 0 after a proxy's page")
    void upOnlyWhenPrometheusAnswers() {
        prometheus.answer("up_proxy", new FakePrometheus.Answer(502, "<html>bad gateway</html>", 0));
        prometheus.answer("up_exec", error(422, "execution", "boom"));
        prometheus.answer("up_matrix", ok(new JsonObject().put("resultType", "matrix").put("result", new JsonArray())));
        failure("up_proxy", Duration.ofSeconds(5));
        assertTrue(metrics.scrape().contains("watchdog_prometheus_up 0.0"), metrics.scrape());
        failure("up_exec", Duration.ofSeconds(5));
        assertTrue(metrics.scrape().contains("watchdog_prometheus_up 1.0"), metrics.scrape());
        failure("up_proxy", Duration.ofSeconds(5));
        failure("up_matrix", Duration.ofSeconds(5));
        assertTrue(metrics.scrape().contains("watchdog_prometheus_up 1.0"), metrics.scrape());
    }

    /** Runs {@code submit} on an event loop, as the daemon asks, and returns once it has. */
    private void onEventLoop(Runnable submit) {
        io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
        vertx.runOnContext(x -> {
            submit.run();
            done.complete();
        });
        done.future().await();
    }

    @Test
    @DisplayName("identical queries in one batch are sent once; distinct ones each once")
    void batchDeduplicates() {
        prometheus.answer("dedup_", value("1"));
        Batch batch = client(4, Duration.ofSeconds(5)).batch(NOW);
        List<Future<List<Series>>> all = new ArrayList<>();
        onEventLoop(() -> {
            for (int i = 0; i < 10; i++) {
                all.add(batch.query("dedup_a"));
                all.add(batch.query("dedup_b"));
            }
        });
        Future.all(all).await();
        assertEquals(1, prometheus.queries.stream().filter("dedup_a"::equals).count());
        assertEquals(1, prometheus.queries.stream().filter("dedup_b"::equals).count());
    }

    @Test
    @DisplayName("no more than maxConcurrency queries are in flight at once")
    void bounded() {
        FakePrometheus own = new FakePrometheus(vertx).start();
        own.answer("held_", new FakePrometheus.Answer(200, value("1").body(), 100));
        PrometheusClient client = new PrometheusClient(vertx,
                new WatchdogConfig.Prometheus(own.url(), Duration.ofSeconds(5), Map.of(), 3), metrics);
        List<Future<List<Series>>> all = new ArrayList<>();
        onEventLoop(() -> {
            for (int i = 0; i < 12; i++) {
                all.add(client.query("held_" + i, NOW));
            }
        });
        Future.all(all).await();
        assertEquals(3, own.maxInFlight.get());
        assertEquals(12, own.queries.size());
        own.close();
    }

    @Test
    @DisplayName("maxConcurrency above Vert.x's default pool of 5 connections is reached: 8 queries in flight at once")
    void poolSizedFromMaxConcurrency() {
        FakePrometheus own = new FakePrometheus(vertx).start();
        own.answer("pool_", new FakePrometheus.Answer(200, value("1").body(), 200));
        PrometheusClient client = new PrometheusClient(vertx,
                new WatchdogConfig.Prometheus(own.url(), Duration.ofSeconds(5), Map.of(), 8), metrics);
        List<Future<List<Series>>> all = new ArrayList<>();
        onEventLoop(() -> {
            for (int i = 0; i < 16; i++) {
                all.add(client.query("pool_" + i, NOW));
            }
        });
        Future.all(all).await();
        assertEquals(8, own.maxInFlight.get());
        own.close();
    }

    @Test
    @DisplayName("an answer with warnings (partial data) is not taken as data: its warnings, sanitized, and a count in the metric")
    void warnings() {
        JsonObject body = new JsonObject(FakePrometheus.value("3").body()).put("warnings", new JsonArray()
                .add("store http://user:secret@thanos-store:10901/api?token=abc unreachable:\n partial response")
                .add("x".repeat(400)));
        prometheus.answer("partial_q", new FakePrometheus.Answer(200, body.encode(), 0));
        PartialData e = assertThrows(PartialData.class, () -> client(4, Duration.ofSeconds(5)).query("partial_q", NOW).await());
        assertTrue(e.getMessage().startsWith("partial data from Prometheus: store http://thanos-store:10901/api unreachable: "
                + "partial response; xxx"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret") && !e.getMessage().contains("token"), e.getMessage());
        assertTrue(e.getMessage().length() <= "partial data from Prometheus: ".length() + PartialData.MAX_LENGTH, e.getMessage());
        String text = metrics.scrape();
        assertTrue(text.contains("watchdog_prometheus_warnings_total 1.0"), text);
        assertTrue(text.contains("watchdog_prometheus_queries_total{outcome=\"success\"} 1.0"), text);
    }

    @Test
    @DisplayName("a fleet's answer (over 64 KiB, parsed on a worker) comes back whole; a large one with warnings is partial data")
    void largeAnswers() {
        JsonArray result = new JsonArray();
        for (int i = 0; i < 3000; i++) {
            result.add(new JsonObject().put("metric", new JsonObject().put("service", "svc-" + i).put("environment", "prod"))
                    .put("value", new JsonArray().add(1.7e9).add(String.valueOf(i / 1000.0))));
        }
        JsonObject body = new JsonObject(ok(new JsonObject().put("resultType", "vector").put("result", result)).body());
        assertTrue(body.encode().length() > PrometheusClient.PARSED_ASIDE, "the answer is large enough to be parsed aside");
        prometheus.answer("fleet_q", new FakePrometheus.Answer(200, body.encode(), 0));
        List<Series> series = query("fleet_q");
        assertEquals(3000, series.size());
        assertEquals(new Series(Map.of("service", "svc-2999", "environment", "prod"), 2.999), series.get(2999));
        prometheus.answer("fleet_warned_q", new FakePrometheus.Answer(200, body.put("warnings", new JsonArray()
                .add("one store did not answer")).encode(), 0));
        PartialData e = assertThrows(PartialData.class, () -> query("fleet_warned_q"));
        assertEquals("partial data from Prometheus: one store did not answer", e.getMessage());
    }

    @Test
    @DisplayName("a select answer indexed for the releases judged here keeps their series alone; another's is passed over unread")
    void indexedForWanted() {
        JsonArray result = new JsonArray();
        for (String service : List.of("ours", "theirs", "ours-too")) {
            // Another replica's series is never read past its labels: not even a value that is no number.
            String value = service.equals("theirs") ? "not a number" : "0.5";
            result.add(new JsonObject().put("metric", new JsonObject().put("service", service).put("job", "api"))
                    .put("value", new JsonArray().add(1.7e9).add(value)));
        }
        result.add(new JsonObject().put("metric", new JsonObject().put("job", "worker").put("service", "ours"))
                .put("value", new JsonArray().add(1.7e9).add("2")));
        prometheus.answer("indexed_q", ok(new JsonObject().put("resultType", "vector").put("result", result)));
        Batch batch = client(4, Duration.ofSeconds(5)).batch(NOW);
        List<String> labels = List.of("service");
        List<String> ours = List.of("ours");
        List<String> oursToo = List.of("ours-too");
        batch.want(labels, List.of(ours, oursToo, List.of("not in the answer")));
        List<Future<Indexed>> answer = new ArrayList<>();
        onEventLoop(() -> answer.add(batch.indexed("indexed_q", NOW, labels)));
        Indexed indexed = answer.get(0).await();
        assertEquals(List.of(new Series(Map.of("job", "api"), 0.5), new Series(Map.of("job", "worker"), 2)),
                indexed.get(ours));
        assertEquals(List.of(new Series(Map.of("job", "api"), 0.5)), indexed.get(oursToo));
        assertEquals(List.of(), indexed.get(List.of("theirs")));
        assertEquals(List.of(), indexed.get(List.of("not in the answer")));

        // A batch told no wanted keys for these labels keeps every key (the tick always tells it).
        prometheus.answer("open_q", FakePrometheus.vector(Map.of("service", "any"), "1", "2"));
        Batch open = client(4, Duration.ofSeconds(5)).batch(NOW);
        List<Future<Indexed>> all = new ArrayList<>();
        onEventLoop(() -> all.add(open.indexed("open_q", NOW, labels)));
        assertEquals(List.of(new Series(Map.of("pod", "p0"), 1), new Series(Map.of("pod", "p1"), 2)),
                all.get(0).await().get(List.of("any")));

        prometheus.answer("unreadable_q", ok(new JsonObject().put("resultType", "vector").put("result", new JsonArray()
                .add(new JsonObject().put("metric", new JsonObject().put("service", "ours"))
                        .put("value", new JsonArray().add(1.7e9).add("not a number"))))));
        List<Future<Indexed>> unreadable = new ArrayList<>();
        onEventLoop(() -> unreadable.add(batch.indexed("unreadable_q", NOW, labels)));
        QueryException e = assertThrows(QueryException.class, () -> unreadable.get(0).await());
        assertEquals(QueryException.Kind.BAD_RESPONSE, e.kind());
    }
}
