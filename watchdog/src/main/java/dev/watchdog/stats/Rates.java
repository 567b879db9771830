package dev.watchdog.stats;

/**
 * Whether the new side's rate differs from a reference's: x events over exposure e against y over
 * f. Conditional on the total x + y, if the rate ratio is rho0 then x ~ Binomial(x + y, pi0) with
 * {@code pi0 = rho0 e / (rho0 e + f)} (two independent Poisson counts), and a ratio below rho0 makes
 * pi smaller; so the {@link Mixture} test of "pi <= pi0" is a test of "ratio <= rho0" ({@code MORE},
 * errors), and its mirror of "ratio >= rho0" ({@code FEWER}, throughput, orders). rho0 = 1 + margin.
 *
 * <p>It is anytime-valid when the new side and the reference grow together in a steady proportion
 * (the new and the previous version serving side by side, counted since the release): then each
 * event is, in turn, the new side's with the same probability. Against a fixed reference window
 * (the hour before, yesterday), the reference does not grow; simulation finds the rate held there
 * too (docs/statistics.md). Events must be independent: bursts (one client retrying thirty times)
 * look like a change.
 */
public final class Rates {

    private static final Mixture MIXTURE = Mixture.DEFAULT;

    private Rates() {}

    /** The e-value alone, for a decision every tick: {@link #test} adds the effect and its interval. */
    public static double eValue(Rate now, Rate reference, Direction direction, double margin) {
        double ratio = ratio(margin);
        double n = now.events() + reference.events();
        return MIXTURE.eValue(now.events(), n, share(ratio, now, reference), direction);
    }

    /** The comparison at level alpha, against "the ratio is at most (MORE) or at least (FEWER) 1 + margin". */
    public static Evidence test(Rate now, Rate reference, Direction direction, double margin, double alpha) {
        Mixture.checkLevel(alpha);
        double e = eValue(now, reference, direction, margin);
        double x = now.events();
        double n = x + reference.events();
        double lower = ratioOf(MIXTURE.lowerBound(x, n, alpha), now, reference);
        double upper = ratioOf(MIXTURE.upperBound(x, n, alpha), now, reference);
        Evidence.Counts counts = new Evidence.Counts(x, now.exposure(), reference.events(), reference.exposure());
        return new Evidence(now.value() / reference.value() - 1, new Interval(lower - 1, upper - 1), counts, e, alpha,
                e >= 1 / alpha);
    }

    private static double ratio(double margin) {
        if (!(margin > -1) || Double.isInfinite(margin)) {
            throw new IllegalArgumentException("margin must be finite and above -1 (a ratio above 0): " + margin);
        }
        return 1 + margin;
    }

    /** The new side's share of the events when the rate ratio is {@code ratio}. */
    private static double share(double ratio, Rate now, Rate reference) {
        double weighted = ratio * now.exposure();
        return weighted / (weighted + reference.exposure());
    }

    /** The rate ratio at which the new side's share of the events is pi: the inverse of {@link #share}. */
    private static double ratioOf(double pi, Rate now, Rate reference) {
        return pi >= 1 ? Double.POSITIVE_INFINITY : pi / (1 - pi) * reference.exposure() / now.exposure();
    }
}
