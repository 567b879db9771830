package dev.watchdog.stats;

/**
 * Whether a quantile of the new side's latencies (say p95) has moved from a reference's: a
 * histogram against a histogram. Prepared once per reference ({@link #against}); each look then
 * costs one e-value ({@link #eValue}) or, with the effect and its interval, a few dozen
 * ({@link #test}).
 *
 * <p><b>The test.</b> H0 for {@code MORE}: "the new q-quantile is at most (1 + margin) times the
 * reference's". Half of alpha bounds the reference's own noise: B, an upper confidence bound for the
 * reference's q-quantile, valid at every look (the {@link Mixture} test of its exceedance count,
 * inverted). The other half tests the new side: if H0 holds and B is above the reference's true
 * quantile, each new observation lies above T = (1 + margin) B with probability at most 1 - q, so
 * the count above T, k of n, is tested against p0 = 1 - q. A moving B (a reference that grows, such
 * as the previous version since the release) does not spoil it: a higher T only lowers k, and E
 * grows with k. The e-value reported is the new side's divided by 2, so that, as elsewhere, the
 * procedure rejects when it reaches 1/alpha. {@code FEWER} mirrors it with a lower bound for the
 * reference and "the new quantile is at least (1 + margin) times the reference's".
 *
 * <p><b>The interval</b> for Q_new(q) / Q_ref(q) - 1 divides the new side's confidence bounds for its
 * q-quantile (the confidence sequence of its exceedance fraction, read through its histogram's
 * quantiles) by the reference's, each at alpha/2: the lower end passes the margin exactly when the
 * {@code MORE} test rejects. For positive quantities (latencies, sizes).
 *
 * <p><b>Assumptions.</b> Requests are independent. Within a bucket, observations are spread evenly,
 * the assumption histogram_quantile makes (the test's counts above a bound inside a bucket are
 * interpolated; with the same spread on both sides the interpolation is the same on both). The
 * counts are cumulative since the release (or over a fixed reference window): that the new side
 * only grows is what makes a look every tick a look at one sequential test.
 */
public final class Shift {

    private static final Mixture MIXTURE = Mixture.DEFAULT;

    private final Histogram reference;
    private final double q;
    private final Direction direction;
    private final double alpha;
    private final double upper;
    private final double lower;
    private final double threshold;

    private Shift(Histogram reference, double q, Direction direction, double margin, double alpha) {
        this.reference = reference;
        this.q = q;
        this.direction = direction;
        this.alpha = alpha;
        this.upper = quantileBound(reference, q, Direction.FEWER, alpha / 2);
        this.lower = quantileBound(reference, q, Direction.MORE, alpha / 2);
        this.threshold = (direction == Direction.MORE ? upper : lower) * (1 + margin);
    }

    /**
     * Prepared against a reference, for quantile q, at level alpha, with H0 "the new q-quantile is at
     * most (MORE) or at least (FEWER) 1 + margin times the reference's".
     */
    public static Shift against(Histogram reference, double q, Direction direction, double margin, double alpha) {
        if (!(q > 0 && q < 1)) {
            throw new IllegalArgumentException("need 0 < q < 1: " + q);
        }
        if (!(margin > -1) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("margin must be finite and above -1: " + margin);
        }
        Mixture.checkLevel(alpha);
        return new Shift(reference, q, direction, margin, alpha);
    }

    /** T, what the new side's observations are counted above; infinite if the reference cannot bound its quantile. */
    public double threshold() {
        return threshold;
    }

    /** The e-value alone, for a decision every tick. */
    public double eValue(Histogram now) {
        return MIXTURE.eValue(exceeding(now), now.total(), 1 - q, direction) / 2;
    }

    /** The comparison, with the effect and its interval. */
    public Evidence test(Histogram now) {
        double e = eValue(now);
        double effect = now.quantile(q) / reference.quantile(q) - 1;
        double referenceAbove = Double.isInfinite(threshold) ? 0 : reference.above(threshold);
        Evidence.Counts counts = new Evidence.Counts(exceeding(now), now.total(), referenceAbove, reference.total());
        return new Evidence(effect, interval(now), counts, e, alpha, e >= 1 / alpha);
    }

    /** The new side's bounds over the reference's, each at alpha/2; -1 and +Infinity where a side cannot bound. */
    private Interval interval(Histogram now) {
        double newLower = quantileBound(now, q, Direction.MORE, alpha / 2);
        double newUpper = quantileBound(now, q, Direction.FEWER, alpha / 2);
        double inf = Double.POSITIVE_INFINITY;
        double low = newLower > 0 && upper < inf ? newLower / upper - 1 : -1;
        double high = lower > 0 && newUpper < inf ? newUpper / lower - 1 : inf;
        return new Interval(low, high);
    }

    /**
     * The new observations above T as the test counts them. Above the highest finite bound their
     * place is unknown: {@code MORE} then counts none (it cannot show a rise there), {@code FEWER}
     * all of the +Inf bucket (at most that many: a conservative count for a drop).
     */
    private double exceeding(Histogram now) {
        if (Double.isNaN(now.lastFinite()) || threshold == Double.POSITIVE_INFINITY) {
            return 0;
        }
        if (threshold == Double.NEGATIVE_INFINITY) {
            return now.total();
        }
        return direction == Direction.MORE && threshold > now.lastFinite() ? 0 : now.above(threshold);
    }

    /**
     * A confidence bound for a histogram's q-quantile, valid at every look: the upper one from the
     * most observations above a value at which the FEWER test rejects "a share 1 - q lies above it"
     * (+Infinity when none can, or when it falls in the +Inf bucket); the lower one from the least
     * at which the MORE test rejects it (-Infinity when none can).
     */
    static double quantileBound(Histogram h, double q, Direction side, double alpha) {
        double n = h.total();
        boolean upperBound = side == Direction.FEWER;
        double missing = upperBound ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
        if (!(n > 0) || Double.isNaN(h.lastFinite())) {
            return missing;
        }
        double critical = MIXTURE.critical(n, 1 - q, side, alpha);
        if (Double.isNaN(critical)) {
            return missing;
        }
        double level = 1 - critical / n;
        return upperBound && h.beyondFinite(level) ? missing : h.quantile(level);
    }
}
