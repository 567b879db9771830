package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Judge;
import dev.watchdog.judge.Observation;
import dev.watchdog.judge.RuleState;
import dev.watchdog.prometheus.Query;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import io.vertx.core.Future;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Since when the data shows a breach, and the Judge counting {@code for} from there. */
class OnsetTest {

    static final Instant NOW = Instant.parse("2026-11-21T10:00:10Z");
    static final Rule RULE = RuleFixtures.rule("""
            name: error-rate
            signal: errors
            expr: error_ratio
            unit: ratio
            p1: "> 0.01"
            p0: "> 0.05"
            for: 2s
            """);

    static final Duration STEP = Duration.ofMillis(100);

    /** Steps every 100 ms over the last 2 s, each a value of its age in seconds. */
    static Map<Instant, List<Series>> steps(DoubleUnaryOperator valueAtAge) {
        Map<Instant, List<Series>> out = new LinkedHashMap<>();
        for (int i = 0; i <= 20; i++) {
            Instant t = NOW.minusMillis(100L * i);
            double v = valueAtAge.applyAsDouble(i / 10.0);
            if (!Double.isNaN(v)) {
                out.put(t, List.of(new Series(Map.of(), v)));
            }
        }
        return out;
    }

    @Test
    @DisplayName("the earliest step from which every later one breaches, for each severity asked about")
    void walksBack() {
        Map<Instant, List<Series>> steps = steps(age -> age <= 0.5 ? 0.2 : age <= 1.5 ? 0.02 : 0.001);
        assertEquals(Map.of(Severity.P1, NOW.minusMillis(1500), Severity.P0, NOW.minusMillis(500)),
                Onset.onsets(RULE, steps, STEP, NONE, true, true));
        assertEquals(Map.of(Severity.P0, NOW.minusMillis(500)), Onset.onsets(RULE, steps, STEP, NONE, false, true));
    }

    @Test
    @DisplayName("a step without data, or a healthy one, ends the run; a breach for the whole window dates from its start")
    void gapsAndWholeWindow() {
        assertEquals(Map.of(Severity.P0, NOW.minusMillis(300)),
                Onset.onsets(RULE, steps(age -> Math.abs(age - 0.4) < 0.01 ? Double.NaN : 0.2), STEP, NONE, false, true));
        assertEquals(Map.of(Severity.P0, NOW.minusSeconds(2)), Onset.onsets(RULE, steps(age -> 0.2), STEP, NONE, false, true));
        assertEquals(Map.of(), Onset.onsets(RULE, steps(age -> age == 0 ? 0.001 : 0.2), STEP, NONE, true, true),
                "healthy now: no onset");
    }

    @Test
    @DisplayName("the Judge counts for from the onset: a breach the data shows for 2 s is P0 at once with for: 2s")
    void judgeCountsFromOnset() {
        RuleState prev = RuleState.initial("error-rate", NOW.minusSeconds(60));
        Observation atOnce = new Observation.Values(List.of(new Series(Map.of(), 0.2)))
                .withOnset(Map.of(Severity.P1, NOW.minusSeconds(2), Severity.P0, NOW.minusSeconds(2)));
        assertEquals(Outcome.P0, Judge.judge(RULE, prev, atOnce, NOW, NOW.minusSeconds(60)).outcome());
        Observation recent = new Observation.Values(List.of(new Series(Map.of(), 0.2)))
                .withOnset(Map.of(Severity.P1, NOW.minusMillis(500), Severity.P0, NOW.minusMillis(500)));
        RuleState pending = Judge.judge(RULE, prev, recent, NOW, NOW.minusSeconds(60));
        assertEquals(Outcome.PENDING, pending.outcome());
        assertEquals(NOW.minusMillis(500), pending.p0Since());
        assertEquals(Outcome.P0, Judge.judge(RULE, pending, new Observation.Values(List.of(new Series(Map.of(), 0.2))),
                NOW.plus(Duration.ofMillis(1500)), NOW.minusSeconds(60)).outcome(), "P0 the moment for runs out");
    }

    static final Rule FIVE_MINUTES = RuleFixtures.rule("""
            name: error-rate
            signal: errors
            expr: error_ratio
            unit: ratio
            p1: "> 0.01"
            p0: "> 0.05"
            for: 5m
            """);

    /** A Prometheus that answers every range query with the same steps, and keeps what it was asked. */
    static final class Ranges implements Query {
        final Map<Instant, List<Series>> steps;
        final List<String> asked = new ArrayList<>();

        Ranges(Map<Instant, List<Series>> steps) {
            this.steps = steps;
        }

        @Override
        public Future<List<Series>> at(String promql, Instant time) {
            throw new AssertionError("onsets come from range queries only");
        }

        @Override
        public Future<Map<Instant, List<Series>>> range(String promql, Instant start, Instant end, Duration step) {
            asked.add(promql + " from " + start + " to " + end + " step " + step);
            return Future.succeededFuture(steps);
        }
    }

    /** Steps every 3 s over the last 5 min: {@code value} for the last {@code seconds}, healthy before. */
    static Map<Instant, List<Series>> lastSeconds(int seconds, double value) {
        Map<Instant, List<Series>> out = new LinkedHashMap<>();
        for (int age = 0; age <= 300; age += 3) {
            out.put(NOW.minusSeconds(age), List.of(new Series(Map.of(), age <= seconds ? value : 0.001)));
        }
        return out;
    }

    static final Observation.Values NONE = new Observation.Values(List.of());

