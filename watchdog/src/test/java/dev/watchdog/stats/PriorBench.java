package dev.watchdog.stats;

import java.util.Arrays;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Measures, never asserts: how many trials the mixture test needs to reject at alpha = 0.01, by
 * prior, at the effects that matter (a rate 1.5x-2x of p0 from 0.1 % to 5 %, an exceedance of
 * 0.05 rising to 0.06-0.10, a 50/50 split moving as a rate ratio of 1.5 or 2). The figures behind
 * Mixture.DEFAULT, in docs/statistics.md. Run with
 * {@code mvn -B -o test -Dtest=PriorBench -Dsurefire.failIfNoSpecifiedTests=false} (about a minute).
 */
class PriorBench {

    static final double[][] EFFECTS = {{0.001, 1.5}, {0.001, 2}, {0.01, 1.5}, {0.01, 2}, {0.05, 1.2}, {0.05, 1.4},
        {0.05, 1.5}, {0.05, 2}, {0.2, 1.5}, {0.5, 1.5}, {0.5, 2}};
    static final double[] PRIOR_COUNTS = {0.5, 1, 2, 3, 4, 6, 8, 12};
    static final double[] FIXED_STRENGTHS = {100, 300, 1000};
    static final int RUNS = 400;

    @Test
    void medianTrialsToReject() {
        double[] worst = new double[PRIOR_COUNTS.length + FIXED_STRENGTHS.length];
        System.out.println("p0 ratio | median trials to reject, relative to the best of the row, by prior count "
                + Arrays.toString(PRIOR_COUNTS) + " and fixed m " + Arrays.toString(FIXED_STRENGTHS));
        for (double[] effect : EFFECTS) {
            double p0 = effect[0];
            double p1 = effect[1] * p0 / (effect[1] * p0 + 1 - p0); // a rate ratio, as the share of a split moves
            double[] medians = new double[worst.length];
            for (int i = 0; i < worst.length; i++) {
                double count = i < PRIOR_COUNTS.length ? PRIOR_COUNTS[i]
                        : FIXED_STRENGTHS[i - PRIOR_COUNTS.length] * Math.min(p0, 1 - p0);
                medians[i] = median(new Mixture(count), p0, p1);
            }
            double best = Arrays.stream(medians).min().orElseThrow();
            StringBuilder row = new StringBuilder(String.format(Locale.ROOT, "%-5s %-4s best %8.0f |", p0, effect[1], best));
            for (int i = 0; i < worst.length; i++) {
                row.append(String.format(Locale.ROOT, " %5.2f", medians[i] / best));
                worst[i] = Math.max(worst[i], medians[i] / best);
            }
            System.out.println(row);
        }
        StringBuilder row = new StringBuilder("worst                   |");
        for (double w : worst) {
            row.append(String.format(Locale.ROOT, " %5.2f", w));
        }
        System.out.println(row);
    }

    /** The median over RUNS of the trials at the first look that rejects, looks on a geometric grid from 10 to 5e6. */
    static double median(Mixture mixture, double p0, double p) {
        Draws draws = new Draws(7);
        double[] firsts = new double[RUNS];
        for (int run = 0; run < RUNS; run++) {
            double k = 0;
            double n = 0;
            firsts[run] = Double.POSITIVE_INFINITY;
            for (double look = 10; look <= 5e6; look = Math.ceil(look * 1.03)) {
                k += draws.poissonBinomial((int) (look - n), p);
                n = look;
                if (k > n * p0 && mixture.logEValue(k, n, p0, Direction.MORE) >= Math.log(100)) {
                    firsts[run] = n;
                    break;
                }
            }
        }
        Arrays.sort(firsts);
        return firsts[RUNS / 2];
    }
}
