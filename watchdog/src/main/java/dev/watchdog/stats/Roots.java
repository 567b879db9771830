package dev.watchdog.stats;

import java.util.function.DoublePredicate;

/**
 * Where a monotone yes-or-no changes, by bisection: the statistics find the edge of a rejection
 * region this way, where the answer is the test itself, so the edge they report agrees with it.
 */
final class Roots {

    private static final int MOST = 200;

    private Roots() {}

    /**
     * Given {@code yes(yes) == true} and {@code yes(no) == false} (in either order), the point where
     * the answer changes, to within {@code tolerance}: the last point found on the "yes" side.
     */
    static double edge(DoublePredicate test, double yes, double no, double tolerance) {
        for (int i = 0; i < MOST && Math.abs(yes - no) > tolerance; i++) {
            double mid = yes + (no - yes) / 2;
            if (test.test(mid)) {
                yes = mid;
            } else {
                no = mid;
            }
        }
        return yes;
    }
}
