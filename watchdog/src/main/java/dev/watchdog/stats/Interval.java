package dev.watchdog.stats;

/** A closed interval [lower, upper]; either end may be infinite. */
public record Interval(double lower, double upper) {

    public Interval {
        if (Double.isNaN(lower) || Double.isNaN(upper) || lower > upper) {
            throw new IllegalArgumentException("not an interval: [" + lower + ", " + upper + "]");
        }
    }

    public boolean contains(double x) {
        return lower <= x && x <= upper;
    }
}
