package dev.watchdog.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Failed;
import dev.watchdog.judge.Observation.GuardNotMet;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class JudgeTest {

    static final Instant START = Instant.parse("2026-11-21T10:00:00Z");

    static Rule errorRate(String extra) {
        return RuleFixtures.rule("""
                name: error-rate
                signal: errors
                expr: sum(rate(errors{service="{{service}}"}[1m]))
                p1: "> 0.01"
                p0: "> 0.05"
                """ + extra);
    }

    /** Feeds values to the judge at a fixed step, like ticks, and keeps the last state. */
    static final class Run {
        final Rule rule;
        Instant now = START;
        RuleState state;

        Run(Rule rule) {
            this.rule = rule;
            this.state = RuleState.initial(rule.name(), START);
        }

        Run at(Duration sinceStart) {
            now = START.plus(sinceStart);
            return this;
        }

        RuleState see(Observation seen) {
            state = Judge.judge(rule, state, seen, now, START);
            return state;
        }

        RuleState see(double... values) {
            List<Series> series = new java.util.ArrayList<>();
            for (int i = 0; i < values.length; i++) {
                series.add(new Series(Map.of("pod", "p" + i), values[i]));
            }
            return see(new Values(series));
        }

        /** Sees the same value every 15 s from now for {@code span}; returns the last state. */
        RuleState hold(double value, Duration span) {
            Instant end = now.plus(span);
            see(value);
            while (now.isBefore(end)) {
                now = now.plusSeconds(15);
                see(value);
            }
            return state;
        }
    }

    @Nested
    @DisplayName("for")
    class For {
        @Test
        @DisplayName("a breach is pending until it has held for 'for', then counts")
        void pendingThenBreach() {
            Run run = new Run(errorRate("for: 1m"));
            assertEquals(Outcome.PENDING, run.see(0.02).outcome());
            assertEquals(Outcome.PENDING, run.at(Duration.ofSeconds(45)).see(0.02).outcome());
            RuleState counted = run.at(Duration.ofSeconds(60)).see(0.02);
            assertEquals(Outcome.P1, counted.outcome());
            assertEquals(Severity.P1, counted.level());
        }

        @Test
        @DisplayName("a break in the breach restarts the 'for' clock")
        void breakRestarts() {
            Run run = new Run(errorRate("for: 1m"));
            run.see(0.02);
            run.at(Duration.ofSeconds(30)).see(0.001);
            assertEquals(Outcome.PENDING, run.at(Duration.ofSeconds(45)).see(0.02).outcome());
            assertEquals(Outcome.PENDING, run.at(Duration.ofSeconds(90)).see(0.02).outcome());
            assertEquals(Outcome.P1, run.at(Duration.ofSeconds(105)).see(0.02).outcome());
        }

        @Test
        @DisplayName("for: 0 counts a breach at the first evaluation")
        void zeroFor() {
            assertEquals(Outcome.P0, new Run(errorRate("")).see(0.2).outcome());
        }

        @Test
        @DisplayName("P0 needs its own 'for' even when a P1 has already counted")
        void p0HasItsOwnClock() {
            Run run = new Run(errorRate("for: 1m"));
            run.hold(0.02, Duration.ofMinutes(2));
            assertEquals(Outcome.P1, run.state.outcome());
            run.now = run.now.plusSeconds(15);
            assertEquals(Outcome.PENDING, run.see(0.09).outcome());
            assertEquals(Severity.P1, run.state.level());
            assertEquals(Outcome.P0, run.hold(0.09, Duration.ofMinutes(1)).outcome());
        }
    }

    @Nested
    @DisplayName("recovery")
    class Recovery {
        @Test
        @DisplayName("a counted breach stays until health has held for 'for' as well")
        void hysteresis() {
            Run run = new Run(errorRate("for: 1m"));
            run.hold(0.02, Duration.ofMinutes(1));
            run.now = run.now.plusSeconds(15);
            assertEquals(Outcome.P1, run.see(0.001).outcome(), "one healthy sample does not clear it");
            assertEquals(Outcome.P1, run.hold(0.001, Duration.ofSeconds(45)).outcome());
            run.now = run.now.plusSeconds(15);
            RuleState recovered = run.see(0.001);
            assertEquals(Outcome.OK, recovered.outcome());
            assertEquals(Severity.NONE, recovered.level());
        }

        @Test
        @DisplayName("a relapse during recovery restarts the health clock")
        void relapse() {
            Run run = new Run(errorRate("for: 1m"));
            run.hold(0.02, Duration.ofMinutes(1));
            run.now = run.now.plusSeconds(15);
            run.hold(0.001, Duration.ofSeconds(45));
            run.now = run.now.plusSeconds(15);
            assertEquals(Outcome.P1, run.see(0.02).outcome());
            run.now = run.now.plusSeconds(15);
            assertEquals(Outcome.P1, run.hold(0.001, Duration.ofSeconds(45)).outcome());
        }
    }

    @Test
    @DisplayName("before 'after' the rule is waiting, whatever the value")
    void waitingBeforeAfter() {
        Run run = new Run(errorRate("after: 5m"));
        RuleState early = run.at(Duration.ofMinutes(4)).see(0.5);
        assertEquals(Outcome.WAITING, early.outcome());
        assertEquals(Severity.NONE, early.level());
        assertEquals(Outcome.P0, run.at(Duration.ofMinutes(5)).see(0.5).outcome());
    }

    @Nested
    @DisplayName("no data")
    class NoData {
        @Test
        @DisplayName("is inconclusive by default, and NaN is no data")
        void inconclusiveByDefault() {
            Run run = new Run(errorRate(""));
            assertEquals(Outcome.INCONCLUSIVE, run.see().outcome());
            RuleState nan = run.see(Double.NaN);
            assertEquals(Outcome.INCONCLUSIVE, nan.outcome());
            assertEquals("no data", nan.message());
        }

        @Test
        @DisplayName("noData: ok counts as healthy")
        void ok() {
            assertEquals(Outcome.OK, new Run(errorRate("noData: ok")).see().outcome());
        }

        @Test
        @DisplayName("noData: breach counts as the rule's worst severity, with 'for'")
        void breach() {
            Run run = new Run(errorRate("noData: breach\nfor: 30s"));
            assertEquals(Outcome.PENDING, run.see().outcome());
            assertEquals(Outcome.P0, run.at(Duration.ofSeconds(30)).see().outcome());
        }

        @Test
        @DisplayName("no data keeps a counted breach but breaks its recovery clock")
        void keepsLevel() {
            Run run = new Run(errorRate("for: 1m"));
            run.hold(0.02, Duration.ofMinutes(1));
            run.now = run.now.plusSeconds(15);
            run.hold(0.001, Duration.ofSeconds(45));
            run.now = run.now.plusSeconds(15);
            RuleState gap = run.see();
            assertEquals(Outcome.INCONCLUSIVE, gap.outcome());
            assertEquals(Severity.P1, gap.level());
            run.now = run.now.plusSeconds(15);
            assertEquals(Outcome.P1, run.see(0.001).outcome(), "health must hold anew for 'for'");
        }
    }

    @Test
    @DisplayName("a guard that is not met makes the rule inconclusive, not a breach")
    void guard() {
        Run run = new Run(errorRate("guard: sum(rate(requests{service=\"{{service}}\"}[1m])) > 1"));
        RuleState state = run.see(new GuardNotMet("guard not met"));
        assertEquals(Outcome.INCONCLUSIVE, state.outcome());
        assertEquals("guard not met", state.message());
        assertEquals(Severity.NONE, state.level());
    }

    @Nested
    @DisplayName("errors")
    class Errors {
        @Test
        @DisplayName("a failed query is an error, never a breach, even with noData: breach")
        void neverBreach() {
            RuleState state = new Run(errorRate("noData: breach")).see(new Failed("timeout"));
            assertEquals(Outcome.ERROR, state.outcome());
            assertEquals(Severity.NONE, state.level());
            assertEquals("timeout", state.message());
        }

        @Test
        @DisplayName("an error between two breaching samples restarts the 'for' clock")
        void errorBreaksFor() {
            Run run = new Run(errorRate("for: 30s"));
            run.see(0.02);
            run.at(Duration.ofSeconds(15)).see(new Failed("connection refused"));
            assertEquals(Outcome.PENDING, run.at(Duration.ofSeconds(30)).see(0.02).outcome());
        }
    }

    @Nested
    @DisplayName("partial data")
    class PartialData {
        @Test
        @DisplayName("an answer with warnings is inconclusive with the warnings said: it neither raises nor clears a breach")
        void neitherBreachNorRecovery() {
            Run run = new Run(errorRate("for: 30s"));
            run.hold(0.09, Duration.ofSeconds(30));
            assertEquals(Severity.P0, run.state.level());
            run.now = run.now.plusSeconds(15);
            RuleState partial = run.see(new Observation.Partial("partial data from Prometheus: store eu-2 unreachable"));
            assertEquals(Outcome.INCONCLUSIVE, partial.outcome());
            assertEquals(Severity.P0, partial.level(), "partial data is no recovery");
            assertEquals("partial data from Prometheus: store eu-2 unreachable", partial.message());
            Run fresh = new Run(errorRate(""));
            assertEquals(Severity.NONE, fresh.see(new Observation.Partial("partial")).level(), "and no breach");
        }
    }

    @Nested
    @DisplayName("several series")
    class Worst {
        @Test
        @DisplayName("the worst series decides and its value is reported; all series are kept")
        void worstDecides() {
            RuleState state = new Run(errorRate("")).see(0.001, 0.07, 0.02);
            assertEquals(Outcome.P0, state.outcome());
            assertEquals(0.07, state.value());
            assertEquals(3, state.series().size());
        }

        @Test
        @DisplayName("for a lower-is-worse rule, the lowest value is the worst")
        void lowerIsWorse() {
            Rule rule = RuleFixtures.rule("""
                    name: availability
                    signal: availability
                    expr: avg(up{service="{{service}}"})
                    p0: "< 0.5"
                    p1: "< 0.99"
                    """);
            RuleState state = new Run(rule).see(1.0, 0.9, 0.995);
            assertEquals(Outcome.P1, state.outcome());
            assertEquals(0.9, state.value());
        }

        @Test
        @DisplayName("healthy series report the one closest to breaching")
        void healthyReportsClosest() {
            assertEquals(0.009, new Run(errorRate("")).see(0.001, 0.009).value());
        }
    }

    @Test
    @DisplayName("'since' moves only when the outcome changes")
    void since() {
        Run run = new Run(errorRate(""));
        run.see(0.001);
        RuleState later = run.at(Duration.ofMinutes(1)).see(0.002);
        assertEquals(START, later.since());
        assertNull(later.p1Since());
        assertEquals(START.plusSeconds(120), run.at(Duration.ofMinutes(2)).see(0.02).since());
    }
}
