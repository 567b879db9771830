package dev.watchdog.stats;

import static dev.watchdog.stats.Direction.FEWER;
import static dev.watchdog.stats.Direction.MORE;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * False alarms under a look at every tick, and power, by seeded simulation: the same numbers on
 * every run. A healthy run is one where the null hypothesis holds exactly (at its boundary, where
 * false alarms are likeliest); a false alarm is a run whose e-value reaches 1/alpha at any look.
 * The allowance for the simulation's own noise is exact: the most alarms that a true rate of alpha
 * would exceed with chance below 1/1000. Each test prints what it measured (docs/statistics.md).
 */
class SimulationTest {

    static final double ALPHA = 0.01;
    static final double THRESHOLD = Math.log(1 / ALPHA);
    static final int RUNS = 2000;
    static final int TICKS = 480;
    static final Mixture MIX = Mixture.DEFAULT;

    /** The most alarms of {@code runs} that a true rate of alpha exceeds with chance below 1/1000. */
    static int allowance(int runs) {
        int c = 0;
        while (Significance.atLeast(c + 1, runs, ALPHA) > 0.001) {
            c++;
        }
        return c;
    }

    static void assertFalseAlarms(String what, int alarms, int runs) {
        System.out.printf("false alarms, %s: %d of %d (%.2f %%), allowance %d%n", what, alarms, runs,
                100.0 * alarms / runs, allowance(runs));
        assertTrue(alarms <= allowance(runs), what + ": " + alarms + " false alarms of " + runs);
    }

    @Nested
    @DisplayName("a proportion against p0")
    class Proportion {

        @Test
        @DisplayName("2000 healthy runs looked at after each of 480 batches of 600 trials: false alarms at most alpha, "
                + "both directions, at 1 % and 5 %")
        void healthy() {
            for (double p0 : new double[] {0.01, 0.05}) {
                for (Direction d : Direction.values()) {
                    Draws draws = new Draws(11);
                    int alarms = 0;
                    for (int run = 0; run < RUNS; run++) {
                        alarms += alarmsInOneRun(draws, p0, d) ? 1 : 0;
                    }
                    assertFalseAlarms("proportion at p0 = " + p0 + ", " + d, alarms, RUNS);
                }
            }
        }

        private boolean alarmsInOneRun(Draws draws, double p0, Direction d) {
            double k = 0;
            for (int look = 1; look <= TICKS; look++) {
                k += draws.binomial(600, p0);
                double n = 600.0 * look;
                boolean beyond = d == MORE ? k > n * p0 : k < n * p0; // on the other side E < 1: no need to ask
                if (beyond && MIX.logEValue(k, n, p0, d) >= THRESHOLD) {
                    return true;
                }
            }
            return false;
        }

        @Test
        @DisplayName("binom.test at 0.01 repeated at every look on the same counts alarms far more often than 1 %")
        void repeatedFixedLevelTest() {
            Draws draws = new Draws(12);
            int runs = 500;
            int alarms = 0;
            for (int run = 0; run < runs; run++) {
                long k = 0;
                for (int look = 1; look <= TICKS; look++) {
                    k += draws.binomial(600, 0.05);
                    if (Significance.binomial(k, 600L * look, 0.05, Significance.Alternative.GREATER) < ALPHA) {
                        alarms++;
                        break;
                    }
                }
            }
            System.out.printf("false alarms, binom.test at 0.01 at each of 480 looks: %d of %d (%.1f %%)%n", alarms, runs,
                    100.0 * alarms / runs);
            assertTrue(alarms > 3 * ALPHA * runs, "the fixed-level test at every look: " + alarms + " of " + runs);
        }
    }

    @Nested
    @DisplayName("rates: errors over requests, both sides noisy")
    class RatesUnderLooks {

        /** One side's traffic per look: Poisson requests, each an error with the same chance (independent Poissons). */
        record Side(double requests, double errorRate) {
            double[] draw(Draws draws) {
                return new double[] {draws.poisson(requests * errorRate), draws.poisson(requests * (1 - errorRate))};
            }
        }

