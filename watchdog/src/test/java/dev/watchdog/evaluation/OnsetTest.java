package dev.watchdog.evaluation;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.time.Instant;
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
                Onset.onsets(RULE, steps, STEP, null, true, true));
        assertEquals(Map.of(Severity.P0, NOW.minusMillis(500)), Onset.onsets(RULE, steps, STEP, null, false, true));
    }

    @Test
    @DisplayName("a step without data, or a healthy one, ends the run; a breach for the whole window dates from its start")
    void gapsAndWholeWindow() {
        assertEquals(Map.of(Severity.P0, NOW.minusMillis(300)),
                Onset.onsets(RULE, steps(age -> Math.abs(age - 0.4) < 0.01 ? Double.NaN : 0.2), STEP, null, false, true));
        assertEquals(Map.of(Severity.P0, NOW.minusSeconds(2)), Onset.onsets(RULE, steps(age -> 0.2), STEP, null, false, true));
        assertEquals(Map.of(), Onset.onsets(RULE, steps(age -> age == 0 ? 0.001 : 0.2), STEP, null, true, true),
                "healthy now: no onset");
    }

    @Test
    @DisplayName("the Judge counts for from the onset: a breach the data shows for 2 s is P0 at once with for: 2s")
    void judgeCountsFromOnset() {
        RuleState prev = RuleState.initial("error-rate", NOW.minusSeconds(60));
        Observation atOnce = new Observation.Values(List.of(new Series(Map.of(), 0.2)), null,
                Map.of(Severity.P1, NOW.minusSeconds(2), Severity.P0, NOW.minusSeconds(2)));
        assertEquals(Outcome.P0, Judge.judge(RULE, prev, atOnce, NOW, NOW.minusSeconds(60)).outcome());
        Observation recent = new Observation.Values(List.of(new Series(Map.of(), 0.2)), null,
                Map.of(Severity.P1, NOW.minusMillis(500), Severity.P0, NOW.minusMillis(500)));
        RuleState pending = Judge.judge(RULE, prev, recent, NOW, NOW.minusSeconds(60));
        assertEquals(Outcome.PENDING, pending.outcome());
        assertEquals(NOW.minusMillis(500), pending.p0Since());
        assertEquals(Outcome.P0, Judge.judge(RULE, pending, new Observation.Values(List.of(new Series(Map.of(), 0.2))),
                NOW.plus(Duration.ofMillis(1500)), NOW.minusSeconds(60)).outcome(), "P0 the moment for runs out");
    }
}
