package dev.watchdog.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

/**
 * The median of a few reference windows (yesterday, 7 and 14 days ago at the same time), so that
 * one unusual day does not become the baseline. Windows without data (NaN) are left out.
 */
public final class Median {

    private Median() {}

    /** The middle value, or the mean of the two middle ones; NaN when no value is a number. */
    public static double of(double... values) {
        // A loop: a fleet's tick takes the median of every series's offsets.
        double[] kept = new double[values.length];
        int n = 0;
        for (double v : values) {
            if (!Double.isNaN(v)) {
                kept[n++] = v;
            }
        }
        if (n == 0) {
            return Double.NaN;
        }
        Arrays.sort(kept, 0, n);
        int middle = n / 2;
        return n % 2 == 1 ? kept[middle] : (kept[middle - 1] + kept[middle]) / 2;
    }

    /**
     * The item whose value is the median, so that its counts (a histogram, a rate) can go into a
     * test whole: of an even number, the lower of the two middle ones; equal values keep the order
     * given. Empty when no value is a number.
     */
    public static <T> Optional<T> pick(List<T> items, ToDoubleFunction<T> value) {
        List<T> kept = new ArrayList<>();
        for (T item : items) {
            if (!Double.isNaN(value.applyAsDouble(item))) {
                kept.add(item);
            }
        }
        kept.sort(Comparator.comparingDouble(value));
        return kept.isEmpty() ? Optional.empty() : Optional.of(kept.get((kept.size() - 1) / 2));
    }
}
