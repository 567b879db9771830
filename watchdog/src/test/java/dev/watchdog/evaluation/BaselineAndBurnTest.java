package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Release;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation.Burn;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.rules.Slo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BaselineAndBurnTest {

    static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

    static final Rule LATENCY = RuleFixtures.rule("""
            name: latency-vs-baseline
            signal: latency
            expr: p95{service="{{service}}"}
            unit: seconds
            baseline: before-release
            p1: "> +10%"
            p0: "> 2"
            """);

    static RuleState judge(Rule rule, List<Series> now, List<Series> baseline) {
        return Judge.judge(rule, RuleState.initial(rule.name(), START), Values.against(now, "before-release", baseline), START, START);
    }

    static List<Series> one(double v) {
        return List.of(new Series(Map.of(), v));
    }

    @Test
    @DisplayName("+30 % over the baseline breaches '> +10%'; +5 % does not; the baseline is kept beside the value")
    void relative() {
        RuleState breached = judge(LATENCY, one(0.26), one(0.2));
        assertEquals(Outcome.P1, breached.outcome());
        assertEquals(0.2, breached.baseline());
        assertEquals(Outcome.OK, judge(LATENCY, one(0.21), one(0.2)).outcome());
    }

    @Test
    @DisplayName("a baseline of zero or without data makes a relative rule inconclusive, never a breach")
    void zeroOrMissing() {
        RuleState zero = judge(LATENCY, one(5e-1), one(0));
        assertEquals(Outcome.INCONCLUSIVE, zero.outcome());
        assertEquals("no baseline to compare with (no data, or zero)", zero.message());
        assertEquals(Outcome.INCONCLUSIVE, judge(LATENCY, one(0.5), List.of()).outcome());
        assertEquals(Outcome.INCONCLUSIVE, judge(LATENCY, one(0.5), one(Double.NaN)).outcome());
    }

    @Test
    @DisplayName("an absolute threshold of a rule with a baseline still counts when the baseline is missing")
    void absoluteStillCounts() {
        assertEquals(Outcome.P0, judge(LATENCY, one(2.5), List.of()).outcome());
    }

    @Test
    @DisplayName("each series is compared with the baseline of the same labels; a lone aggregate baseline serves all")
    void perSeries() {
        List<Series> now = List.of(new Series(Map.of("pod", "a"), 0.3), new Series(Map.of("pod", "b"), 0.3));
        List<Series> base = List.of(new Series(Map.of("pod", "a"), 0.29), new Series(Map.of("pod", "b"), 0.1));
        RuleState state = judge(LATENCY, now, base);
        assertEquals(Outcome.P1, state.outcome());
        assertEquals(0.1, state.baseline(), "pod b tripled; pod a did not move");
        assertEquals(Outcome.OK, judge(LATENCY, now, one(0.29)).outcome());
    }

    static final Rule SLO_RULE = RuleFixtures.rule("""
            name: availability
            signal: availability
            slo:
              objective: 99.9%
              errors: sum(rate(errors{service="{{service}}"}[{{window}}]))
              total: sum(rate(requests{service="{{service}}"}[{{window}}]))
              windows:
                - {long: 1h, short: 5m,  burnRate: 50,   severity: p0}
                - {long: 1h, short: 5m,  burnRate: 14.4, severity: p1}
                - {long: 6h, short: 30m, burnRate: 6,    severity: p1}
            """);
    static final Slo SLO = SLO_RULE.measure().slo().orElseThrow();

    static Observation burn(Map<Duration, Double> ratios, Duration age) {
        Map<Duration, Future<Double>> futures = new HashMap<>();
        ratios.forEach((d, r) -> futures.put(d, Future.succeededFuture(r)));
        return Burns.judgeBurn(SLO, futures, age);
    }

    static final Duration H1 = Duration.ofHours(1);
    static final Duration M5 = Duration.ofMinutes(5);
    static final Duration H6 = Duration.ofHours(6);
    static final Duration M30 = Duration.ofMinutes(30);
    static final Duration OLD = Duration.ofHours(7);

    @Test
    @DisplayName("burn rate is the error ratio over the budget; both windows of a pair must burn above its rate")
    void burnArithmetic() {
        assertEquals(0.001, SLO.budget(), 1e-12);
        Burn p0 = (Burn) burn(Map.of(H1, 0.06, M5, 0.07, H6, 0.01, M30, 0.02), OLD);
        assertEquals(Severity.P0, p0.severity(), p0.detail());
        assertEquals(60.0, p0.value(), 1e-6, "60x is what both of the 1h/5m windows sustain");
        assertTrue(p0.detail().startsWith("60x over 1h and 70x over 5m (P0 above 50x, 5 % errors)"), p0.detail());
        Burn shortOnly = (Burn) burn(Map.of(H1, 0.005, M5, 0.03, H6, 0.001, M30, 0.03), OLD);
        assertEquals(Severity.NONE, shortOnly.severity(), "a spike in the short window alone does not page");
        Burn slow = (Burn) burn(Map.of(H1, 0.008, M5, 0.009, H6, 0.007, M30, 0.008), OLD);
        assertEquals(Severity.P1, slow.severity(), slow.detail());
    }

    @Test
    @DisplayName("2 % errors burn at 20x: a P1 page, never a rollback (the criteria roll back above 5 %)")
    void twoPercentIsP1() {
        Burn burn = (Burn) burn(Map.of(H1, 0.02, M5, 0.0207, H6, 0.02, M30, 0.02), OLD);
        assertEquals(Severity.P1, burn.severity(), burn.detail());
        assertTrue(burn.detail().contains("20x over 1h and 20.7x over 5m (P1 above 14.4x, 1.44 % errors)"), burn.detail());
    }

    /** Answers every query with its ratio by window; records what was asked. */
    static final class Windows implements Query {
        final List<String> asked = new ArrayList<>();

        @Override
        public Future<List<Series>> at(String promql, Instant time) {
            asked.add(promql);
            double value = promql.startsWith("sum(rate(errors") ? (promql.contains("[5m]") ? 3 : 2) : 100;
            return Future.succeededFuture(one(value));
        }
    }

    static Observation observe(Rule rule, Duration age, Windows query) {
        Release release = Release.hypothetical("r", "api", "1.4.0", null, "production", Map.of(), START);
        return Observer.observe(rule, release, RuleState.initial(rule.name(), START), query, START.plus(age)).await();
    }

    @Test
    @DisplayName("younger than two short windows, a release has no burn rate yet: inconclusive, nothing asked")
    void tooYoung() {
        Windows query = new Windows();
        Observation seen = observe(SLO_RULE, Duration.ofMinutes(9).plusSeconds(59), query);
        assertEquals("release younger than 10m: burn rates wait for two short windows of its own traffic",
                ((GuardNotMet) seen).why());
        assertTrue(query.asked.isEmpty(), query.asked.toString());
    }

    @Test
    @DisplayName("at T+17m30s the long window is the 15m of whole short windows since the release, the short one 5m; 6h/30m waits")
    void clippedLongWindowOnly() {
        Windows query = new Windows();
        Burn burn = (Burn) observe(SLO_RULE, Duration.ofMinutes(17).plusSeconds(30), query);
        assertTrue(query.asked.stream().allMatch(q -> q.contains("[15m]") || q.contains("[5m]")), query.asked.toString());
        assertEquals("20x over 15m and 30x over 5m (P0 above 50x, 5 % errors); "
                + "20x over 15m and 30x over 5m (P1 above 14.4x, 1.44 % errors); 6h/30m (P1 above 6x) from T+1h",
                burn.detail());
        assertEquals(Severity.P1, burn.severity());
    }

    @Test
    @DisplayName("beforeRelease: include judges the windows as written, from T+0")
    void include() {
        Rule include = RuleFixtures.rule("""
                name: availability
                signal: availability
                slo:
                  objective: 99.9%
                  errors: sum(rate(errors{service="{{service}}"}[{{window}}]))
                  total: sum(rate(requests{service="{{service}}"}[{{window}}]))
                  beforeRelease: include
                """);
        Windows query = new Windows();
        Burn burn = (Burn) observe(include, Duration.ofMinutes(1), query);
        assertTrue(burn.detail().startsWith("20x over 1h and 30x over 5m (P1 above 14.4x"), burn.detail());
        assertTrue(query.asked.stream().anyMatch(q -> q.contains("[6h]")), query.asked.toString());
    }

    @Test
    @DisplayName("no traffic in any window is no data")
    void noTraffic() {
        Observation none = burn(Map.of(H1, Double.NaN, M5, Double.NaN, H6, Double.NaN, M30, Double.NaN), OLD);
        assertInstanceOf(Values.class, none);
        assertTrue(((Values) none).series().isEmpty());
    }
}
