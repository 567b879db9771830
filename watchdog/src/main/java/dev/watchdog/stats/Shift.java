package dev.watchdog.stats;

import java.util.function.DoubleUnaryOperator;

/**
 * Whether a quantile of the new side's latencies (say p95) has moved from a reference's: a
 * histogram against a histogram. Prepared once per reference ({@link #against}); each look then
 * costs one e-value ({@link #eValue}) or, with the effect and its interval, a few dozen
 * ({@link #test}).
 *
 * <p><b>The test.</b> H0 for {@code MORE}: "the new latencies are at most (1 + margin) times the
 * reference's". t is the reference's q-quantile as histogram_quantile reads it; if H0 holds, a new
 * observation lies above T = (1 + margin) t at most as often as a reference one lies above t. So the
 * new side's count above T (x of n) against the reference's above t (y of m, that is (1 - q) m) is a
 * comparison of two rates, tested as {@link Rates} does with no margin: given x + y, x is at most
 * Binomial(x + y, n / (n + m)). Both sides' noise is counted once, in the binomial. The test this
 * replaced (an upper bound for the reference's quantile at alpha/2, the new side tested against it
 * at alpha/2) counted each side's noise in full. {@code FEWER} mirrors it: "at least (1 + margin)
 * times".
 *
 * <p><b>The interval</b> for the ratio of the new quantile to the reference's is the set of factors c
 * that neither test rejects with T = c t, each at alpha: its lower end passes 1 + margin exactly when
 * the {@code MORE} test rejects.
 *
 * <p><b>Assumptions.</b> Requests are independent (counts that vary more are divided by their
 * dispersion first). Within a bucket, observations are spread evenly, the assumption
 * histogram_quantile makes: the counts above t and T inside a bucket are interpolated alike. Both
 * sides are counted since the release, or the reference over a fixed span. For a fixed t and both
 * sides growing together the test is anytime-valid as {@link Rates} is; t is re-read from the
 * reference at every look, so the guarantee rests on simulation (docs/statistics.md,
 * SimulationTest), not on a proof.
 */
public final class Shift {

    /** The factors an interval is searched over, as ln c: a p95 from a thousandth to a thousand times. */
    private static final double FACTORS = Math.log(1000);

    private final Histogram reference;
    private final double q;
    private final Direction direction;
    private final double alpha;
    private final double quantile;
    private final double referenceAbove;
    private final double threshold;

    private Shift(Histogram reference, double q, Direction direction, double margin, double alpha) {
        this.reference = reference;
        this.q = q;
        this.direction = direction;
        this.alpha = alpha;
        this.quantile = reference.beyondFinite(q) ? Double.POSITIVE_INFINITY : reference.quantile(q);
        this.referenceAbove = Double.isFinite(quantile) ? reference.above(quantile) : 0;
        this.threshold = quantile * (1 + margin);
    }

    /**
     * Prepared against a reference, for quantile q, at level alpha, with H0 "the new latencies are at
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

    /** T, what the new side's observations are counted above; infinite if the reference has no quantile to count at. */
    public double threshold() {
        return threshold;
    }

    /** The e-value alone, for a decision every tick. */
    public double eValue(Histogram now) {
        return eValue(now, threshold, direction);
    }

    /** The comparison, with the effect and its interval. */
    public Evidence test(Histogram now) {
        double e = eValue(now);
        double effect = now.quantile(q) / reference.quantile(q) - 1;
        Evidence.Counts counts = new Evidence.Counts(exceeding(now, threshold, direction), now.total(), referenceAbove,
                reference.total());
        return new Evidence(effect, interval(now), counts, e, alpha, e >= 1 / alpha);
    }

    private double eValue(Histogram now, double at, Direction d) {
        if (!Double.isFinite(at) || !(now.total() > 0) || !(reference.total() > 0)) {
            return 1;
        }
        return Rates.eValue(new Rate(exceeding(now, at, d), now.total()), new Rate(referenceAbove, reference.total()), d, 0);
    }

    /**
     * The factors c at which each test, with T = c t, stops rejecting: the lower end from {@code MORE},
     * the upper from {@code FEWER}, as changes (c - 1); -1 and +Infinity where a side cannot bound.
     */
    private Interval interval(Histogram now) {
        if (!Double.isFinite(quantile)) {
            return new Interval(-1, Double.POSITIVE_INFINITY);
        }
        double level = Math.log(1 / alpha);
        DoubleUnaryOperator more = c -> Math.log(eValue(now, quantile * Math.exp(c), Direction.MORE)) - level;
        DoubleUnaryOperator fewer = c -> Math.log(eValue(now, quantile * Math.exp(c), Direction.FEWER)) - level;
        double lower = more.applyAsDouble(-FACTORS) < 0 ? -1 : Math.expm1(Roots.edge(more, -FACTORS, FACTORS, 1e-10));
        double upper = fewer.applyAsDouble(FACTORS) < 0 ? Double.POSITIVE_INFINITY
                : Math.expm1(Roots.edge(fewer, FACTORS, -FACTORS, 1e-10));
        return new Interval(lower, upper);
    }

    /**
     * The new observations above T as the test counts them. Above the highest finite bound their
     * place is unknown: {@code MORE} then counts none (it cannot show a rise there), {@code FEWER}
     * all of the +Inf bucket (at most that many: a conservative count for a drop).
     */
    private static double exceeding(Histogram now, double at, Direction d) {
        if (Double.isNaN(now.lastFinite()) || at == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return d == Direction.MORE && at > now.lastFinite() ? 0 : now.above(at);
    }
}
