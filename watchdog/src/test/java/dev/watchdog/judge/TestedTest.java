package dev.watchdog.judge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.watchdog.core.Outcome;
import dev.watchdog.core.Series;
import dev.watchdog.core.Severity;
import dev.watchdog.judge.Observation.Values;
import dev.watchdog.rules.Rule;
import dev.watchdog.rules.RuleFixtures;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Rules with a test: counts since the release against references, read by the anytime-valid tests. */
class TestedTest {

    static final Instant START = Instant.parse("2026-11-21T10:00:00Z");
    static final Instant NOW = START.plusSeconds(1800);

    static RuleState judge(Rule rule, RuleState prev, Values seen) {
        return Judge.judge(rule, prev, seen, NOW, START);
    }

    static RuleState judge(Rule rule, Values seen) {
        return judge(rule, RuleState.initial(rule.name(), START), seen);
    }

    static List<Series> one(double v) {
        return List.of(new Series(Map.of(), v));
    }

    @Nested
    @DisplayName("counts against the median of reference days")
    class Counts {
        static final Rule ORDERS = RuleFixtures.rule("""
                name: orders
                signal: business
                expr: sum(increase(orders_total{service="{{service}}"}[{{since_release}}]))
                unit: count
                baseline: offset 1d, 7d, 14d
                p1: "< -20%"
                significance: 0.01
                """);

        static Values seen(double now, Double... days) {
            List<Sample> references = new ArrayList<>();
            for (Double d : days) {
                references.add(Sample.of(d == null ? List.of() : one(d)));
            }
            return new Values(Sample.of(one(now)), Map.of("offset 1d, 7d, 14d", references), null, null, Map.of());
        }

        @Test
        @DisplayName("a real fall of a fifth is a P1, with its effect, interval and counts against the median day")
        void realFall() {
            RuleState s = judge(ORDERS, seen(4700, 6000.0, 6100.0, 5900.0));
            assertEquals(Outcome.P1, s.outcome(), s.message());
            assertEquals(4700, s.value());
            assertEquals(6000, s.baseline());
            Evidence e = s.evidence();
            assertNotNull(e);
            assertEquals(-0.2167, e.effect(), 1e-4);
            assertTrue(e.lower() < e.effect() && e.effect() < e.upper() && e.upper() < -0.05, e.text());
            assertTrue(e.rejects());
            assertEquals("count -21.7 % [" + Evidence.percent(e.lower()) + ", " + Evidence.percent(e.upper())
                    + "] against the median of 1d, 7d, 14d earlier (1d); 4700 against 6000", e.text());
        }

        @Test
        @DisplayName("one odd reference day neither invents a fall nor hides one: the median sets it aside")
        void oddDay() {
            assertEquals(Outcome.OK, judge(ORDERS, seen(5800, 20000.0, 6000.0, 5900.0)).outcome(),
                    "yesterday's surge would make today a fall of 71 %");
            assertEquals(Outcome.P1, judge(ORDERS, seen(3000, 3100.0, 6000.0, 5900.0)).outcome(),
                    "yesterday's incident would hide a fall of half");
        }

        /** {@code v} with the minutes before the release: today's hour, then each day's two hours, {@code hours[0]} and each day's hour's counts. */
        static Values withHours(Values v, double today, double... days) {
            List<List<Sample>> spans = new ArrayList<>();
            spans.add(minutes(60, today / 60));
            for (double d : days) {
                spans.add(minutes(120, d / 60));
            }
            return new Values(v.now(), v.references(), null, spans, Map.of());
        }

        static List<Sample> minutes(int n, double each) {
            List<Sample> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(Sample.of(one(each)));
            }
            return out;
        }

