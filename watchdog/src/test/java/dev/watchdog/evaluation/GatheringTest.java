package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.watchdog.config.WatchdogConfig;
import dev.watchdog.core.Release;
import dev.watchdog.judge.Observation;
import dev.watchdog.metrics.WatchdogMetrics;
import dev.watchdog.prometheus.PrometheusClient;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.rules.RuleSet;
import dev.watchdog.testing.FakePrometheus;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the state machine is given of a release while one of its queries stalls: a release whose
 * answers are all in gets them together at once; one that waits on the stalled query gets what is in
 * when the tick says it is late, and the stalled rule's observation on its own when it comes (here:
 * the query's deadline).
 */
class GatheringTest {

    static final Instant NOW = Instant.parse("2026-11-21T10:30:00Z");
    static final RuleSet RULES = RuleFixtures.ruleSet("""
            groups:
              - name: g
                rules:
                  - name: errors
                    signal: errors
                    expr: errors_total{service="{{service}}"}
                    p1: "> 100"
                  - name: latency
                    signal: latency
                    expr: latency_seconds{service="{{service}}"}
                    p1: "> 100"
            """);

    record Input(String release, Map<String, Observation> seen) {}

    static Vertx vertx;
    static FakePrometheus prometheus;

    @BeforeAll
    static void start() {
        vertx = Vertx.vertx();
        prometheus = new FakePrometheus(vertx).start();
        prometheus.answer("latency_seconds{service=\"svc-a\"", new FakePrometheus.Answer(200,
                FakePrometheus.value("1").body(), 5_000));
        prometheus.otherwise(q -> FakePrometheus.value("1"));
    }

    @AfterAll
    static void stop() {
        prometheus.close();
        vertx.close().await();
    }

    @Test
    @DisplayName("a stalled query holds up only the release that asked it, which goes on with what is in once late")
    void stalledQuery() {
        PrometheusClient client = new PrometheusClient(vertx, new WatchdogConfig.Prometheus(prometheus.url(),
                Duration.ofSeconds(2), Map.of(), 4), new WatchdogMetrics());
        Evaluator evaluator = new Evaluator(client, Duration.ofSeconds(15));
        List<Input> inputs = new CopyOnWriteArrayList<>();
        Promise<Boolean> done = Promise.promise();
        vertx.getOrCreateContext().runOnContext(x -> {
            Evaluator.Observing observing = evaluator.observe(RULES, List.of(subject("a"), subject("b")), NOW,
                    (id, seen) -> inputs.add(new Input(id, Map.copyOf(seen))), Future::succeededFuture);
            // Late once the quick answers are in (every query asked, only the stalled one open, svc-b's
            // rules sent), however long a loaded machine took for them; the stalled one ends at its 2 s deadline.
            vertx.setPeriodic(10, timer -> {
                if (prometheus.queries.size() >= 4 && prometheus.inFlight.get() == 1
                        && inputs.stream().anyMatch(i -> i.release().equals("rel-b"))) {
                    vertx.cancelTimer(timer);
                    vertx.setTimer(100, t -> observing.late());
                }
            });
            observing.done().onComplete(done);
        });

        assertEquals(false, done.future().await(), "not every query was answered");
        assertEquals(List.of("rel-b", "rel-a", "rel-a"), inputs.stream().map(Input::release).toList(), inputs.toString());
        assertEquals(new TreeSet<>(List.of("errors", "latency")), new TreeSet<>(inputs.get(0).seen().keySet()),
                "svc-b's rules together, at once");
        assertEquals(List.of("errors"), List.copyOf(inputs.get(1).seen().keySet()), "svc-a's quick rule once late");
        assertEquals(List.of("latency"), List.copyOf(inputs.get(2).seen().keySet()), "the stalled rule on its own");
        assertInstanceOf(Observation.Failed.class, inputs.get(2).seen().get("latency"));
    }

    @Test
    @DisplayName("a fleet's releases are looked at a group at a time, the next group once the last one's observations are taken in")
    void groups() {
        RuleSet select = RuleFixtures.ruleSet("""
                groups:
                  - name: g
                    rules:
                      - name: errors
                        signal: errors
                        expr: sum by (service) (errors_total)
                        select: {service: "{{service}}"}
                        p1: "> 100"
                """);
        PrometheusClient client = new PrometheusClient(vertx, new WatchdogConfig.Prometheus(prometheus.url(),
                Duration.ofSeconds(2), Map.of(), 4), new WatchdogMetrics());
        Evaluator evaluator = new Evaluator(client, Duration.ofSeconds(15));
        List<Evaluator.Subject> subjects = IntStream.range(0, Evaluator.GROUP + 1).mapToObj(i -> subject("s" + i)).toList();
        List<String> seen = new CopyOnWriteArrayList<>();
        List<Integer> drainedAt = new CopyOnWriteArrayList<>();
        Promise<Integer> firstAsked = Promise.promise();
        Promise<Void> firstDrained = Promise.promise();
        Promise<Boolean> done = Promise.promise();
        Context context = vertx.getOrCreateContext();
        context.runOnContext(x -> evaluator.observe(select, subjects, NOW, (id, in) -> seen.add(id), () -> {
            drainedAt.add(seen.size());
            firstAsked.tryComplete(seen.size());
            return drainedAt.size() == 1 ? firstDrained.future() : Future.succeededFuture();
        }).done().onComplete(done));

        assertEquals(Evaluator.GROUP, firstAsked.future().await(), "the first group's releases, all seen, before it is drained");
        assertEquals(Evaluator.GROUP, seen.size(), "nothing of the next group before the first is drained");
        context.runOnContext(x -> firstDrained.complete());
        assertEquals(true, done.future().await());
        assertEquals(List.of(Evaluator.GROUP, Evaluator.GROUP + 1), drainedAt);
        assertEquals(Evaluator.GROUP + 1, new TreeSet<>(seen).size(), "every release once");
        assertEquals(1, prometheus.queries.stream().filter(q -> q.contains("sum by (service) (errors_total)")).count(),
                "one query for both groups");
    }

    static Evaluator.Subject subject(String service) {
        Release r = Release.hypothetical("rel-" + service, "svc-" + service, "2.0", null, "prod", Map.of(),
                NOW.minus(Duration.ofMinutes(30)));
        return new Evaluator.Subject(r, Map.of(), name -> true, null);
    }
}
