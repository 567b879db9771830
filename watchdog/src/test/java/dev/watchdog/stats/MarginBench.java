package dev.watchdog.stats;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: how a relative threshold X and the quantile-shift test combine, the
 * simulation behind the rule (docs/rules.md, "How the threshold and the test combine"). A breach
 * needs the estimate past g X and the test to rule out a change of at most m X; each column is one
 * (m, g). Latencies drawn request by request at 40 requests/s in the corpus's buckets, p95 200 ms,
 * jittered each minute; the reference is the same minutes of another day, as noisy; counts divided
 * by the dispersion learnt from an hour before; looked at every minute. Each row: how often a change
 * of that size (as histogram_quantile reads the p95) is paged by a time. Run with
 * {@code mvn -B -o test -Dtest=MarginBench -Dsurefire.failIfNoSpecifiedTests=false} (-Druns=200).
 */
class MarginBench {

    static final double[] LE = {0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8};
    static final double SIGMA = 0.45;
    static final double MEDIAN = 0.2 / Math.exp(1.645 * SIGMA);
    static final double ALPHA = 0.01;
    static final double X = 0.10;
    /** (m, g): the share of X the test must rule out, the share of X the estimate must pass. */
    static final double[][] COMBOS = {{0.5, 0}, {0, 1}, {0.5, 1}, {0.25, 0.75}, {0.25, 0.5}, {0, 0.5}};

    static double[] chances(double median) {
        double[] c = new double[LE.length + 1];
        double below = 0;
        for (int i = 0; i < LE.length; i++) {
            double at = Latency.normal(Math.log(LE[i] / median) / SIGMA);
            c[i] = at - below;
            below = at;
        }
        c[LE.length] = 1 - below;
        return c;
    }

    static double interpolated(double median) {
        double[] c = chances(median);
        double[] counts = new double[c.length];
        for (int i = 0; i < c.length; i++) {
            counts[i] = c[i] * 1e6;
        }
        return Latency.histogram(LE, counts).quantile(0.95);
    }

    /** The scale of the latencies at which the p95 histogram_quantile reads is 1 + e times the base's. */
    static double scaleFor(double e) {
        double target = interpolated(MEDIAN) * (1 + e);
        double lo = 0.5;
        double hi = 3;
        for (int i = 0; i < 60; i++) {
            double mid = (lo + hi) / 2;
            if (interpolated(MEDIAN * mid) < target) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return (lo + hi) / 2;
    }

    static double[] minute(Draws d, SplittableRandom r, double scale, double jitter) {
        double n = d.poisson(2400 * Math.exp(0.03 * r.nextGaussian()));
        return d.buckets(chances(MEDIAN * scale * Math.exp(jitter * r.nextGaussian())), n);
    }

    static void add(double[] to, double[] x) {
        for (int i = 0; i < to.length; i++) {
            to[i] += x[i];
        }
    }

    /** The minute each combination first pages at, Integer.MAX_VALUE for never. */
    static int[] run(long seed, double effect, double jitter, int minutes) {
        Draws d = new Draws(seed);
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        double scale = effect == 0 ? 1 : scaleFor(effect);
        double[][] hour = new double[60][];
        double[] pooled = new double[LE.length + 1];
        for (int i = 0; i < 60; i++) {
            hour[i] = minute(d, r, 1, jitter);
            add(pooled, hour[i]);
        }
        double q = Latency.histogram(LE, pooled).quantile(0.95);
        double[] k = new double[60];
        double[] n = new double[60];
        for (int i = 0; i < 60; i++) {
            Histogram h = Latency.histogram(LE, hour[i]);
            k[i] = h.above(q);
            n[i] = h.total();
        }
        double phi = Math.max(1, Dispersion.binomial(k, n));
        double[] now = new double[LE.length + 1];
        double[] ref = new double[LE.length + 1];
        int[] first = new int[COMBOS.length];
        Arrays.fill(first, Integer.MAX_VALUE);
        for (int m = 1; m <= minutes; m++) {
            add(now, minute(d, r, scale, jitter));
            add(ref, minute(d, r, 1, jitter));
            Histogram hn = Latency.histogram(LE, now);
            Histogram hr = Latency.histogram(LE, ref);
            double estimate = hn.quantile(0.95) / hr.quantile(0.95) - 1;
            for (int c = 0; c < COMBOS.length; c++) {
                if (first[c] != Integer.MAX_VALUE || estimate <= COMBOS[c][1] * X) {
                    continue;
                }
                Shift shift = Shift.against(hr.divided(phi), 0.95, Direction.MORE, COMBOS[c][0] * X, ALPHA);
                if (shift.eValue(hn.divided(phi)) >= 1 / ALPHA) {
                    first[c] = m;
                }
            }
        }
        return first;
    }

    static void report(String what, double effect, double jitter, int minutes, int runs, int by) {
        int[] paged = new int[COMBOS.length];
        for (int run = 0; run < runs; run++) {
            int[] f = run(1000L + run, effect, jitter, minutes);
            for (int c = 0; c < f.length; c++) {
                paged[c] += f[c] <= by ? 1 : 0;
            }
        }
        StringBuilder line = new StringBuilder(String.format("| %-34s", what));
        for (int c = 0; c < COMBOS.length; c++) {
            line.append(String.format(" | %5.1f %%", 100.0 * paged[c] / runs));
        }
        System.out.println(line + " |");
    }

    @Test
    void measure() {
        int runs = Integer.getInteger("runs", 200);
        StringBuilder head = new StringBuilder(String.format("| %-34s", "p95 change (jitter a minute)"));
        for (double[] c : COMBOS) {
            head.append(String.format(" | m %.2f, g %.2f", c[0], c[1]));
        }
        System.out.println(head + " |");
        report("+10 % by 20 min (4 %)", 0.10, 0.04, 20, runs, 20);
        report("+10 % by 15 min (4 %)", 0.10, 0.04, 20, runs, 15);
        report("+10 % by 20 min (8 %)", 0.10, 0.08, 20, runs, 20);
        report("+7.5 % by 20 min (4 %)", 0.075, 0.04, 20, runs, 20);
        report("+5 % within 6 h (4 %)", 0.05, 0.04, 360, runs, 360);
        report("+4 % within 6 h (4 %)", 0.04, 0.04, 360, runs, 360);
        report("+2.5 % within 6 h (4 %)", 0.025, 0.04, 360, runs, 360);
        report("none within 6 h (4 %)", 0, 0.04, 360, runs, 360);
        report("none within 6 h (12 %)", 0, 0.12, 360, runs, 360);
    }
}