        @Test
        @DisplayName("each reference day is set to today's level in the hour before the release: a busier day is no fall, "
                + "a quieter one hides none")
        void todaysLevel() {
            RuleState busier = judge(ORDERS, withHours(seen(4700, 6000.0, 6100.0, 5900.0), 600_000, 750_000, 750_000, 750_000));
            assertEquals(Outcome.OK, busier.outcome(), "today ran 20 % under the days before the release too: "
                    + busier.message());
            assertEquals(4800, busier.baseline(), 2, "a level told this precisely is taken nearly whole");
            assertEquals("the median of 1d, 7d, 14d earlier (1d, -20 % to today's level)", busier.evidence().against());
            assertEquals(Map.of("1d", -0.2231, "7d", -0.2231, "14d", -0.2231), busier.kept().levels().entrySet().stream()
                    .collect(java.util.stream.Collectors.toMap(Map.Entry::getKey,
                            e -> Math.round(e.getValue().change() * 1e4) / 1e4)));

            RuleState quieter = judge(ORDERS, withHours(seen(5800, 6000.0, 6100.0, 5900.0), 750_000, 600_000, 600_000, 600_000));
            assertEquals(Outcome.P1, quieter.outcome(), "today ran 25 % over the days before the release, and not after it: "
                    + quieter.message());

            RuleState vague = judge(ORDERS, withHours(seen(4700, 6000.0, 6100.0, 5900.0), 100, 125, 125, 125));
            assertEquals(4700 / (6000 * Math.exp(-0.2231 * 0.0025 / (0.0025 + 0.018))) - 1, vague.evidence().effect(), 1e-3,
                    "a level told by 100 and 125 counts (variance 0.018) is shrunk to an eighth of its -20 %");
            assertEquals(Outcome.INCONCLUSIVE, vague.outcome(), "and its uncertainty widens the test: " + vague.message());
            assertEquals(7500, quieter.baseline(), 5);
        }

        @Test
        @DisplayName("a level 15 % off is a day's, not an incident's, even under a '< -5%' threshold: the days are set to it")
        void levelPastTwiceTheThreshold() {
            RuleState s = judge(DaysApartTest.REQUESTS, withHours(seen(51_000, 60_000.0, 60_000.0, 60_000.0), 510_000, 600_000, 600_000,
                    600_000));
            assertEquals(Outcome.OK, s.outcome(), "today ran 15 % under the days before the release too: " + s.message());
        }

        @Test
        @DisplayName("an hour before the release far from the days' (an incident) sets no level: the days are taken as they are")
        void oddHour() {
            RuleState s = judge(ORDERS, withHours(seen(4700, 6000.0, 6100.0, 5900.0), 240_000, 750_000, 750_000, 750_000));
            assertEquals(Outcome.P1, s.outcome(), s.message());
            assertEquals(6000, s.baseline(), 1e-6);
            assertEquals("the median of 1d, 7d, 14d earlier (1d)", s.evidence().against());
        }

        @Test
        @DisplayName("reference days without data are left out: the median of those present")
        void missingDays() {
            RuleState s = judge(ORDERS, seen(4700, null, 6000.0, null));
            assertEquals(Outcome.P1, s.outcome());
            assertTrue(s.evidence().against().endsWith("(7d, of 1 with data)"), s.evidence().against());
            assertEquals("no baseline to compare with (no data, or zero)", judge(ORDERS, seen(4700, null, null, null)).message());
        }

        @Test
        @DisplayName("a fall that chance explains is inconclusive, and says what it would take")
        void withinChance() {
            RuleState s = judge(ORDERS, seen(40, 52.0));
            assertEquals(Outcome.INCONCLUSIVE, s.outcome());
            assertEquals("a change of -23.1 % is within chance at significance 0.01 (it must be shown past -5 %)", s.message());
            assertNotNull(s.evidence(), "the evidence is shown while inconclusive too");
        }

        @Test
        @DisplayName("a fall shown but under a quarter of the threshold is no breach, and one under half is health")
        void smallFalls() {
            assertEquals(Outcome.OK, judge(ORDERS, seen(96_000, 100_000.0)).outcome(), "-4 %: under half of -20 %");
            RuleState s = judge(ORDERS, seen(88_000, 100_000.0));
            assertEquals(Outcome.P1, s.outcome(), "-12 % is past half of -20 % and shown past -5 %");
        }

