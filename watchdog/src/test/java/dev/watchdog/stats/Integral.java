package dev.watchdog.stats;

import java.util.function.DoubleUnaryOperator;

/** The mixture e-value by brute force: Simpson's rule on the likelihood ratio times the prior density. */
final class Integral {

    private static final int STEPS = 4_000;

    private Integral() {}

    /**
     * E for a Beta(m p0, m (1 - p0)) prior on the alternative's side of p0. The side is cut in two
     * halves, each integrated over u in [0, 1] with points crowded where the integrand lives or
     * where the density may be infinite: p = p0 + (mid - p0) u^4 near p0, p = end - (end - mid) u^8
     * near 0 or 1. The prior's normalising integral is taken the same way.
     */
    static double eValue(double k, double n, double p0, Direction d, double m) {
        double a = m * p0;
        double b = m * (1 - p0);
        double end = d == Direction.MORE ? 1 : 0;
        DoubleUnaryOperator prior = p -> inside(p) ? Math.exp(logDensity(p, a, b)) : 0;
        DoubleUnaryOperator weighted = p -> inside(p) ? Math.exp(logDensity(p, a, b) + logRatio(p, k, n, p0)) : 0;
        return side(weighted, p0, end) / side(prior, p0, end);
    }

    private static double side(DoubleUnaryOperator f, double p0, double end) {
        double mid = (p0 + end) / 2;
        return simpson(f, p0, mid, 4) + simpson(f, end, mid, 8);
    }

    /** The integral of f from `from` to `to` (signed), with p = from + (to - from) u^power. */
    private static double simpson(DoubleUnaryOperator f, double from, double to, int power) {
        double h = 1.0 / STEPS;
        double sum = 0;
        for (int i = 1; i <= STEPS; i++) {
            double u = i * h;
            double weight = i == STEPS ? 1 : i % 2 == 1 ? 4 : 2;
            double p = from + (to - from) * Math.pow(u, power);
            sum += weight * f.applyAsDouble(p) * power * Math.pow(u, power - 1);
        }
        return Math.abs(sum * h / 3 * (to - from));
    }

    private static boolean inside(double p) {
        return p > 0 && p < 1;
    }

    private static double logDensity(double p, double a, double b) {
        return (a - 1) * Math.log(p) + (b - 1) * Math.log1p(-p);
    }

    private static double logRatio(double p, double k, double n, double p0) {
        return k * Math.log(p / p0) + (n - k) * Math.log((1 - p) / (1 - p0));
    }
}
