package dev.watchdog.stats;

/**
 * How much reference days disagree beyond chance, and how a test counts it. Days differ: a Tuesday has
 * 3 % more traffic than the Tuesday before, for no reason a release made. A test of today against the
 * median of 1, 7 and 14 days earlier that knows only the counts' own noise takes such a difference
 * for the release's, more surely the more it counts. The reference days show how much days differ
 * between themselves: their between-day variance τ² of log values, net of each value's own sampling
 * variance (the method of moments of random-effects meta-analysis: DerSimonian and Laird, Controlled
 * Clinical Trials 7, 1986), is added to the test's variance ({@link #COUNTS} or {@link #QUANTILES}
 * times), so that the test asks whether today is outside what the reference days disagree about. Pure.
 */
public final class Spread {

    /**
     * How many times τ² is added to a test of counts or ratios: once for today's own day, about half
     * again for the median's, and the rest because three days tell τ² with two degrees of freedom only
     * (in one history of ten below a tenth of the truth): chosen by simulation ({@code DaysApartTest})
     * so that a healthy day is paged at most the rule's 1 % with days 5 % apart (docs/statistics.md,
     * "Reference days that disagree").
     */
    public static final double COUNTS = 9;

    /**
     * How many times τ² is added to a test of a quantile: once, for today's own day. What the days
     * still disagree about once set to today's level paged healthy releases whose p95 days were 4 to
     * 5 % apart; the two-sample quantile test has the power to spare (docs/statistics.md).
     */
    public static final double QUANTILES = 1;

    private Spread() {}

    /**
     * τ²: the variance of {@code logs} less the mean of their sampling variances, at least 0; 0 with
     * fewer than two values.
     */
    public static double between(double[] logs, double[] samplingVariances) {
        int n = logs.length;
        if (n < 2) {
            return 0;
        }
        double mean = 0;
        double sampling = 0;
        for (int i = 0; i < n; i++) {
            mean += logs[i] / n;
            sampling += samplingVariances[i] / n;
        }
        double squares = 0;
        for (double l : logs) {
            squares += (l - mean) * (l - mean);
        }
        double tau2 = squares / (n - 1) - sampling;
        return tau2 > 0 && Double.isFinite(tau2) ? tau2 : 0;
    }

    /**
     * The dispersion by which a test's counts are divided so that its variance, {@code variance} at
     * dispersion {@code phi}, grows by {@code added} (τ² times its weight, a level's uncertainty): the
     * counts weigh as little as what they do not show leaves them.
     */
    public static double widened(double phi, double added, double variance) {
        if (!(added > 0) || !(variance > 0) || Double.isInfinite(variance)) {
            return phi;
        }
        return phi * (1 + added / variance);
    }
}