        @Test
        @DisplayName("absolute thresholds of the same rule count as always")
        void absolute() {
            Rule rule = RuleFixtures.rule("""
                    name: orders
                    signal: business
                    expr: sum(increase(orders_total{service="{{service}}"}[{{since_release}}]))
                    baseline: offset 1d
                    p1: "< -20%"
                    p0: "< 1"
                    significance: 0.01
                    """);
            Values zero = new Values(Sample.of(one(0)), Map.of("offset 1d", List.of(Sample.of(one(3)))), null, null, Map.of());
            assertEquals(Outcome.P0, judge(rule, zero).outcome());
        }
    }

    @Nested
    @DisplayName("latency histograms against the hour before")
    class Latency {
        static final Rule P95 = RuleFixtures.rule("""
                name: latency
                signal: latency
                expr: sum(increase(latency_bucket{service="{{service}}"}[{{since_release}}]))
                quantile: 0.95
                unit: seconds
                baseline: before-release 1h
                p1: "> +10%"
                significance: 0.01
                """);

        static Values seen(double median, double n) {
            return new Values(Sample.of(Histograms.lognormal(Map.of(), median, n)),
                    Map.of("before-release 1h", List.of(Sample.of(Histograms.lognormal(Map.of(), 0.08, 144_000)))),
                    null, null, Map.of());
        }

        @Test
        @DisplayName("p95 25 % slower over 9000 requests is a P1, the hour before kept for the next evaluation")
        void slower() {
            RuleState s = judge(P95, seen(0.1, 9000));
            assertEquals(Outcome.P1, s.outcome(), s.message());
            Evidence e = s.evidence();
            assertTrue(e.text().startsWith("p95 +"), e.text());
            assertTrue(e.text().endsWith("against the hour before; 9000 and 144000 requests"), e.text());
            assertEquals(9, s.baselines().size(), "the hour before's buckets are kept: " + s.baselines());
            RuleState next = judge(P95, s, new Values(Sample.of(Histograms.lognormal(Map.of(), 0.1, 12_000)), Map.of(),
                    null, null, Map.of()));
            assertEquals(Outcome.P1, next.outcome(), "judged against the kept hour: " + next.message());
        }

        @Test
        @DisplayName("the same latencies as the hour before are ok, with the evidence of no change")
        void same() {
            RuleState s = judge(P95, seen(0.08, 36_000));
            assertEquals(Outcome.OK, s.outcome(), s.message());
            assertEquals(0, s.evidence().effect(), 1e-9);
            assertTrue(!s.evidence().rejects());
        }
    }

    @Nested
    @DisplayName("the new version beside the previous one")
    class Versions {
        static final Rule ERRORS = RuleFixtures.rule("""
                name: canary-errors
                signal: errors
                expr: sum by (version) (increase(errors_total{service="{{service}}"}[{{since_release}}]))
                total: sum by (version) (increase(requests_total{service="{{service}}"}[{{since_release}}]))
                unit: ratio
                baseline: previous-version or offset 1d
                p1: "> +50%"
                significance: 0.01
                minSample: 500
                """);
        static final Split SPLIT = new Split("version", "2.0.0", "1.9.0");

        static Values seen(double newErrors, double newRequests, double oldErrors, double oldRequests) {
            List<Series> errors = List.of(new Series(Map.of("version", "2.0.0"), newErrors),
                    new Series(Map.of("version", "1.9.0"), oldErrors));
            List<Series> requests = List.of(new Series(Map.of("version", "2.0.0"), newRequests),
                    new Series(Map.of("version", "1.9.0"), oldRequests));
            return new Values(new Sample(errors, requests),
                    Map.of("offset 1d", List.of(new Sample(one(10), one(10_000)))), SPLIT, null, Map.of());
        }

        @Test
        @DisplayName("a canary with 10 % of the traffic and twice the errors is a P1 against the old version, share shown")
        void twiceTheErrors() {
            RuleState s = judge(ERRORS, seen(48, 4800, 216, 43_200));
            assertEquals(Outcome.P1, s.outcome(), s.message());
            Evidence e = s.evidence();
            assertEquals(1.0, e.effect(), 1e-9);
            assertEquals(0.1, e.share(), 1e-9);
            assertTrue(e.text().contains("against the previous version (1.9.0); 48 of 4800 and 216 of 43200 requests; "
                    + "the new version has 10 % of the traffic"), e.text());
        }

        @Test
        @DisplayName("while either side has too little, inconclusive, saying how much each has")
        void tooLittle() {
            RuleState s = judge(ERRORS, seen(4, 400, 216, 43_200));
            assertEquals(Outcome.INCONCLUSIVE, s.outcome());
            assertEquals("too little to compare: 400 and 43200 (at least 500 each)", s.message());
        }

        @Test
        @DisplayName("once the previous version no longer serves (its counts stand still), the next baseline takes over")
        void previousGone() {
            RuleState first = judge(ERRORS, seen(5, 4800, 216, 43_200));
            assertEquals("the previous version (1.9.0)", first.evidence().against());
            RuleState later = Judge.judge(ERRORS, first, seen(50, 48_000, 216, 43_200), NOW.plusSeconds(15), START);
            assertEquals("yesterday", later.evidence().against(), later.message());
        }

        @Test
        @DisplayName("a release that names no previous version is compared with the next baseline")
        void noPrevious() {
            Values v = seen(48, 4800, 216, 43_200);
            Values without = new Values(v.now(), v.references(), new Split("version", "2.0.0", null), null, Map.of());
            assertEquals("yesterday", judge(ERRORS, without).evidence().against());
        }
    }

    @Nested
    @DisplayName("dispersion and holding")
    class Dispersion {
        @Test
        @DisplayName("counts that vary more than chance before the release weigh less: a change they explain is not shown")
        void bursty() {
            Rule rule = Counts.ORDERS;
            List<Sample> minutes = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                minutes.add(Sample.of(one(i % 2 == 0 ? 50 : 150)));
            }
            Values v = new Values(Sample.of(one(26_000)), Map.of("offset 1d, 7d, 14d", List.of(Sample.of(one(30_000)))), null,
                    List.of(minutes), Map.of());
            RuleState calm = judge(rule, new Values(v.now(), v.references(), null, null, Map.of()));
            RuleState bursty = judge(rule, v);
            assertEquals(Outcome.P1, calm.outcome(), calm.message());
            assertEquals(Outcome.INCONCLUSIVE, bursty.outcome(), bursty.message());
            assertEquals(50, bursty.kept().dispersion(), 1e-9, "100 apart each minute, where chance has 200: 10000 / 200");
            assertEquals(50, bursty.evidence().dispersion(), 1e-9);
        }

        @Test
        @DisplayName("a breach counted is held while the test still shows the change past a quarter of the threshold")
        void held() {
            RuleState breached = judge(Counts.ORDERS, Counts.seen(47_000, 60_000.0));
            assertEquals(Severity.P1, breached.level());
            RuleState s = Judge.judge(Counts.ORDERS, breached, Counts.seen(54_500, 60_000.0), NOW.plusSeconds(15), START);
            assertEquals(Outcome.INCONCLUSIVE, s.outcome(), "-9.2 % is under the gate of -10 %, still shown past -5 %");
            assertEquals(Severity.P1, s.level());
            assertTrue(s.message().endsWith("the breach of < -20% is held"), s.message());
            RuleState healthy = Judge.judge(Counts.ORDERS, s, Counts.seen(59_500, 60_000.0), NOW.plusSeconds(30), START);
            assertEquals(Outcome.OK, healthy.outcome());
        }
    }
}