        /** Whether a run alarms: the new side and, if growing, the reference, both drawn at every look. */
        boolean alarms(Draws draws, Side now, Side reference, boolean referenceGrows, int looks) {
            double[] fixed = reference.draw(draws);
            double x = 0;
            double e = 0;
            double y = referenceGrows ? 0 : fixed[0];
            double f = referenceGrows ? 0 : fixed[0] + fixed[1];
            for (int look = 0; look < looks; look++) {
                double[] drawn = now.draw(draws);
                x += drawn[0];
                e += drawn[0] + drawn[1];
                if (referenceGrows) {
                    double[] other = reference.draw(draws);
                    y += other[0];
                    f += other[0] + other[1];
                }
                boolean beyond = x * f > y * e; // the new side's rate above the reference's, else E < 1
                if (beyond && Rates.eValue(new Rate(x, e), new Rate(y, f), MORE, 0) >= 1 / ALPHA) {
                    return true;
                }
            }
            return false;
        }

        int count(long seed, Side now, Side reference, boolean grows, int looks) {
            Draws draws = new Draws(seed);
            int alarms = 0;
            for (int run = 0; run < RUNS; run++) {
                alarms += alarms(draws, now, reference, grows, looks) ? 1 : 0;
            }
            return alarms;
        }

        @Test
        @DisplayName("the new and the previous version side by side, 20 requests/s each, 1 % errors, 480 ticks")
        void sideBySide() {
            assertFalseAlarms("rates side by side 50/50", count(21, new Side(300, 0.01), new Side(300, 0.01), true, TICKS),
                    RUNS);
        }

        @Test
        @DisplayName("a canary with 10 % of 40 requests/s against the rest, 1 % errors, 480 ticks")
        void canary() {
            assertFalseAlarms("rates canary 10/90", count(22, new Side(60, 0.01), new Side(540, 0.01), true, TICKS), RUNS);
        }

        @Test
        @DisplayName("since the release against the hour before (144000 requests), 1 % errors, 480 ticks of 600 requests")
        void againstTheHourBefore() {
            assertFalseAlarms("rates against the hour before",
                    count(23, new Side(600, 0.01), new Side(144_000, 0.01), false, TICKS), RUNS);
        }

        @Test
        @DisplayName("against 15 minutes before, rare errors (0.1 %, 36 expected in the reference), 480 ticks")
        void againstASmallReference() {
            assertFalseAlarms("rates against 15 min before at 0.1 %",
                    count(24, new Side(600, 0.001), new Side(36_000, 0.001), false, TICKS), RUNS);
        }

        @Test
        @DisplayName("a 24 h watch looked at every 15 min (96 looks of 36000 requests) against the hour before")
        void dayAgainstTheHourBefore() {
            assertFalseAlarms("rates 24 h at 15 min against the hour before",
                    count(25, new Side(36_000, 0.01), new Side(144_000, 0.01), false, 96), RUNS);
        }
    }

    @Nested
    @DisplayName("the quantile shift: p95 of latency histograms")
    class QuantilesUnderLooks {

        /** Whether a run alarms: a reference of the hour before (144000 requests), then 96 looks of 15 min at 40/s. */
        boolean alarms(Draws draws, Latency latency, double[] bounds, Direction d) {
            double[] chances = latency.chances(bounds);
            Histogram reference = Latency.histogram(bounds, draws.buckets(chances, 144_000));
            Shift shift = Shift.against(reference, 0.95, d, 0, ALPHA);
            double[] counts = new double[chances.length];
            for (int look = 0; look < 96; look++) {
                double[] drawn = draws.buckets(chances, 36_000);
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += drawn[i];
                }
                if (shift.eValue(Latency.histogram(bounds, counts)) >= 1 / ALPHA) {
                    return true;
                }
            }
            return false;
        }

        void healthy(long seed, Latency latency, double[] bounds, String buckets, Direction d) {
            Draws draws = new Draws(seed);
            int alarms = 0;
            for (int run = 0; run < RUNS; run++) {
                alarms += alarms(draws, latency, bounds, d) ? 1 : 0;
            }
            assertFalseAlarms("p95 " + d + ", " + latency + ", " + buckets, alarms, RUNS);
        }

        @Test
        @DisplayName("lognormal latencies in the default buckets")
        void lognormalDefault() {
            healthy(31, Latency.lognormal(), Latency.DEFAULT_BUCKETS, "default buckets", MORE);
        }

        @Test
        @DisplayName("lognormal latencies in finer buckets, for a rise and for a drop")
        void lognormalFine() {
            healthy(32, Latency.lognormal(), Latency.FINE_BUCKETS, "fine buckets", MORE);
            healthy(33, Latency.lognormal(), Latency.FINE_BUCKETS, "fine buckets", FEWER);
        }

