package dev.watchdog.stats;

import java.util.function.DoubleUnaryOperator;

/**
 * Where a monotone function crosses 0: the statistics find the edge of a rejection region this
 * way (the function is ln E less ln(1/alpha)). Regula falsi with the Illinois modification, which
 * keeps a bracket like bisection and converges superlinearly: some ten evaluations of an e-value
 * instead of fifty.
 */
final class Roots {

    private static final int MOST = 200;

    private Roots() {}

    /**
     * Given {@code f(yes) >= 0 > f(no)} (yes and no in either order), the crossing to within
     * {@code tolerance}: the last point found where f >= 0.
     */
    static double edge(DoubleUnaryOperator f, double yes, double no, double tolerance) {
        double atYes = f.applyAsDouble(yes);
        double atNo = f.applyAsDouble(no);
        int lastMoved = 0;
        for (int i = 0; i < MOST && Math.abs(yes - no) > tolerance; i++) {
            double x = (yes * atNo - no * atYes) / (atNo - atYes);
            if (!(Math.min(yes, no) < x && x < Math.max(yes, no))) {
                x = yes + (no - yes) / 2;
            }
            double at = f.applyAsDouble(x);
            if (at >= 0) {
                yes = x;
                atYes = at;
                atNo = lastMoved > 0 ? atNo / 2 : atNo; // Illinois: the end that stays still counts for less
                lastMoved = 1;
            } else {
                no = x;
                atNo = at;
                atYes = lastMoved < 0 ? atYes / 2 : atYes;
                lastMoved = -1;
            }
        }
        return yes;
    }
}
