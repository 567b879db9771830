package dev.watchdog.stats;

/**
 * Whether two counts differ by more than chance: the conditional binomial test of two Poisson
 * counts (R's {@code poisson.test} with two counts, which is {@code binom.test}). Given the total
 * {@code n = after + before}, "no change" makes {@code after ~ Binomial(n, t1 / (t1 + t2))} for
 * exposures t1 and t2 (equal here: the same window now and at the baseline, so p = 1/2). Exact for
 * small counts; the binomial tails come from the regularized incomplete beta function, so a count
 * of millions costs as little as one of ten. Pure.
 */
public final class Significance {

    /** Which change the test looks for: fewer after than before, more, or either. */
    public enum Alternative { LESS, GREATER, TWO_SIDED }

    /** R's tolerance for "as or less likely than what was seen" in the two-sided test. */
    private static final double RELATIVE_ERROR = 1 + 1e-7;

    private Significance() {}

    /** The p-value of {@code x} successes in {@code n} trials against probability {@code p}, as R's binom.test. */
    public static double binomial(long x, long n, double p, Alternative alternative) {
        if (x < 0 || x > n || !(p > 0 && p < 1)) {
            throw new IllegalArgumentException("need 0 <= x <= n and 0 < p < 1");
        }
        return switch (alternative) {
            case LESS -> atMost(x, n, p);
            case GREATER -> atLeast(x, n, p);
            case TWO_SIDED -> Math.min(1, twoSided(x, n, p));
        };
    }

    /** Two Poisson counts over exposures t1 and t2: the p-value of "their rates are equal", as R's poisson.test. */
    public static double poisson(long x1, long x2, double t1, double t2, Alternative alternative) {
        return binomial(x1, x1 + x2, t1 / (t1 + t2), alternative);
    }

    /**
     * The fewest counts (after and before together, equal exposures) at which the most extreme split
     * (all before, or all after) could reject "no change" at {@code level}: below it, no outcome can.
     */
    public static long fewest(double level, Alternative alternative) {
        double tails = alternative == Alternative.TWO_SIDED ? 2 : 1;
        return (long) Math.floor(Math.log(level / tails) / Math.log(0.5)) + 1;
    }

    /** P(X <= x) for X ~ Binomial(n, p). */
    static double atMost(long x, long n, double p) {
        return x >= n ? 1 : x < 0 ? 0 : Beta.regularized(1 - p, (double) (n - x), x + 1.0);
    }

    /** P(X >= x) for X ~ Binomial(n, p). */
    static double atLeast(long x, long n, double p) {
        return x <= 0 ? 1 : x > n ? 0 : Beta.regularized(p, (double) x, n - x + 1.0);
    }

    /** P(X = x) for X ~ Binomial(n, p). */
    static double probability(long x, long n, double p) {
        double logChoose = Beta.logGamma(n + 1.0) - Beta.logGamma(x + 1.0) - Beta.logGamma(n - x + 1.0);
        return Math.exp(logChoose + x * Math.log(p) + (n - x) * Math.log1p(-p));
    }

    /**
     * R's two-sided p-value: the probability of every outcome no likelier than {@code x}. The outcomes
     * on the far side of the mean form a tail (the probabilities fall away from the mode), found by
     * bisection.
     */
    private static double twoSided(long x, long n, double p) {
        double d = probability(x, n, p) * RELATIVE_ERROR;
        double m = n * p;
        if (x == m) {
            return 1;
        }
        if (x < m) {
            long lo = (long) Math.ceil(m);
            long hi = n + 1;
            while (lo < hi) {
                long mid = (lo + hi) >>> 1;
                if (probability(mid, n, p) <= d) {
                    hi = mid;
                } else {
                    lo = mid + 1;
                }
            }
            return atMost(x, n, p) + atLeast(lo, n, p);
        }
        long lo = 0;
        long hi = (long) Math.floor(m) + 1;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (probability(mid, n, p) <= d) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return atMost(lo - 1, n, p) + atLeast(x, n, p);
    }
}