        @Test
        @DisplayName("heavy-tailed latencies (a Pareto mixture) in the default and finer buckets")
        void paretoMixture() {
            healthy(34, Latency.paretoMixture(), Latency.DEFAULT_BUCKETS, "default buckets", MORE);
            healthy(35, Latency.paretoMixture(), Latency.FINE_BUCKETS, "fine buckets", MORE);
        }

        @Test
        @DisplayName("against the previous version growing beside it (a canary of 10 % of 40/s), 500 runs")
        void growingReference() {
            Latency latency = Latency.lognormal();
            double[] chances = latency.chances(Latency.DEFAULT_BUCKETS);
            Draws draws = new Draws(36);
            int runs = 500;
            int alarms = 0;
            for (int run = 0; run < runs; run++) {
                double[] now = new double[chances.length];
                double[] before = new double[chances.length];
                for (int look = 0; look < 96; look++) {
                    add(now, draws.buckets(chances, 3600));
                    add(before, draws.buckets(chances, 32_400));
                    Histogram reference = Latency.histogram(Latency.DEFAULT_BUCKETS, before);
                    Histogram current = Latency.histogram(Latency.DEFAULT_BUCKETS, now);
                    // T is above the reference's p95: at most 5 % above that means E < 1, no need to prepare a Shift.
                    if (current.above(reference.quantile(0.95)) <= 0.05 * current.total()) {
                        continue;
                    }
                    if (Shift.against(reference, 0.95, MORE, 0, ALPHA).eValue(current) >= 1 / ALPHA) {
                        alarms++;
                        break;
                    }
                }
            }
            assertFalseAlarms("p95 against a growing reference, default buckets", alarms, runs);
        }

        /**
         * Whether a run alarms: the new side and the same span a day earlier both growing at 40/s, looked
         * at every minute for 6 h from the first (2400 requests a side), at margin 0 or with the new side
         * 2.5 % slower against a margin of 2.5 %.
         */
        boolean alarmsGrowingTogether(Draws draws, Latency latency, double[] bounds, double slower, double margin) {
            double[] before = latency.chances(bounds);
            double[] after = latency.scaled(slower).chances(bounds);
            double[] reference = new double[before.length];
            double[] now = new double[after.length];
            for (int look = 0; look < 360; look++) {
                add(reference, draws.buckets(before, 2400));
                add(now, draws.buckets(after, 2400));
                Histogram ref = Latency.histogram(bounds, reference);
                if (Shift.against(ref, 0.95, MORE, margin, ALPHA).eValue(Latency.histogram(bounds, now)) >= 1 / ALPHA) {
                    return true;
                }
            }
            return false;
        }

        /** One setting of {@link #growingTogether}: latencies, buckets, the new side's slowdown and the margin tested. */
        record Together(Latency latency, double[] bounds, double slower, double margin) {
            @Override
            public String toString() {
                return latency + " x " + slower + " at margin " + margin
                        + (bounds == Latency.FINE_BUCKETS ? ", fine buckets" : ", default buckets");
            }
        }

        @Test
        @DisplayName("both sides growing together (a day earlier), looked at every minute from the first: lognormal and "
                + "heavy-tailed, default buckets, at the margin's edge")
        void growingTogether() {
            List<Together> cases = List.of(new Together(Latency.lognormal(), Latency.DEFAULT_BUCKETS, 1, 0),
                    new Together(Latency.paretoMixture(), Latency.DEFAULT_BUCKETS, 1, 0),
                    new Together(Latency.lognormal(), Latency.DEFAULT_BUCKETS, 1.025, 0.025),
                    new Together(Latency.lognormal(), Latency.FINE_BUCKETS, 1, 0));
            int seed = 40;
            for (Together c : cases) {
                int runs = 1000;
                // Runs on every core, each with its own draws.
                int alarms = (int) new Draws(seed++).split(runs).parallelStream()
                        .filter(draws -> alarmsGrowingTogether(draws, c.latency(), c.bounds(), c.slower(), c.margin()))
                        .count();
                assertFalseAlarms("p95 growing together every minute, " + c, alarms, runs);
            }
        }

