package dev.watchdog.stats;

/**
 * The regularized incomplete beta function, which gives binomial tails without summing terms:
 * Lentz's continued fraction (Numerical Recipes, 3rd ed., 6.4) and Lanczos's log-gamma (g = 7).
 * The incomplete beta integrals also come in log space, for the mixture test's e-values over
 * millions of trials, whose terms would underflow a double.
 */
final class Beta {

    private static final double[] LANCZOS = {0.9999999999998099, 676.5203681218851, -1259.1392167224028,
        771.3234287776531, -176.6150291621406, 12.507343278686905, -0.13857109526572012, 9.984369578019572e-6,
        1.5056327351493116e-7};
    private static final double HALF_LOG_TWO_PI = 0.5 * Math.log(2 * Math.PI);
    private static final double TINY = 1e-300;
    private static final double EPSILON = 1e-15;
    /** Stirling's series for ln Γ: B(2k) / (2k (2k - 1)), k = 1..7. */
    private static final double[] STIRLING = {1.0 / 12, -1.0 / 360, 1.0 / 1260, -1.0 / 1680, 1.0 / 1188,
        -691.0 / 360360, 1.0 / 156};
    private static final double STIRLING_FROM = 10;
    /** The continued fraction converges long before this; a cap, not a budget. */
    private static final int MOST_TERMS = 10_000_000;

    private Beta() {}

    /** I_x(a, b), for a, b > 0. */
    static double regularized(double x, double a, double b) {
        if (x <= 0) {
            return 0;
        }
        if (x >= 1) {
            return 1;
        }
        double front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log1p(-x));
        // The fraction converges fast below the mean of the distribution; above it, by symmetry.
        return x < (a + 1) / (a + b + 2) ? front * fraction(x, a, b) / a : 1 - front * fraction(1 - x, b, a) / b;
    }

    /** ln Γ(x) for x > 0 (below 0.5 through Γ(x + 1) = x Γ(x)). */
    static double logGamma(double x) {
        if (x < 0.5) {
            return logGamma(x + 1) - Math.log(x);
        }
        double y = x - 1;
        double sum = LANCZOS[0];
        for (int i = 1; i < LANCZOS.length; i++) {
            sum += LANCZOS[i] / (y + i);
        }
        double t = y + 7.5;
        return HALF_LOG_TWO_PI + (y + 0.5) * Math.log(t) - t + Math.log(sum);
    }

    /**
     * ln B(a, b), for a, b > 0. With one argument large, ln Γ(b) - ln Γ(a + b) would cancel away
     * every digit (b = 3e12 loses three of them), so Stirling's series is written out and the large
     * terms cancel by hand: ln Γ(x) = (x - 1/2) ln x - x + ln sqrt(2π) + s(x).
     */
    static double logBeta(double a, double b) {
        double p = Math.min(a, b);
        double q = Math.max(a, b);
        double share = p / (p + q);
        if (p >= STIRLING_FROM) {
            double s = stirling(p) + stirling(q) - stirling(p + q);
            return -0.5 * Math.log(q) + HALF_LOG_TWO_PI + s + (p - 0.5) * Math.log(share) + q * Math.log1p(-share);
        }
        if (q >= STIRLING_FROM) {
            double s = stirling(q) - stirling(p + q);
            return logGamma(p) + s + p - p * Math.log(p + q) + (q - 0.5) * Math.log1p(-share);
        }
        return logGamma(p) + logGamma(q) - logGamma(p + q);
    }

    /**
     * s(x) = ln Γ(x) - ((x - 1/2) ln x - x + ln sqrt(2π)), by its asymptotic series; from x = 10 the
     * terms kept are exact to 1e-17.
     */
    private static double stirling(double x) {
        double inverse = 1 / x;
        double square = inverse * inverse;
        double sum = 0;
        for (int i = STIRLING.length - 1; i >= 0; i--) {
            sum = sum * square + STIRLING[i];
        }
        return sum * inverse;
    }

    /**
     * ln of the integral of t^(a-1) (1-t)^(b-1) from 0 to x, that is ln(B(a, b) I_x(a, b)), with
     * y = 1 - x given too so that neither loses digits near 0 or 1. Below the distribution's mean the
     * continued fraction gives it directly, and the ln B(a, b) of the front factor cancels: nothing
     * of the size of ln Γ(a + b) is subtracted. Above it, it is the whole less the other side.
     */
    static double logLower(double x, double y, double a, double b) {
        if (x <= 0) {
            return Double.NEGATIVE_INFINITY;
        }
        if (y <= 0) {
            return logBeta(a, b);
        }
        if (x < (a + 1) / (a + b + 2)) {
            return side(x, y, a, b);
        }
        double whole = logBeta(a, b);
        return whole + logOneMinusExp(Math.min(0, side(y, x, b, a) - whole));
    }

    /** ln of the integral of t^(a-1) (1-t)^(b-1) from x to 1 (y = 1 - x): ln(B(a, b) (1 - I_x(a, b))). */
    static double logUpper(double x, double y, double a, double b) {
        return logLower(y, x, b, a);
    }

    /** ln of the integral from 0 to x where the continued fraction converges: x^a y^b fraction / a. */
    private static double side(double x, double y, double a, double b) {
        return a * log(x, y) + b * log(y, x) + Math.log(fraction(x, a, b) / a);
    }

    /** ln x, given y = 1 - x as well: near 1, x has lost the digits that y still has. */
    static double log(double x, double y) {
        return y < 0.5 ? Math.log1p(-y) : Math.log(x);
    }

    /** ln(1 - e^v) for v <= 0, accurate at both ends (Mächler, "Accurately computing log(1 - exp(-|a|))"). */
    static double logOneMinusExp(double v) {
        return v > -Math.log(2) ? Math.log(-Math.expm1(v)) : Math.log1p(-Math.exp(v));
    }

    /** The continued fraction of I_x(a, b), by the modified Lentz method; it needs O(sqrt(max(a, b))) terms. */
    private static double fraction(double x, double a, double b) {
        int most = (int) Math.min(MOST_TERMS, 1000 + 10 * Math.sqrt(Math.max(a, b)));
        double c = 1;
        double d = nonZero(1 - (a + b) * x / (a + 1));
        d = 1 / d;
        double h = d;
        for (int m = 1; m <= most; m++) {
            double even = m * (b - m) * x / ((a - 1 + 2 * m) * (a + 2 * m));
            d = 1 / nonZero(1 + even * d);
            c = nonZero(1 + even / c);
            h *= d * c;
            double odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 1 + 2 * m));
            d = 1 / nonZero(1 + odd * d);
            c = nonZero(1 + odd / c);
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) < EPSILON) {
                break;
            }
        }
        return h;
    }

    private static double nonZero(double v) {
        return Math.abs(v) < TINY ? TINY : v;
    }
}
