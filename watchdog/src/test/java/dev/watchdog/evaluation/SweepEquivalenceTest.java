package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.config.ConfigLoader;
import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.machine.Context;
import dev.watchdog.machine.Input;
import dev.watchdog.machine.Machine;
import dev.watchdog.machine.Step;
import dev.watchdog.machine.Watch;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.prometheus.Query;
import dev.watchdog.prometheus.QueryException;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.testing.FakePrometheus;
import dev.watchdog.testing.MutableClock;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The tick's path (one sweep: each distinct query once, answers read as they stream and indexed by
 * the selected labels, every waiting rule judged in one pass) against a simple reference judge over
 * the same answers: Observer, one rule of one release at a time, every query sent on its own and read
 * into a JSON tree, a select rule's series found by a linear scan. Over guards, minimum traffic,
 * several offsets and a before-release baseline with an offset as its alternative, an onset, rules
 * judged from T+5m, a selection a release cannot render, a ratio and an SLO (which the sweep leaves to
 * Observer on the same batch), a failing query, NaN and no data, the observations and the releases
 * they step to are the same.
 */
class SweepEquivalenceTest {

    static final Instant NOW = Instant.parse("2026-11-21T10:30:00Z");
    static final Instant STARTED = NOW.minus(Duration.ofMinutes(30));
    static final Duration DAY = Duration.ofDays(1);

    static final RuleSet RULES = RuleFixtures.ruleSet("""
            groups:
              - name: fleet
                rules:
                  - name: errors
                    signal: errors
                    expr: sum by (service, environment) (rate(errors_total[5m]))
                    select: {service: "{{service}}", environment: "{{environment}}"}
                    guard: sum by (service, environment) (rate(req_guard[5m])) > 1
                    unit: ratio
                    p0: "> 0.05"
                    for: 2m
                    baseline: offset 1d, 7d
                    p1: "> +500%"
                  - name: traffic
                    signal: traffic
                    expr: sum by (service) (rate(traffic_rate[5m]))
                    select: {service: "{{service}}"}
                    minTraffic: {expr: 'sum by (service) (increase(traffic_increase[5m]))', atLeast: 100}
                    p1: "< 1"
                  - name: latency
                    signal: latency
                    expr: max(latency_p95{service="{{service}}"})
                    unit: seconds
                    baseline: before-release 1h or offset 1d
                    p1: "> +50%"
                    p0: "> 2"
                  - name: late
                    signal: business
                    expr: sum by (service) (orders_total)
                    select: {service: "{{service}}"}
                    after: 5m
                    noData: breach
                    p1: "< 1"
                  - name: ratio
                    signal: errors
                    expr: sum by (service) (rate(ratio_errors[5m]))
                    total: sum by (service) (rate(ratio_requests[5m]))
                    select: {service: "{{service}}"}
                    p1: "> 0.1"
                  - name: shop
                    signal: business
                    expr: sum by (shop) (shop_orders)
                    select: {shop: "{{shop}}"}
                    p1: "< 1"
                  - name: burn
                    signal: availability
                    slo:
                      objective: 99.9%
                      errors: sum(rate(slo_errors{service="{{service}}"}[{{window}}]))
                      total: sum(rate(slo_total{service="{{service}}"}[{{window}}]))
                  - name: broken
                    signal: errors
                    expr: broken_query{service="{{service}}"}
                    p1: "> 1"
            """);