        private static void add(double[] to, double[] drawn) {
            for (int i = 0; i < to.length; i++) {
                to[i] += drawn[i];
            }
        }
    }

    @Nested
    @DisplayName("power at 40 requests/s, looked at every 15 s tick")
    class Power {

        /** Requests until the p95 rise is found, or -1 within 24 h; the reference is the hour before. */
        long requestsToDetect(Draws draws, Latency latency, double factor, double[] bounds) {
            double[] before = latency.chances(bounds);
            double[] after = latency.scaled(factor).chances(bounds);
            Shift shift = Shift.against(Latency.histogram(bounds, draws.buckets(before, 144_000)), 0.95, MORE, 0, ALPHA);
            double[] counts = new double[after.length];
            for (int tick = 1; tick <= 5760; tick++) {
                double[] drawn = draws.buckets(after, 600);
                for (int i = 0; i < counts.length; i++) {
                    counts[i] += drawn[i];
                }
                Histogram now = Latency.histogram(bounds, counts);
                if (shift.eValue(now) >= 1 / ALPHA) {
                    return Math.round(now.total());
                }
            }
            return -1;
        }

        long[] detect(long seed, Latency latency, double factor, double[] bounds, int runs) {
            Draws draws = new Draws(seed);
            long[] requests = new long[runs];
            for (int run = 0; run < runs; run++) {
                requests[run] = requestsToDetect(draws, latency, factor, bounds);
            }
            Arrays.sort(requests);
            return requests;
        }

        /** Prints the median and 90th percentile of the requests to detection, and the minutes at that many per second. */
        void report(String what, long[] requests, double perSecond) {
            long missed = Arrays.stream(requests).filter(r -> r < 0).count();
            long[] found = Arrays.stream(requests).filter(r -> r >= 0).toArray();
            long median = found[found.length / 2];
            long ninetieth = found[found.length * 9 / 10];
            System.out.printf("power, %s: found in %d of %d runs; requests to detection: median %d, 90th percentile %d "
                    + "(%.1f and %.1f min at %.0f/s)%n", what, found.length, requests.length, median, ninetieth,
                    median / perSecond / 60, ninetieth / perSecond / 60, perSecond);
            assertTrue(missed == 0, what + ": missed in " + missed + " runs");
        }

        @Test
        @DisplayName("p95 +25 % and +10 % (lognormal latencies, fine and default buckets) are found, and how soon")
        void p95Rise() {
            Latency lognormal = Latency.lognormal();
            long[] fine25 = detect(41, lognormal, 1.25, Latency.FINE_BUCKETS, 200);
            report("p95 +25 %, fine buckets", fine25, 40);
            long[] fine10 = detect(42, lognormal, 1.10, Latency.FINE_BUCKETS, 200);
            report("p95 +10 %, fine buckets", fine10, 40);
            report("p95 +25 %, default buckets", detect(43, lognormal, 1.25, Latency.DEFAULT_BUCKETS, 200), 40);
            report("p95 +10 %, default buckets", detect(44, lognormal, 1.10, Latency.DEFAULT_BUCKETS, 200), 40);
            assertTrue(fine25[100] < fine10[100], "a larger rise is found sooner");
        }

        @Test
        @DisplayName("p95 +25 % and +10 % of heavy-tailed latencies (fine buckets) are found, and how soon")
        void p95RiseHeavyTailed() {
            report("p95 +25 %, Pareto mixture, fine buckets", detect(46, Latency.paretoMixture(), 1.25,
                    Latency.FINE_BUCKETS, 200), 40);
            report("p95 +10 %, Pareto mixture, fine buckets", detect(47, Latency.paretoMixture(), 1.10,
                    Latency.FINE_BUCKETS, 200), 40);
        }

        @Test
        @DisplayName("errors 1.5x and 2x of 1 % (new and previous version side by side, 20 requests/s each) are found")
        void errorRise() {
            for (double factor : new double[] {1.5, 2}) {
                Draws draws = new Draws(45);
                long[] requests = new long[200];
                for (int run = 0; run < requests.length; run++) {
                    requests[run] = errorsToDetect(draws, 0.01 * factor, 0.01);
                }
                Arrays.sort(requests);
                report("errors " + factor + "x of 1 %, the new side's requests", requests, 20);
            }
        }

        long errorsToDetect(Draws draws, double rateNow, double rateBefore) {
            double x = 0;
            double e = 0;
            double y = 0;
            double f = 0;
            for (int tick = 1; tick <= 5760; tick++) {
                x += draws.poisson(300 * rateNow);
                e += 300;
                y += draws.poisson(300 * rateBefore);
                f += 300;
                if (Rates.eValue(new Rate(x, e), new Rate(y, f), MORE, 0) >= 1 / ALPHA) {
                    return Math.round(e);
                }
            }
            return -1;
        }
    }
}
