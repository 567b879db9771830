package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.evaluation.Observation.Burn;
import dev.watchdog.evaluation.Observation.Values;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import dev.watchdog.rules.Slo;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
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
        return Judge.judge(rule, RuleState.initial(rule.name(), START), new Values(now, baseline), START, START);
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

    static final Slo SLO = RuleFixtures.rule("""
            name: availability
            signal: availability
            slo:
              objective: 99.9%
              errors: sum(rate(errors{service="{{service}}"}[{{window}}]))
              total: sum(rate(requests{service="{{service}}"}[{{window}}]))
            """).slo().orElseThrow();

    static Observation burn(Map<Duration, Double> ratios, Duration age) {
        Map<Duration, Future<Double>> futures = new java.util.HashMap<>();
        ratios.forEach((d, r) -> futures.put(d, Future.succeededFuture(r)));
        return Observer.judgeBurn(SLO, futures, age);
    }

    static final Duration H1 = Duration.ofHours(1);
    static final Duration M5 = Duration.ofMinutes(5);
    static final Duration H6 = Duration.ofHours(6);
    static final Duration M30 = Duration.ofMinutes(30);

    @Test
    @DisplayName("burn rate is the error ratio over the budget; both windows of a pair must burn at its rate")
    void burnArithmetic() {
        assertEquals(0.001, SLO.budget(), 1e-12);
        Burn p0 = (Burn) burn(Map.of(H1, 0.02, M5, 0.03, H6, 0.004, M30, 0.02), Duration.ofHours(7));
        assertEquals(Severity.P0, p0.severity(), p0.detail());
        assertEquals(20.0, p0.value(), 1e-9, "20x is what both of the 1h/5m windows sustain");
        assertTrue(p0.detail().startsWith("20.0x over 1h and 30.0x over 5m (P0 at 14.4x)"), p0.detail());
        Burn shortOnly = (Burn) burn(Map.of(H1, 0.005, M5, 0.03, H6, 0.001, M30, 0.03), Duration.ofHours(7));
        assertEquals(Severity.NONE, shortOnly.severity(), "a spike in the short window alone does not page");
        Burn slow = (Burn) burn(Map.of(H1, 0.008, M5, 0.009, H6, 0.007, M30, 0.008), Duration.ofHours(7));
        assertEquals(Severity.P1, slow.severity(), slow.detail());
    }

    @Test
    @DisplayName("a young release's windows are clipped to its age: 20x for 10 minutes is already P0")
    void clipped() {
        Duration age = Duration.ofMinutes(10);
        Burn young = (Burn) burn(Map.of(age, 0.02, M5, 0.02), age);
        assertEquals(Severity.P0, young.severity(), young.detail());
    }

    @Test
    @DisplayName("no traffic in any window is no data")
    void noTraffic() {
        Observation none = burn(Map.of(H1, Double.NaN, M5, Double.NaN, H6, Double.NaN, M30, Double.NaN), H6.plus(H1));
        assertInstanceOf(Values.class, none);
        assertTrue(((Values) none).series().isEmpty());
    }
}