    static Observation.Values seen(double value) {
        return new Observation.Values(List.of(new Series(Map.of(), value)));
    }

    static RuleState breachingSince(Instant p1Since) {
        return new RuleState("error-rate", Outcome.P1, Severity.P1, 0.02, null, List.of(), null, null, p1Since, p1Since,
                p1Since, null, null, p1Since, null, null);
    }

    static Observation.Values onset(Rule rule, Observation.Values seen, RuleState prev, Query query,
                                    Instant notBefore) {
        return (Observation.Values) Onset.of(rule, "error_ratio", seen, prev, query, NOW, notBefore).result();
    }

    static final RuleState FRESH = RuleState.initial("error-rate", NOW.minusSeconds(3600));

    @Test
    @DisplayName("a first P0 asks for the range over the last 'for' at a hundredth of it, and dates both severities")
    void asksForTheRange() {
        Ranges prometheus = new Ranges(lastSeconds(60, 0.2));
        Observation.Values dated = onset(FIVE_MINUTES, seen(0.2), FRESH, prometheus, NOW.minusSeconds(3600));
        assertEquals(List.of("error_ratio from 2026-11-21T09:55:10Z to 2026-11-21T10:00:10Z step PT3S"), prometheus.asked);
        assertEquals(Map.of(Severity.P1, NOW.minusSeconds(60), Severity.P0, NOW.minusSeconds(60)), dated.onset());
    }

    @Test
    @DisplayName("a first P1 is dated as a P1 only; a short 'for' is walked at 100 ms, never finer")
    void p1AndFinest() {
        Ranges prometheus = new Ranges(lastSeconds(30, 0.02));
        assertEquals(Map.of(Severity.P1, NOW.minusSeconds(30)),
                onset(FIVE_MINUTES, seen(0.02), FRESH, prometheus, NOW.minusSeconds(3600)).onset());
        Ranges fine = new Ranges(steps(age -> 0.2));
        onset(RULE, seen(0.2), FRESH, fine, NOW.minusSeconds(3600));
        assertEquals(List.of("error_ratio from 2026-11-21T10:00:08Z to 2026-11-21T10:00:10Z step PT0.1S"), fine.asked);
    }

    @Test
    @DisplayName("a P1 already dated that becomes P0: only the P0 is dated again")
    void onlyWhatIsNew() {
        Ranges prometheus = new Ranges(lastSeconds(60, 0.2));
        Observation.Values dated = onset(FIVE_MINUTES, seen(0.2), breachingSince(NOW.minusSeconds(120)), prometheus,
                NOW.minusSeconds(3600));
        assertEquals(Map.of(Severity.P0, NOW.minusSeconds(60)), dated.onset());
    }

    @Test
    @DisplayName("the warm-up bounds the range: nothing before 'after' is asked for, and nothing at all while it lasts")
    void warmUp() {
        Ranges prometheus = new Ranges(lastSeconds(60, 0.2));
        onset(FIVE_MINUTES, seen(0.2), FRESH, prometheus, NOW.minusSeconds(90));
        assertEquals(List.of("error_ratio from 2026-11-21T09:58:40Z to 2026-11-21T10:00:10Z step PT3S"), prometheus.asked);
        Observation.Values atOnce = seen(0.2);
        assertSame(atOnce, onset(FIVE_MINUTES, atOnce, FRESH, prometheus, NOW));
        assertEquals(1, prometheus.asked.size(), "the warm-up ends now: no range to walk");
    }

    @Test
    @DisplayName("no range is asked for a healthy value, a breach already dated, or a rule without 'for'")
    void nothingToDate() {
        Ranges prometheus = new Ranges(lastSeconds(60, 0.2));
        Instant longAgo = NOW.minusSeconds(3600);
        Observation.Values healthy = seen(0.001);
        assertSame(healthy, onset(FIVE_MINUTES, healthy, FRESH, prometheus, longAgo));
        Observation.Values p1 = seen(0.02);
        assertSame(p1, onset(FIVE_MINUTES, p1, breachingSince(NOW.minusSeconds(120)), prometheus, longAgo));
        Rule atOnce = RuleFixtures.rule("""
                name: error-rate
                signal: errors
                expr: error_ratio
                p0: "> 0.05"
                """);
        Observation.Values p0 = seen(0.2);
        assertSame(p0, onset(atOnce, p0, FRESH, prometheus, longAgo));
        assertEquals(List.of(), prometheus.asked);
    }

    @Test
    @DisplayName("where no range can be had (replay, rule tests), 'for' counts from the evaluation")
    void noRange() {
        Query instantOnly = (promql, time) -> Future.succeededFuture(List.of());
        Observation.Values p0 = seen(0.2);
        assertSame(p0, onset(FIVE_MINUTES, p0, FRESH, instantOnly, NOW.minusSeconds(3600)));
    }

    @Test
    @DisplayName("NaN is no data: it ends a run even where the threshold is '!='")
    void nanIsNoData() {
        Rule notOne = RuleFixtures.rule("""
                name: ready
                signal: availability
                expr: ready
                p1: "!= 1"
                for: 2s
                """);
        Map<Instant, List<Series>> steps = steps(age -> 0);
        steps.put(NOW.minusMillis(400), List.of(new Series(Map.of(), Double.NaN)));
        assertEquals(Map.of(Severity.P1, NOW.minusMillis(300)), Onset.onsets(notOne, steps, STEP, NONE, true, false));
    }
}