    static Vertx vertx;
    static FakePrometheus prometheus;
    static PrometheusClient client;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx, new MutableClock(NOW)).start();
        client = new PrometheusClient(vertx, new WatchdogConfig.Prometheus(prometheus.url(), Duration.ofSeconds(5),
                Map.of(), 4), new WatchdogMetrics());
        // Series no release selects as well: another service's (svc-z), a known service in another environment.
        prometheus.answerAt("errors_total", t -> t.isBefore(NOW.minus(Duration.ofHours(12)))
                ? vector(Map.of(of("a", "prod"), "0.001", of("b", "prod"), "0.01", of("c", "prod"), "0.002"))
                : vector(Map.of(of("a", "prod"), "0.01", of("b", "prod"), "0.09", of("c", "prod"), "NaN",
                        of("d", "canary"), "0.02", of("z", "prod"), "0.5", of("a", "canary"), "0.7")));
        prometheus.answer("req_guard", vector(Map.of(of("a", "prod"), "5", of("b", "prod"), "5", of("c", "prod"), "5")));
        prometheus.answer("traffic_rate", vector(Map.of(svc("a"), "10", svc("b"), "0.5", svc("e"), "3", svc("z"), "40")));
        prometheus.answer("traffic_increase", vector(Map.of(svc("a"), "500", svc("b"), "50", svc("e"), "900")));
        prometheus.answer("latency_p95{service=\"svc-a\"", FakePrometheus.value("0.4"));
        prometheus.answer("latency_p95{service=\"svc-b\"", FakePrometheus.value("0.9"));
        prometheus.answer("latency_p95", FakePrometheus.value("0.3"));
        prometheus.answer("orders_total", vector(Map.of(svc("a"), "3", svc("c"), "0")));
        prometheus.answer("ratio_errors", vector(Map.of(svc("a"), "1", svc("b"), "5")));
        prometheus.answer("ratio_requests", vector(Map.of(svc("a"), "100", svc("b"), "10")));
        prometheus.answer("shop_orders", vector(Map.of(Map.of("shop", "x"), "0")));
        prometheus.answer("slo_errors", FakePrometheus.value("0.08"));
        prometheus.answer("slo_total", FakePrometheus.value("1"));
        prometheus.answer("broken_query", FakePrometheus.error(400, "bad_data", "parse error at char 3"));
    }

    @AfterAll
    static void stop() {
        prometheus.close();
        vertx.close().await();
    }

    static Map<String, String> of(String service, String environment) {
        return Map.of("service", "svc-" + service, "environment", environment);
    }

    static Map<String, String> svc(String service) {
        return Map.of("service", "svc-" + service);
    }

    static FakePrometheus.Answer vector(Map<Map<String, String>, String> values) {
        JsonArray result = new JsonArray();
        new TreeMap<>(values.entrySet().stream().collect(java.util.stream.Collectors.toMap(e -> e.getKey().toString(),
                e -> e))).values().forEach(e -> result.add(new JsonObject()
                .put("metric", new JsonObject(new HashMap<>(e.getKey()))).put("value", new JsonArray().add(1.7e9).add(e.getValue()))));
        return FakePrometheus.ok(new JsonObject().put("resultType", "vector").put("result", result));
    }

    /** The releases: one with a before-release baseline already known, one too young for {@code late}, one in a shop. */
    static List<Evaluator.Subject> subjects() {
        Map<String, RuleState> knownBaseline = Map.of("latency", new RuleState("latency", dev.watchdog.core.Outcome.OK,
                null, 0.4, 0.35, List.of(), List.of(new Series(Map.of(), 0.35)), null, STARTED, NOW.minusSeconds(60), null,
                null, null, NOW.minusSeconds(60), null, null));
        return List.of(subject("a", "prod", STARTED, Map.of(), knownBaseline), subject("b", "prod", STARTED, Map.of(), Map.of()),
                subject("c", "prod", STARTED, Map.of(), Map.of()), subject("d", "canary", STARTED, Map.of(), Map.of()),
                subject("e", "prod", NOW.minus(Duration.ofMinutes(2)), Map.of("shop", "x"), Map.of()));
    }

    static Evaluator.Subject subject(String service, String environment, Instant started, Map<String, String> labels,
                                     Map<String, RuleState> states) {
        Release r = Release.hypothetical("rel-" + service, "svc-" + service, "2.0", null, environment, labels, started);
        return new Evaluator.Subject(r, states, name -> true, null);
    }

    @Test
    @DisplayName("the sweep's observations and the releases they step to are the reference judge's, rule by rule")
    void sameAsTheReference() {
        Map<String, Map<String, Observation>> swept = sweep(subjects());
        Map<String, Map<String, Observation>> reference = reference(subjects());
        assertEquals(reference, swept);
        assertEquals(40, swept.values().stream().mapToInt(Map::size).sum(), "every rule of every release was observed");
        assertInstanceOf(Observation.Failed.class, swept.get("rel-a").get("shop"), "svc-a has no shop to select");
        assertInstanceOf(Observation.GuardNotMet.class, swept.get("rel-d").get("errors"), "svc-d's guard finds nothing");
        assertEquals(2, ((Observation.Values) swept.get("rel-b").get("errors")).onset().size(), "svc-b's P0 has its onsets");
        Machine machine = new Machine(new Context(new ConfigLoader(n -> null).parse("""
                prometheus: {url: "http://127.0.0.1:1"}
                rollback:
                  default: {webhook: {url: "http://127.0.0.1:1/rollback"}}
                """, "t.yml"), RULES));
        for (Evaluator.Subject s : subjects()) {
            Watch w = new Watch(s.release(), s.states(), null, null, null, List.of(), null);
            String id = s.release().id();
            assertEquals(machine.step(w, new Input.Observe(reference.get(id)), NOW),
                    machine.step(w, new Input.Observe(swept.get(id)), NOW), id);
        }
    }

    @Test
    @DisplayName("each distinct query is sent once for all releases; a select rule's is not sent per release")
    void eachQueryOnce() {
        int before = prometheus.queries.size();
        sweep(subjects());
        List<String> sent = prometheus.queries.subList(before, prometheus.queries.size());
        List<String> instant = sent.stream().filter(q -> !q.contains(" and on(")).toList();
        instant.forEach(q -> assertEquals(q.contains("errors_total") ? 3 : q.startsWith("max(latency_p95") ? 2 : 1,
                instant.stream().filter(q::equals).count(), "each query once at each time it is asked at (errors_total:"
                        + " now, a day and a week before; latency: now and a day before): " + q));
        assertEquals(1, instant.stream().filter(q -> q.contains("req_guard")).count(), sent.toString());
        assertEquals(3, instant.stream().filter(q -> q.contains("errors_total")).count(), "now, 1d and 7d: " + sent);
        assertEquals(List.of("svc-a", "svc-b"), sent.stream().filter(q -> q.contains(" and on(")).map(q -> q.replaceAll(
                ".*\"service\", \"(svc-.)\".*", "$1")).sorted().toList(), "each onset's range narrowed by Prometheus to its release");
    }

    @Test
    @DisplayName("a release's observations go to the machine together, in one input, once all its due rules are seen")
    void oneInputPerRelease() {
        Map<String, List<Integer>> inputs = new ConcurrentHashMap<>();
        sweep(subjects(), (id, seen) -> inputs.computeIfAbsent(id, k -> new java.util.concurrent.CopyOnWriteArrayList<>())
                .add(seen.size()));
        subjects().forEach(s -> assertEquals(List.of(RULES.forRelease(s.release()).rules().size()),
                inputs.get(s.release().id()), s.release().id()));
    }

    @Test
    @DisplayName("a registration's look sees what a first tick sees, its select queries narrowed by Prometheus to the release")
    void beforeIsNarrowed() {
        Evaluator evaluator = new Evaluator(client, Duration.ofSeconds(15));
        for (Evaluator.Subject s : subjects()) {
            Evaluator.Subject fresh = new Evaluator.Subject(s.release(), Map.of(), name -> true, null);
            int before = prometheus.queries.size();
            Promise<Map<String, Observation>> seen = Promise.promise();
            vertx.getOrCreateContext().runOnContext(x -> evaluator.before(RULES, s.release(), NOW).onComplete(seen));
            Map<String, Map<String, Observation>> looked = sorted(Map.of(s.release().id(), seen.future().await()));
            List<String> sent = List.copyOf(prometheus.queries.subList(before, prometheus.queries.size()));
            assertEquals(reference(List.of(fresh)), looked, s.release().id());
            sent.stream().filter(q -> q.contains(" by (")).forEach(q -> assertTrue(q.contains(" and on("),
                    "a select rule's query narrowed to " + s.release().service() + ": " + q));
        }
    }

    /** The tick's path, on a context of its own as the daemon's tick runs. */
    static Map<String, Map<String, Observation>> sweep(List<Evaluator.Subject> subjects) {
        Map<String, Map<String, Observation>> seen = new ConcurrentHashMap<>();
        sweep(subjects, (id, in) -> seen.computeIfAbsent(id, k -> new ConcurrentHashMap<>()).putAll(in));
        return sorted(seen);
    }

    static void sweep(List<Evaluator.Subject> subjects, Evaluator.Sink sink) {
        Evaluator evaluator = new Evaluator(client, Duration.ofSeconds(15));
        Promise<Boolean> done = Promise.promise();
        vertx.getOrCreateContext().runOnContext(x -> evaluator.observe(RULES, subjects, NOW, sink, Future::succeededFuture).done().onComplete(done));
        done.future().await();
    }

    /** The reference: Observer, rule by rule, over queries sent one by one and read into JSON trees. */
    static Map<String, Map<String, Observation>> reference(List<Evaluator.Subject> subjects) {
        Map<String, Map<String, Observation>> seen = new HashMap<>();
        Query query = new TreeQuery();
        for (Evaluator.Subject s : subjects) {
            for (Rule rule : RULES.forRelease(s.release()).rules()) {
                RuleState prev = s.states().getOrDefault(rule.name(), RuleState.initial(rule.name(), s.release().startedAt()));
                Observation o = Observer.observe(rule, s.release(), prev, query, NOW).await();
                seen.computeIfAbsent(s.release().id(), k -> new HashMap<>()).put(rule.name(), o);
            }
        }
        return sorted(seen);
    }

    static Map<String, Map<String, Observation>> sorted(Map<String, Map<String, Observation>> seen) {
        Map<String, Map<String, Observation>> out = new TreeMap<>();
        seen.forEach((id, rules) -> out.put(id, new TreeMap<>(rules)));
        return out;
    }

    /** Prometheus's HTTP API asked with the JDK's client, each answer read whole into a JSON tree. */
    static final class TreeQuery implements Query {
        private final HttpClient http = HttpClient.newHttpClient();

        @Override
        public Future<List<Series>> at(String promql, Instant time) {
            try {
                JsonObject data = data("/api/v1/query?query=" + encode(promql) + "&time=" + time.toEpochMilli() / 1000.0);
                List<Series> out = new ArrayList<>();
                if ("scalar".equals(data.getString("resultType"))) {
                    return Future.succeededFuture(List.of(new Series(Map.of(), value(data.getJsonArray("result")))));
                }
                data.getJsonArray("result").forEach(o -> {
                    JsonObject sample = (JsonObject) o;
                    out.add(new Series(labels(sample), value(sample.getJsonArray("value"))));
                });
                return Future.succeededFuture(out);
            } catch (QueryException e) {
                return Future.failedFuture(e);
            }
        }

        @Override
        public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
            JsonObject data = data("/api/v1/query_range?query=" + encode(promql) + "&start=" + start.toEpochMilli() / 1000.0
                    + "&end=" + end.toEpochMilli() / 1000.0 + "&step=" + step.toMillis() / 1000.0);
            Map<Instant, List<Series>> out = new LinkedHashMap<>();
            data.getJsonArray("result").forEach(o -> {
                JsonObject series = (JsonObject) o;
                series.getJsonArray("values").forEach(p -> {
                    JsonArray pair = (JsonArray) p;
                    out.computeIfAbsent(Instant.ofEpochMilli(Math.round(pair.getDouble(0) * 1000)), k -> new ArrayList<>())
                            .add(new Series(labels(series), value(pair)));
                });
            });
            return Future.succeededFuture(out);
        }

        private JsonObject data(String pathAndQuery) {
            try {
                HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(prometheus.url() + pathAndQuery)).build(),
                        HttpResponse.BodyHandlers.ofString());
                JsonObject body = new JsonObject(r.body());
                if ("error".equals(body.getString("status"))) {
                    throw new QueryException(QueryException.Kind.API, body.getString("errorType"),
                            body.getString("errorType") + ": " + body.getString("error"));
                }
                return body.getJsonObject("data");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }

        private static Map<String, String> labels(JsonObject sample) {
            Map<String, String> labels = new HashMap<>();
            sample.getJsonObject("metric", new JsonObject()).forEach(e -> labels.put(e.getKey(), String.valueOf(e.getValue())));
            return labels;
        }

        private static double value(JsonArray pair) {
            String text = pair.getString(1);
            return text.equals("NaN") ? Double.NaN : Double.parseDouble(text);
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }
    }
}
