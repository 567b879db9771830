package dev.watchdog.stats;

/**
 * How many times more counts vary from one minute to the next than independent events would: the
 * dispersion factor φ of a quasi-binomial or quasi-Poisson model. Real traffic is bursty: a p95 that
 * moves 4 % from minute to minute makes the share of slow requests vary several times more than
 * independent requests would, and a test that takes each request as independent would find changes
 * in noise. Dividing the counts by φ gives them the variance the tests assume (the quasi-likelihood
 * correction: McCullagh and Nelder, Generalized Linear Models, 1989, ch. 4).
 *
 * <p>φ is estimated from successive differences (von Neumann's mean square successive difference):
 * the difference between one minute's share and the next has, for independent events, the variance
 * {@code p (1 - p) (1/n_i + 1/n_(i-1))} (for counts, {@code c_i + c_(i-1)}); φ is the sum of squared
 * differences over the sum of those variances. A slow drift (a daily cycle) moves neighbouring minutes
 * alike and so barely counts; what counts is the minute-to-minute noise that cumulative counts carry.
 * NaN when fewer than {@link #MIN_PAIRS} pairs of minutes have data. Not floored: callers take at
 * least 1.
 */
public final class Dispersion {

    /** The fewest pairs of neighbouring minutes from which φ is estimated. */
    public static final int MIN_PAIRS = 10;

    private Dispersion() {}

    /** φ of shares: k[i] of n[i] per minute (events of requests, slow requests of all). NaN (skipped) for no data. */
    public static double binomial(double[] k, double[] n) {
        double events = 0;
        double trials = 0;
        for (int i = 0; i < n.length; i++) {
            if (usable(k[i], n[i])) {
                events += k[i];
                trials += n[i];
            }
        }
        double p = events / trials;
        if (!(p > 0 && p < 1)) {
            return Double.NaN;
        }
        double squares = 0;
        double expected = 0;
        int pairs = 0;
        for (int i = 1; i < n.length; i++) {
            if (usable(k[i], n[i]) && usable(k[i - 1], n[i - 1])) {
                double d = k[i] / n[i] - k[i - 1] / n[i - 1];
                squares += d * d;
                expected += p * (1 - p) * (1 / n[i] + 1 / n[i - 1]);
                pairs++;
            }
        }
        return pairs < MIN_PAIRS ? Double.NaN : squares / expected;
    }

    /** φ of counts per minute (requests, orders). NaN (skipped) for no data. */
    public static double poisson(double[] c) {
        double squares = 0;
        double expected = 0;
        int pairs = 0;
        for (int i = 1; i < c.length; i++) {
            if (c[i] >= 0 && c[i - 1] >= 0) {
                double d = c[i] - c[i - 1];
                squares += d * d;
                expected += c[i] + c[i - 1];
                pairs++;
            }
        }
        return pairs < MIN_PAIRS || !(expected > 0) ? Double.NaN : squares / expected;
    }

    private static boolean usable(double k, double n) {
        return n > 0 && k >= 0 && k <= n;
    }
}
