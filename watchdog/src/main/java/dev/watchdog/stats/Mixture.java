package dev.watchdog.stats;

/**
 * An anytime-valid one-sided test for a binomial proportion: the mixture sequential probability
 * ratio test (Robbins 1970; Lindon, Sanden and Shirikian, "Rapid Regression Detection in Software
 * Deployments through Sequential Testing", KDD 2022). Its false-alarm rate holds however often it
 * is looked at: every tick of a 24 h watch, on the counts since the release.
 *
 * <p><b>The e-value.</b> For H0 "p <= p0" against p > p0 ({@link Direction#MORE}), after k successes
 * in n trials, {@code E = ∫ (p/p0)^k ((1-p)/(1-p0))^(n-k) dπ(p)} with π the Beta(a, b) prior
 * restricted to (p0, 1) and renormalised. In closed form,
 * {@code E = B(a+k, b+n-k) (1 - I_p0(a+k, b+n-k)) / (B(a, b) (1 - I_p0(a, b)) p0^k (1-p0)^(n-k))},
 * computed in log space, so that n in the millions costs a few hundred terms of a continued fraction.
 * {@link Direction#FEWER} is the mirror: the prior on (0, p0), lower tails instead of upper.
 *
 * <p><b>Why it is valid under every-tick looks.</b> For one p > p0, a trial multiplies the likelihood
 * ratio by {@code (p/p0)^X ((1-p)/(1-p0))^(1-X)}, whose expectation under a true p' is
 * {@code p' p/p0 + (1-p') (1-p)/(1-p0)}: linear in p', equal to 1 at p' = p0, and increasing in p'
 * since p > p0, so at most 1 for every p' <= p0. The product is then a nonnegative supermartingale
 * under every p' in H0, and so is its average over the prior (Fubini), which is E. By Ville's
 * inequality, {@code P(E_n >= 1/alpha for some n) <= alpha}: looks at any times, as many as wanted,
 * even stopping when it looks bad, keep the rate. E depends on the trials only through k and n, so
 * the cumulative counts read at each tick are looks at that one process.
 *
 * <p><b>The prior.</b> Mean p0 and strength m: a = m p0, b = m (1 - p0), with
 * {@code m = priorCount / min(p0, 1 - p0)}: the rarer outcome has {@code priorCount} pseudo-trials.
 * The effects worth detecting are relative (an error rate 1.5x to 2x its usual, an exceedance of
 * 0.05 rising to 0.07-0.10), so the prior's spread is relative to p0 too; one m for all p0 would be
 * right at one error rate and too wide or too narrow at others. {@link #DEFAULT} (3 pseudo-trials)
 * was chosen by simulation: docs/statistics.md has the figures.
 *
 * @param priorCount pseudo-trials of the rarer outcome in the prior; larger looks for smaller effects
 */
public record Mixture(double priorCount) {

    /** Three pseudo-trials of the rarer outcome: within 16 % of the fastest prior at every effect measured. */
    public static final Mixture DEFAULT = new Mixture(3);

    /**
     * Edges are found this far (in ln E) on their side, so that the test asked again at an edge, with
     * its own rounding, answers as the edge says: rejects at a critical count, not at a bound.
     */
    private static final double SURE = 1e-9;

    /** Confidence bounds closer to 0 or 1 than about 1e-13 read as 0 or 1. */
    private static final double LOGIT_RANGE = 30;

    public Mixture {
        if (!(priorCount > 0) || Double.isInfinite(priorCount)) {
            throw new IllegalArgumentException("priorCount must be positive and finite: " + priorCount);
        }
    }

    /** The prior's strength m at p0 (a = m p0, b = m (1 - p0)). */
    public double strength(double p0) {
        checkProbability(p0);
        return priorCount / Math.min(p0, 1 - p0);
    }

    /** ln E after k successes in n trials against p0 (counts may be fractional, as Prometheus's increase() gives). */
    public double logEValue(double k, double n, double p0, Direction direction) {
        checkCounts(k, n);
        checkProbability(p0);
        return logE(k, n, p0, 1 - p0, direction);
    }

    /** E after k successes in n trials against p0; +Infinity past the range of a double. */
    public double eValue(double k, double n, double p0, Direction direction) {
        return Math.exp(logEValue(k, n, p0, direction));
    }

    /**
     * {@code min(1, 1/E)} at this look. The anytime-valid p-value is the smallest of these over the
     * looks so far: the caller keeps that running minimum, this class keeps no state.
     */
    public double pValue(double k, double n, double p0, Direction direction) {
        return Math.min(1, Math.exp(-logEValue(k, n, p0, direction)));
    }

    /** Whether E has reached 1/alpha. */
    public boolean rejects(double k, double n, double p0, Direction direction, double alpha) {
        checkLevel(alpha);
        return logEValue(k, n, p0, direction) >= -Math.log(alpha);
    }

    /**
     * The count at which the test starts to reject after n trials: the least k that rejects
     * ({@code MORE}) or the most ({@code FEWER}); NaN when no count of n can.
     */
    public double critical(double n, double p0, Direction direction, double alpha) {
        checkCounts(0, n);
        checkProbability(p0);
        checkLevel(alpha);
        double threshold = -Math.log(alpha);
        double extreme = direction == Direction.MORE ? n : 0;
        if (logE(extreme, n, p0, 1 - p0, direction) < threshold) {
            return Double.NaN;
        }
        double tolerance = 1e-12 * n + 1e-9;
        return Roots.edge(k -> logE(k, n, p0, 1 - p0, direction) - threshold - SURE, extreme, n * p0, tolerance);
    }

    /**
     * The one-sided lower confidence bound for p at level alpha, valid at every look at once: the
     * least p0 that the {@code MORE} test does not reject (0 when it rejects none).
     */
    public double lowerBound(double k, double n, double alpha) {
        checkCounts(k, n);
        checkLevel(alpha);
        return k == 0 ? 0 : bound(k, n, alpha, Direction.MORE);
    }

    /** The one-sided upper confidence bound: the greatest p0 that the {@code FEWER} test does not reject. */
    public double upperBound(double k, double n, double alpha) {
        checkCounts(k, n);
        checkLevel(alpha);
        return k == n ? 1 : bound(k, n, alpha, Direction.FEWER);
    }

    /** The two-sided confidence sequence at level alpha: the one-sided bounds at alpha/2 each. */
    public Interval interval(double k, double n, double alpha) {
        return new Interval(lowerBound(k, n, alpha / 2), upperBound(k, n, alpha / 2));
    }

    /**
     * The edge of the set of p0 not rejected, by bisection on logit(p0) between the estimate k/n
     * (never rejected: no p on the far side of p0 fits the data better) and the far end.
     */
    private double bound(double k, double n, double alpha, Direction direction) {
        double threshold = -Math.log(alpha);
        double sign = direction == Direction.MORE ? -1 : 1;
        double far = sign * LOGIT_RANGE;
        if (logAt(k, n, far, direction) < threshold) {
            return direction == Direction.MORE ? 0 : 1;
        }
        double estimate = Math.max(-LOGIT_RANGE, Math.min(LOGIT_RANGE, Math.log(k / (n - k))));
        double edge = Roots.edge(t -> threshold - SURE - logAt(k, n, t, direction), estimate, far, 1e-10);
        return probability(edge);
    }

    private double logAt(double k, double n, double logit, Direction direction) {
        return logE(k, n, probability(logit), probability(-logit), direction);
    }

    private static double probability(double logit) {
        return 1 / (1 + Math.exp(-logit));
    }

    /** ln E with q0 = 1 - p0 given apart, so that p0 near 1 keeps its digits. */
    private double logE(double k, double n, double p0, double q0, Direction direction) {
        double m = priorCount / Math.min(p0, q0);
        double a = m * p0;
        double b = m * q0;
        double fit = k * Beta.log(p0, q0) + (n - k) * Beta.log(q0, p0);
        if (direction == Direction.MORE) {
            return Beta.logUpper(p0, q0, a + k, b + n - k) - Beta.logUpper(p0, q0, a, b) - fit;
        }
        return Beta.logLower(p0, q0, a + k, b + n - k) - Beta.logLower(p0, q0, a, b) - fit;
    }

    static void checkCounts(double k, double n) {
        if (!(k >= 0 && k <= n) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("need finite counts 0 <= k <= n: k = " + k + ", n = " + n);
        }
    }

    static void checkProbability(double p) {
        if (!(p > 0 && p < 1)) {
            throw new IllegalArgumentException("need 0 < p0 < 1: " + p);
        }
    }

    static void checkLevel(double alpha) {
        if (!(alpha > 0 && alpha < 1)) {
            throw new IllegalArgumentException("need 0 < alpha < 1: " + alpha);
        }
    }
}
